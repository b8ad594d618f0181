"""Mutual checks between counties (县查县), as between townships: the city's 党风政风监督室 opens the
round and pairs two counties; the checker county's office scores and records a finding with a
rectification; the checked county reports; the checker closes it. Through the services and the pages."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from jijian.attachments.models import Attachment
from jijian.core.roles import Role
from jijian.evaluation import services
from jijian.evaluation.models import Rectification
from jijian.evaluation.todos import evaluation_to_do
from tests.conftest import make_user
from tests.evaluation.factories import check_rubric


@pytest.fixture
def city_office(tree):
    return make_user("city_office", tree.city, Role.CONDUCT_SUPERVISION)


def _photo() -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (40, 30), "blue").save(buffer, "JPEG")
    return SimpleUploadedFile("台账.jpg", buffer.getvalue(), content_type="image/jpeg")


def _todo(user, title):
    return next(i["count"] for i in evaluation_to_do(user) if i["title"] == title)


def test_a_county_pair_round_from_opening_to_a_closed_rectification(client, login, tree, people, city_office):
    # 随县 (county_officer) checks 广水市 (the "outsider", 广水市's office).
    checker, checked = people.county_officer, people.outsider
    round_ = services.check_round_open(
        actor=city_office, title="2026年县级互查", year=2026, rubric=check_rubric(city_office)
    )
    login(city_office)
    page = client.get(f"/evaluation/rounds/{round_.pk}/")
    assert page.status_code == 200
    units = {u.pk for u in page.context["form"].fields["checker"].queryset}
    assert {tree.county.pk, tree.other_county.pk} <= units
    response = client.post(
        f"/evaluation/rounds/{round_.pk}/", {"checker": tree.county.pk, "checked": tree.other_county.pk}
    )
    assert response.status_code == 302
    pair = round_.pairs.get()
    assert (pair.checker, pair.checked) == (tree.county, tree.other_county)
    # A county is not paired with a township, nor checked twice in a round.
    with pytest.raises(ValidationError, match="同级"):
        services.check_pair_add(
            actor=city_office, round_=round_, checker=tree.township_a, checked=tree.county
        )
    with pytest.raises(ValidationError, match="已有检查单位"):
        services.check_pair_add(
            actor=city_office, round_=round_, checker=tree.county, checked=tree.other_county
        )
    # Both counties see the check: each on its home page, the round among its rounds.
    for user in (checker, checked):
        login(user)
        assert client.get("/evaluation/").status_code == 200
        assert client.get(f"/evaluation/rounds/{round_.pk}/").status_code == 200
        assert client.get(f"/evaluation/checks/{pair.pk}/").status_code == 200
    assert _todo(checker, "待完成评分的互查") == 1

    # The checker county scores and records a finding with a rectification, on the page.
    login(checker)
    response = client.post(
        f"/evaluation/checks/{pair.pk}/",
        {"action": "score", "version": 1, "q1": 20, "q2": 25, "q3": 15, "q4": 20},
    )
    assert response.status_code == 302
    pair.refresh_from_db()
    assert pair.total == 80
    response = client.post(
        f"/evaluation/checks/{pair.pk}/",
        {
            "action": "finding",
            "item_code": "q3",
            "description": "乡镇整改台账未按月更新",
            "lesson": "台账按月对账",
            "photos": [_photo()],
        },
    )
    assert response.status_code == 302
    finding = pair.findings.get()
    photo = Attachment.objects.get(purpose="evaluation.finding", object_id=str(finding.pk))
    deadline = timezone.localdate() + timedelta(days=15)
    response = client.post(
        f"/evaluation/checks/{pair.pk}/",
        {"action": "rectification", "finding": finding.pk, "requirement": "补齐台账", "deadline": deadline},
    )
    assert response.status_code == 302
    rect = Rectification.objects.get(finding=finding)
    # The checked county cannot score or record findings on itself; the checker cannot report for it.
    with pytest.raises(PermissionDenied):
        services.check_pair_score(
            actor=checked, pair=pair, scores={"q1": 25, "q2": 25, "q3": 25, "q4": 25}, version=2
        )
    with pytest.raises(PermissionDenied):
        services.rectification_report(actor=checker, rectification=rect, report="已改", version=1)
    assert _todo(checked, "待整改的互查问题") == 1
    # The photo follows the check: both counties and the organiser download it, a township does not.
    for user, status in ((checker, 200), (checked, 200), (city_office, 200), (people.township_a, 404)):
        login(user)
        assert client.get(reverse("attachments:download", args=[photo.pk])).status_code == status

    # The checked county reports; the checker county closes it (the page shows the steps).
    login(checked)
    assert "报送整改情况" in client.get(f"/evaluation/checks/{pair.pk}/").content.decode()
    response = client.post(
        f"/evaluation/rectifications/{rect.pk}/", {"action": "report", "report": "台账已补齐", "version": 1}
    )
    assert response.status_code == 302
    assert _todo(checker, "待销号审核的整改报告") == 1
    login(checker)
    assert "销号" in client.get(f"/evaluation/checks/{pair.pk}/").content.decode()
    response = client.post(f"/evaluation/rectifications/{rect.pk}/", {"action": "close", "version": 2})
    assert response.status_code == 302
    rect.refresh_from_db()
    assert rect.state == Rectification.State.CLOSED and rect.closed_by == checker
    assert _todo(checked, "待整改的互查问题") == 0 and _todo(checker, "待销号审核的整改报告") == 0

    # The organiser ends the round; the API shows the check to both counties and the city.
    services.check_round_close(actor=city_office, round_=round_, version=1)
    for user in (checker, checked, city_office):
        login(user)
        api = client.get(f"/api/evaluation/checks/{pair.pk}")
        assert api.status_code == 200
        assert api.json()["findings"][0]["rectifications"][0]["state"] == "closed"
    # A township of either county sees it (its county's check) only through its county: not at all.
    login(people.township_a)
    assert client.get(f"/evaluation/checks/{pair.pk}/").status_code == 404


def test_a_county_office_cannot_pair_counties_it_does_not_hold(tree, people):
    round_ = services.check_round_open(
        actor=people.county_officer, title="县内互查", year=2026, rubric=check_rubric(people.county_officer)
    )
    with pytest.raises(ValidationError, match="本辖区"):
        services.check_pair_add(
            actor=people.county_officer, round_=round_, checker=tree.county, checked=tree.other_county
        )
    assert not round_.pairs.exists()
