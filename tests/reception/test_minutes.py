"""Minutes (接访笔录): written by the office, confirmed by the petitioner on screen (the text they saw,
by its digest), endorsed by the official, then fixed. Pages: the office, the township terminal, the
petitioner's status page with the booking code."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from jijian.audit.models import AuditEvent
from jijian.core.services import ConcurrentEditError
from jijian.reception import services
from jijian.reception.models import ReceptionState
from tests.conftest import sign_in
from tests.reception.helpers import TEXT, reception

pytestmark = pytest.mark.django_db

CODE = "CAFE123456"


def ended(tree, people):
    r = reception(
        tree.city, township=tree.township_a, booked_by=people.township_a, state=ReceptionState.ENDED
    )
    r.code_hash = services.booking_code_hash(CODE)
    r.save(update_fields=["code_hash"])
    return r


def test_minutes_confirmed_then_endorsed_then_fixed(tree, people):
    r = ended(tree, people)
    with pytest.raises(PermissionDenied):
        services.minutes_save(actor=people.township_a, reception=r, text=TEXT, version=None)
    with pytest.raises(ValidationError, match="20至20000"):
        services.minutes_save(actor=people.city_petition, reception=r, text="太短", version=None)
    m = services.minutes_save(actor=people.city_petition, reception=r, text=TEXT, version=None)
    with pytest.raises(ValidationError, match="尚未确认"):
        services.minutes_endorse(actor=people.city_petition, reception=r, version=m.version)
    seen = m.digest
    # The text changes after the petitioner read it: their confirmation of the old text is refused.
    m = services.minutes_save(
        actor=people.city_petition, reception=r, text=TEXT + "补充。", version=m.version
    )
    with pytest.raises(ValidationError, match="重新阅读"):
        services.minutes_confirm(reception=r, digest=seen, where="测试")
    services.minutes_confirm(reception=r, digest=m.digest, where="测试")
    with pytest.raises(ConcurrentEditError):
        services.minutes_endorse(actor=people.city_petition, reception=r, version=m.version - 1)
    m = services.minutes_endorse(actor=people.city_petition, reception=r, version=m.version)
    assert m.endorsed_by == people.city_petition and m.is_confirmed
    with pytest.raises(ValidationError, match="签字背书"):
        services.minutes_save(actor=people.city_petition, reception=r, text=TEXT, version=m.version)
    actions = set(AuditEvent.objects.filter(object_id=str(r.pk)).values_list("action", flat=True))
    assert {"reception.minutes_save", "reception.minutes_confirm", "reception.minutes_endorse"} <= actions


def test_no_minutes_before_the_session(tree, people):
    r = reception(tree.city, state=ReceptionState.CONFIRMED, day=date.today())
    with pytest.raises(ValidationError, match="接访开始后"):
        services.minutes_save(actor=people.city_petition, reception=r, text=TEXT, version=None)


def test_pages_office_writes_petitioner_confirms_with_the_code_office_endorses(tree, people):
    r = ended(tree, people)
    office = Client()
    sign_in(office, people.city_petition)
    url = reverse("reception:minutes", args=[r.pk])
    assert "接访人员的答复" in office.get(url).content.decode()  # the template
    office.post(url, {"action": "save", "text": TEXT, "version": 0})
    # A concurrent second save from a stale page changes nothing and says so.
    stale = office.post(url, {"action": "save", "text": TEXT + "另一版本", "version": 0})
    assert "已被他人修改" in stale.content.decode()
    # The township terminal cannot write the minutes.
    terminal = Client()
    sign_in(terminal, people.township_a)
    refused = terminal.post(url, {"action": "save", "text": TEXT + "乡镇改写", "version": 1})
    assert "乡镇接访点只记录" in refused.content.decode()
    # The petitioner reads them with the booking code and confirms.
    public = Client()
    page = public.post(reverse("reception:public_status"), {"code": CODE}).content.decode()
    assert TEXT in page and "确认笔录无误" in page
    digest = r.minutes.digest
    assert (
        public.post(reverse("reception:public_confirm"), {"code": "WRONG", "digest": digest}).status_code
        == 400
    )
    done = public.post(reverse("reception:public_confirm"), {"code": CODE, "digest": digest})
    assert done.status_code == 200 and "已确认接访笔录" in done.content.decode()
    office.post(url, {"action": "endorse", "version": r.minutes.version})
    r.minutes.refresh_from_db()
    assert r.minutes.endorsed_at and r.minutes.text == TEXT
