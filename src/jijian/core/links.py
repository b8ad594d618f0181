"""Where two platforms meet without importing each other.

The platform apps (reports, petitions, archives, …) are independent: none imports another. Where the
work crosses — a report from the public is about a person who has an integrity archive; a village
member's duty record is the source of a problem clue — core declares a *port* here: one function,
named for what it answers. The platform that owns the data provides it in its AppConfig.ready(); the
platform that needs it calls the port. The answer is always scoped or filtered by the owner's own
rules (its access.py), so no platform reads another's tables behind its jurisdiction rules.

Calling a port that no installed app provides is a configuration error, named as such.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured


class Port:
    """One function one platform offers the others."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.provider: Callable[..., Any] | None = None

    def provide(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        if self.provider is not None and self.provider is not fn:
            raise ImproperlyConfigured(f"port {self.name} is provided twice")
        self.provider = fn
        return fn

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.provider is None:
            raise ImproperlyConfigured(
                f"port {self.name} has no provider: is the app that owns it installed?"
            )
        return self.provider(*args, **kwargs)


# archives → petitions: the active integrity archives of people whose name has the blind index
# `name_index`, in the city of `region`, those of the region's county-level unit first; with
# `id_index` (the blind index of the accused's ID number, optional) also the archive of that ID number
# anywhere (a person transferred from another city), listed first (a queryset of archives: pk, name,
# org_unit, post, level). Petitions offers them as candidates to link to a report.
archive_candidates = Port("archive_candidates")

# archives → petitions: whether `user` may open archive `archive_id` (its jurisdiction, module and
# recusal rules); the report page shows a link to the archive only then.
archive_may_open = Port("archive_may_open")

# petitions → archives: the reports from the public linked to archive `archive_id` held by a body in
# the user's jurisdiction (the register's holder rule), newest first.
reports_linked_to_archive = Port("reports_linked_to_archive")

# petitions → archives: for the archives `archive_ids`, how many linked reports held in the user's
# jurisdiction are still open and how many are closed: {archive_id: {"open": n, "closed": n}} (the
# integrity opinion's facts; one query for any number of archives).
archive_report_counts = Port("archive_report_counts")

# petitions → archives: the problem clues held in the user's jurisdiction about the archives'
# persons (the integrity opinion's facts; two queries). Arguments: `user`, `archive_ids` (clues whose
# source report is linked to one of them count for it) and `name_indexes` (blind indexes of the
# persons' names: clues about someone of that name linked to no archive at all, not closed, are counted
# apart for the case management office to check). Returns {"linked": {archive_id: {"open": n,
# "transferred": n, "closed": n}}, "unlinked": {name_index: n}}; open means not concluded (in handling,
# awaiting approval or held), transferred means moved to 立案审查调查.
archive_clue_counts = Port("archive_clue_counts")

# petitions → archives: a clue concluded with a sanction enters the accused's integrity archive as a
# sanction, once. Keyword arguments: `actor` (who approved the conclusion; recorded as who entered
# it), `archive_id` (the archive linked to the clue's report; a merged duplicate's survivor takes it),
# `kind` (one of the archive's sanction kinds: party_warning, party_serious_warning, party_removal,
# party_probation, party_expulsion, public_warning, public_demerit, public_major_demerit,
# public_demotion, public_dismissal, public_expulsion, org_admonition, …), `decided_on` (the day the
# sanction was decided, 处分决定日期, from which the archive counts its effect period), `authority`,
# `reason`, `source` (a label: "问题线索 XS-…") and `source_ref` (a stable name: "petitions.clue:12"; the
# same source twice gives the same entry in an archive, withdrawn or not). Returns the sanction's id.
# The archives app audits it.
archive_record_sanction = Port("archive_record_sanction")

# petitions → archives: a clue concluded with a first-form handling short of 诫勉 enters the accused's
# integrity archive as a record of that handling, once (诫勉 is a sanction: archive_record_sanction).
# Keyword arguments: `actor` (who approved the conclusion), `archive_id` (as for
# archive_record_sanction), `kind` (talk_reminder, criticism or ordered_review: 谈话提醒, 批评教育,
# 责令检查), `recorded_on` (the day the conclusion was approved), `summary` (who decided it and why),
# `source` and `source_ref` (as for archive_record_sanction). It has no effect period: the integrity
# opinion shows it and vetoes nothing. Returns the record's id. The archives app audits it.
archive_record_handling = Port("archive_record_handling")

# reports → petitions: duty records of village members that found or passed on a clue, in the
# villages of the user's jurisdiction for module PETITIONS (the case management office registers a
# clue from one), newest first.
clue_source_records = Port("clue_source_records")

# reports → petitions: the duty records `record_ids` as a clue's page names its source:
# {record_id: record (pk, occurred_on, village name, duty type name)}; nothing of their notes or data.
# An id the log does not hold is absent.
duty_record_briefs = Port("duty_record_briefs")

# any platform → reports: put one thing a village member did on another platform's screen (a
# decision step attended with an opinion, a voucher re-checked) into the member's duty log as the
# matching duty record of that month, so it is never typed twice. Keyword arguments: `actor` (the
# village member, who is the record's author), `duty_type_code` (a code of the year's duty types,
# e.g. "decision_meeting"), `occurred_on`, `notes`, `data` (the duty type's fields) and `source`, a
# stable name of the source object ("villageaffairs.step:12"): the same source twice gives the same
# record. Returns the record's id; raises ValidationError (in Chinese) when the log refuses it, e.g.
# the month's report is already submitted.
duty_log_record = Port("duty_log_record")

# petitions → reception: register a report from the public at the actor's commission (the keyword
# arguments of petitions.services.petition_register: channel, category, region, facts, received_on,
# the accused, the reporter, files); returns the report (pk, serial_number). Video reception turns an
# endorsed session into a registered report with it.
petition_register = Port("petition_register")

# petitions → reception: the report with this register number held in `user`'s jurisdiction (the
# register's holder rule and recusal), or None. Video reception links a session to it.
petition_by_serial = Port("petition_by_serial")

# petitions → reception: of the reports with the ids `report_ids`, those still open (neither 办结 nor
# 不予受理), as a set of ids; a system question (no user: the retention task asks it). Video reception
# keeps a recording past its retention period while the case it is linked to is open.
petitions_open = Port("petitions_open")

# petitions → reception: the matter (反映问题类别, the discipline concerned) of the reports with the ids
# `report_ids`: {id: its Chinese label}, nothing else of the report; a system question (no user), one
# query for any number of reports. Video reception's statistics count the sessions by the matter of
# the report each became or was linked to.
petition_matters = Port("petition_matters")
# reports → evaluation: the monthly reports of the village members `user_ids` in `year`, for the
# annual evaluation: {user_id: {"expected", "submitted", "missing", "on_time", "returns",
# "zero_reports", "scored", "average_score_pct" (the mean score as % of the city's rubric, or None),
# "grade" (the annual grade the township set, or ""), "grade_label"}} (members without a month that
# counts are absent). Optional `months`: {user_id: month numbers} counts those members' reports of
# those months only (the months they held the post). The caller passes only members in its own
# reader's jurisdiction.
monthly_report_scores = Port("monthly_report_scores")

# training → evaluation: each person's training of `year`: {user_id: {"required", "required_done",
# "courses_done", "exams_sat", "exams_passed", "best_percent" (or None), "exams_open" (exams of the year
# open to the person: published for their role by their unit or one above, closed by `today`)}} for
# every id in `user_ids`.
# The caller passes only people in its own reader's jurisdiction.
training_results = Port("training_results")

# cadres → evaluation: guidance tasks (派单, 点题) issued to the village members `user_ids` in
# `year`: {user_id: {"issued": n, "answered": n, "on_time": n, "overdue": n}} (members with no task
# are absent; one query for any number of members). The annual evaluation counts them.
guidance_task_counts = Port("guidance_task_counts")

# archives → cadres: the integrity archive's opinion on a candidate for a village post (三为主
# nomination vetting), asked by `user` for the person with this ID number (and name, to check it):
# {"found": bool, "verdict": code, "verdict_label": str, "facts": [str, ...]}; no other detail of
# the archive leaves it. The archives app records the question as an audit event.
archive_vetting = Port("archive_vetting")

# manual → evaluation (and any platform): propose a typical case (典型案例) for the duty manual from a
# lesson learnt elsewhere (a mutual-check finding marked for sharing). Keyword arguments: `actor`,
# `title`, `situation`, `lesson`, `source` (a stable name of the source object, e.g.
# "evaluation.finding:7": the same source twice gives the same case). The case waits as a draft for
# the city's manual editor to publish; returns its id.
manual_case_propose = Port("manual_case_propose")

# cadres → evaluation: who held a village's discipline member post when, for the annual evaluation:
# for the people `user_ids`, their post holdings that overlap `year`, oldest first:
# {user_id: [{"village_id", "village_name", "started_on", "ended_on" (the last day held, or None
# while held)}]}. A person with holdings on record none of which overlaps the year maps to []; a
# person with no holding on record at all is absent (appointed before the platform kept the posts'
# history: taken to hold their post all year). One query for any number of people. The caller
# passes only people in its own reader's jurisdiction.
post_holding_periods = Port("post_holding_periods")

# archives → petitions: the archives `archive_ids` as a page shows a linked one (a clue's own link):
# {archive_id: archive (pk, name, org_unit, post, level, is_active)}, whatever their state; nothing of
# their content. An id the archives do not hold is absent.
archive_briefs = Port("archive_briefs")

# petitions → archives: the problem clues about the archives `archive_ids` (linked on the clue's page,
# or through their source report) held by a body in the user's jurisdiction (the register's holder
# rule), newest first: the archive page lists number, dates, source, state, disposal and outcome —
# never the clue's content.
clues_linked_to_archive = Port("clues_linked_to_archive")

# cadres → reports: who held each village's discipline member post on `day`, for the villages whose
# post has a holding on record: {village_id: holder_id, or None while vacant}; villages without one are
# absent. The monthly report of a month is expected of the holder on its first day (a member dismissed
# keeps their account, not the role nor the village's reports; a vacant post expects none).
post_holders_on = Port("post_holders_on")
