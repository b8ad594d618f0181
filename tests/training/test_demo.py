"""The training demo: the bank's every question passes the import check, the exam is published and can
be drawn, some village members of the county have sat it, the demo member has not; a lecture for the
village members with its handout as a PDF the member opens; never loaded twice."""

import pytest

from jijian.audit.models import AuditEvent
from jijian.core.roles import Role
from jijian.training import services
from jijian.training.demo import BANK, load_demo
from jijian.training.models import Course, Exam, Lecture, Question, Sitting
from tests.conftest import make_user, sign_in


@pytest.mark.django_db
def test_demo_bank_exam_and_sittings(tree, people, client):
    officer = make_user("dangfeng", tree.county, Role.CONDUCT_SUPERVISION)
    members = [
        make_user(f"m{n}", tree.village_a2 if n % 2 else tree.village_b, Role.VILLAGE_MEMBER)
        for n in range(6)
    ]
    people.member_a.is_demo = True
    people.member_a.save(update_fields=["is_demo"])
    assert load_demo(seed=2020) == (len(BANK), 1)
    assert Question.objects.filter(org_unit=tree.county, created_by=officer).count() == len(BANK) == 30
    exam = Exam.objects.get()
    assert exam.is_published and exam.org_unit == tree.county
    sat = set(Sitting.objects.values_list("user_id", flat=True))
    assert sat == {m.pk for m in members}  # the demo member (member_a) is left to try it
    assert all(s.submitted_at and s.score is not None for s in Sitting.objects.all())
    assert AuditEvent.objects.filter(action="training.question_create").count() == 30
    assert services.sitting_start(actor=people.member_a, exam=exam, device="d").items.count() == 13
    course = Course.objects.get()
    assert course.is_required and course.materials.count() == 3
    lecture = Lecture.objects.get()
    [handout] = lecture.files.all()
    assert lecture.audience == "village_members" and handout.attachment.kind == "pdf"
    sign_in(client, people.member_a)
    page = client.get(f"/training/lectures/{lecture.pk}/signin/{lecture.signin_token}/").content.decode()
    assert "讲稿.pdf" in page and "确认签到" in page
    assert client.get(f"/files/{handout.attachment.pk}/").status_code == 200
    assert load_demo(seed=2020) == (0, 0)
