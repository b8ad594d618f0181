"""Two answers to the same split-expense flag at the same moment (two officers, or a double tap that
reaches two workers): one is kept, the other refused with the message, neither overwrites the other;
and two clues at once register one report."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from jijian.petitions.models import PetitionReport
from jijian.villageaffairs import reimbursements as r
from jijian.villageaffairs import services
from jijian.villageaffairs.models import SplitFlagAnswer
from tests.concurrency import needs_concurrent_connections, together
from tests.villageaffairs.helpers import days_ago, file_rules, png

pytestmark = [pytest.mark.django_db(transaction=True), *needs_concurrent_connections]


def _flag(people):
    file_rules(people.member_a, large_amount=Decimal("50000"))
    for purpose, amount, days in (
        ("村道硬化材料（第一批）", "24000", 20),
        ("村道硬化材料（第二批）", "26000", 5),
    ):
        r.voucher_enter(
            actor=people.member_a, purpose=purpose, amount=Decimal(amount), spent_on=days_ago(days),
            handler_name="王经手", files=[png("receipt.png")],
        )  # fmt: skip
    (flag,) = r.split_expenses(people.township_a)
    return flag


def test_two_answers_at_once_keep_one_and_refuse_the_other(people):
    flag = _flag(people)
    village = people.member_a.org_unit

    def answer(i: int) -> int:
        return services.split_flag_answer(
            actor=people.township_a, village=village, flag_key=flag.key, answer=f"处理意见{i}"
        ).pk

    results, errors = together(2, answer, catch=(ValidationError,))
    assert len(results) == 1 and len(errors) == 1
    assert "已经处理过了" in errors[0].messages[0]
    assert SplitFlagAnswer.objects.get().pk == results[0]


def test_two_clues_at_once_register_one_report(people):
    flag = _flag(people)
    village = people.member_a.org_unit

    def clue(i: int) -> str:
        return services.split_flag_open_clue(
            actor=people.township_a, village=village, flag_key=flag.key
        ).clue_serial

    results, errors = together(2, clue, catch=(ValidationError,))
    assert len(results) == 1 and len(errors) == 1
    assert (
        PetitionReport.objects.get().serial_number == results[0] == SplitFlagAnswer.objects.get().clue_serial
    )
