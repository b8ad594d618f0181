"""Writes of the duty manual: pages (each save is a new version with a change note, concurrent edits
detected by the page's version number), typical cases (written or proposed as drafts, published by
the city's editor) and the manual_case_propose port.

Every write is one transaction with its audit event. Bad input raises ValidationError in Chinese and
changes nothing."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from jijian.audit.services import audit_record
from jijian.core.orgs.pinyin import initials
from jijian.core.services import ConcurrentEditError

from .access import city_id_of, require_editor
from .models import CaseStatus, ManualPage, PageVersion, TopicKind, TypicalCase

CODE_RE = re.compile(r"^[a-z0-9_]{2,60}$")
LIST_FIELDS = ("steps", "roles", "checkpoints", "documents")


def lines(text: str | list | None) -> list[str]:
    """A textarea's lines (or a list) as the list of its non-empty entries."""
    items = text if isinstance(text, list) else (text or "").splitlines()
    return [str(s).strip() for s in items if str(s).strip()]


def _city_of(actor) -> int:
    city_id = city_id_of(actor)
    if city_id is None:
        raise ValidationError(gettext("账号不属于任何市，无法编辑履职手册"))
    return city_id


def page_clean(*, title: str, summary: str = "", steps=None, roles=None, checkpoints=None, documents=None):
    title = (title or "").strip()
    data = {
        "title": title,
        "summary": (summary or "").strip(),
        "steps": lines(steps),
        "roles": lines(roles),
        "checkpoints": lines(checkpoints),
        "documents": lines(documents),
    }
    errors = {}
    if not title:
        errors["title"] = gettext("请填写标题")
    elif len(title) > 100:
        errors["title"] = gettext("标题不超过100字")
    if not data["steps"]:
        errors["steps"] = gettext("请至少填写一个工作步骤（每行一步）")
    if errors:
        raise ValidationError(errors)
    return data


def _search_keys(data: dict) -> dict:
    text = "\n".join([data["title"], data["summary"], *(s for f in LIST_FIELDS for s in data[f])])
    return {"search_text": text, "title_initials": initials(data["title"])}


def _version_row(page: ManualPage, data: dict, *, actor, change_note: str) -> PageVersion:
    return PageVersion.objects.create(
        page=page,
        number=page.version,
        change_note=change_note,
        created_by=actor,
        **{k: data[k] for k in ("title", "summary", *LIST_FIELDS)},
    )


def _note(change_note: str) -> str:
    note = (change_note or "").strip()
    if not note:
        raise ValidationError({"change_note": "请填写修订说明（本次改了什么、为什么改）"})
    if len(note) > 200:
        raise ValidationError({"change_note": "修订说明不超过200字"})
    return note


def page_create(
    *, actor, code: str, kind: str, change_note: str = "初版", sort_order: int = 0, **fields
) -> ManualPage:
    """A new page of the editor's city, published as version 1."""
    require_editor(actor)
    code = (code or "").strip().lower()
    errors: dict[str, str | list[str]] = {}
    if not CODE_RE.match(code):
        errors["code"] = gettext(
            "主题代码为2–60位小写字母、数字或下划线（如 household_visit、decision_step_1）"
        )
    if kind not in TopicKind.values:
        errors["kind"] = gettext("请选择类别")
    try:
        data = page_clean(**fields)
    except ValidationError as error:
        errors.update(error.message_dict)
        data = {}
    try:
        note = _note(change_note)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    city_id = _city_of(actor)
    if ManualPage.objects.filter(city_id=city_id, code=code).exists():
        raise ValidationError({"code": f"主题代码“{code}”已有条目"})
    try:
        with transaction.atomic():
            page = ManualPage.objects.create(
                city_id=city_id,
                code=code,
                kind=kind,
                sort_order=sort_order,
                updated_by=actor,
                **data,
                **_search_keys(data),
            )
            _version_row(page, data, actor=actor, change_note=note)
            audit_record(
                actor=actor,
                action="manual.page_create",
                obj=page,
                org_unit_id=city_id,
                summary=f"新建履职手册条目：{data['title']}（{code}）",
            )
    except IntegrityError:  # the same code created at the same moment
        raise ValidationError({"code": f"主题代码“{code}”已有条目"}) from None
    return page


def page_update(*, actor, page: ManualPage, version: int, change_note: str, **fields) -> ManualPage:
    """Save the page as a new version with a change note; `version` is the one the editor opened
    (ConcurrentEditError if someone saved in between: nothing is saved). The old text stays readable
    as its version."""
    require_editor(actor)
    data = page_clean(**fields)
    note = _note(change_note)
    with transaction.atomic():
        if not ManualPage.objects.filter(pk=page.pk, version=version).update(
            version=F("version") + 1,
            updated_at=timezone.now(),
            updated_by=actor,
            **data,
            **_search_keys(data),
        ):
            raise ConcurrentEditError()
        page.refresh_from_db()
        _version_row(page, data, actor=actor, change_note=note)
        audit_record(
            actor=actor,
            action="manual.page_update",
            obj=page,
            org_unit_id=page.city_id,
            summary=f"修订履职手册：{page.title}（第{page.version}版：{note[:40]}）",
        )
    return page


# --- typical cases -------------------------------------------------------------------------------
def case_clean(*, title: str, situation: str, lesson: str, source: str = "") -> dict:
    data = {
        "title": (title or "").strip(),
        "situation": (situation or "").strip(),
        "lesson": (lesson or "").strip(),
        "source": (source or "").strip(),
    }
    errors = {}
    if not data["title"]:
        errors["title"] = gettext("请填写案例标题")
    elif len(data["title"]) > 100:
        errors["title"] = gettext("案例标题不超过100字")
    if not data["situation"]:
        errors["situation"] = gettext("请填写基本情况")
    if not data["lesson"]:
        errors["lesson"] = gettext("请填写启示（从中吸取的教训）")
    if len(data["source"]) > 100:
        errors["source"] = gettext("来源不超过100字")
    if errors:
        raise ValidationError(errors)
    return data


def _case_keys(data: dict) -> dict:
    text = "\n".join([data["title"], data["situation"], data["lesson"]])
    return {"search_text": text, "title_initials": initials(data["title"])}


def case_create(*, actor, page: ManualPage | None = None, publish: bool = False, **fields) -> TypicalCase:
    """The editor writes a case (as a draft, or published at once)."""
    require_editor(actor)
    data = case_clean(**fields)
    city_id = _city_of(actor)
    if page is not None and page.city_id != city_id:
        raise ValidationError({"page": "所属条目无效"})
    if data["source"] and TypicalCase.objects.filter(city_id=city_id, source=data["source"]).exists():
        raise ValidationError({"source": "同一来源已有案例"})
    with transaction.atomic():
        case = TypicalCase.objects.create(
            city_id=city_id,
            page=page,
            proposed_by=actor,
            status=CaseStatus.PUBLISHED if publish else CaseStatus.DRAFT,
            published_at=timezone.now() if publish else None,
            **data,
            **_case_keys(data),
        )
        audit_record(
            actor=actor,
            action="manual.case_create",
            obj=case,
            org_unit_id=city_id,
            summary=f"新增典型案例：{data['title']}",
        )
    return case


def case_update(
    *, actor, case: TypicalCase, version: int, page: ManualPage | None, publish: bool, **fields
) -> TypicalCase:
    """Edit a case (with the version the editor opened) and publish it or keep it a draft."""
    require_editor(actor)
    data = case_clean(**fields)
    if page is not None and page.city_id != case.city_id:
        raise ValidationError({"page": "所属条目无效"})
    if (
        data["source"]
        and TypicalCase.objects.filter(city_id=case.city_id, source=data["source"])
        .exclude(pk=case.pk)
        .exists()
    ):
        raise ValidationError({"source": "同一来源已有案例"})
    status = CaseStatus.PUBLISHED if publish else CaseStatus.DRAFT
    published_at = (case.published_at or timezone.now()) if publish else None
    with transaction.atomic():
        if not TypicalCase.objects.filter(pk=case.pk, version=version).update(
            version=F("version") + 1,
            page=page,
            status=status,
            published_at=published_at,
            **data,
            **_case_keys(data),
        ):
            raise ConcurrentEditError()
        case.refresh_from_db()
        audit_record(
            actor=actor,
            action="manual.case_publish" if publish else "manual.case_update",
            obj=case,
            org_unit_id=case.city_id,
            summary=f"{'发布' if publish else '修改'}典型案例：{case.title}",
        )
    return case


def case_propose(*, actor, title: str, situation: str, lesson: str, source: str) -> int:
    """The manual_case_propose port (core/links.py): a case proposed from a lesson learnt elsewhere,
    kept as a draft of the actor's city for the editor to publish. The same source twice gives the
    same case (its id; the draft is not rewritten). Returns the case's id."""
    city_id = city_id_of(actor)
    if city_id is None:
        raise ValidationError(gettext("提出人不属于任何市，无法提交到履职手册"))
    source = (source or "").strip()
    if not source:
        raise ValidationError({"source": "请注明案例来源"})
    data = case_clean(title=title, situation=situation, lesson=lesson, source=source)
    existing = TypicalCase.objects.filter(city_id=city_id, source=source).values_list("pk", flat=True).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            case = TypicalCase.objects.create(
                city_id=city_id, proposed_by=actor, status=CaseStatus.DRAFT, **data, **_case_keys(data)
            )
            audit_record(
                actor=actor,
                action="manual.case_propose",
                obj=case,
                org_unit_id=city_id,
                summary=f"提交典型案例（待发布）：{data['title']}",
            )
    except IntegrityError:  # proposed twice at the same moment: the first one stands
        return TypicalCase.objects.get(city_id=city_id, source=source).pk
    return case.pk
