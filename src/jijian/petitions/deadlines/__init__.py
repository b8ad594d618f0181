"""Statutory time limits of reports and clues on the working-day calendar (limits), the deadline board
and the quarterly results page, and the reminders before and after a limit."""
