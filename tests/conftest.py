"""Personas that recur across tests (docs/development.md): a village member in village A, a township
officer over A, a township officer over another township B, a county officer over both, an outsider
in another county; the three administrators at the city; an officer of a management zone."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from jijian.core.models import OrgKind, OrgUnit, User
from jijian.core.roles import Role
from jijian.core.services import org_unit_create, user_create

pytest_plugins = ["tests.browser_fixtures"]

PASSWORD = "Test-Passw0rd!"


@dataclass
class Tree:
    city: OrgUnit
    county: OrgUnit
    other_county: OrgUnit
    zone: OrgUnit
    township_a: OrgUnit
    township_b: OrgUnit
    township_c: OrgUnit
    village_a: OrgUnit
    village_a2: OrgUnit
    village_b: OrgUnit
    village_c: OrgUnit
    department: OrgUnit
    party_org: OrgUnit


def make_tree() -> Tree:
    def unit(name, kind, parent, code=None, zone=None):
        return org_unit_create(
            actor=None, name=name, kind=kind, parent=parent, code=code, management_zone=zone, audit=False
        )

    city = unit("随州市", OrgKind.CITY, None, "421300")
    county = unit("随县", OrgKind.COUNTY, city, "421321")
    other = unit("广水市", OrgKind.COUNTY_CITY, city, "421381")
    zone = unit("随州高新区", OrgKind.MANAGEMENT_ZONE, city)
    ta = unit("厉山镇", OrgKind.TOWN, county, "421321100")
    tb = unit("高城镇", OrgKind.TOWN, county, "421321101", zone=zone)
    tc = unit("武胜关镇", OrgKind.TOWN, other, "421381100")
    va = unit("神农村", OrgKind.VILLAGE, ta, "421321100201")
    va2 = unit("凤凰村", OrgKind.VILLAGE, ta, "421321100202")
    vb = unit("高城村", OrgKind.VILLAGE, tb, "421321101201")
    vc = unit("桃源村", OrgKind.VILLAGE, tc, "421381100201")
    dept = unit("市教育局", OrgKind.DEPARTMENT, city)
    po = unit("市教育局机关党委", OrgKind.PARTY_ORG, dept)
    return Tree(city, county, other, zone, ta, tb, tc, va, va2, vb, vc, dept, po)


@pytest.fixture
def tree(db) -> Tree:
    return make_tree()


def make_user(username: str, unit: OrgUnit, *roles: str, password: str = PASSWORD) -> User:
    user = user_create(
        actor=None,
        username=username,
        full_name=f"测试{username}",
        org_unit=unit,
        roles=set(roles),
        password=password,
        audit=False,
    )
    user.must_change_password = False
    user.save(update_fields=["must_change_password"])
    return user


@dataclass
class Personas:
    member_a: User
    township_a: User
    township_b: User
    county_officer: User
    outsider: User
    zone_officer: User
    city_petition: User
    system_admin: User
    security_admin: User
    audit_admin: User
    party_liaison: User


@pytest.fixture
def people(tree) -> Personas:
    return Personas(
        member_a=make_user("member_a", tree.village_a, Role.VILLAGE_MEMBER),
        township_a=make_user("township_a", tree.township_a, Role.TOWNSHIP_COMMITTEE),
        township_b=make_user("township_b", tree.township_b, Role.TOWNSHIP_COMMITTEE),
        county_officer=make_user("county_officer", tree.county, Role.CONDUCT_SUPERVISION),
        outsider=make_user("outsider", tree.other_county, Role.CONDUCT_SUPERVISION),
        zone_officer=make_user("zone_officer", tree.zone, Role.CONDUCT_SUPERVISION),
        city_petition=make_user("city_petition", tree.city, Role.PETITION_OFFICE),
        system_admin=make_user("system_admin", tree.city, Role.SYSTEM_ADMIN),
        security_admin=make_user("security_admin", tree.city, Role.SECURITY_ADMIN),
        audit_admin=make_user("audit_admin", tree.city, Role.AUDIT_ADMIN),
        party_liaison=make_user("party_liaison", tree.party_org, Role.PARTY_ORG_LIAISON),
    )


def sign_in(client, user: User) -> None:
    """Sign a test client in as `user`, second factor included (the real flow is tested in
    tests/core/test_signin.py)."""
    client.force_login(user)
    session = client.session
    if user.needs_two_factor:
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    User.objects.filter(pk=user.pk).update(current_session_key=session.session_key)


@pytest.fixture
def login(client):
    def _login(user: User):
        sign_in(client, user)
        return client

    return _login


@pytest.fixture(autouse=True)
def files_dir(settings, tmp_path):
    """Attachments written by any test go under its own tmp_path, never into the checkout's var/."""
    root = tmp_path / "files"
    settings.FILES_DIR = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


@pytest.fixture(autouse=True, scope="session")
def _static_files_looked_up_when_asked():
    """Every test client builds the middleware anew, and WhiteNoise would scan STATIC_ROOT each time
    (once a test has collected static files there, some tens of milliseconds per client, thousands of
    times). In the tests it looks a file up when one is asked for instead, as it does in development.
    Only pytest: the benchmarks and the servers the tests start keep the production behaviour."""
    from django.conf import settings as django_settings

    django_settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture(autouse=True)
def _language_of_the_platform():
    """Every test starts and ends in the platform's language: a request in another (LocaleMiddleware
    activates the reader's language in the thread and leaves it there) does not carry into the next
    test's direct service calls."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache: every test starts with none (locmem or Redis db 15)."""
    from django.core.cache import cache

    cache.clear()
    yield
    # A test may have pointed the cache at an unreachable server (tests/core/test_health.py).
    with contextlib.suppress(Exception):
        cache.clear()


def pytest_collection_modifyitems(config, items):
    """A test with Django's live server runs where the database serves threads at once (marker
    `concurrent`: PostgreSQL, or the second pass of `make test` on SQLite in a file). The server
    answers each request in a thread of its own, and a page sends several at once (an exam's answers
    resent after a reload, two pages polling a video room). On the in-memory SQLite test database
    Django lends every one of those threads the same connection, so one request's failure or
    rollback breaks or undoes the others' transactions, which no deployment does."""
    from tests.concurrency import needs_concurrent_connections

    for item in items:
        if "live_server" in getattr(item, "fixturenames", ()):
            for mark in needs_concurrent_connections:
                item.add_marker(mark)
