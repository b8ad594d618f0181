"""The organisation tree's companions: all-or-nothing imports of units and people, the working-day
calendar, and pinyin initials for name search. The models and their write services are core.models and
core.services."""
