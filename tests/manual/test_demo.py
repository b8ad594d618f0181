"""The demo manual covers every task the screens link to: each default duty type of the duty log,
each step of 四议两公开 and each signature of a village voucher has its page."""

from __future__ import annotations

import pytest

from jijian.manual.demo import load_demo
from jijian.manual.models import CaseStatus, ManualPage, TypicalCase
from jijian.reports.defaults import DUTY_TYPES
from jijian.villageaffairs.models import ChainStep, Step
from tests.manual.factories import city_editor

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_page_for_every_linked_task(tree, people):
    editor = city_editor(tree)
    editor.username = "shidangfeng"
    editor.save(update_fields=["username"])
    pages, cases = load_demo()
    codes = set(ManualPage.objects.values_list("code", flat=True))
    wanted = (
        {t["code"] for t in DUTY_TYPES}
        | {f"decision_step_{s.value}" for s in Step}
        | {c.value for c in ChainStep}
    )
    assert wanted <= codes and pages == len(codes)
    assert ManualPage.objects.get(code="household_visit").version == 2
    assert TypicalCase.objects.filter(status=CaseStatus.PUBLISHED).count() == 3
    assert TypicalCase.objects.filter(status=CaseStatus.DRAFT).count() == 1 and cases == 4
    assert load_demo() == (0, 0)  # once only
