"""The unit picker (issue 16, item 17): every select of org units is a plain select (it works without
JavaScript) whose options carry their unit's pinyin initials, which core/static/core/unit-picker.js
uses to narrow the list as one types. The account form's search for units not listed (villages) is a
button of the form itself, so what was typed is kept. The browser test is
tests/e2e/test_public_form.py::test_the_region_is_picked_by_pinyin_initials_and_the_form_kept."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

import jijian
from jijian.core.models import User
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def option(html: str, unit) -> str:
    """The <option> of `unit` in `html`, or ""."""
    match = re.search(rf'<option value="{unit.pk}"[^>]*>', html)
    return match.group(0) if match else ""


def picker_select(html: str, select_id: str) -> str:
    match = re.search(rf'<select[^>]*id="{select_id}"[^>]*>', html)
    assert match, f"no select #{select_id}"
    return match.group(0)


def test_units_have_their_pinyin_initials(tree):
    assert tree.township_a.pinyin_initials == "lsz" and tree.other_county.pinyin_initials == "gss"


def test_the_public_forms_region_options_carry_their_initials(client, tree):
    html = client.get(reverse("petitions:submit")).content.decode()
    assert "data-unit-picker" in picker_select(html, "id_region")
    assert 'data-initials="lsz"' in option(html, tree.township_a)
    assert 'data-initials="gss"' in option(html, tree.other_county)
    assert "core/unit-picker.js" in html  # loaded by the base page, from our own static files
    assert not option(html, tree.village_a)  # regions only, as before


def test_the_staff_registrations_region_options_carry_their_initials(tree, login):
    officer = make_user("po_county", tree.county, "petition_office")
    html = login(officer).get(reverse("petitions_staff:register")).content.decode()
    assert "data-unit-picker" in picker_select(html, "id_region")
    assert 'data-initials="lsz"' in option(html, tree.township_a)


def test_the_account_forms_units_carry_their_initials_and_the_search_box_is_the_pickers(tree, people, login):
    html = login(people.system_admin).get(reverse("core:account_create")).content.decode()
    assert 'data-unit-picker="unit_q"' in picker_select(html, "id_org_unit")
    assert 'data-initials="gss"' in option(html, tree.other_county)
    # The search box and its button are inside the POST form: there is no separate GET form.
    assert '<form method="get"' not in html
    post_form = html[html.index('<form method="post"') :]
    assert 'id="unit_q"' in post_form and 'name="unit_search"' in post_form


def test_searching_every_unit_keeps_what_was_typed_and_creates_nothing(tree, people, login):
    client = login(people.system_admin)
    typed = {
        "username": "shennong",
        "full_name": "王村委",
        "position": "纪检委员",
        "phone": "13800138000",
        "id_number": "",
        "temporary_password": "Haoren-2026!x",
        "org_unit": "",
        "unit_q": tree.village_a.pinyin_initials,
        "unit_search": "1",
    }
    response = client.post(reverse("core:account_create"), typed)
    html = response.content.decode()
    assert response.status_code == 200 and not User.objects.filter(username="shennong").exists()
    assert option(html, tree.village_a)  # the village, found on the server, is now in the select
    for name in ("username", "full_name", "position", "phone"):
        assert f'value="{typed[name]}"' in html, f"{name} was lost"
    assert "Haoren-2026!x" not in html  # the password is never sent back
    assert 'id="error-summary"' not in html and "账号尚未创建" in html
    # Then picked and created, from the same page.
    done = client.post(
        reverse("core:account_create"), {**typed, "org_unit": tree.village_a.pk, "unit_search": ""}
    )
    assert done.status_code == 302
    assert User.objects.get(username="shennong").org_unit == tree.village_a


def test_the_unit_picks_of_mutual_checks_and_nominations_carry_initials(tree):
    from jijian.cadres.forms import NominationForm
    from jijian.core.models import OrgUnit
    from jijian.evaluation.forms import PairForm

    units = OrgUnit.objects.filter(pk__in=[tree.township_a.pk, tree.county.pk])
    html = str(PairForm(units=units)["checker"])
    assert "data-unit-picker" in html and 'data-initials="lsz"' in option(html, tree.township_a)
    villages = OrgUnit.objects.filter(pk=tree.village_a.pk)
    html = str(NominationForm(villages=villages, candidates=User.objects.none())["village"])
    assert "data-unit-picker" in html and f'data-initials="{tree.village_a.pinyin_initials}"' in html


def test_the_picker_script_is_served_from_our_static_files_and_uses_the_initials():
    script = (Path(jijian.__file__).parent / "core/static/core/unit-picker.js").read_text(encoding="utf-8")
    assert "data-initials" in script and "select[data-unit-picker]" in script
    assert "http" not in script  # nothing from outside


@pytest.mark.parametrize("page", ["create", "edit"])
def test_the_account_forms_never_offer_a_closed_unit(tree, people, login, page):
    """Both account forms offer units through one helper: a closed (撤销) township is not listed, nor
    found by 查找全部单位, while the open ones still are."""
    from jijian.core.models import OrgUnit

    OrgUnit.objects.filter(pk__in=[tree.township_c.pk, tree.village_c.pk]).update(is_active=False)
    client = login(people.system_admin)
    url = (
        reverse("core:account_create")
        if page == "create"
        else reverse("core:account_edit", args=[people.member_a.pk])
    )
    listed = client.get(url).content.decode()
    assert option(listed, tree.township_a) and not option(listed, tree.township_c)
    searched = client.post(url, {"unit_q": tree.village_c.name, "unit_search": "1"}).content.decode()
    assert not option(searched, tree.village_c)
    assert "未找到与" in searched  # the search says it found nothing rather than listing the closed village
