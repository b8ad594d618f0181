import re

from django.core.management import call_command

from jijian.audit.models import AuditEvent
from jijian.audit.services import audit_verify
from jijian.core.audit_reader.labels import readable
from jijian.core.models import OrgKind, OrgUnit, User
from jijian.core.roles import Role


def test_demo_loads_suizhou_with_one_account_per_role(db, capsys):
    call_command("setup")
    out = capsys.readouterr().out
    assert OrgUnit.objects.filter(kind=OrgKind.CITY, code="421300").exists()
    assert (
        OrgUnit.objects.filter(kind__in=[OrgKind.DISTRICT, OrgKind.COUNTY, OrgKind.COUNTY_CITY]).count() == 3
    )
    assert OrgUnit.objects.filter(kind=OrgKind.MANAGEMENT_ZONE).count() == 2
    townships = OrgUnit.objects.filter(
        depth=2, parent__kind__in=[OrgKind.DISTRICT, OrgKind.COUNTY, OrgKind.COUNTY_CITY]
    )
    assert townships.count() == 51
    villages = OrgUnit.objects.filter(kind__in=[OrgKind.VILLAGE, OrgKind.COMMUNITY]).count()
    assert 850 <= villages <= 1000
    for role in Role:
        assert User.objects.filter(is_demo=True, roles__role=role).exists(), role
        for account in User.objects.filter(is_demo=True, roles__role=role):  # 党风政风监督室: city and county
            assert account.username in out
    # Every village has a discipline member, but for the demo's posts that a resignation or a dismissal
    # left vacant and the one whose newly appointed holder awaits the role (the security administrators
    # grant it): the posts' own record says which.
    from django.utils import timezone

    from jijian.core import links

    staffed = set(
        User.objects.filter(roles__role=Role.VILLAGE_MEMBER, is_active=True).values_list(
            "org_unit_id", flat=True
        )
    )
    unstaffed = set(
        OrgUnit.objects.filter(kind__in=[OrgKind.VILLAGE, OrgKind.COMMUNITY])
        .exclude(pk__in=staffed)
        .values_list("pk", flat=True)
    )
    holders = links.post_holders_on(day=timezone.localdate())
    assert unstaffed and all(village in holders for village in unstaffed)
    waiting = {v for v in unstaffed if holders[v] is not None}
    assert not User.objects.filter(
        pk__in=[holders[v] for v in waiting], roles__role=Role.VILLAGE_MEMBER
    ).exists()
    assert len(unstaffed) <= 3
    # Running set-up again does not load twice.
    call_command("setup")
    assert OrgUnit.objects.filter(kind=OrgKind.CITY).count() == 1
    assert audit_verify().ok
    # The trail of the demo's work reads in Chinese: every key of every snapshot has its name.
    raw = {
        (e.object_type, key)
        for e in AuditEvent.objects.all()
        for snapshot in (e.before, e.after)
        for key, _value in readable(e.object_type, snapshot)
        if key and not re.search("[\u4e00-\u9fff]", key)
    }
    assert not raw, f"audit snapshot keys without a Chinese name (core/audit_reader/labels.py): {sorted(raw)}"


def test_the_demo_village_member_owns_their_villages_reports(db):
    from jijian.reports.models import MonthlyReport

    call_command("setup")
    cun = User.objects.get(username="cun")
    reports = MonthlyReport.objects.filter(village=cun.org_unit)
    assert reports.exists() and set(reports.values_list("member_id", flat=True)) == {cun.pk}
    assert (
        User.objects.filter(org_unit=cun.org_unit, roles__role=Role.VILLAGE_MEMBER, is_active=True).count()
        == 1
    )
    # Each endorsed report carries the digest a real submit computes over it and its month's records.
    from jijian.reports.models import DutyRecord
    from jijian.reports.services import DIGEST_RECORD_FIELDS, report_digest

    endorsed = MonthlyReport.objects.filter(endorsed_at__isnull=False)
    assert endorsed.exists() and not endorsed.filter(endorsement_digest="").exists()
    for report in endorsed.filter(village=cun.org_unit):
        records = DutyRecord.objects.filter(
            village_id=report.village_id, month=report.month, is_deleted=False
        )
        expected = report_digest(report, list(records.order_by("pk").values(*DIGEST_RECORD_FIELDS)))
        assert report.endorsement_digest == expected


def test_the_demo_zones_oversee_townships_names_are_official_and_nothing_is_in_the_future(db):
    """On 5 December at 09:00 (the day the November reports are due) the demo has no timestamp after
    that moment; both zones oversee a township; 环潭镇 is spelled as officially; a county bureau chief is
    a section-level cadre."""
    from datetime import datetime
    from unittest import mock
    from zoneinfo import ZoneInfo

    from django.db.models import Q

    from jijian.archives.models import IntegrityArchive
    from jijian.core.access import org_units_visible_to
    from jijian.core.models import CadreLevel
    from jijian.petitions.intake.forms import region_choices
    from jijian.petitions.models import PetitionReport
    from jijian.reports.models import MonthlyReport, ReportTransition

    moment = datetime(2026, 12, 5, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with mock.patch("django.utils.timezone.now", return_value=moment):
        call_command("setup")
    late = Q(submitted_at__gt=moment) | Q(first_submitted_at__gt=moment) | Q(approved_at__gt=moment)
    assert MonthlyReport.objects.filter(submitted_at__isnull=False).exists()
    assert not MonthlyReport.objects.filter(late).exists()
    assert not ReportTransition.objects.filter(at__gt=moment).exists()

    for zone in OrgUnit.objects.filter(kind=OrgKind.MANAGEMENT_ZONE):
        overseen = OrgUnit.objects.filter(zone=zone, kind__in=[OrgKind.TOWN, OrgKind.SUBDISTRICT])
        assert overseen.exists(), zone.name
        staff = User.objects.filter(org_unit=zone, roles__role=Role.PETITION_OFFICE).first()
        visible = org_units_visible_to(staff)
        assert visible.filter(pk=overseen[0].pk).exists()
        assert visible.filter(parent=overseen[0], kind__in=[OrgKind.VILLAGE, OrgKind.COMMUNITY]).exists()
        assert region_choices().filter(pk=zone.pk).exists()  # the public form can name the zone
    assert OrgUnit.objects.filter(name="淅河镇", zone__name="随州高新区").exists()
    assert OrgUnit.objects.filter(name="长岗镇", zone__name="大洪山风景名胜区").exists()
    assert (
        OrgUnit.objects.filter(name="环潭镇").exists() and not OrgUnit.objects.filter(name="澴潭镇").exists()
    )

    chiefs = IntegrityArchive.objects.filter(post__contains="交通运输局局长")
    assert chiefs.exists() and set(chiefs.values_list("level", flat=True)) == {CadreLevel.SECTION}
    bureau = PetitionReport.objects.filter(accused_unit__contains="交通运输局", accused_post="局长")
    assert not bureau.exclude(accused_level=CadreLevel.SECTION).exists()
