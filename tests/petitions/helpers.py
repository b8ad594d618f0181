"""Shared helpers: a solved proof of work, a valid form, a small scan."""

from __future__ import annotations

import io
import re

from django.urls import reverse

from jijian.petitions.intake import pow
from jijian.petitions.models import PetitionReport

ID_NUMBER = "11010519491231002X"  # the GB 11643 example number
MOBILE = "13800138000"


def solved_challenge(client) -> dict:
    """GET the form page and solve its challenge, as pow.js would."""
    response = client.get(reverse("petitions:submit"))
    challenge = response.context["challenge"]
    return {"pow_challenge": challenge, "pow_nonce": pow.solve(challenge, response.context["bits"])}


def form_data(tree, **overrides) -> dict:
    data = {
        "category": "accusation",
        "region": tree.township_a.pk,
        "matter": "integrity",
        "accused_name": "王某",
        "accused_unit": "神农村村委会",
        "accused_post": "村主任",
        "accused_level": "village",
        "facts": "2025年3月，村主任王某在危房改造补贴发放中优亲厚友，多报冒领补贴两万元。",
        "is_anonymous": "1",
    }
    data.update(overrides)
    return data


def real_name(tree, **overrides) -> dict:
    identity = {
        "is_anonymous": "0",
        "reporter_name": "李举报",
        "reporter_id_number": ID_NUMBER,
        "reporter_phone": MOBILE,
    }
    return form_data(tree, **{**identity, **overrides})


def submit(client, data, **extra):
    return client.post(reverse("petitions:submit"), {**data, **solved_challenge(client)}, **extra)


def receipt_from(response) -> str:
    match = re.search(r'id="receipt-code">([\d ]+)<', response.content.decode())
    assert match, "no receipt code on the confirmation page"
    return match.group(1).replace(" ", "")


def only_report() -> PetitionReport:
    return PetitionReport.objects.get()


def png(name="scan.png"):
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (20, 30, 200)).save(buf, format="PNG")
    buf.seek(0)
    buf.name = name
    return buf
