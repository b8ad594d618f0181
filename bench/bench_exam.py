"""Exam surge: how many answer saves per second (`POST /training/sittings/<id>/save/`, what the exam
page's script sends on every change, each a real save of a newer answer) the server of `make run`
sustains with PostgreSQL on this machine, with the 99th percentile of the answer time under 500 ms.

A paper of 50 questions in 30 minutes is one save per member every ~36 s; a city's members (1,001
villages, one member each) sitting the same exam at once send 1,001 / 36 = 27.8 saves per second:
that is the floor. A province's 26,075 members send ~725 per second (docs/deploy.md turns the
measured figure into a number of app-server processes for that).

The members are signed in as in a browser: each has a session of the session store (the one
`jijian.core.accounts` binds on a completed sign-in, with the device token the exam page keeps) and
its CSRF cookie, and sends the form the page's script sends (csrfmiddlewaretoken, position, seq,
value) with the X-CSRFToken header. Their sittings are started by the training service itself
(`services.sitting_start`: a paper of 50 single-choice questions drawn per member). The server, the
open load (Poisson arrivals, each answer timed from when it was due) and the rate steps are
bench/httpload.py's, as for bench_surge.py (month_end_surge): the Procfile's uvicorn with the
project's ASGI application.
value = the highest rate met; ratio = value / 27.8.

Called by bench/run.py at city scale (`--only exam_surge`). See bench/README.md, "Exam surge".
"""

from __future__ import annotations

import os
import random
import secrets
import time
from datetime import timedelta
from urllib.parse import urlencode

from bench.generate import Generated
from bench.httpload import Job, Server, answer_once, at_rate, rate_search

NAME = "exam_surge"
SCALE = "city"  # a city's members sitting one exam at once
MEMBERS = 1001
SAVE_EVERY_SECONDS = 36.0  # 50 questions in 30 minutes
FLOOR_RPS = MEMBERS / SAVE_EVERY_SECONDS  # 27.8 saves per second
PROVINCE_MEMBERS = 26_075
PROVINCE_RPS = PROVINCE_MEMBERS / SAVE_EVERY_SECONDS  # 724.3 saves per second
TARGET_RATIO = 10.0
MIN_TARGETS = {NAME: TARGET_RATIO}  # bench/run.py: higher is better
QUESTIONS = 50
OPTIONS = ("廉洁自律", "秉公用权", "依规办事", "接受监督")
STEP_SECONDS = 5.0
FLOOR_SECONDS = 10.0  # the floor's step is longer: 278 saves for its percentiles
MULTIPLES = (2, 4, 6, 8, 10, 12, 15, 20, 25, 30)  # of the floor, after the floor
REFINE = 2  # halving steps between the last rate met and the first missed


class Member:
    """One signed-in member with an open sitting: what the browser holds."""

    def __init__(self, session_key: str, csrf: str, sitting_id: int) -> None:
        self.session_key, self.csrf, self.sitting_id = session_key, csrf, sitting_id
        self.seq = 0

    def request(self, position: int, value: str) -> tuple[bytes, tuple[int, int, int]]:
        """The page's save of one answer (a newer change: seq grows), and (sitting, position, seq)."""
        self.seq += 1
        body = urlencode(
            {"csrfmiddlewaretoken": self.csrf, "position": position, "seq": self.seq, "value": value}
        ).encode()
        head = (
            f"POST /training/sittings/{self.sitting_id}/save/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Cookie: sessionid={self.session_key}; csrftoken={self.csrf}\r\nX-CSRFToken: {self.csrf}\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        return head.encode() + body, (self.sitting_id, position, self.seq)


def prepare(gen: Generated, *, members: int = MEMBERS) -> list[Member]:
    """A bank of 50 single-choice questions and a published exam at the city (audience: all), and for
    `members` village members spread over the city: a signed-in session and a started sitting."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils import timezone

    from jijian.core.accounts.security import LAST_SEEN_SESSION_KEY, OTP_REQUIRED_SESSION_KEY
    from jijian.core.models import User
    from jijian.core.roles import Role
    from jijian.training import services
    from jijian.training.models import Audience, Exam, ExamRule, Question, QuestionKind
    from jijian.training.views import DEVICE_KEY

    Question.objects.bulk_create(
        Question(
            org_unit_id=gen.city_id,
            kind=QuestionKind.SINGLE,
            topic="党纪学习",
            level="",
            stem=f"第{n}题：村务监督委员会成员应当做到哪一项？",
            options=list(OPTIONS),
            answer=[n % len(OPTIONS)],
        )
        for n in range(1, QUESTIONS + 1)
    )
    now = timezone.now()
    exam = Exam.objects.create(
        org_unit_id=gen.city_id,
        title="全市村务监督委员会成员党纪知识测试",
        audience=Audience.ALL,
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(hours=4),
        duration_minutes=180,  # longer than the bench: no sitting is graded on its deadline during it
        is_published=True,
    )
    ExamRule.objects.create(exam=exam, kind=QuestionKind.SINGLE, count=QUESTIONS, points=2)

    everyone = list(
        User.objects.filter(org_unit__city_id=gen.city_id, roles__role=Role.VILLAGE_MEMBER)
        .select_related("org_unit")
        .order_by("org_unit_id")
    )
    step = max(1, len(everyone) // members)
    chosen = everyone[::step][:members]
    store = import_module(settings.SESSION_ENGINE).SessionStore
    backend = settings.AUTHENTICATION_BACKENDS[0]
    out = []
    for user in chosen:
        device = services.new_device_token()
        sitting = services.sitting_start(actor=user, exam=exam, device=device)
        session = store()
        session.update(
            {
                SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: backend,
                HASH_SESSION_KEY: user.get_session_auth_hash(),
                OTP_REQUIRED_SESSION_KEY: False,
                LAST_SEEN_SESSION_KEY: int(time.time()),
                DEVICE_KEY: device,
            }
        )
        session.create()
        User.objects.filter(pk=user.pk).update(current_session_key=session.session_key)  # the one session
        out.append(Member(session.session_key, secrets.token_hex(16), sitting.pk))  # a 32-char CSRF secret
    return out


def _saved(status: int, body: bytes) -> bool:
    return status == 200 and (b'"ok": true' in body or b'"ok":true' in body)


def run_exam(scale: str, gen: Generated) -> dict[str, float]:
    """Prepare, start the server, check one save end to end, then raise the rate step by step. Prints
    each step, the p50/p99 at the floor's rate and at the rate sustained, and the BENCH line."""
    from jijian.training.models import SittingItem

    t = time.perf_counter()
    members = prepare(gen)
    print(
        f"GEN scale={scale} exam_members={len(members)} questions={QUESTIONS} "
        f"seconds={time.perf_counter() - t:.1f}",
        flush=True,
    )
    rng = random.Random(21)
    turn = [0]

    def take(n: int) -> list[Job]:
        """The next n saves: members in turn (one after another, as their 36 s come round), each on
        its next question, choosing one of the options."""
        jobs = []
        for _ in range(n):
            i = turn[0]
            turn[0] += 1
            member = members[i % len(members)]
            position = (i // len(members)) % QUESTIONS + 1
            jobs.append(member.request(position, str(rng.randrange(len(OPTIONS)))))
        return jobs

    with Server() as server:
        # One save end to end first (the answer is stored), then a short warm-up.
        request, key = take(1)[0]
        sitting_id, position, seq = key
        status, payload = answer_once(server.port, request)
        assert _saved(status, payload), (status, payload[:500])
        item = SittingItem.objects.get(sitting_id=sitting_id, position=position)
        assert item.answer_seq == seq and item.answer is not None and item.saved_at is not None, item
        warm = at_rate(server.port, take(int(FLOOR_RPS * 4 * 2)), FLOOR_RPS * 4, _saved, seed=99)
        search = rate_search(
            server.port,
            take,
            _saved,
            floor_rps=FLOOR_RPS,
            multiples=MULTIPLES,
            floor_seconds=FLOOR_SECONDS,
            step_seconds=STEP_SECONDS,
            refine=REFINE,
            label=f"{NAME} {scale}",
            per="save",
            pids=server.pids,
        )
        saved = [key, *warm.answered, *(k for step in search.steps for k in step.answered)]

    # Every right answer was a real save: each answered (sitting, position) holds its newest seq.
    newest: dict[tuple[int, int], int] = {}
    for sitting_id, position, seq in saved:
        newest[(sitting_id, position)] = max(seq, newest.get((sitting_id, position), 0))
    stored = {
        (s, p): q
        for s, p, q in SittingItem.objects.filter(
            sitting_id__in={m.sitting_id for m in members}, answer_seq__gt=0
        ).values_list("sitting_id", "position", "answer_seq")
    }
    assert stored == newest, (len(stored), len(newest))

    value = search.value
    ratio = value / FLOOR_RPS
    print(
        f"# {NAME} {scale}: {server.about()}, REDIS_URL {'set' if os.environ.get('REDIS_URL') else 'unset'}; "
        f"Poisson arrivals, {STEP_SECONDS:g} s per step; {len(saved)} saves, {len(stored)} answers stored; "
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs",
        flush=True,
    )
    if search.steps:
        print(
            f"# {NAME} {scale}: {search.summary(FLOOR_RPS)}"
            + (
                f"; a province's {PROVINCE_RPS:.0f}/s needs {-(-PROVINCE_RPS // value):.0f} such processes"
                if value
                else ""
            ),  # fmt: skip
            flush=True,
        )
    print(
        f"BENCH name={NAME} scale={scale} value={value:.1f} unit=rps floor={FLOOR_RPS:.1f} ratio={ratio:.1f} "
        f"target={TARGET_RATIO:g}",
        flush=True,
    )
    return {NAME: ratio}
