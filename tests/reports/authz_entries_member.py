from tests.authz import Entry

ENTRIES = [
    Entry("reports:my_reports", frozenset()),  # placeholder until the page exists
]
