"""No address and no receipt code anywhere: after a real-name submission with evidence, a follow-up
and a reply from a known address, every row of every table (raw SQL, all columns), every session and
every log record is searched for the address and the code."""

from __future__ import annotations

import io
import logging

import pytest
from django.apps import apps
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.urls import reverse

from jijian.petitions.intake import receipt
from tests.petitions.helpers import real_name, receipt_from, submit

ADDRESS = "203.0.113.77"


def png_file():
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 30)).save(buf, format="PNG")
    buf.seek(0)
    buf.name = "evidence.png"
    return buf


def every_cell():
    """(table, value) for every column of every row of every model's table, read raw."""
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if value is not None:
                        yield table, value.decode("latin-1") if isinstance(value, bytes) else str(value)


@pytest.mark.django_db
def test_no_address_and_no_receipt_code_is_kept_anywhere(client, tree, caplog):
    caplog.set_level(logging.DEBUG)
    meta = {
        "REMOTE_ADDR": ADDRESS,
        "HTTP_USER_AGENT": "Mozilla/5.0 TestPhone",
        "HTTP_X_FORWARDED_FOR": ADDRESS,
    }
    response = submit(client, {**real_name(tree), "evidence": [png_file()]}, **meta)
    code = receipt_from(response)
    followed = client.post(reverse("petitions:follow"), {"code": receipt.display(code)}, **meta)
    assert followed.status_code == 302
    client.post(reverse("petitions:follow_reply"), {"body": "补充一条线索", "evidence": [png_file()]}, **meta)
    client.post(reverse("petitions:follow"), {"code": "0" * 20}, **meta)  # a failed lookup too

    needles = (ADDRESS, code, receipt.display(code), "TestPhone")
    found = [(table, needle) for table, value in every_cell() for needle in needles if needle in value]
    assert not found, found
    # Sessions are stored encoded: decode each one as well.
    for session in Session.objects.all():
        decoded = str(SessionStore().decode(session.session_data))
        assert not any(needle in decoded for needle in needles), decoded
    logged = "\n".join(f"{r.getMessage()} {r.args} {getattr(r, 'request', '')}" for r in caplog.records)
    assert not any(needle in logged for needle in needles), logged
    # The code never travels in a URL or a cookie.
    assert code not in followed["Location"]
    assert not any(code in morsel.value for morsel in client.cookies.values())


@pytest.mark.django_db
def test_the_scan_would_see_an_address_if_one_were_stored(tree):
    """The scan is not vacuous: an address written into any text column is found."""
    from jijian.audit.services import audit_record

    audit_record(actor=None, action="probe", summary=f"来自 {ADDRESS}")
    assert any(ADDRESS in value for _table, value in every_cell())
