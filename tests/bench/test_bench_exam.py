"""The exam surge benchmark's members are signed in as a browser is, and each of their requests is the
exam page's save, checked for CSRF and scoped to the member's own sitting, saving a real answer.
Behaviour only; the timing itself (a uvicorn server) lives in bench/bench_exam.py."""

from __future__ import annotations

import pytest
from bench.bench_exam import FLOOR_RPS, PROVINCE_RPS, QUESTIONS, Member, _saved, prepare
from bench.generate import Shape, generate
from bench.run import ONLY, missed_targets
from django.test import Client

from jijian.training.models import Sitting, SittingItem

TINY = Shape(
    counties=1, townships_per_county=2, villages_per_township=3, city_departments=0, county_departments=0
)


def _send(client: Client, request: bytes):
    """Send the bench's raw HTTP request through Django's test client: same path, cookies, headers, body."""
    head, body = request.split(b"\r\n\r\n", 1)
    lines = head.decode().split("\r\n")
    path = lines[0].split(" ")[1]
    headers = dict(line.split(": ", 1) for line in lines[1:])
    for pair in headers.pop("Cookie").split("; "):
        name, value = pair.split("=", 1)
        client.cookies[name] = value
    return client.generic(
        "POST",
        path,
        body,
        content_type=headers["Content-Type"],
        headers={"X-CSRFToken": headers["X-CSRFToken"]},
    )


@pytest.mark.django_db
def test_each_request_is_a_signed_in_members_save_of_a_newer_answer():
    gen = generate(TINY)
    members = prepare(gen, members=4)
    assert len(members) == 4
    sittings = Sitting.objects.filter(pk__in=[m.sitting_id for m in members])
    assert len({s.user_id for s in sittings}) == 4 and {s.submitted_at for s in sittings} == {None}
    assert {s.items.count() for s in sittings} == {QUESTIONS}

    member = members[0]
    request, (sitting_id, position, seq) = member.request(3, "2")
    response = _send(Client(enforce_csrf_checks=True), request)
    assert _saved(response.status_code, response.content), response.content
    item = SittingItem.objects.get(sitting_id=sitting_id, position=position)
    assert item.answer_seq == seq == 1 and item.answer == [2] and item.saved_at is not None
    # The next change of the same question is a newer one and is saved too.
    request, (_, _, seq) = member.request(3, "0")
    response = _send(Client(enforce_csrf_checks=True), request)
    assert _saved(response.status_code, response.content), response.content
    item.refresh_from_db()
    assert item.answer_seq == seq == 2 and item.answer == [0]

    # Without the CSRF token the save is refused and changes nothing.
    request, _ = member.request(3, "1")
    forged = request.replace(f"X-CSRFToken: {member.csrf}".encode(), b"X-CSRFToken: " + b"b" * 32)
    forged = forged.replace(
        f"csrfmiddlewaretoken={member.csrf}".encode(), b"csrfmiddlewaretoken=" + b"b" * 32
    )
    assert _send(Client(enforce_csrf_checks=True), forged).status_code == 403
    # Another member's session cannot save into this sitting (the jobs are no way around scoping).
    other = members[1]
    intruder = Member(other.session_key, other.csrf, member.sitting_id)
    request, _ = intruder.request(3, "3")
    assert _send(Client(enforce_csrf_checks=True), request).status_code == 404
    item.refresh_from_db()
    assert item.answer_seq == 2 and item.answer == [0]


def test_the_floor_is_a_citys_members_saving_every_36_seconds_and_the_target_a_minimum():
    assert round(FLOOR_RPS, 1) == 27.8 and round(PROVINCE_RPS) == 724
    assert missed_targets({"exam_surge": 10.5}) == {}
    assert missed_targets({"exam_surge": 3.5}) == {"exam_surge": 3.5}
    assert ONLY["exam_surge"] == ("exam", ["city"])
