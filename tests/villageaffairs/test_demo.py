"""The Suizhou demo shows the village-affairs features: a corrected step with its history, a flag the
township turned into a problem clue (its register number), the member's photo on the 四亮 board, and
villagers' decisions taken in each of the three forms, one of them short of its quorum."""

from django.core.management import call_command

from jijian.petitions.models import PetitionReport
from jijian.villageaffairs.models import DecisionStep, FlagAnswer, MajorDecision, PublicBoard, StepCorrection
from jijian.villageaffairs.selectors import decision_flags_for


def test_the_demo_has_a_correction_a_clue_and_a_photo(db):
    call_command("setup")
    correction = StepCorrection.objects.get()
    assert (
        correction.reason == "补充监督意见"
        and correction.before["member_opinion"] != correction.after["member_opinion"]
    )
    clue = FlagAnswer.objects.exclude(clue_serial="").get()
    assert clue.flag_key == "missing:3"
    assert PetitionReport.objects.filter(
        serial_number=clue.clue_serial, region=clue.decision.village
    ).exists()
    assert PublicBoard.objects.get().photo_id is not None
    # A purchase split in two under the threshold: on the township's board, and told to it.
    from jijian.core.models import Notification, User
    from jijian.villageaffairs.reimbursements import split_expenses

    township = User.objects.get(username="xiangzhen")
    (split,) = split_expenses(township)
    assert split.total == 52000 and len(split.vouchers) == 2
    assert Notification.objects.filter(recipient=township, title__startswith="疑似拆分报账").count() == 1
    # The villagers' decision in each form, counted against the village's filed rolls.
    forms = dict(DecisionStep.objects.filter(step=4).values_list("decision__title", "meeting_form"))
    assert set(forms.values()) == {"villagers", "households", "representatives"}
    short = MajorDecision.objects.get(title="村规民约修订")
    (flag,) = decision_flags_for(short)
    assert flag.key == "quorum:4" and "十八周岁以上村民的过半数" in flag.rule
    assert not decision_flags_for(MajorDecision.objects.get(title="二轮土地承包到期延包方案"))
