"""The public portal (no account, phone first): the report form with its offline proof of work, the
receipt code that is the reporter's only credential, following a report with it, and the site-wide
brake on receipt guessing."""
