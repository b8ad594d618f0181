"""Pages of training (学讲练考): the question bank and its Excel import, practice with the wrong-answer
book, exams (set, publish, results), sitting an exam, the certificate, statistics.

Every object is resolved through access.py: outside the user's jurisdiction, or another person's
sitting, the answer is the same 404 as for a missing record. Managers' pages are 404 to learners."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jijian.attachments import held
from jijian.attachments.views import content_disposition
from jijian.core.access import require_module
from jijian.core.language import platform_language
from jijian.core.ops.ratelimit import client_ip
from jijian.core.orgs.importer import ImportFileError
from jijian.core.roles import Module

from . import access, selectors, services
from .forms import (
    CourseForm,
    ExamForm,
    ImportForm,
    LectureForm,
    LectureMaterialForm,
    MaterialForm,
    PracticeFilterForm,
    QuestionForm,
    RuleFormSet,
)
from .models import QuestionKind
from .required import required_status

PAGE = 50
DEVICE_KEY = "training_device"


def _manager(user) -> None:
    if not access.can_manage(user):
        raise Http404


def _device(request) -> str:
    """This browser's token for sittings (kept in its session: a reload or a dropped connection keeps
    it, another device has another)."""
    token = request.session.get(DEVICE_KEY)
    if not token:
        token = request.session[DEVICE_KEY] = services.new_device_token()
    return token


@login_required
@require_GET
def home(request):
    require_module(request.user, Module.TRAINING)
    context = {
        "exams": selectors.exams_for_learner(request.user),
        "finished": selectors.finished_sittings(request.user)[:20],
        "wrong_count": access.wrong_answers_of(request.user).count(),
        "courses": selectors.courses_for_learner(request.user),
        "can_manage": access.can_manage(request.user),
        "learner": bool(access.audiences_of(request.user)),
    }
    return render(request, "training/home.html", context)


# --- question bank -------------------------------------------------------------------------------
@login_required
@require_GET
def question_list(request):
    _manager(request.user)
    qs = access.questions_managed_by(request.user).filter(is_active=True).order_by("topic", "kind", "pk")
    if request.GET.get("topic"):
        qs = qs.filter(topic=request.GET["topic"])
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "summary": selectors.bank_summary(request.user),
        "topic": request.GET.get("topic", ""),
    }
    return render(request, "training/question_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def question_create(request):
    _manager(request.user)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.question_create(actor=request.user, **form.service_fields())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, gettext("已加入题库"))
            return redirect("training:question_list")
    return render(request, "training/question_form.html", {"form": form, "question": None})


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for column, messages_ in error.message_dict.items():
            for m in messages_:
                form.add_error(None, f"{column}：{m}")
    else:
        form.add_error(None, error.messages)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request, pk):
    _manager(request.user)
    question = access.get_question_for(request.user, pk)
    form = QuestionForm(request.POST or None, question=question)
    if request.method == "POST" and form.is_valid():
        try:
            if "deactivate" in request.POST:
                services.question_deactivate(
                    actor=request.user, question=question, version=form.cleaned_data["version"] or 0
                )
                messages.success(request, gettext("已停用该试题（已抽到的试卷不受影响）"))
            else:
                services.question_update(
                    actor=request.user,
                    question=question,
                    version=form.cleaned_data["version"] or 0,
                    **form.service_fields(),
                )
                messages.success(request, gettext("已保存"))
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return redirect("training:question_list")
    # A change refused (the form, or the service: a stale version, an open exam that needs the
    # question) comes back as typed, with its errors.
    status = 400 if request.method == "POST" else 200
    return render(request, "training/question_form.html", {"form": form, "question": question}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def question_import(request):
    _manager(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / ("questions" + Path(upload.name).suffix.lower())
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            try:
                result = services.questions_import(actor=request.user, path=path)
            except ImportFileError as error:
                form.add_error("file", str(error))
        if result is not None and result.ok:
            messages.success(request, gettext("已导入 %(created)s 道试题") % {"created": result.created})
            return redirect("training:question_list")
    return render(request, "training/question_import.html", {"form": form, "result": result})


@login_required
@require_GET
def import_template(request):
    """The Excel template: the columns and one example of each kind."""
    _manager(request.user)
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "试题"
    ws.append(list(services.IMPORT_COLUMNS.values()))
    for row in TEMPLATE_ROWS:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = content_disposition("试题导入模板.xlsx")
    return response


TEMPLATE_ROWS = [
    [
        "单选题",
        "履职基础",
        "基础",
        "村（社区）纪检委员每月应向乡镇纪委报送什么？",
        "工作计划",
        "履职月报",
        "财务报表",
        "会议纪要",
        "",
        "",
        "B",
        "履职月报按月报送，无事项时作零报告。",
    ],
    [
        "多选题",
        "四议两公开",
        "提高",
        "“四议”包括哪些环节？",
        "村党组织提议",
        "村“两委”会议商议",
        "党员大会审议",
        "村民（代表）会议决议",
        "",
        "",
        "ABCD",
        "四议：提议、商议、审议、决议。",
    ],
    [
        "判断题",
        "履职基础",
        "基础",
        "村务监督中发现问题线索，纪检委员可自行立案调查。",
        "",
        "",
        "",
        "",
        "",
        "",
        "错",
        "发现问题线索应及时向乡镇纪委报告，不能自行处置。",
    ],
    [
        "填空题",
        "党纪法规",
        "基础",
        "监督执纪“四种形态”中，第一种形态是经常开展批评和____。",
        "",
        "",
        "",
        "",
        "",
        "",
        "自我批评",
        "",
    ],
]


# --- practice ------------------------------------------------------------------------------------
@never_cache
@login_required
@require_GET
def practice(request):
    require_module(request.user, Module.TRAINING)
    from_book = request.GET.get("book") == "1"
    form = PracticeFilterForm(request.GET or None, topics=selectors.practice_topics(request.user))
    question = selectors.practice_next(request.user, from_book=from_book, **form.values())
    context = {"form": form, "question": question, "from_book": from_book, "query": request.GET.urlencode()}
    return render(request, "training/practice.html", context)


@never_cache
@login_required
@require_POST
def practice_answer(request, pk):
    require_module(request.user, Module.TRAINING)
    question = access.get_practice_question_for(request.user, pk)
    query = request.POST.get("query", "")
    try:
        result = services.practice_answer(
            actor=request.user, question=question, values=request.POST.getlist("value")
        )
    except ValidationError as error:
        context = {"question": question, "error": error.messages[0], "query": query, "form": None}
        return render(request, "training/practice.html", context)
    context = {
        "question": question,
        "result": result,
        "key": services.answer_text(question),
        "query": query,
        "from_book": "book=1" in query,
    }
    return render(request, "training/practice_result.html", context)


@login_required
@require_GET
def wrong_book(request):
    require_module(request.user, Module.TRAINING)
    page = Paginator(access.wrong_answers_of(request.user).order_by("-last_wrong_at"), PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "training/wrong_book.html", {"page": page})


# --- exams (managers) ----------------------------------------------------------------------------
@login_required
@require_GET
def exam_list(request):
    _manager(request.user)
    exams = access.exams_managed_by(request.user).order_by("-opens_at")
    page = Paginator(exams, PAGE).get_page(request.GET.get("page"))
    return render(request, "training/exam_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def exam_create(request):
    _manager(request.user)
    form = ExamForm(request.POST or None)
    rules = RuleFormSet(request.POST or None, prefix="rule")
    if request.method == "POST" and form.is_valid() and rules.is_valid():
        specs = [s for s in (f.spec() for f in rules.forms) if s is not None]
        try:
            exam = services.exam_create(actor=request.user, rules=specs, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, gettext("考试已保存为草稿，核对后请发布"))
            return redirect("training:exam_detail", exam.pk)
    return render(request, "training/exam_form.html", {"form": form, "rules": rules})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def exam_detail(request, pk):
    _manager(request.user)
    exam = access.get_exam_for(request.user, pk)
    error = ""
    if request.method == "POST":
        try:
            exam = services.exam_publish(
                actor=request.user, exam=exam, version=int(request.POST.get("version", 0))
            )
        except (ValidationError, ValueError) as e:
            error = "；".join(e.messages) if isinstance(e, ValidationError) else "请求无效"
        else:
            messages.success(request, gettext("考试已发布"))
            return redirect("training:exam_detail", exam.pk)
    context = {
        "exam": exam,
        "rules": services.rules_of(exam),
        "results": selectors.exam_results(request.user, exam)[:500],
        "error": error,
    }
    return render(request, "training/exam_detail.html", context)


# --- sitting an exam (learners) ------------------------------------------------------------------
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def exam_take(request, pk):
    exam = access.get_open_exam_for(request.user, pk)
    error = ""
    if request.method == "POST":
        try:
            sitting = services.sitting_start(actor=request.user, exam=exam, device=_device(request))
        except ValidationError as e:
            error = e.messages[0]
        else:
            return redirect("training:sitting", sitting.pk)
    mine = list(access.sittings_of(request.user).filter(exam=exam).order_by("attempt"))
    context = {"exam": exam, "sittings": mine, "error": error, "now": timezone.now()}
    return render(request, "training/exam_take.html", context)


@never_cache
@login_required
@require_GET
def sitting_page(request, pk):
    sitting = access.get_sitting_for(request.user, pk)
    services.sittings_close_overdue(user=request.user)
    sitting.refresh_from_db()
    items = list(sitting.items.select_related("question"))
    if sitting.submitted_at is not None:
        return render(request, "training/sitting_result.html", {"sitting": sitting, "items": items})
    if sitting.device != _device(request):
        return render(request, "training/sitting_elsewhere.html", {"sitting": sitting})
    remaining = max(int((sitting.deadline - timezone.now()).total_seconds()), 0)
    context = {"sitting": sitting, "items": items, "remaining": remaining, "kinds": QuestionKind}
    return render(request, "training/sitting_page.html", context)


def _int(value, default=0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@never_cache
@login_required
@require_POST
def sitting_save(request, pk):
    """One answer, as the page's script sends it on every change. JSON answer: 200 saved, 409 refused
    (with the reason, and whether the sitting is over)."""
    sitting = access.get_sitting_for(request.user, pk)
    try:
        services.answer_save(
            actor=request.user,
            sitting=sitting,
            position=_int(request.POST.get("position")),
            values=request.POST.getlist("value"),
            seq=_int(request.POST.get("seq")),
            device=_device(request),
        )
    except services.SittingClosed as error:
        return JsonResponse({"ok": False, "closed": True, "error": error.messages[0]}, status=409)
    except ValidationError as error:
        return JsonResponse({"ok": False, "closed": False, "error": error.messages[0]}, status=409)
    return JsonResponse({"ok": True})


@login_required
@require_POST
def sitting_submit(request, pk):
    """交卷: the form carries every answer as shown (saved first, each with its change number), then
    the sitting is graded. Past the deadline it was graded already with what had been saved."""
    sitting = access.get_sitting_for(request.user, pk)
    device = _device(request)
    try:
        for item in sitting.items.all():
            name = f"q{item.position}"
            if f"seq{item.position}" in request.POST:
                services.answer_save(
                    actor=request.user,
                    sitting=sitting,
                    position=item.position,
                    values=request.POST.getlist(name),
                    seq=_int(request.POST.get(f"seq{item.position}")),
                    device=device,
                )
        services.sitting_submit(actor=request.user, sitting=sitting, device=device)
    except services.SittingClosed as error:
        messages.info(request, error.messages[0])
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect("training:sitting", sitting.pk)


@login_required
@require_POST
def sitting_take_over(request, pk):
    sitting = access.get_sitting_for(request.user, pk)
    try:
        services.sitting_take_over(actor=request.user, sitting=sitting, device=_device(request))
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect("training:sitting", sitting.pk)


@login_required
@require_GET
def certificate(request, pk):
    """The certificate of a passed sitting (PDF, fonts embedded)."""
    sitting = access.get_sitting_for(request.user, pk)
    if not sitting.passed:
        raise Http404
    from weasyprint import HTML

    with platform_language():  # a certificate: in its prescribed wording
        html = render_to_string("training/certificate.html", {"sitting": sitting, "person": request.user})
    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(f"合格证书_{sitting.exam.title}.pdf")
    return response


# --- statistics ----------------------------------------------------------------------------------
@login_required
@require_GET
def stats(request):
    _manager(request.user)
    year = _int(request.GET.get("year"), timezone.localdate().year)
    if not 2000 <= year <= 2100:
        year = timezone.localdate().year
    stats = selectors.training_stats(request.user, year=year)
    ways = [(label, stats.ways[key]) for key, label in selectors.WAYS]
    context = {"stats": stats, "levels": selectors.LEVELS, "ways": ways}
    return render(request, "training/stats.html", context)


@login_required
@require_GET
def required(request):
    """Required courses of a year in the manager's jurisdiction: completed and not, and who has not."""
    _manager(request.user)
    year = _int(request.GET.get("year"), timezone.localdate().year)
    if not 2000 <= year <= 2100:
        year = timezone.localdate().year
    status = required_status(request.user, year=year)
    page = Paginator(status.pending, PAGE).get_page(request.GET.get("page"))
    return render(request, "training/required.html", {"status": status, "page": page})


# --- courses (学) ---------------------------------------------------------------------------------
@login_required
@require_GET
def course_list(request):
    """The courses the manager keeps (learners find theirs on the training home page)."""
    _manager(request.user)
    courses = access.courses_managed_by(request.user).order_by("-year", "title")
    page = Paginator(courses, PAGE).get_page(request.GET.get("page"))
    return render(request, "training/course_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def course_create(request):
    _manager(request.user)
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.course_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, gettext("课程已建立，请添加学习资料"))
            return redirect("training:course_detail", course.pk)
    return render(request, "training/course_form.html", {"form": form})


@login_required
@require_GET
def course_detail(request, pk):
    course = access.get_course_for(request.user, pk)
    keeps = access.courses_managed_by(request.user).filter(pk=course.pk).exists()
    oversees = access.can_manage(request.user)  # progress of the manager's jurisdiction, kept or set above
    materials = selectors.course_materials(request.user, course)
    context = {
        "course": course,
        "materials": materials,
        "all_seen": bool(materials) and all(seen for _, seen in materials),
        "done": selectors.course_completed_by(request.user, course),
        "learns": services.learns(request.user, course),
        "keeps": keeps,
        "progress": selectors.course_progress(request.user, course) if oversees else None,
    }
    return render(request, "training/course_detail.html", context)


def _course_material(request, pk, material_pk):
    """The course (through access) and its material with whether the learner has studied it, or 404."""
    course = access.get_course_for(request.user, pk)
    found = next(
        (
            (m, learnt)
            for m, learnt in selectors.course_materials(request.user, course)
            if m.pk == material_pk
        ),
        None,
    )
    if found is None:
        raise Http404
    return course, *found


@login_required
@require_GET
def material_page(request, pk, material_pk):
    """One material: the text, a PDF to open, or a video played on the page (the file comes from the
    attachment store's download, which answers range requests). Opening it is recorded but is not
    learning it: a video or recording counts once played to its end, the rest with 我已学完."""
    course, material, learnt = _course_material(request, pk, material_pk)
    learns = services.material_viewed(actor=request.user, material=material)
    context = {"course": course, "material": material, "learnt": learnt, "learns": learns}
    return render(request, "training/material_page.html", context)


@login_required
@require_POST
def material_learnt(request, pk, material_pk):
    """我已学完 (or the page's script at the end of a video): the material counts as studied."""
    course, material, _ = _course_material(request, pk, material_pk)
    try:
        services.material_learnt(actor=request.user, material=material)
    except ValidationError as error:
        context = {
            "course": course,
            "material": material,
            "learnt": False,
            "learns": services.learns(request.user, course),
            "error": error.messages[0],
        }
        return render(request, "training/material_page.html", context, status=400)
    messages.success(request, gettext("已学完：%(title)s") % {"title": material.title})
    return redirect("training:course_detail", course.pk)


@login_required
@require_POST
def course_complete(request, pk):
    course = access.get_course_for(request.user, pk)
    try:
        services.course_complete(actor=request.user, course=course)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, gettext("已完成本课程学习"))
    return redirect("training:course_detail", course.pk)


@login_required
@require_http_methods(["GET", "POST"])
def material_add(request, pk):
    _manager(request.user)
    course = access.get_managed_course_for(request.user, pk)
    form = MaterialForm(request.POST or None, request.FILES or None)
    # A file chosen on a post with an error is held, shown as attached (attachments.held): a lesson
    # video is large, and choosing it again on a phone means uploading it again.
    # One file per material (`single`): a new one chosen replaces the one held.
    uploads = held.HeldUploads(
        request, f"training.material:{course.pk}", "file", single=True, kinds=services.MATERIAL_KINDS
    )
    uploads.on_get()
    if request.method == "POST" and form.is_valid():
        with uploads.files([]) as kept:
            try:
                services.material_add(
                    actor=request.user,
                    course=course,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    file=form.cleaned_data["file"] or (kept[0] if kept else None),
                    ip_address=client_ip(request),
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                uploads.release()
                messages.success(request, gettext("资料已添加"))
                return redirect("training:course_detail", course.pk)
    uploads.hold_if(form)
    context = {"form": form, "course": course, "held": uploads.shown()}
    return render(request, "training/material_form.html", context)


# --- lectures (讲) --------------------------------------------------------------------------------
@login_required
@require_GET
def lecture_list(request):
    _manager(request.user)
    lectures = access.lectures_managed_by(request.user).order_by("-held_at")
    page = Paginator(lectures, PAGE).get_page(request.GET.get("page"))
    return render(request, "training/lecture_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def lecture_create(request):
    _manager(request.user)
    form = LectureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lecture = services.lecture_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            return redirect("training:lecture_detail", lecture.pk)
    return render(request, "training/lecture_form.html", {"form": form})


@never_cache
@login_required
@require_GET
def lecture_detail(request, pk):
    """The lecture, its sign-in QR code (shown on the projector) and who has signed in."""
    import segno
    from django.utils.safestring import mark_safe

    lecture = access.get_managed_lecture_for(request.user, pk)
    url = request.build_absolute_uri(
        reverse("training:lecture_signin", args=[lecture.pk, lecture.signin_token])
    )
    # segno draws one <path> and escapes its title: safe to inline, nothing loaded from elsewhere.
    qr = mark_safe(segno.make(url, error="m").svg_inline(scale=6, title=gettext("扫码签到"), svgclass="qr"))  # noqa: S308
    attendance = lecture.attendance.select_related("user", "user__org_unit").order_by("signed_at")
    context = {
        "lecture": lecture,
        "qr": qr,
        "signin_url": url,
        "attendance": attendance,
        "files": selectors.lecture_files(lecture),
    }
    return render(request, "training/lecture_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def lecture_material_add(request, pk):
    """A file for a lecture (slides, handout, recording), through the attachment store."""
    _manager(request.user)
    lecture = access.get_managed_lecture_for(request.user, pk)
    form = LectureMaterialForm(request.POST or None, request.FILES or None)
    # A file chosen on a post refused for another field is held, shown as attached (attachments.held):
    # a recording is large, and choosing it again on a phone means uploading it again. One file a post.
    uploads = held.HeldUploads(
        request,
        f"training.lecture_material:{lecture.pk}",
        "file",
        single=True,
        kinds=services.LECTURE_MATERIAL_KINDS,
    )
    uploads.on_get()
    if request.method == "POST" and form.is_valid():
        with uploads.files([]) as kept:
            try:
                services.lecture_material_add(
                    actor=request.user,
                    lecture=lecture,
                    title=form.cleaned_data["title"],
                    file=form.cleaned_data["file"] or (kept[0] if kept else None),
                    ip_address=client_ip(request),
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                uploads.release()
                messages.success(request, gettext("资料已上传"))
                return redirect("training:lecture_detail", lecture.pk)
    uploads.hold_if(form)
    context = {
        "form": form,
        "lecture": lecture,
        "held": uploads.shown(),
        "max_files": services.MAX_LECTURE_FILES,
    }
    return render(
        request,
        "training/lecture_material_form.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def lecture_signin(request, pk, token):
    lecture = access.get_lecture_to_attend(request.user, pk)
    error, signed = "", None
    if request.method == "POST":
        try:
            signed = services.lecture_sign_in(actor=request.user, lecture=lecture, token=token)
        except ValidationError as e:
            error = e.messages[0]
    context = {
        "lecture": lecture,
        "error": error,
        "signed": signed,
        "files": selectors.lecture_files(lecture),
    }
    return render(request, "training/lecture_signin.html", context)
