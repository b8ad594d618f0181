"""The voucher entry form sent twice at the same moment (a double tap that reaches two workers):
both answers name one voucher, entered once with one set of receipts."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from jijian.attachments.models import Attachment
from jijian.villageaffairs import reimbursements as r
from jijian.villageaffairs.models import Voucher
from tests.concurrency import needs_concurrent_connections, together
from tests.villageaffairs.helpers import days_ago, png

pytestmark = [pytest.mark.django_db(transaction=True), *needs_concurrent_connections]


def test_the_same_form_key_at_the_same_moment_enters_one_voucher(people):
    key = uuid.uuid4()

    def enter(i: int) -> int:
        return r.voucher_enter(
            actor=people.member_a,
            purpose="修水渠材料",
            amount=Decimal("8600"),
            spent_on=days_ago(1),
            handler_name="王经手",
            files=[png("receipt.png")],
            client_uuid=key,
        ).pk

    results, errors = together(4, enter)
    assert errors == []
    voucher = Voucher.objects.get()
    assert results == [voucher.pk] * 4
    assert Attachment.objects.filter(object_id=str(voucher.pk)).count() == 1
