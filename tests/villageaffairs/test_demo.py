"""The Suizhou demo shows the village-affairs features: a corrected step with its history, a flag the
township turned into a problem clue (its register number), the member's photo on the 四亮 board."""

from django.core.management import call_command

from jijian.petitions.models import PetitionReport
from jijian.villageaffairs.models import FlagAnswer, PublicBoard, StepCorrection


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
