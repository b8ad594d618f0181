"""The demo (`jijian setup`) shows the new features: the city's rubric and checklist, 厉山镇's
evaluations with their basis — computed on the demo's posts and guidance tasks (the cadres' demo is
loaded first, whatever the order of the apps): each with the period held, those who left the post this
year on the months held — and 随县's round with findings and open rectifications on both sides."""

from django.core.management import call_command
from django.utils import timezone

from jijian.audit.services import audit_verify
from jijian.core.models import User
from jijian.evaluation import scoring, services
from jijian.evaluation.models import CheckPair, Evaluation, Finding, Rectification


def test_the_demo_has_evaluations_and_a_mutual_check_round(db):
    call_command("setup")
    xiangzhen = User.objects.get(username="xiangzhen")
    evaluations = Evaluation.objects.filter(org_unit__township_id=xiangzhen.org_unit_id)
    assert evaluations.count() == 6 and evaluations.filter(township_score__isnull=False).count() == 4
    # The guidance tasks come from the cadres app (installed): connected, counted.
    assert all(e.basis["guidance_connected"] is True and e.grade_label for e in evaluations)
    # Computed on the demo's posts: every evaluation has its held period, as recomputing would give.
    assert all(e.basis["held"] and e.basis["held"]["periods"] for e in evaluations)
    left = [e for e in evaluations if any(p["to"] for p in e.basis["held"]["periods"])]
    assert len(left) >= 2  # the members replaced, dismissed or resigned in the demo: the months held
    assert all(e.basis["held"]["months"] <= timezone.localdate().month for e in left)
    assert all(scoring.held_text(e.basis).startswith("任职期间：") for e in evaluations)
    for e in evaluations:
        basis = dict(e.basis)
        services.evaluation_compute(e)
        assert e.basis["held"] == basis["held"] and e.basis["guidance"] == basis["guidance"]
    # The guidance tasks of the demo are counted for the member they were issued to.
    cun = User.objects.get(username="cun")
    assert evaluations.get(member=cun).basis["guidance"]["issued"] == 3
    pairs = CheckPair.objects.filter(round__org_unit__name="随县")
    assert {p.checker_id for p in pairs} | {p.checked_id for p in pairs} >= {xiangzhen.org_unit_id}
    assert Finding.objects.filter(share=True).exists()
    assert Rectification.objects.filter(
        state="open", finding__pair__checked_id=xiangzhen.org_unit_id
    ).exists()
    assert audit_verify().ok
