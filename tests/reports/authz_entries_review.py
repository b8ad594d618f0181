from tests.authz import Entry

ENTRIES = [
    Entry("reports:review_queue", frozenset()),  # placeholder until the page exists
]
