"""The deadline board and the quarterly results page: lists over the user's own jurisdiction, for
holders of module PETITIONS (among the personas: the city petition office and the two township
committees); everyone else gets 404. Scope within the board is tested in test_board*.py."""

from tests.authz import Entry

PETITION_STAFF = frozenset({"city_petition", "township_a", "township_b"})

ENTRIES = [
    Entry("petitions_board:board", PETITION_STAFF, query="?colour=red"),
    Entry("petitions_board:board_export", PETITION_STAFF, query="?colour=red"),
    Entry("petitions_board:quarterly", PETITION_STAFF, query="?year=2025&quarter=2&show=open"),
    Entry("petitions_board:quarterly_period", PETITION_STAFF, args=lambda t, p: [2025, 2]),
]
