"""Integrity opinion replies (党风廉政意见回复): the organisation department asks about a list of
people (a 征求意见函 with its reference number and purpose); the cadre supervision office gathers
the facts of each person's archive and proposes the verdict with its standard wording (it may choose
another verdict); 信访室, 案件监督管理室 and 审理室 each endorse their part (签字背书); the
commission's leader signs; the signed reply is printed as a PDF letter.

The facts of a person: the archive matched by ID number (through its blind index; refused when the
archive bears another name), or by name when exactly one archive of that name is in the
jurisdiction; its sanctions (one still within its effect period vetoes); its linked reports still
open or closed (core.links.archive_report_counts) and the problem clues from them — not concluded,
transferred to 立案审查调查, or closed (core.links.archive_clue_counts; petitions is not imported):
anything open or transferred is under verification; clues about someone of the same name that no
archive link ties to anyone are listed for the case management office to check, without changing
the proposal; the first-form handlings without effect period (谈话提醒, 批评教育, 责令检查: shown, never
a veto; 诫勉 is a sanction with its six months); a missing yearly personal-matters report. A withdrawn
entry (撤销, entered in error) counts for nothing. The verdict rules are `propose`, a pure
function of those facts.

The reply is due a number of working days after the request (settings.ARCHIVES_OPINION_WORKING_DAYS,
5 by default; the core working-day calendar)."""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field
from datetime import date
from functools import reduce

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from jijian.audit.services import audit_record
from jijian.core import links
from jijian.core.access import scope
from jijian.core.language import platform_language
from jijian.core.orgs.workdays import add_working_days
from jijian.core.roles import Module, Role
from jijian.core.sensitive.crypto import blind_index
from jijian.core.services import ConcurrentEditError
from jijian.core.validators import validate_id_number

from .access import (
    ENDORSING_ROLES,
    archives_visible_to,
    can_answer,
    can_request,
    can_sign,
    endorsing_offices,
    opinions_visible_to,
)
from .models import (
    HANDLING_KINDS,
    ArchiveRecord,
    IntegrityArchive,
    OpinionEndorsement,
    OpinionPerson,
    OpinionPurpose,
    OpinionRequest,
    OpinionState,
    OpinionVerdict,
    PersonalMattersReport,
    RecordKind,
    Sanction,
)
from .sanctions import matters_year_due

MAX_PERSONS = 500

# The standard wording of each verdict ({name}: the person, {purpose}: what the request is for,
# {day}: the date of the check).
WORDING = {
    OpinionVerdict.NO_OBJECTION: "经查，截至{day}，未收到反映{name}同志的信访举报及其他问题线索，"
    "未发现影响该同志{purpose}的不廉洁问题。",
    OpinionVerdict.REPORTED_CLOSED: "经查，截至{day}，{name}同志曾被反映问题或受过处理，均已了结，"
    "不影响该同志{purpose}。",
    OpinionVerdict.UNDER_VERIFICATION: "经查，{name}同志有被反映的问题正在核查中，建议暂缓{purpose}。",
    OpinionVerdict.IN_EFFECT: "经查，{name}同志受到的处分（处理）尚在影响期内，不同意该同志{purpose}。",
    OpinionVerdict.NOT_FOUND: "经查，本机关未建立{name}同志的廉情档案（或无法确定其身份），"
    "请核实其姓名和身份证号后重新征求意见。",
}


def working_days() -> int:
    return int(getattr(settings, "ARCHIVES_OPINION_WORKING_DAYS", 5))


@dataclass
class Facts:
    archive: IntegrityArchive | None = None
    note: str = ""  # why no archive was matched
    sanctions_in_effect: list[str] = field(default_factory=list)
    sanctions_past: list[str] = field(default_factory=list)
    # The first form's handlings short of 诫勉 (谈话提醒, 批评教育, 责令检查): (kind, date, source). No
    # effect period: shown, never a veto.
    handlings: list[tuple[str, date, str]] = field(default_factory=list)
    reports_open: int = 0
    reports_closed: int = 0
    clues_open: int = 0  # not concluded: in handling, awaiting approval or held (暂存待查)
    clues_transferred: int = 0  # moved to 立案审查调查
    clues_closed: int = 0
    clues_unlinked: int = 0  # about someone of the same name, linked to no archive, not closed
    matters_missing: int | None = None  # the year whose personal-matters report is missing

    def lines(self) -> list[str]:
        if self.archive is None:
            return [self.note or "未找到廉情档案"]
        out = [f"在办的信访举报{self.reports_open}件，已办结{self.reports_closed}件"]
        if self.clues_open or self.clues_transferred or self.clues_closed:
            out.append(
                f"问题线索：尚未了结{self.clues_open}件，已转立案审查调查{self.clues_transferred}件，"
                f"已了结{self.clues_closed}件"
            )
        if self.clues_unlinked:
            out.append(
                f"另有被反映人与其同名的问题线索{self.clues_unlinked}件尚未了结、未关联任何廉情档案，"
                "请案件监督管理室核对是否为本人"
            )
        out += [f"处分（影响期内）：{s}" for s in self.sanctions_in_effect]
        out += [f"处分（影响期已满）：{s}" for s in self.sanctions_past]
        out += [
            f"处理（无影响期）：{RecordKind(kind).label}（{day:%Y-%m-%d}，{source}）"
            for kind, day, source in self.handlings
        ]
        if self.matters_missing:
            out.append(f"{self.matters_missing}年度个人有关事项报告未报告")
        return out


def propose(facts: Facts) -> str:
    """The verdict the facts lead to: no archive → not found; a sanction in its effect period (诫勉
    included: six months) → veto; an open report, a clue not concluded or one transferred to 立案审查
    调查 → under verification; a closed report or clue, a past sanction or a first-form handling
    without effect period (谈话提醒, 批评教育, 责令检查) → reported but closed; else no objection. Clues
    about a namesake linked to no archive are shown, not counted."""
    if facts.archive is None:
        return OpinionVerdict.NOT_FOUND
    if facts.sanctions_in_effect:
        return OpinionVerdict.IN_EFFECT
    if facts.reports_open or facts.clues_open or facts.clues_transferred:
        return OpinionVerdict.UNDER_VERIFICATION
    if facts.reports_closed or facts.clues_closed or facts.sanctions_past or facts.handlings:
        return OpinionVerdict.REPORTED_CLOSED
    return OpinionVerdict.NO_OBJECTION


def wording(verdict: str, *, name: str, purpose: str, day: date, facts: Facts | None = None) -> str:
    text = WORDING[OpinionVerdict(verdict)].format(name=name, purpose=purpose, day=f"{day:%Y年%-m月%-d日}")
    if facts is not None and facts.matters_missing and verdict != OpinionVerdict.NOT_FOUND:
        text += f"另，该同志{facts.matters_missing}年度个人有关事项报告未按期报告。"
    return text


# --- the request ---------------------------------------------------------------------------------
_LINE = re.compile(r"[\s,，、;；\t]+")


def parse_persons(text: str) -> list[dict]:
    """One person a line: 姓名 [身份证号] [单位职务]. Raises ValidationError naming every bad line;
    a person listed twice (same ID number, or same name without one) is an error."""
    lines = [
        (n, [p for p in _LINE.split(raw.strip()) if p]) for n, raw in enumerate((text or "").splitlines(), 1)
    ]
    return _persons(lines)


def persons_from_xlsx(fh) -> list[dict]:
    """The list from an Excel file: one sheet, no merged cells, a header row with 姓名 and optionally
    身份证号 and 单位职务 (no other column); rows are named by their number in the sheet."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(fh, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable workbook is one message
        raise ValidationError(gettext("无法读取该文件，请上传 Excel（.xlsx）文件")) from None
    if len(wb.worksheets) != 1:
        raise ValidationError(
            gettext("文件含有%(count)s个工作表，请只保留一个工作表") % {"count": len(wb.worksheets)}
        )
    ws = wb.worksheets[0]
    if ws.merged_cells.ranges:
        raise ValidationError(gettext("工作表含有合并单元格，请取消合并后再导入"))
    table = [["" if c is None else str(c).strip() for c in row] for row in ws.iter_rows(values_only=True)]
    header = table[0] if table else []
    allowed = ("姓名", "身份证号", "单位职务")
    unknown = [h for h in header if h and h not in allowed]
    if "姓名" not in header or unknown:
        raise ValidationError(
            "表头应为：姓名、身份证号（选填）、单位职务（选填）"
            + (f"；无法识别的列：{'、'.join(unknown)}" if unknown else "")
        )
    at = {h: i for i, h in enumerate(header) if h}
    lines = []
    for n, row in enumerate(table[1:], start=2):
        cells = [row[at[h]] if h in at and at[h] < len(row) else "" for h in allowed]
        # The name stays first even when empty, so that _persons names that row with the others.
        lines.append((n, [cells[0], *(c for c in cells[1:] if c)] if any(cells) else []))
    return _persons(lines)


def _persons(lines: list[tuple[int, list[str]]]) -> list[dict]:
    persons: list[dict] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for number, parts in lines:
        if not parts:
            continue
        name, rest = parts[0], parts[1:]
        if not name:
            errors.append(gettext("第%(number)s行：姓名不能为空") % {"number": number})
            continue
        id_number = ""
        if rest and re.fullmatch(r"[0-9]{17}[0-9Xx]", rest[0]):
            id_number = rest.pop(0).upper()
            try:
                validate_id_number(id_number)
            except ValidationError:
                errors.append(
                    gettext("第%(number)s行：身份证号 %(id_number)s 校验不通过")
                    % {"number": number, "id_number": id_number}
                )
                continue
        elif rest and re.fullmatch(r"[0-9Xx]{6,}", rest[0]):
            errors.append(gettext("第%(number)s行：身份证号应为18位") % {"number": number})
            continue
        if len(name) > 100:
            errors.append(gettext("第%(number)s行：姓名过长") % {"number": number})
            continue
        post = " ".join(rest)
        if len(post) > 200:
            errors.append(
                gettext("第%(number)s行：单位职务过长（%(count)s字，不超过200字）")
                % {"number": number, "count": len(post)}
            )
            continue
        key = f"id:{id_number}" if id_number else f"name:{name}"
        if key in seen:
            errors.append(
                gettext("第%(number)s行：与第%(first)s行重复") % {"number": number, "first": seen[key]}
            )
            continue
        seen[key] = number
        persons.append({"name": name, "id_number": id_number, "post": post})
    if errors:
        raise ValidationError(errors)
    if not persons:
        raise ValidationError(gettext("请填写征求意见的人员名单"))
    if len(persons) > MAX_PERSONS:
        raise ValidationError(gettext("一次征求意见不超过%(MAX_PERSONS)s人") % {"MAX_PERSONS": MAX_PERSONS})
    return persons


def opinion_submit(
    *,
    actor,
    ref_no: str,
    purpose: str,
    persons_text: str = "",
    note: str = "",
    persons: list[dict] | None = None,
) -> OpinionRequest:
    """Submit a request; the list is `persons_text` (typed in) or `persons` (persons_from_xlsx)."""
    if not can_request(actor):
        raise PermissionDenied
    ref_no = (ref_no or "").strip()
    if not ref_no:
        raise ValidationError(gettext("请填写来函文号"))
    if len(ref_no) > 60:
        raise ValidationError(gettext("来函文号不超过60字"))
    if purpose not in OpinionPurpose.values:
        raise ValidationError(gettext("请选择征求意见事由"))
    if len((note or "").strip()) > 200:
        raise ValidationError(gettext("说明不超过200字"))
    if persons is None:
        persons = parse_persons(persons_text)
    today = timezone.localdate()
    with transaction.atomic():
        request = OpinionRequest.objects.create(
            ref_no=ref_no,
            purpose=purpose,
            note=(note or "").strip(),
            org_unit=actor.org_unit,
            requested_by=actor,
            due_on=add_working_days(today, working_days()),
        )
        for i, p in enumerate(persons, start=1):
            # save() computes the blind index of the ID number.
            OpinionPerson(request=request, position=i, **p).save()
        audit_record(
            actor=actor,
            action="opinion.submit",
            obj=request,
            org_unit_id=request.org_unit_id,
            summary=f"征求党风廉政意见：{ref_no}（{len(persons)}人）",
        )
    return request


# --- gathering the facts -------------------------------------------------------------------------
# The archive's columns the facts and the callers (opinion_draft, vetting) read.
FACT_FIELDS = ("name_index", "id_number_index", "level")


def gather(user, persons: list[OpinionPerson], *, today: date | None = None, among=None) -> list[Facts]:
    """The facts of each person, in a constant number of queries whatever the number of persons.
    `among`: the active archives to match in (default: those in the user's jurisdiction for
    module ARCHIVES; the nomination vetting passes its region's, see vetting.py)."""
    today = today or timezone.localdate()
    in_scope = among
    if in_scope is None:
        in_scope = scope(IntegrityArchive.objects.filter(is_active=True), user, module=Module.ARCHIVES)
    # What matching and the facts read of an archive (FACT_FIELDS): not its encrypted ID number (one
    # SM4 a row) nor its unit.
    in_scope = in_scope.only(*FACT_FIELDS)
    ids = {p.id_number_index for p in persons if p.id_number_index}
    names = {blind_index(p.name) for p in persons if not p.id_number_index}
    by_id = {a.id_number_index: a for a in in_scope.filter(id_number_index__in=ids)}
    by_name: dict[str, list[IntegrityArchive]] = {}
    for named in in_scope.filter(name_index__in=names):
        by_name.setdefault(named.name_index, []).append(named)
    facts: list[Facts] = []
    for p in persons:
        if p.id_number_index:
            match = by_id.get(p.id_number_index)
            if match is not None and p.name and match.name_index != blind_index(p.name):
                # The ID number is another person's (a typing error, or the wrong person listed): say
                # nothing about that archive.
                facts.append(Facts(note="身份证号与姓名不符，请核实"))
            else:
                facts.append(Facts(archive=match, note="" if match else "按身份证号未找到廉情档案"))
        else:
            found = by_name.get(blind_index(p.name), [])
            if len(found) == 1:
                facts.append(Facts(archive=found[0]))
            else:
                facts.append(Facts(note="同名档案多份，请提供身份证号" if found else "按姓名未找到廉情档案"))
    archives = {f.archive.pk: f for f in facts if f.archive is not None}
    if not archives:
        return facts
    # A duplicate merged into an archive brings its linked reports along.
    owner = {pk: pk for pk in archives}
    for pk, into in IntegrityArchive.objects.filter(merged_into__in=list(archives)).values_list(
        "pk", "merged_into_id"
    ):
        if into is not None:
            owner[pk] = into
    # A withdrawn entry (entered in error) counts for nothing.
    sanctions = Sanction.objects.filter(archive_id__in=list(archives), withdrawn_at__isnull=True)
    for s in sanctions.order_by("decided_on"):
        text = f"{s.get_kind_display()}（{s.decided_on:%Y-%m-%d}，{s.authority or s.source}）"
        if s.in_effect_on(today):
            end = f"{s.effect_ends_on:%Y-%m-%d}" if s.effect_ends_on else "无期限"
            archives[s.archive_id].sanctions_in_effect.append(f"{text}，影响期至{end}")
        else:
            archives[s.archive_id].sanctions_past.append(text)
    handlings = ArchiveRecord.objects.filter(
        archive_id__in=list(archives), kind__in=HANDLING_KINDS, withdrawn_at__isnull=True
    )
    for archive_id, kind, day, source in handlings.order_by("recorded_on", "pk").values_list(
        "archive_id", "kind", "recorded_on", "source"
    ):
        archives[archive_id].handlings.append((kind, day, source))
    due_year = matters_year_due(today)
    filed = set(
        PersonalMattersReport.objects.filter(
            archive_id__in=list(archives), year=due_year, withdrawn_at__isnull=True
        ).values_list("archive_id", flat=True)
    )
    for pk, f in archives.items():
        if f.archive is not None and f.archive.must_report_matters and pk not in filed:
            f.matters_missing = due_year
    for pk, counts in links.archive_report_counts(user, list(owner)).items():
        f = archives[owner[pk]]
        f.reports_open += counts["open"]
        f.reports_closed += counts["closed"]
    matched = [f.archive for f in archives.values() if f.archive is not None]
    clues = links.archive_clue_counts(user, list(owner), {a.name_index for a in matched})
    for pk, counts in clues["linked"].items():
        f = archives[owner[pk]]
        f.clues_open += counts["open"]
        f.clues_transferred += counts["transferred"]
        f.clues_closed += counts["closed"]
    for a in matched:
        archives[a.pk].clues_unlinked = clues["unlinked"].get(a.name_index, 0)
    return facts


def _require_state(request: OpinionRequest, *states: str) -> None:
    if request.state not in states:
        raise ValidationError(
            gettext("该征求意见当前为“%(state)s”，不能进行此操作") % {"state": request.get_state_display()}
        )


def opinion_draft(
    *, actor, request: OpinionRequest, version: int, chosen: dict[int, str] | None = None
) -> None:
    """The cadre supervision office answers: the facts of each person are gathered and stored with the
    proposed verdict, or the verdict the office chose instead (`chosen`: person pk → verdict), and
    its standard wording. A person whose archive the officer may not open (recusal) stops the draft:
    another officer answers."""
    if not can_answer(actor):
        raise PermissionDenied
    _require_state(request, OpinionState.SUBMITTED, OpinionState.DRAFTED)
    chosen = chosen or {}
    bad = [v for v in chosen.values() if v not in OpinionVerdict.values]
    if bad:
        raise ValidationError(gettext("请选择意见"))
    # What gathering and the write read of a person: not the ID number (decrypted, one SM4 a row;
    # matched by its blind index) nor the previous draft's facts and wording, which are replaced.
    persons = list(request.persons.only("request", "position", "name", "id_number_index"))
    facts = gather(actor, persons)
    matched = [f.archive.pk for f in facts if f.archive is not None]
    openable = set(archives_visible_to(actor).filter(pk__in=matched).values_list("pk", flat=True))
    recused = [
        p.name for p, f in zip(persons, facts, strict=True) if f.archive and f.archive.pk not in openable
    ]
    if recused:
        raise ValidationError(
            gettext("名单中有您须回避的人员（%(items)s），请由其他人员答复") % {"items": "、".join(recused)}
        )
    today = timezone.localdate()
    with platform_language():
        purpose = str(request.get_purpose_display())
    with transaction.atomic():
        if not OpinionRequest.objects.filter(pk=request.pk, version=version).update(
            version=F("version") + 1,
            state=OpinionState.DRAFTED,
            drafted_by=actor,
            drafted_at=timezone.now(),
        ):
            raise ConcurrentEditError()
        drafted = []
        with platform_language():  # the facts and wording go into the reply letter, an official document
            for p, f in zip(persons, facts, strict=True):
                verdict = chosen.get(p.pk) or propose(f)
                drafted.append(
                    OpinionPerson(
                        pk=p.pk,
                        request=request,
                        position=p.position,
                        name=p.name,
                        archive=f.archive,
                        facts=f.lines(),
                        verdict=verdict,
                        wording=wording(verdict, name=p.name, purpose=purpose, day=today, facts=f),
                    )
                )
        # One INSERT … ON CONFLICT (id) DO UPDATE of the four fields from a VALUES list: bulk_update
        # would build a CASE WHEN per field and person (2,000 expressions for 500 persons). Every
        # row exists (its request's version was just taken under the row lock), so only the four
        # fields are written: the rows carry the columns an INSERT requires, not the person's ID
        # number, which stays as it is (neither read nor encrypted anew).
        OpinionPerson.objects.bulk_create(
            drafted,
            update_conflicts=True,
            unique_fields=["id"],
            update_fields=["archive", "facts", "verdict", "wording"],
        )
        # A new draft is endorsed anew.
        OpinionEndorsement.objects.filter(request=request).delete()
        audit_record(
            actor=actor,
            action="opinion.draft",
            obj=request,
            org_unit_id=request.org_unit_id,
            summary=f"拟定党风廉政意见：{request.ref_no}",
            after={
                "verdicts": {p.pk: p.verdict for p in drafted},
                "changed": sorted(pk for pk, v in chosen.items() if v),
            },
        )
    request.refresh_from_db()


def endorsers() -> tuple[str, ...]:
    """The offices whose endorsement the signature waits for (settings.ARCHIVES_OPINION_ENDORSERS,
    by default 信访室, 案件监督管理室, 审理室)."""
    configured = getattr(settings, "ARCHIVES_OPINION_ENDORSERS", None)
    return tuple(configured) if configured is not None else tuple(ENDORSING_ROLES)


def opinions_waiting_on(user) -> QuerySet[OpinionRequest]:
    """The requests waiting for the user's part, within their jurisdiction: for the cadre supervision
    office those to draft; for an endorsing office the drafts it has not endorsed; for the leader the
    drafts every endorsing office has endorsed (ready to sign). The list's 待我办理 and the home page's
    to-do; the nearest deadline first."""

    def endorsed_by(office: str):
        return Q(pk__in=OpinionEndorsement.objects.filter(office=office).values("request_id"))

    waiting = []
    if can_answer(user):
        waiting.append(Q(state=OpinionState.SUBMITTED))
    offices = endorsers()
    for office in endorsing_offices(user):
        if office in offices:
            waiting.append(Q(state=OpinionState.DRAFTED) & ~endorsed_by(office))
    if can_sign(user):
        ready = Q(state=OpinionState.DRAFTED)
        for office in offices:
            ready &= endorsed_by(office)
        waiting.append(ready)
    if not waiting:
        return OpinionRequest.objects.none()
    return opinions_visible_to(user).filter(reduce(operator.or_, waiting)).order_by("due_on", "pk")


def missing_endorsements(request: OpinionRequest) -> list[str]:
    done = set(request.endorsements.values_list("office", flat=True))
    return [office for office in endorsers() if office not in done]


def opinion_endorse(*, actor, request: OpinionRequest, version: int, office: str, note: str = "") -> None:
    """An office confirms its part of the drafted reply. The version is the page's: a redraft made
    meanwhile makes the endorsement fail, so nobody endorses verdicts they did not see."""
    if office not in endorsing_offices(actor) or office not in endorsers():
        raise PermissionDenied
    _require_state(request, OpinionState.DRAFTED)
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationError(gettext("核查说明不超过500字"))
    with transaction.atomic():
        if not OpinionRequest.objects.select_for_update().filter(pk=request.pk, version=version).exists():
            raise ConcurrentEditError()
        if OpinionEndorsement.objects.filter(request=request, office=office).exists():
            raise ValidationError(gettext("本室已会签"))
        OpinionEndorsement.objects.create(request=request, office=office, endorsed_by=actor, note=note)
        audit_record(
            actor=actor,
            action="opinion.endorse",
            obj=request,
            org_unit_id=request.org_unit_id,
            summary=f"会签党风廉政意见：{request.ref_no}",
            after={"office": office, "note": note},
        )


def opinion_sign(*, actor, request: OpinionRequest, version: int) -> None:
    if not can_sign(actor):
        raise PermissionDenied
    _require_state(request, OpinionState.DRAFTED)
    missing = missing_endorsements(request)
    if missing:
        names = "、".join(str(Role(m).label) for m in missing)
        raise ValidationError(gettext("尚待%(names)s会签，不能审签") % {"names": names})
    with transaction.atomic():
        if not OpinionRequest.objects.filter(
            pk=request.pk, version=version, state=OpinionState.DRAFTED
        ).update(
            version=F("version") + 1, state=OpinionState.SIGNED, signed_by=actor, signed_at=timezone.now()
        ):
            raise ConcurrentEditError()
        audit_record(
            actor=actor,
            action="opinion.sign",
            obj=request,
            org_unit_id=request.org_unit_id,
            summary=f"审签党风廉政意见回复：{request.ref_no}",
        )
    request.refresh_from_db()


def opinion_read(*, actor, request: OpinionRequest, what: str = "查看", ip_address: str = "") -> None:
    """Reading a request (its names, and once drafted its facts) is an audit event."""
    audit_record(
        actor=actor,
        action="opinion.read",
        obj=request,
        org_unit_id=request.org_unit_id,
        summary=f"{what}党风廉政意见：{request.ref_no}",
        ip_address=ip_address,
    )


def reply_pdf(request: OpinionRequest, *, viewer) -> bytes:
    """The signed reply letter in official document layout (the issuing body's mark in red, the red
    rule, the page numbers; fonts Noto Serif/Sans CJK SC), watermarked with the viewer and the time."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    from .letters import watermark_text

    with platform_language():  # an official document: in its prescribed wording
        html = render_to_string(
            "archives/opinion_reply.html",
            {
                "request": request,
                "persons": list(request.persons.all()),
                "endorsements": [str(Role(e.office).label) for e in request.endorsements.all()],
                "watermark": watermark_text(viewer),
            },
        )
    return HTML(string=html).write_pdf()
