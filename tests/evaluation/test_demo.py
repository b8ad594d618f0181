"""The demo (`jijian setup`) shows the new features: the city's rubric and checklist, 厉山镇's
evaluations with their basis, and 随县's round with findings and open rectifications on both sides."""

from django.core.management import call_command

from jijian.audit.services import audit_verify
from jijian.core.models import User
from jijian.evaluation.models import CheckPair, Evaluation, Finding, Rectification


def test_the_demo_has_evaluations_and_a_mutual_check_round(db):
    call_command("setup")
    xiangzhen = User.objects.get(username="xiangzhen")
    evaluations = Evaluation.objects.filter(org_unit__township_id=xiangzhen.org_unit_id)
    assert evaluations.count() == 6 and evaluations.filter(township_score__isnull=False).count() == 4
    # The guidance tasks come from the cadres app (installed): connected, counted.
    assert all(e.basis["guidance_connected"] is True and e.grade_label for e in evaluations)
    pairs = CheckPair.objects.filter(round__org_unit__name="随县")
    assert {p.checker_id for p in pairs} | {p.checked_id for p in pairs} >= {xiangzhen.org_unit_id}
    assert Finding.objects.filter(share=True).exists()
    assert Rectification.objects.filter(
        state="open", finding__pair__checked_id=xiangzhen.org_unit_id
    ).exists()
    assert audit_verify().ok
