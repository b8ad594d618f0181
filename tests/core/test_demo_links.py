"""Every link the demo shows leads somewhere. Signed in as each demo account (and as nobody, on the
public pages), follow the same-site links of each page breadth first — a couple of pages per address
shape — and require that none answers 404 or an error, and that no page shows a raw True, False or
None where a value should read in Chinese.

This is how a township officer found the courses table's dead links and a reviewer's 公开规范：True
(2026-12-06): each page was tested, but not every link one page offers to whoever sees it."""

from __future__ import annotations

import html
import re
from collections import Counter, deque

from django.core.management import call_command
from django.test import Client

from jijian.core.models import OrgUnit, User
from tests.conftest import sign_in

HREF = re.compile(r'href="(/[^"#]*)')
# Files, exports and downloads are tested where they are made; following them here costs minutes.
SKIP = re.compile(
    r"logout|export|download|format=|\.(xlsx|pdf|docx|csv|png|jpg|js|css|ico)\b|^/files/|^/static/|certificate"
    r"|poster|/take/|take-over|/signin/"
)
RAW = re.compile(r"(?<![\w.])(True|False|None)(?![\w.])")
PER_SHAPE = 2  # pages per address shape (/reports/review/N/ is one shape)
PER_USER = 150


def _text(body: str) -> str:
    body = re.sub(r"<(script|style|template)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)  # attribute values are not what the reader reads
    return html.unescape(body)


def _walk(client: Client, starts: list[str]) -> tuple[int, list[str]]:
    seen: set[str] = set()
    shapes: Counter[str] = Counter()
    queue = deque((url, "") for url in starts)
    problems, opened = [], 0
    while queue and opened < PER_USER:
        url, came_from = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        shape = re.sub(r"\d+", "N", url.split("?")[0]) + ("?" if "?" in url else "")
        shapes[shape] += 1
        if shapes[shape] > PER_SHAPE:
            continue
        response = client.get(url)
        opened += 1
        if response.status_code in (301, 302):
            continue
        if response.status_code != 200:
            problems.append(f"{url} answered {response.status_code} (linked from {came_from or 'the start'})")
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        body = response.content.decode()
        text = _text(body)
        raw = RAW.search(text)
        if raw:
            problems.append(f"{url} shows {text[max(0, raw.start() - 30) : raw.end() + 10]!r}")
        for link in HREF.findall(body):
            link = html.unescape(link)
            if link not in seen and not SKIP.search(link):
                queue.append((link, url))
    return opened, problems


def test_no_demo_account_is_shown_a_link_that_leads_nowhere(db):
    call_command("setup")
    problems, opened = [], {}
    for user in User.objects.filter(is_demo=True, is_active=True).order_by("username"):
        client = Client()
        sign_in(client, user)
        opened[user.username], found = _walk(client, ["/"])
        problems += [f"{user.username}: {p}" for p in found]
    village = OrgUnit.objects.get(name="杨河村")
    public = ["/report/", "/reception/public/", f"/village/board/{village.pk}/"]
    opened["(public)"], found = _walk(Client(), public)
    problems += [f"(public): {p}" for p in found]
    assert not problems, "\n".join(problems)
    # It walked: every staff account opened more than its home page.
    assert len(opened) >= 16 and all(n > 5 for n in opened.values()), opened
