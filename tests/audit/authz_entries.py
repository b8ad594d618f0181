from jijian.audit.services import audit_record
from tests.authz import Entry

AUDIT_ONLY = frozenset({"audit_admin"})


def _event_in_village_a(tree, people):
    return [
        audit_record(
            action="test.authz",
            object_type="core.orgunit",
            object_id=tree.village_a.pk,
            org_unit_id=tree.village_a.pk,
            summary="矩阵测试",
        ).pk
    ]


# Only the audit administrator reads the audit trail (三员分立); everyone else gets 404. A county-level
# audit administrator and another county's event: tests/audit/test_viewer.py.
ENTRIES = [
    Entry("audit:event_list", AUDIT_ONLY),
    Entry("audit:event_export", AUDIT_ONLY),
    Entry("audit:event_detail", AUDIT_ONLY, args=_event_in_village_a),
]
