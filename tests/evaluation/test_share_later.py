"""A mutual-check finding's lesson marked for sharing after the finding was recorded — on the check's
page, for instance once its rectification is closed — goes to the duty manual by the same path as one
marked when recorded (services.finding_share: the same source, the same case). Only the checker unit
or an organiser may; a refusal changes nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jijian.audit.models import AuditEvent
from jijian.core import links
from jijian.evaluation import services
from jijian.evaluation.models import Finding
from jijian.manual.models import CaseStatus, TypicalCase
from tests.evaluation.factories import finding_with_rectification


def _close(people, rect):
    rect = services.rectification_report(
        actor=people.township_b, rectification=rect, report="已补齐", version=1
    )
    return services.rectification_close(actor=people.township_a, rectification=rect, version=2, accept=True)


def test_a_lesson_is_shared_after_its_rectification_closes(tree, people):
    pair, finding, rect = finding_with_rectification(tree, people)
    assert not finding.share and finding.lesson == ""
    _close(people, rect)
    services.check_round_close(actor=people.county_officer, round_=pair.round, version=1)
    # No lesson yet: refused, nothing changed.
    with pytest.raises(ValidationError, match="须填写经验启示"):
        services.finding_lesson_share(actor=people.township_a, finding=finding, lesson=" ", version=1)
    # The checked unit does not propose its own finding; a unit outside sees nothing to do it with.
    with pytest.raises(PermissionDenied):
        services.finding_lesson_share(actor=people.township_b, finding=finding, lesson="补记录", version=1)
    finding.refresh_from_db()
    assert (finding.share, finding.lesson, finding.version, finding.manual_case_id) == (False, "", 1, None)

    shared = services.finding_lesson_share(
        actor=people.township_a, finding=finding, lesson="会议记录当日整理归档", version=1
    )
    finding.refresh_from_db()
    assert finding.share and finding.lesson == "会议记录当日整理归档" and finding.version == 2
    case = TypicalCase.objects.get(pk=finding.manual_case_id)
    assert shared.manual_case_id == case.pk
    # The same case as marking it at creation would have made.
    assert case.source == f"evaluation.finding:{finding.pk}" and case.lesson == "会议记录当日整理归档"
    assert case.status == CaseStatus.DRAFT and case.title.startswith("高城镇")
    assert AuditEvent.objects.filter(action="evaluation.finding_share").count() == 2  # marked, proposed
    # Once proposed: refused, the case unchanged.
    with pytest.raises(ValidationError, match="已推荐为履职手册典型案例"):
        services.finding_lesson_share(actor=people.county_officer, finding=finding, lesson="改", version=2)
    with pytest.raises(ValidationError, match="已被他人修改"):
        services.finding_lesson_share(actor=people.township_a, finding=finding, lesson="改", version=1)
    assert TypicalCase.objects.filter(source__startswith="evaluation.finding:").count() == 1


def test_the_organiser_may_share_a_lesson_written_at_recording(tree, people):
    pair, finding, rect = finding_with_rectification(tree, people)
    Finding.objects.filter(pk=finding.pk).update(lesson="台账按月对账")
    services.finding_lesson_share(actor=people.county_officer, finding=finding, lesson="", version=1)
    finding.refresh_from_db()
    assert finding.share and finding.lesson == "台账按月对账" and finding.manual_case_id


def test_without_the_manual_the_finding_stays_marked_and_is_proposed_later(tree, people):
    pair, finding, rect = finding_with_rectification(tree, people)
    provider, links.manual_case_propose.provider = links.manual_case_propose.provider, None
    try:
        services.finding_lesson_share(
            actor=people.township_a, finding=finding, lesson="公开促整改", version=1
        )
    finally:
        links.manual_case_propose.provider = provider
    finding.refresh_from_db()
    assert finding.share and finding.manual_case_id is None
    # The manual installed: proposing again sends it.
    services.finding_lesson_share(actor=people.township_a, finding=finding, lesson="", version=2)
    finding.refresh_from_db()
    assert TypicalCase.objects.get(pk=finding.manual_case_id).lesson == "公开促整改"


def test_the_check_page_shares_a_lesson_and_shows_a_refusal_as_typed(client, login, tree, people):
    pair, finding, rect = finding_with_rectification(tree, people)
    _close(people, rect)
    url = f"/evaluation/checks/{pair.pk}/"
    login(people.township_b)  # the checked unit is offered no sharing form
    assert 'value="share"' not in client.get(url).content.decode()
    login(people.township_a)
    assert 'value="share"' in client.get(url).content.decode()
    # A stale version: the page comes back with the typed lesson and the message, nothing changed.
    response = client.post(
        url, {"action": "share", "finding": finding.pk, "lesson": "当日归档", "version": 9}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "已被他人修改" in html and "当日归档</textarea>" in html
    finding.refresh_from_db()
    assert not finding.share
    response = client.post(
        url, {"action": "share", "finding": finding.pk, "lesson": "当日归档", "version": 1}
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.share and finding.manual_case_id
    page = client.get(url).content.decode()
    assert "已推荐为履职手册典型案例" in page and 'value="share"' not in page


def test_marking_at_creation_goes_the_same_way(tree, people):
    pair, finding, rect = finding_with_rectification(tree, people)
    at_once = services.finding_add(
        actor=people.township_a,
        pair=pair,
        item_code="q2",
        description="公示栏更新及时",
        lesson="每周更新",
        share=True,
    )
    assert TypicalCase.objects.get(pk=at_once.manual_case_id).source == f"evaluation.finding:{at_once.pk}"
    # Already proposed when recorded: nothing left to share later.
    with pytest.raises(ValidationError, match="已推荐为履职手册典型案例"):
        services.finding_lesson_share(actor=people.township_a, finding=at_once, lesson="", version=1)
