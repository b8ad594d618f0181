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
