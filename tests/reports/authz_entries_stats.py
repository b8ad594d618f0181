from jijian.reports.exports import month_export_start
from jijian.reports.services import today
from jijian.reports.statistics import add_months
from tests.authz import UNAUTHORIZED, Entry

# Supervisors only (township committees, conduct supervision), each over their own subtree.
SUPERVISORS = frozenset({"township_a", "township_b", "county_officer", "outsider", "zone_officer"})
SEE_VILLAGE_A = frozenset({"township_a", "county_officer"})
# An Excel export is its starter's only: every other persona, even over the same village, gets 404.
OWNER = frozenset({"county_officer"})


def _village_a(t, p):
    return [t.village_a.pk]


def _village_c(t, p):
    return [t.village_c.pk]


def _last_month(t, p):
    return {"month": f"{add_months(today().replace(day=1), -1):%Y-%m}"}


def _export_by(persona):
    def args(t, p):
        month = add_months(today().replace(day=1), -1)
        return [month_export_start(user=getattr(p, persona), node=t.village_a, month=month)]

    return args


ENTRIES = [
    Entry("reports:stats", SUPERVISORS),
    Entry("reports:stats_node", SEE_VILLAGE_A, args=_village_a, extra_outside=_village_c),
    Entry("reports:stats_export_xlsx", SEE_VILLAGE_A, args=_village_a, extra_outside=_village_c),
    Entry("reports:stats_export_reports", SEE_VILLAGE_A, args=_village_a, extra_outside=_village_c),
    Entry(
        "reports:stats_export_month", SEE_VILLAGE_A, args=_village_a, methods=("POST",), post_data=_last_month
    ),
    Entry(
        "reports:stats_export_progress",
        OWNER,
        args=_export_by("county_officer"),
        extra_outside=_export_by("township_a"),
    ),
    Entry(
        "reports:stats_export_status",
        OWNER,
        args=_export_by("county_officer"),
        extra_outside=_export_by("township_a"),
    ),
    Entry(
        "reports:stats_export_download",
        OWNER,
        args=_export_by("county_officer"),
        extra_outside=_export_by("township_a"),
    ),
    Entry("reports:stats_circular", SEE_VILLAGE_A, args=_village_a, extra_outside=_village_c),
    Entry("api:stats_summary", SUPERVISORS, anonymous=UNAUTHORIZED),
]

# The department members' reports: resident groups and supervision offices (each its own, here empty,
# jurisdiction); everyone else 404 (tests/reports/test_department_reports.py tries the groups).
for _name in ("reports:stats_departments", "reports:stats_departments_xlsx"):
    ENTRIES.append(Entry(_name, frozenset({"county_officer", "outsider", "zone_officer"})))
