import json

from jijian.audit.models import AuditEvent
from jijian.reports.models import DutyType


def _post(client, fields):
    return client.post(
        "/admin/reports/dutytype/add/",
        {
            "year": 2026,
            "code": "patrol",
            "name": "巡查",
            "description": "",
            "fields": json.dumps(fields),
            "sort_order": 20,
            "is_active": "on",
            "manual_slug": "",
        },
    )


def test_system_admin_adds_a_duty_type_with_fields(tree, people, login):
    client = login(people.system_admin)
    response = _post(client, [{"name": "sites", "label": "巡查点位", "type": "integer", "min": 0, "max": 50}])
    assert response.status_code == 302
    assert DutyType.objects.get(code="patrol").fields[0]["name"] == "sites"
    assert AuditEvent.objects.filter(action="reports_config.create").exists()


def test_malformed_fields_are_refused_in_chinese(tree, people, login):
    client = login(people.system_admin)
    response = _post(client, [{"name": "sites", "type": "number"}])
    assert response.status_code == 200 and "type 须为" in response.content.decode()
    response = _post(client, [{"name": "a b", "type": "integer"}])
    assert "英文标识符" in response.content.decode()
    assert not DutyType.objects.filter(code="patrol").exists()


def test_only_the_system_admin_edits_the_configuration(tree, people, login):
    for persona in ("township_a", "county_officer", "security_admin", "audit_admin"):
        client = login(getattr(people, persona))
        assert client.get("/admin/reports/dutytype/").status_code in (302, 404), persona
