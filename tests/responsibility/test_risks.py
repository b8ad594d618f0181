"""Risk points: kept by the organisation, reviewed yearly, checked by the discipline member; the
office reads them and cannot write."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from jijian.core.roles import Role
from jijian.core.services import ConcurrentEditError
from jijian.responsibility import services
from jijian.responsibility.models import RiskCheck, RiskPoint
from tests.conftest import make_user, sign_in

POINT = {
    "process": "“三重一大”决策",
    "description": "会议记录不规范或造假",
    "level": "high",
    "measures": "集体研究；纪检委员列席并核对会议记录",
    "owner": "党委书记",
}


def test_a_risk_point_is_kept_reviewed_and_checked(tree, people, resp):
    liaison = people.party_liaison
    point = services.risk_point_save(actor=liaison, org=tree.party_org, **POINT)
    with pytest.raises(PermissionDenied):
        services.risk_point_save(actor=resp.city_office, org=tree.party_org, **POINT)
    services.risk_point_save(
        actor=liaison, org=tree.party_org, risk_point=point, version=1, **{**POINT, "level": "medium"}
    )
    with pytest.raises(ConcurrentEditError):
        services.risk_point_save(actor=liaison, org=tree.party_org, risk_point=point, version=1, **POINT)
    assert RiskPoint.objects.get().level == "medium"
    year = date.today().year
    with pytest.raises(ConcurrentEditError):  # confirmed as read before the edit above
        services.risk_point_review(actor=liaison, risk_point=point, year=year, version=1)
    services.risk_point_review(actor=liaison, risk_point=point, year=year, version=2, note="措施有效")
    with pytest.raises(ValidationError, match="只能复核本年度"):
        services.risk_point_review(actor=liaison, risk_point=point, year=year - 1, version=2)
    assert RiskPoint.objects.get().reviewed_year == year

    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.risk_check_record(
            actor=liaison,
            risk_point=point,
            checked_on=date.today() + timedelta(days=1),
            finding="x",
            result="normal",
        )
    with pytest.raises(ValidationError, match="整改"):
        services.risk_check_record(
            actor=liaison, risk_point=point, checked_on=date.today(), finding="记录缺签字", result="problem"
        )
    assert not RiskCheck.objects.exists()
    services.risk_check_record(
        actor=liaison,
        risk_point=point,
        checked_on=date.today(),
        finding="记录缺签字",
        result="problem",
        follow_up="已提醒书记，补签并报告上级纪委",
    )
    # The office reads the points and checks; it has no writing page; another liaison gets 404.
    office = Client()
    sign_in(office, resp.city_office)
    page = office.get(reverse("responsibility:risk_list", args=[tree.party_org.pk])).content.decode()
    assert "会议记录不规范或造假" in page and "已提醒书记" in page and "登记检查" not in page
    assert office.get(reverse("responsibility:risk_check", args=[point.pk])).status_code == 404
    other = Client()
    sign_in(other, resp.other_liaison)
    assert other.get(reverse("responsibility:risk_list", args=[tree.party_org.pk])).status_code == 404


def test_the_yearly_review_confirms_only_the_point_the_page_showed(tree, people):
    """Two people keep the organisation's points: one edits a point's measures while the other has
    the list open; the other's 确认年度复核 is refused with why, not a confirmation of unseen text."""
    liaison = people.party_liaison
    point = services.risk_point_save(actor=liaison, org=tree.party_org, **POINT)
    client = Client()
    sign_in(client, liaison)
    url = reverse("responsibility:risk_list", args=[tree.party_org.pk])
    assert "确认" in client.get(url).content.decode()
    colleague = make_user("liaison_b", tree.party_org, Role.PARTY_ORG_LIAISON)
    services.risk_point_save(
        actor=colleague,
        org=tree.party_org,
        risk_point=point,
        version=1,
        **{**POINT, "measures": "改为由办公室负责记录"},
    )
    review = reverse("responsibility:risk_review", args=[point.pk])
    response = client.post(review, {"version": "1"}, follow=True)
    assert "该记录已被他人修改，请刷新后重试" in response.content.decode()
    assert RiskPoint.objects.get().reviewed_year is None
    # Reloaded, the list shows the new measures and the review goes through.
    page = client.get(url).content.decode()
    assert "改为由办公室负责记录" in page and 'name="version" value="2"' in page
    response = client.post(review, {"version": "2"}, follow=True)
    assert f"已完成{date.today().year}年度复核" in response.content.decode()
    assert RiskPoint.objects.get().reviewed_year == date.today().year
