"""Mutual checks: a round keeps its checklist when the checklist is edited, pairing rules, scores
within the items' maxima, findings with photos, rectification to closure (report, send back,
report again, close), only the right unit at each step, and lessons proposed to the duty manual."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from jijian.core import links
from jijian.evaluation import services
from jijian.evaluation.models import CheckPair, CheckRubric, Rectification
from jijian.manual.models import CaseStatus, TypicalCase
from tests.evaluation.factories import ITEMS, check_rubric, finding_with_rectification, round_with_pair


def test_a_round_keeps_its_checklist_when_the_checklist_is_edited(tree, people):
    r, pair = round_with_pair(tree, people)
    old = r.rubric
    new = services.check_rubric_save(
        actor=people.county_officer,
        rubric=old,
        name="四问四看清单（修订）",
        items=[{"ask": "问新问题", "look": "看新材料", "max": 50}],
        version=1,
    )
    assert new.pk != old.pk and new.number == 2 and CheckRubric.objects.count() == 2
    r.refresh_from_db()
    assert r.rubric_id == old.pk and len(r.rubric.items) == 4
    # Scores follow the round's own (old) items.
    pair = services.check_pair_score(
        actor=people.township_a, pair=pair, scores={"q1": 20, "q2": 25, "q3": 15, "q4": 10}, version=1
    )
    assert pair.total == 70
    # A new round takes the current version.
    r2 = services.check_round_open(actor=people.county_officer, title="第二轮", year=2026, rubric=new)
    assert r2.rubric.items[0]["ask"] == "问新问题"
    with pytest.raises(ValidationError, match="现行互查清单"):
        services.check_round_open(actor=people.county_officer, title="第三轮", year=2026, rubric=old)


def test_pairing_and_scoring_rules(tree, people):
    r, pair = round_with_pair(tree, people)
    with pytest.raises(ValidationError, match="不能自己检查自己"):
        services.check_pair_add(
            actor=people.county_officer, round_=r, checker=tree.township_a, checked=tree.township_a
        )
    with pytest.raises(ValidationError, match="同级"):
        services.check_pair_add(
            actor=people.county_officer, round_=r, checker=tree.township_b, checked=tree.village_a
        )
    with pytest.raises(ValidationError, match="本辖区"):
        services.check_pair_add(
            actor=people.county_officer, round_=r, checker=tree.township_a, checked=tree.township_c
        )
    with pytest.raises(ValidationError, match="已有检查单位"):
        services.check_pair_add(
            actor=people.county_officer, round_=r, checker=tree.township_a, checked=tree.township_b
        )
    with pytest.raises(PermissionDenied):
        services.check_pair_add(
            actor=people.outsider, round_=r, checker=tree.township_b, checked=tree.township_a
        )
    assert CheckPair.objects.count() == 1
    with pytest.raises(ValidationError, match="0～25"):
        services.check_pair_score(
            actor=people.township_a, pair=pair, scores={"q1": 26, "q2": 1, "q3": 1, "q4": 1}, version=1
        )
    with pytest.raises(PermissionDenied):  # the checked unit does not score itself
        services.check_pair_score(
            actor=people.township_b, pair=pair, scores={"q1": 1, "q2": 1, "q3": 1, "q4": 1}, version=1
        )
    pair.refresh_from_db()
    assert pair.total is None and pair.scores == {}


def test_a_rectification_is_tracked_to_closure(tree, people):
    pair, finding, rect = finding_with_rectification(tree, people)
    with pytest.raises(PermissionDenied):  # only the checked unit reports
        services.rectification_report(actor=people.township_a, rectification=rect, report="已改", version=1)
    with pytest.raises(ValidationError, match="只有已报整改"):
        services.rectification_close(actor=people.township_a, rectification=rect, version=1, accept=True)
    rect = services.rectification_report(
        actor=people.township_b, rectification=rect, report="已补记录", version=1
    )
    assert rect.state == Rectification.State.REPORTED
    with pytest.raises(PermissionDenied):  # the checked unit does not close its own
        services.rectification_close(actor=people.township_b, rectification=rect, version=2, accept=True)
    with pytest.raises(ValidationError, match="退回须填写理由"):
        services.rectification_close(actor=people.township_a, rectification=rect, version=2, accept=False)
    rect = services.rectification_close(
        actor=people.township_a, rectification=rect, version=2, accept=False, reason="缺少三月记录"
    )
    assert rect.state == Rectification.State.OPEN and rect.return_reason == "缺少三月记录"
    rect = services.rectification_report(
        actor=people.township_b, rectification=rect, report="三月已补", version=3
    )
    # The round's organiser may close as well as the checker.
    rect = services.rectification_close(
        actor=people.county_officer, rectification=rect, version=4, accept=True
    )
    assert rect.state == Rectification.State.CLOSED and rect.closed_by == people.county_officer
    with pytest.raises(ValidationError, match="整改期限不能早于今天"):
        services.rectification_add(
            actor=people.township_a,
            finding=finding,
            requirement="再改",
            deadline=timezone.localdate() - timedelta(days=1),
        )


def test_closing_the_round_stops_findings_but_not_rectifications(tree, people):
    pair, finding, rect = finding_with_rectification(tree, people)
    services.check_round_close(actor=people.county_officer, round_=pair.round, version=1)
    pair.refresh_from_db()
    with pytest.raises(ValidationError, match="已结束"):
        services.finding_add(actor=people.township_a, pair=pair, item_code="q1", description="又一个")
    rect = services.rectification_report(
        actor=people.township_b, rectification=rect, report="已补", version=1
    )
    assert (
        services.rectification_close(
            actor=people.township_a, rectification=rect, version=2, accept=True
        ).state
        == "closed"
    )


def _photo() -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "JPEG")
    return SimpleUploadedFile("现场.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_a_finding_s_photos_follow_the_check(client, login, tree, people):
    r, pair = round_with_pair(tree, people)
    login(people.township_a)
    response = client.post(
        f"/evaluation/checks/{pair.pk}/",
        {"action": "finding", "item_code": "q2", "description": "台账缺页", "photos": [_photo()]},
    )
    assert response.status_code == 302
    finding = pair.findings.get()
    from jijian.attachments.models import Attachment

    photo = Attachment.objects.get(object_id=str(finding.pk))
    assert client.get(f"/files/{photo.pk}/").status_code == 200
    login(people.township_b)  # the checked unit sees its findings' photos
    assert client.get(f"/files/{photo.pk}/").status_code == 200
    login(people.outsider)
    assert client.get(f"/files/{photo.pk}/").status_code == 404
    assert client.get(f"/evaluation/checks/{pair.pk}/").status_code == 404


def test_a_finding_s_photos_are_kept_across_a_missing_description(client, login, tree, people):
    """A finding refused for another field (no description) keeps the chosen photo, shows it as
    attached, and the corrected submit stores it once."""
    from jijian.attachments.models import Attachment

    r, pair = round_with_pair(tree, people)
    login(people.township_a)
    url = f"/evaluation/checks/{pair.pk}/"
    refused = client.post(
        url, {"action": "finding", "item_code": "q2", "description": "", "photos": [_photo()]}
    )
    body = refused.content.decode()
    assert refused.status_code == 200 and 'id="held-files"' in body and "现场.jpg" in body
    assert not pair.findings.exists() and not Attachment.objects.exists()
    held_id = refused.context["held"][0]["id"]
    response = client.post(
        url, {"action": "finding", "item_code": "q2", "description": "台账缺页", "held_keep": [held_id]}
    )
    assert response.status_code == 302
    finding = pair.findings.get()
    [photo] = Attachment.objects.all()
    assert photo.object_id == str(finding.pk) and photo.original_name == "现场.jpg"
    assert client.get(url).context["held"] == []


def test_a_lesson_marked_for_sharing_is_proposed_to_the_duty_manual(tree, people):
    r, pair = round_with_pair(tree, people)
    with pytest.raises(ValidationError, match="须填写经验启示"):
        services.finding_add(
            actor=people.township_a, pair=pair, item_code="q1", description="好做法", share=True
        )
    # Without a provider of the port (the manual app not installed) the finding stays marked, waiting.
    provider, links.manual_case_propose.provider = links.manual_case_propose.provider, None
    try:
        waiting = services.finding_add(
            actor=people.township_a,
            pair=pair,
            item_code="q1",
            description="村务公开栏二维码",
            lesson="便于群众监督",
            share=True,
        )
    finally:
        links.manual_case_propose.provider = provider
    assert waiting.share and waiting.manual_case_id is None
    # With the duty manual installed: the lesson becomes a draft typical case of the city, once.
    finding = services.finding_add(
        actor=people.township_a,
        pair=pair,
        item_code="q3",
        description="整改清单上墙",
        lesson="公开促整改",
        share=True,
    )
    services.finding_share(actor=people.township_a, finding=waiting)
    finding.refresh_from_db()
    waiting.refresh_from_db()
    case = TypicalCase.objects.get(pk=finding.manual_case_id)
    assert case.source == f"evaluation.finding:{finding.pk}" and case.lesson == "公开促整改"
    assert case.status == CaseStatus.DRAFT and case.title.startswith("高城镇")
    assert TypicalCase.objects.get(pk=waiting.manual_case_id).lesson == "便于群众监督"
    services.finding_share(actor=people.township_a, finding=finding)  # asked again: the same case
    finding.refresh_from_db()
    assert finding.manual_case_id == case.pk
    assert TypicalCase.objects.filter(source__startswith="evaluation.finding:").count() == 2


def test_items_of_the_factory_checklist():
    assert sum(i["max"] for i in ITEMS) == 100
    assert check_rubric  # used by the authorization entries
