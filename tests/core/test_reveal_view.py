import re

from jijian.audit.models import AuditEvent


def test_security_admin_reveals_a_phone_with_a_reason(tree, people, login):
    people.member_a.phone = "13812345678"
    people.member_a.save()
    client = login(people.security_admin)
    page = client.get(f"/people/{people.member_a.pk}/").content.decode()
    assert "138****5678" in page and "13812345678" not in page and "查看完整" in page
    refused = client.post(f"/people/{people.member_a.pk}/reveal/phone/", {"reason": ""})
    assert "13812345678" not in refused.content.decode()
    shown = client.post(f"/people/{people.member_a.pk}/reveal/phone/", {"reason": "核对联系方式"})
    assert "13812345678" in shown.content.decode()
    event = AuditEvent.objects.get(action="sensitive.reveal")
    assert "13812345678" not in str(event.after) + event.summary


def test_the_id_number_is_for_the_system_admin_only(tree, people, login):
    people.member_a.id_number = "42132119900101123X"
    people.member_a.save()
    assert (
        login(people.security_admin).get(f"/people/{people.member_a.pk}/reveal/id_number/").status_code == 404
    )
    page = login(people.township_a).get(f"/people/{people.member_a.pk}/").content.decode()
    assert "查看完整" not in page and "42132119900101123X" not in page


def _denied_rows():
    return list(AuditEvent.objects.filter(action="sensitive.reveal_denied").order_by("pk"))


def _shape(event) -> tuple:
    """What a denied entry says apart from the id that was asked for."""
    return (event.actor_id, event.object_type, event.summary, str(event.after), event.org_unit_id)


def test_a_refused_reveal_is_recorded_the_same_whether_the_person_exists_or_not(tree, people, login):
    """Issue 22 item 8: a refused reveal writes `sensitive.reveal_denied`, and neither the answer nor
    the entry tells whether the person exists (or is outside the jurisdiction)."""
    people.member_a.phone = "13812345678"
    people.member_a.save()
    client = login(people.outsider)
    missing = 10**9
    answers = [
        client.get(f"/people/{people.member_a.pk}/reveal/phone/"),
        client.get(f"/people/{missing}/reveal/phone/"),
        client.post(f"/people/{people.member_a.pk}/reveal/phone/", {"reason": "想看"}),
        client.post(f"/people/{missing}/reveal/phone/", {"reason": "想看"}),
    ]
    assert [a.status_code for a in answers] == [404] * 4
    # The same page (but for the per-render CSRF mask, and the footer's language switch, which sends the
    # reader back to the address they asked for: their own words, not the system's).
    pages = [
        re.sub(
            r'"X-CSRFToken": "[^"]+"|value="[A-Za-z0-9]{64}"|name="next" value="[^"]*"',
            "",
            a.content.decode(),
        )
        for a in answers[:2]
    ]
    assert pages[0] == pages[1]
    rows = _denied_rows()
    assert [r.object_id for r in rows] == [str(people.member_a.pk), str(missing)] * 2
    assert len({_shape(r) for r in rows}) == 1
    assert rows[0].actor_id == people.outsider.pk and rows[0].after == {"field": "phone"}
    assert not AuditEvent.objects.filter(action="sensitive.reveal").exists()
    assert "13812345678" not in str([(r.summary, r.after) for r in rows])


def test_a_role_that_may_see_the_person_but_not_the_field_is_recorded_too(tree, people, login):
    assert (
        login(people.security_admin).get(f"/people/{people.member_a.pk}/reveal/id_number/").status_code == 404
    )
    [row] = _denied_rows()
    assert row.actor_id == people.security_admin.pk and row.after == {"field": "id_number"}
