"""What every CSV or Excel export shares: the one guard against formula injection and the
pseudo-buffer that lets csv.writer feed a streamed response line by line."""

from __future__ import annotations

# A spreadsheet reads a cell starting with one of these as a formula (or, for tab and carriage
# return, as the start of one after it trims them).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: object) -> str:
    """User text for a CSV or Excel cell: a spreadsheet must not run what a user typed, so text that
    would start a formula is prefixed with an apostrophe (CSV formula injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in FORMULA_PREFIXES else text


class Echo:
    """A file-like object whose write() returns the line, so csv.writer(Echo()).writerow(row) gives
    the CSV text of one row for a streamed response."""

    def write(self, value: str) -> str:
        return value
