"""Routing a booking by who manages the accused (干部管理权限), on the test tree:

随州市 (city, office) ─┬─ 随县 (county, office) ─┬─ 厉山镇 ─ 神农村, 凤凰村
                       │                          └─ 高城镇 (managed by the zone) ─ 高城村
                       ├─ 广水市 (county, office) ─ 武胜关镇 ─ 桃源村
                       ├─ 随州高新区 (zone, office)
                       └─ 市教育局 (department) ─ 机关党委

The office is the commission that manages the cadre (core's rule, the one petitions routes reports
by), or the nearest office above it: a township committee holds no reception days."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from jijian.audit.models import AuditEvent
from jijian.core.models import CadreLevel
from jijian.core.notify_backends import LogBackend
from jijian.core.roles import Role
from jijian.core.services import ConcurrentEditError
from jijian.reception import services
from jijian.reception.models import ReceptionSchedule, ReceptionState, VideoReception
from jijian.reception.statistics import reception_statistics
from tests.conftest import make_user
from tests.reception.helpers import petitioner, schedule

pytestmark = pytest.mark.django_db


def next_weekday(weekday: int) -> date:
    d = date.today() + timedelta(days=1)
    while d.weekday() != weekday:
        d += timedelta(days=1)
    return d


@pytest.mark.parametrize(
    ("region", "level", "office"),
    [
        # 县处级: the city, wherever they work.
        ("county", CadreLevel.DIVISION, "city"),
        ("other_county", CadreLevel.DIVISION, "city"),
        ("zone", CadreLevel.DIVISION, "city"),
        ("village_c", CadreLevel.DIVISION, "city"),
        ("department", CadreLevel.DIVISION, "city"),
        # 乡科级: the county-level commission (the zone for the zone, the city for its departments).
        ("county", CadreLevel.SECTION, "county"),
        ("township_a", CadreLevel.SECTION, "county"),
        ("other_county", CadreLevel.SECTION, "other_county"),
        ("zone", CadreLevel.SECTION, "zone"),
        ("city", CadreLevel.SECTION, "city"),
        ("party_org", CadreLevel.SECTION, "city"),
        # 一般干部 and village cadres: managed by the township committee, received by its county.
        ("township_a", CadreLevel.STAFF, "county"),
        ("village_a", CadreLevel.VILLAGE, "county"),
        ("village_c", CadreLevel.VILLAGE, "other_county"),
        ("county", CadreLevel.VILLAGE, "county"),
        ("department", CadreLevel.STAFF, "city"),
    ],
)
def test_the_receiving_office_by_level_and_place(tree, region, level, office):
    assert services.receiving_office(getattr(tree, region), level) == getattr(tree, office)


def test_an_unknown_level_leaves_it_to_the_office_and_a_known_one_needs_the_place(tree):
    assert services.receiving_office(tree.county, CadreLevel.OTHER) is None
    assert services.receiving_office(None, CadreLevel.OTHER) is None
    with pytest.raises(ValidationError, match="所在地"):
        services.receiving_office(None, CadreLevel.SECTION)


def test_the_rule_is_petitions_rule(tree):
    """Reception routes by the rule petitions routes reports by (moved to core, not copied)."""
    from jijian.core.orgs import management
    from jijian.petitions.handling import routing

    assert routing.managing_commission is management.managing_commission
    assert routing.commission_of is management.commission_of


def test_a_slot_of_an_office_that_does_not_manage_the_cadre_is_refused(tree, people):
    county = schedule(tree.county, weekday=1)
    city = schedule(tree.city, weekday=1)
    day = next_weekday(1)
    with pytest.raises(ValidationError, match="按干部管理权限应由随州市接访"):
        services.booking_create(
            actor=people.township_a,
            schedule=county,
            day=day,
            accused_level=CadreLevel.DIVISION,
            accused_region=tree.county,
            **petitioner(1),
        )
    assert not VideoReception.objects.exists()
    r, _ = services.booking_create(
        actor=people.township_a,
        schedule=city,
        day=day,
        accused_level=CadreLevel.DIVISION,
        accused_region=tree.county,
        **petitioner(1),
    )
    assert r.org_unit == tree.city and r.accused_level == CadreLevel.DIVISION
    # 其他或不清楚: any office's slot, as before.
    r2, _ = services.booking_create(
        actor=people.township_a, schedule=county, day=day, accused_level=CadreLevel.OTHER, **petitioner(2)
    )
    assert r2.org_unit == tree.county and r2.accused_region is None
    event = AuditEvent.objects.get(action="reception.book", object_id=str(r.pk))
    assert event.after["accused_level"] == "division"


def _sms_code(phone: str) -> str:
    LogBackend.outbox.clear()
    services.sms_code_send(phone=phone)
    return re.search(r"\d{6}", LogBackend.outbox[-1]["text"])[0]


def test_the_public_form_lists_the_managing_offices_slots_and_refuses_another(tree, client):
    county = schedule(tree.county, weekday=1)
    city = schedule(tree.city, weekday=1)
    day = next_weekday(1)
    county_key, city_key = f"{county.pk}|{day:%Y-%m-%d}", f"{city.pk}|{day:%Y-%m-%d}"
    # Before the level is chosen no slot is offered.
    page = client.get(reverse("reception:public_book")).content.decode()
    assert "请先选择被反映人级别" in page and county_key not in page and city_key not in page
    # Without JavaScript, 列出可约场次 posts the form and it comes back with the county's slots only.
    base = {**petitioner(3), "accused_level": "section", "accused_region": str(tree.county.pk)}
    refreshed = client.post(reverse("reception:public_slots"), {**base, "refresh": "1"})
    page = refreshed.content.decode()
    assert refreshed.status_code == 200 and county_key in page and city_key not in page
    assert "请选择随县的场次" in page and base["petitioner_name"] in page
    assert "未能提交" not in page  # listing the slots is not a refused booking
    # With JavaScript the list is fetched as options.
    options = client.get(
        reverse("reception:public_slots"), {"accused_level": "division", "accused_region": tree.zone.pk}
    ).content.decode()
    assert city_key in options and county_key not in options and "<option" in options
    assert (
        county_key
        in client.get(reverse("reception:public_slots"), {"accused_level": "other"}).content.decode()
    )
    # A county slot for a division-level cadre: 400 with the reason, nothing booked, the code not used.
    code = _sms_code(base["petitioner_phone"])
    wrong = client.post(
        reverse("reception:public_book"),
        {**base, "accused_level": "division", "slot": county_key, "sms_code": code},
    )
    assert wrong.status_code == 400
    assert "被反映人是县处级干部，按干部管理权限应由随州市接访" in wrong.content.decode()
    assert not VideoReception.objects.exists()
    # A known level without the place is refused too.
    no_place = client.post(
        reverse("reception:public_book"),
        {**base, "accused_region": "", "slot": county_key, "sms_code": code},
    )
    assert no_place.status_code == 400 and "请选择被反映人所在地" in no_place.content.decode()
    assert not VideoReception.objects.exists()
    done = client.post(reverse("reception:public_book"), {**base, "slot": county_key, "sms_code": code})
    assert done.status_code == 200 and 'id="booking-code"' in done.content.decode()
    r = VideoReception.objects.get()
    assert (r.org_unit, r.accused_level, r.accused_region) == (tree.county, "section", tree.county)


def test_the_township_form_routes_the_same_way(tree, people, client, login):
    county = schedule(tree.county, weekday=1)
    city = schedule(tree.city, weekday=1)
    day = next_weekday(1)
    login(people.township_a)
    data = {
        **petitioner(4),
        "accused_level": "village",
        "accused_region": str(tree.county.pk),
        "slot": f"{city.pk}|{day:%Y-%m-%d}",
    }
    wrong = client.post(reverse("reception:book"), data)
    assert wrong.status_code == 400 and "应由随县接访" in wrong.content.decode()
    assert not VideoReception.objects.exists()
    options = client.get(
        reverse("reception:book_slots"), {"accused_level": "village", "accused_region": tree.county.pk}
    ).content.decode()
    assert f"{county.pk}|" in options and f"{city.pk}|" not in options
    done = client.post(reverse("reception:book"), {**data, "slot": f"{county.pk}|{day:%Y-%m-%d}"})
    assert done.status_code == 302
    r = VideoReception.objects.get()
    assert r.org_unit == tree.county and r.accused_level == "village"
    # The receiving office sees the level on the booking.
    county_petition = make_user("county_petition", tree.county, Role.PETITION_OFFICE)
    login(county_petition)
    page = client.get(reverse("reception:detail", args=[r.pk])).content.decode()
    assert "村（社区）干部（随县）" in page and "按干部管理权限转交" in page


@pytest.fixture
def county_booking(tree, people):
    """A booking at the county about someone said to be a section-level cadre of the county."""
    schedule(tree.city, weekday=3)
    r, _ = services.booking_create(
        actor=people.township_a,
        schedule=schedule(tree.county, weekday=1),
        day=next_weekday(1),
        accused_level=CadreLevel.SECTION,
        accused_region=tree.county,
        **petitioner(5),
    )
    return r


def test_the_office_transfers_a_booking_to_the_managing_commission(
    tree, people, county_booking, django_capture_on_commit_callbacks
):
    r = county_booking
    county_petition = make_user("county_petition", tree.county, Role.PETITION_OFFICE)
    services.booking_confirm(actor=county_petition, reception=r, version=r.version)
    city_sch = ReceptionSchedule.objects.get(org_unit=tree.city)
    county_sch = r.slot.schedule
    day = next_weekday(3)
    stale = r.version
    kwargs = {
        "reception": r,
        "accused_level": CadreLevel.DIVISION,
        "accused_region": tree.county,
        "schedule": city_sch,
        "day": day,
    }
    # Only the receiving office transfers; the township terminal that booked it may not.
    with pytest.raises(PermissionDenied):
        services.booking_transfer(actor=people.township_a, version=r.version, reason="级别有误", **kwargs)
    with pytest.raises(ValidationError, match="转交理由"):
        services.booking_transfer(actor=county_petition, version=r.version, reason="", **kwargs)
    with pytest.raises(ValidationError, match="无需转交"):
        services.booking_transfer(
            actor=county_petition,
            version=r.version,
            reason="核实",
            **{**kwargs, "accused_level": CadreLevel.SECTION, "schedule": r.slot.schedule},
        )
    with pytest.raises(ValidationError, match="应由随州市接访"):
        services.booking_transfer(
            actor=county_petition, version=r.version, reason="核实", **{**kwargs, "schedule": r.slot.schedule}
        )
    r.refresh_from_db()
    assert r.org_unit == tree.county and r.state == ReceptionState.CONFIRMED
    LogBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_transfer(
            actor=county_petition, version=r.version, reason="被反映人系副县长，属市管干部", **kwargs
        )
    r.refresh_from_db()
    assert r.org_unit == tree.city and r.slot.schedule == city_sch and r.slot.date == day
    assert r.state == ReceptionState.REQUESTED and r.confirmed_by is None
    assert r.transferred_from == tree.county and r.accused_level == CadreLevel.DIVISION
    event = AuditEvent.objects.get(action="reception.transfer", object_id=str(r.pk))
    assert event.before["org_unit"] == tree.county.pk and event.after["org_unit"] == tree.city.pk
    # The booking keeps its history: the same row, its earlier events still under it.
    assert AuditEvent.objects.filter(object_id=str(r.pk), action="reception.confirm").exists()
    sms = [m for m in LogBackend.outbox if m["to"] == r.petitioner_phone]
    assert len(sms) == 1 and "已转交随州市" in sms[0]["text"]
    assert people.township_a.notifications.filter(title="视频接访已转交随州市").exists()
    assert people.city_petition.notifications.filter(title__contains="转交的视频接访预约待确认").exists()
    # A transfer from a page read before the first one is detected, not applied over it.
    back = {**kwargs, "accused_level": CadreLevel.SECTION, "schedule": county_sch, "day": next_weekday(1)}
    with pytest.raises(ConcurrentEditError):
        services.booking_transfer(actor=people.city_petition, version=stale, reason="再转", **back)
    r.refresh_from_db()
    assert r.org_unit == tree.city


def test_the_transfer_page_lists_the_managing_office_then_transfers(
    tree, people, client, login, county_booking
):
    r = county_booking
    county_petition = make_user("county_petition", tree.county, Role.PETITION_OFFICE)
    login(county_petition)
    url = reverse("reception:transfer", args=[r.pk])
    page = client.get(url).content.decode()
    assert "按干部管理权限应由<strong>随县</strong>接访（即本机关，无需转交）" in page
    base = {"accused_level": "division", "accused_region": tree.county.pk, "version": r.version}
    listed = client.post(url, {**base, "refresh": "1"}).content.decode()
    assert "按干部管理权限应由<strong>随州市</strong>接访" in listed
    city_sch = ReceptionSchedule.objects.get(org_unit=tree.city)
    slot = f"{city_sch.pk}|{next_weekday(3):%Y-%m-%d}"
    assert slot in listed and f"{r.slot.schedule.pk}|" not in listed
    # No reason: 400, nothing changed.
    refused = client.post(url, {**base, "slot": slot, "reason": ""})
    assert refused.status_code == 400
    r.refresh_from_db()
    assert r.org_unit == tree.county
    done = client.post(url, {**base, "slot": slot, "reason": "属市管干部"})
    assert done.status_code == 302
    r.refresh_from_db()
    assert r.org_unit == tree.city and r.transfer_reason == "属市管干部"
    # The city sees where it came from.
    login(people.city_petition)
    assert "由随县转来：属市管干部" in client.get(reverse("reception:detail", args=[r.pk])).content.decode()


def test_an_outsider_gets_404_on_the_transfer_and_the_slot_list(tree, people, client, login, county_booking):
    other_petition = make_user("other_petition", tree.other_county, Role.PETITION_OFFICE)
    for user in (people.outsider, other_petition, people.township_a):
        login(user)
        url = reverse("reception:transfer", args=[county_booking.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"accused_level": "division", "reason": "x", "version": 1}).status_code == 404
    for user in (people.outsider, other_petition, people.city_petition):
        login(user)
        assert client.get(reverse("reception:book_slots")).status_code == 404
    county_booking.refresh_from_db()
    assert county_booking.org_unit == tree.county


def test_statistics_count_by_level(tree, people, county_booking):
    services.booking_create(
        actor=people.township_a,
        schedule=schedule(tree.county, weekday=2),
        day=next_weekday(2),
        accused_level=CadreLevel.VILLAGE,
        accused_region=tree.county,
        **petitioner(6),
    )
    first, last = date.today(), date.today() + timedelta(days=30)
    stats = reception_statistics(people.city_petition, first, last)
    assert [(row["name"], row["total"]) for row in stats["levels"]] == [
        ("村（社区）干部", 1),
        ("乡科级干部", 1),
    ]


def test_listing_slots_without_javascript_does_not_spend_the_bookings_tries(tree, client, settings):
    """列出可约场次 posted to the booking itself, so a petitioner trying a few levels and places was told
    请求过于频繁 when at last they booked."""
    settings.RECEPTION_BOOK_PER_MINUTE = 2
    county = schedule(tree.county, weekday=1)
    day = next_weekday(1)
    base = {**petitioner(4), "accused_level": "section", "accused_region": str(tree.county.pk)}
    page = client.get(reverse("reception:public_book")).content.decode()
    assert f'formaction="{reverse("reception:public_slots")}"' in page
    for level in ("division", "other", "section", "division", "section"):
        listed = client.post(
            reverse("reception:public_slots"), {**base, "accused_level": level, "refresh": "1"}
        )
        assert listed.status_code == 200 and base["petitioner_name"] in listed.content.decode()
    code = _sms_code(base["petitioner_phone"])
    booked = client.post(
        reverse("reception:public_book"), {**base, "slot": f"{county.pk}|{day:%Y-%m-%d}", "sms_code": code}
    )
    assert booked.status_code == 200 and "预约已提交" in booked.content.decode()
    assert VideoReception.objects.filter(org_unit=tree.county).count() == 1
