from tests.authz import Entry

ENTRIES = [
    Entry("reports:stats", frozenset()),  # placeholder until the page exists
]
