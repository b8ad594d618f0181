from tests.authz import UNAUTHORIZED, Entry

# Supervisors only (township committees, conduct supervision), each over their own subtree.
SUPERVISORS = frozenset({"township_a", "township_b", "county_officer", "outsider", "zone_officer"})
SEE_VILLAGE_A = frozenset({"township_a", "county_officer"})


def _village_a(t, p):
    return [t.village_a.pk]


def _village_c(t, p):
    return [t.village_c.pk]


ENTRIES = [
    Entry("reports:stats", SUPERVISORS),
    Entry("reports:stats_node", SEE_VILLAGE_A, args=_village_a, extra_outside=_village_c),
    Entry("reports:stats_export_xlsx", SEE_VILLAGE_A, args=_village_a, extra_outside=_village_c),
    Entry("reports:stats_export_reports", SEE_VILLAGE_A, args=_village_a, extra_outside=_village_c),
    Entry("reports:stats_circular", SEE_VILLAGE_A, args=_village_a, extra_outside=_village_c),
    Entry("api:stats_summary", SUPERVISORS, anonymous=UNAUTHORIZED),
]
