"""The bench generator builds the same tree the services would: paths and ancestor ids as
fill_ancestors computes them, people whose jurisdiction scoping works. Behaviour only; timings live
in bench/run.py."""

from __future__ import annotations

import pytest
from bench.generate import Shape, build_tree, generate
from django.db import connection

from jijian.core.access import org_units_visible_to, users_visible_to
from jijian.core.models import VILLAGE_KINDS, OrgKind, OrgUnit, User
from jijian.core.services import fill_ancestors, org_unit_create

TINY = Shape(
    counties=2, townships_per_county=2, villages_per_township=3, city_departments=1, county_departments=1
)

pytestmark = pytest.mark.django_db


def _expected(unit: OrgUnit, parent: OrgUnit | None) -> tuple:
    copy = OrgUnit(
        pk=unit.pk,
        name=unit.name,
        kind=unit.kind,
        parent_id=unit.parent_id,
        management_zone_id=unit.management_zone_id,
    )
    fill_ancestors(copy, parent)
    return (
        copy.path,
        copy.depth,
        copy.city_id,
        copy.county_id,
        copy.township_id,
        copy.zone_id,
        copy.pinyin_initials,
    )


def test_generated_tree_has_the_paths_and_ancestors_the_services_compute():
    gen = generate(TINY)
    units = {u.pk: u for u in OrgUnit.objects.all()}
    assert len(units) == gen.units == 1 + 1 + 2 * (1 + 1 + 2 + 2 * 3)
    for unit in units.values():
        parent = units.get(unit.parent_id) if unit.parent_id else None
        got = (
            unit.path,
            unit.depth,
            unit.city_id,
            unit.county_id,
            unit.township_id,
            unit.zone_id,
            unit.pinyin_initials,
        )
        assert got == _expected(unit, parent), unit.name
    kinds = [u.kind for u in units.values()]
    assert sum(k in VILLAGE_KINDS for k in kinds) == 12
    assert kinds.count(OrgKind.CITY) == 1
    assert kinds.count(OrgKind.DEPARTMENT) == 3


def test_fractional_villages_per_township_alternate():
    rows, gen = build_tree(
        Shape(
            counties=1,
            townships_per_county=4,
            villages_per_township=2.5,
            city_departments=0,
            county_departments=0,
        ),
        first_id=1,
        now=None,
    )
    per_township = [sum(1 for r in rows if r[4] == t) for t in gen.township_ids]
    assert per_township == [2, 3, 2, 3]
    assert len(gen.village_ids) == 10


def test_county_officer_sees_exactly_the_villages_of_their_county():
    gen = generate(TINY)
    county, other = gen.county_ids
    officer = User.objects.get(pk=gen.county_officer_ids[county])
    visible = org_units_visible_to(officer).filter(kind__in=VILLAGE_KINDS)
    assert visible.count() == 6
    assert set(visible.values_list("county_id", flat=True)) == {county}
    assert not org_units_visible_to(officer).filter(county_id=other).exists()
    # The people the officer sees are bound to units of the same county.
    assert {u.org_unit.county_id for u in users_visible_to(officer)} == {county}


def test_generated_people_scope_as_their_roles_say():
    gen = generate(TINY)
    member = User.objects.get(username=f"vm{gen.village_ids[0]}")
    assert list(org_units_visible_to(member).values_list("pk", flat=True)) == [gen.village_ids[0]]
    assert not member.has_usable_password()
    township = User.objects.get(username=f"tc{gen.township_ids[0]}")
    assert org_units_visible_to(township).filter(kind__in=VILLAGE_KINDS).count() == 3
    city = User.objects.get(pk=gen.city_officer_id)
    assert org_units_visible_to(city).count() == gen.units
    assert User.objects.count() == gen.users == 4 + 2 * 2 + 4 + 12
    # One role per person; the administrators get no ORGS module beyond their own.
    assert all(len(u.role_set) == 1 for u in User.objects.all())


def test_generates_beside_existing_rows_and_services_still_insert_after_it(tree):
    before = OrgUnit.objects.count()
    gen = generate(TINY)
    assert gen.city_id > tree.party_org.pk
    assert OrgUnit.objects.count() == before + gen.units
    township = OrgUnit.objects.get(pk=gen.township_ids[0])
    added = org_unit_create(actor=None, name="新村", kind=OrgKind.VILLAGE, parent=township, audit=False)
    assert added.pk > max(gen.village_ids)
    assert added.county_id == township.county_id
    # The existing tree's scoping is untouched by the generated one.
    assert not OrgUnit.objects.filter(city_id=tree.city.pk, pk__in=gen.village_ids).exists()


def test_encrypted_people_are_stored_encrypted_and_read_back():
    shape = Shape(
        counties=1, townships_per_county=1, villages_per_township=1, city_departments=0, county_departments=0
    )
    gen = generate(shape, encrypt=True)
    member = User.objects.get(username=f"vm{gen.village_ids[0]}")
    assert member.phone.startswith("139") and len(member.id_number) == 18
    assert member.phone_index and member.id_number_index
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, id_number FROM core_user WHERE id = %s", [member.pk])
        phone, id_number = cursor.fetchone()
    assert member.phone not in phone and member.id_number not in id_number
