from django.core.management import call_command

from jijian.audit.services import audit_verify
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
        assert User.objects.get(is_demo=True, roles__role=role).username in out
    # Every village has a discipline member.
    assert User.objects.filter(roles__role=Role.VILLAGE_MEMBER).count() >= villages
    # Running set-up again does not load twice.
    call_command("setup")
    assert OrgUnit.objects.filter(kind=OrgKind.CITY).count() == 1
    assert audit_verify().ok


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
