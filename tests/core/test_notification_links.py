"""The notification list: each notification that has an object opens it (and is then read)."""

from __future__ import annotations

from django.urls import reverse

from jijian.core.notify import notify


def test_a_notification_with_an_object_offers_to_open_it_and_opening_marks_it_read(people, login):
    note = notify(recipient=people.township_a, title="收到转办的信访举报件", link="/petitions/7/")
    plain = notify(recipient=people.township_a, title="系统维护通知", body="今晚22时维护")
    client = login(people.township_a)
    html = client.get(reverse("core:notification_list")).content.decode()
    opener = html.split(reverse("core:notification_read", args=[note.pk]))[1].split("</form>")[0]
    assert "查看详情" in opener
    other = html.split(reverse("core:notification_read", args=[plain.pk]))[1].split("</form>")[0]
    assert "查看详情" not in other and "标为已读" in other
    response = client.post(reverse("core:notification_read", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == "/petitions/7/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_someone_elses_notification_is_404(people, login):
    note = notify(recipient=people.township_a, title="待办", link="/petitions/7/")
    assert login(people.township_b).post(reverse("core:notification_read", args=[note.pk])).status_code == 404
