"""Training (学讲练考, docs/training.md): a question bank, practice with a wrong-answer book, and timed
exams whose papers are drawn by rule.

A question and an exam belong to the unit that set them (a county's bank, a township's exam); they
are used by the people of that unit's subtree. A sitting (one person's attempt at an exam) keeps a
snapshot of each drawn question in the order and option order shown to that person, so editing the
bank never changes a paper already drawn, and grading reads the snapshot."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jijian.core.models import OrgUnit


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("单选题")
    MULTIPLE = "multiple", _("多选题")
    TRUE_FALSE = "true_false", _("判断题")
    FILL_IN = "fill_in", _("填空题")


class QuestionLevel(models.TextChoices):
    BASIC = "basic", _("基础")
    ADVANCED = "advanced", _("提高")


class Audience(models.TextChoices):
    VILLAGE_MEMBERS = "village_members", _("村（社区）纪检委员")
    TOWNSHIP_CADRES = "township_cadres", _("乡镇（街道）纪检干部")
    ALL = "all", _("全部学员")


class Question(models.Model):
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("出题单位"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("题型"), max_length=12, choices=QuestionKind.choices)
    topic = models.CharField(_("专题"), max_length=50)
    level = models.CharField(
        _("难度"), max_length=10, choices=QuestionLevel.choices, default=QuestionLevel.BASIC
    )
    stem = models.TextField(_("题干"))
    # Choice kinds: the option texts in their set order; other kinds: [].
    options = models.JSONField(_("选项"), default=list, blank=True)
    # Choice kinds: indexes into options; true/false: [true] or [false]; fill-in: accepted texts.
    answer = models.JSONField(_("答案"), default=list)
    explanation = models.TextField(_("解析"), blank=True, default="")
    is_active = models.BooleanField(_("有效"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("试题")
        verbose_name_plural = _("试题")
        indexes = [models.Index(fields=["org_unit", "is_active", "topic", "level"], name="question_draw")]

    def __str__(self) -> str:
        return self.stem[:40]


class WrongAnswer(models.Model):
    """The wrong-answer book (错题本): a question a person answered wrongly in practice or an exam,
    until they answer it right in practice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    times_wrong = models.PositiveIntegerField(default=1)
    last_wrong_at = models.DateTimeField(default=timezone.now)
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("错题")
        verbose_name_plural = _("错题")
        constraints = [models.UniqueConstraint(fields=["user", "question"], name="wrong_answer_once")]

    def __str__(self) -> str:
        return f"错题 {self.question_id}"


class Exam(models.Model):
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("考试名称"), max_length=100)
    audience = models.CharField(_("参考对象"), max_length=20, choices=Audience.choices)
    opens_at = models.DateTimeField(_("开考时间"))
    closes_at = models.DateTimeField(_("截止时间"))
    duration_minutes = models.PositiveSmallIntegerField(_("考试时长（分钟）"))
    pass_score = models.PositiveSmallIntegerField(_("及格分（百分制）"), default=60)
    max_attempts = models.PositiveSmallIntegerField(_("最多参考次数"), default=2)
    is_published = models.BooleanField(_("已发布"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("考试")
        verbose_name_plural = _("考试")

    def __str__(self) -> str:
        return self.title


class ExamRule(models.Model):
    """One line of the drawing rule: `count` questions of a topic, level and kind ("" = any)."""

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="rules")
    topic = models.CharField(_("专题"), max_length=50, blank=True, default="")
    level = models.CharField(_("难度"), max_length=10, choices=QuestionLevel.choices, blank=True, default="")
    kind = models.CharField(_("题型"), max_length=12, choices=QuestionKind.choices, blank=True, default="")
    count = models.PositiveSmallIntegerField(_("题数"))
    points = models.PositiveSmallIntegerField(_("每题分值"), default=2)

    class Meta:
        verbose_name = _("组卷规则")
        verbose_name_plural = _("组卷规则")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.topic or '全部专题'} × {self.count}"


class Sitting(models.Model):
    """One person's attempt at an exam. Open until submitted (by the person or, past the deadline, by
    whoever next touches it: services.sittings_close_overdue, and the periodic task)."""

    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="sittings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    attempt = models.PositiveSmallIntegerField(default=1)
    started_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The browser the sitting is on (a random token kept in its session): a second device must take over.
    device = models.CharField(max_length=64, default="")
    score = models.PositiveIntegerField(null=True, blank=True)
    total = models.PositiveIntegerField(default=0)
    passed = models.BooleanField(null=True, blank=True)

    class Meta:
        verbose_name = _("考试作答")
        verbose_name_plural = _("考试作答")
        constraints = [
            # One sitting at a time: a person has at most one open sitting, whatever the exam.
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(submitted_at__isnull=True), name="one_open_sitting"
            ),
            models.UniqueConstraint(fields=["exam", "user", "attempt"], name="sitting_attempt_once"),
        ]
        indexes = [models.Index(fields=["exam", "submitted_at"], name="sitting_exam_done")]

    def __str__(self) -> str:
        return f"{self.exam_id}/{self.user_id}/{self.attempt}"

    @property
    def percent(self) -> int:
        if self.score is None or not self.total:
            return 0
        return round(self.score * 100 / self.total)


class SittingItem(models.Model):
    """One drawn question as this person sees it: position, shuffled options and the answer key in
    that order (snapshot), and what they answered (saved as they go)."""

    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=QuestionKind.choices)
    stem = models.TextField()
    options = models.JSONField(default=list)
    key = models.JSONField(default=list)
    points = models.PositiveSmallIntegerField()
    answer = models.JSONField(null=True, blank=True)
    saved_at = models.DateTimeField(null=True, blank=True)
    # The browser numbers each change of an answer; a save older than the one kept is ignored (two
    # requests crossing on a bad connection never put back an answer already changed).
    answer_seq = models.BigIntegerField(default=0)
    is_correct = models.BooleanField(null=True, blank=True)

    class Meta:
        verbose_name = _("考试答题")
        verbose_name_plural = _("考试答题")
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["sitting", "position"], name="sitting_item_position")]

    def __str__(self) -> str:
        return f"{self.sitting_id}#{self.position}"

    @property
    def field_name(self) -> str:
        return f"q{self.position}"


# --- courses (学) ---------------------------------------------------------------------------------
class Course(models.Model):
    """A course of the unit that set it, for the people of its subtree (audience as for exams)."""

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("课程名称"), max_length=100)
    description = models.TextField(_("简介"), blank=True, default="")
    audience = models.CharField(_("学习对象"), max_length=20, choices=Audience.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    is_required = models.BooleanField(_("必修"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("课程")
        verbose_name_plural = _("课程")

    def __str__(self) -> str:
        return self.title


class CourseMaterial(models.Model):
    """One material of a course: a text, or a file (PDF, video…) in the attachment store."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("正文"), blank=True, default="")
    attachment = models.ForeignKey(
        "attachments.Attachment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("课程资料")
        verbose_name_plural = _("课程资料")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


class MaterialView(models.Model):
    """A person opened a material (first time kept) and, later, studied it (`learnt_at`): a video or
    a recording played to its end, a text, PDF or image confirmed with 我已学完 once opened."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    material = models.ForeignKey(CourseMaterial, on_delete=models.CASCADE, related_name="+")
    viewed_at = models.DateTimeField(default=timezone.now)
    learnt_at = models.DateTimeField(_("学完时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("资料学习记录")
        verbose_name_plural = _("资料学习记录")
        constraints = [models.UniqueConstraint(fields=["user", "material"], name="material_view_once")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.material_id}"


class CourseCompletion(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="completions")
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("课程完成记录")
        verbose_name_plural = _("课程完成记录")
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="course_completion_once")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.course_id}"


# --- lectures (讲) --------------------------------------------------------------------------------
class Lecture(models.Model):
    """A session held (who lectured, on what, with what materials); attendance by scanning its QR code."""

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+"
    )
    topic = models.CharField(_("主题"), max_length=100)
    lecturer = models.CharField(_("讲授人"), max_length=50)
    held_at = models.DateTimeField(_("时间"))
    location = models.CharField(_("地点"), max_length=100, blank=True, default="")
    materials = models.TextField(_("材料"), blank=True, default="")
    audience = models.CharField(_("参加对象"), max_length=20, choices=Audience.choices)
    # The secret in the QR code: only someone in the room (or sent the code) signs in.
    signin_token = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("集中授课")
        verbose_name_plural = _("集中授课")

    def __str__(self) -> str:
        return self.topic


class LectureAttendance(models.Model):
    lecture = models.ForeignKey(Lecture, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("宣讲签到")
        verbose_name_plural = _("宣讲签到")
        constraints = [models.UniqueConstraint(fields=["lecture", "user"], name="lecture_signin_once")]

    def __str__(self) -> str:
        return f"{self.lecture_id}:{self.user_id}"


class LectureMaterial(models.Model):
    """A file of a lecture (its slides, the handout as PDF, the recording), in the attachment store;
    seen by whoever sees the lecture (its keepers and the people it is for, access.lectures_visible_to).
    The lecture's own `materials` stays the text typed with it."""

    lecture = models.ForeignKey(Lecture, on_delete=models.CASCADE, related_name="files")
    title = models.CharField(_("标题"), max_length=100)
    attachment = models.ForeignKey("attachments.Attachment", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("课件资料")
        verbose_name_plural = _("课件资料")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title
