"""Demo data of Suizhou: the real county-level units and 51 township units (data/), generated
villages (~900) with a discipline member each, township and county officers, city-level departments
and their party organisations, and one demo account per role with a TOTP device."""

from __future__ import annotations

import csv
import random
import unicodedata
from dataclasses import dataclass
from datetime import date
from importlib import resources

from django.apps import apps
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from jijian.audit.services import audit_record
from jijian.core.orgs.pinyin import initials
from jijian.core.orgs.workdays import calendar_seed

from .models import OrgKind, OrgUnit, User, UserRole
from .roles import Role
from .services import fill_ancestors
from .validators import id_number_check_digit

DEMO_PASSWORD = "Suizhou@2026"

COUNTY_KIND = {
    "district": OrgKind.DISTRICT,
    "county": OrgKind.COUNTY,
    "county_city": OrgKind.COUNTY_CITY,
    "management_zone": OrgKind.MANAGEMENT_ZONE,
}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "军华明国建平文志强永海春红光德玉秀英林兰芳丽敏静伟刚勇杰涛斌辉鹏飞磊超波峰亮成兵俊宏晓晨雪梅燕霞艳娟萍琴云莉"
VILLAGE_FIRST = "东西南北上下前后大小新老高金银石桃李杨柳松竹梅花龙凤马牛黄白青红丰和安平福寿永长双三五七九十"
VILLAGE_SECOND = "湾岗河冲坪店桥庙畈岭山庄塘堰坡井岩寨口沟坝台洲林园"
DEPARTMENTS = [
    "市教育局",
    "市财政局",
    "市卫生健康委员会",
    "市住房和城乡建设局",
    "市交通运输局",
    "市农业农村局",
    "市自然资源和规划局",
    "市市场监督管理局",
]
# The commission's resident groups (派驻纪检监察组, 综合派驻) and the departments each oversees; the
# departments of no group (市自然资源和规划局, 市市场监督管理局) answer to the city's 党风政风监督室.
RESIDENT_GROUPS = [
    ("市纪委监委第一派驻纪检监察组", ["市教育局", "市卫生健康委员会", "市农业农村局"]),
    ("市纪委监委第二派驻纪检监察组", ["市财政局", "市住房和城乡建设局", "市交通运输局"]),
]


@dataclass
class DemoAccount:
    username: str
    role: str
    full_name: str
    unit: str
    totp_secret: str


def _rows(name: str) -> list[dict]:
    text = resources.files("jijian.core").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _kind_of_township(name: str) -> str:
    if name.endswith("街道"):
        return OrgKind.SUBDISTRICT
    if name.endswith("镇"):
        return OrgKind.TOWN
    if name.endswith("乡"):
        return OrgKind.TOWNSHIP
    return OrgKind.TOWNSHIP_UNIT


def fake_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def fake_id_number(rng: random.Random, area: str = "421321") -> str:
    born = date(rng.randint(1960, 2000), rng.randint(1, 12), rng.randint(1, 28))
    first17 = f"{area}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return first17 + id_number_check_digit(first17)


def fake_mobile(rng: random.Random) -> str:
    return (
        rng.choice(["133", "135", "138", "139", "151", "158", "177", "186", "187", "189"])
        + f"{rng.randint(0, 99999999):08d}"
    )


def _unit(name, kind, parent, code=None, sort_order=0, management_zone=None) -> OrgUnit:
    unit = OrgUnit.objects.create(
        name=name, kind=kind, parent=parent, code=code, sort_order=sort_order, management_zone=management_zone
    )
    fill_ancestors(unit, parent)
    unit.save(update_fields=["path", "depth", "city", "county", "township", "zone", "pinyin_initials"])
    return unit


def _village_names(rng: random.Random, n: int, used: set[str]) -> list[str]:
    names: list[str] = []
    while len(names) < n:
        name = rng.choice(VILLAGE_FIRST) + rng.choice(VILLAGE_SECOND)
        if name not in used:
            used.add(name)
            names.append(name)
    return names


@transaction.atomic
def load_demo(*, seed: int = 2020, villages_per_town: tuple[int, int] = (17, 26)) -> list[DemoAccount]:
    """Load the demo into an empty database and return the demo accounts. Refuses a non-empty one."""
    if OrgUnit.objects.exists():
        raise RuntimeError("数据库中已有组织数据，演示数据只装入空数据库")
    rng = random.Random(seed)
    counties = _rows("suizhou_counties.csv")
    city_row = next(r for r in counties if r["kind"] == "city")
    city = _unit(city_row["name"], OrgKind.CITY, None, city_row["code"])
    county_units: dict[str, OrgUnit] = {}
    for i, row in enumerate(r for r in counties if r["kind"] != "city"):
        unit = _unit(row["name"], COUNTY_KIND[row["kind"]], city, row["code"] or None, sort_order=i)
        county_units[row["code"] or row["name"]] = unit

    zones = {u.name: u for u in county_units.values() if u.kind == OrgKind.MANAGEMENT_ZONE}
    townships: list[OrgUnit] = []
    for i, row in enumerate(_rows("suizhou_townships.csv")):
        townships.append(
            _unit(
                row["name"],
                _kind_of_township(row["name"]),
                county_units[row["county_code"]],
                row["code"],
                sort_order=i,
                management_zone=zones.get(row.get("management_zone") or ""),  # 代管管理区
            )
        )

    village_objs: list[OrgUnit] = []
    for town in townships:
        used: set[str] = set()
        if town.kind == OrgKind.SUBDISTRICT:
            n, kind, suffix = rng.randint(6, 12), OrgKind.COMMUNITY, "社区"
        elif town.kind == OrgKind.TOWNSHIP_UNIT:
            n, kind, suffix = rng.randint(3, 6), OrgKind.COMMUNITY, "社区"
        else:
            n, kind, suffix = rng.randint(*villages_per_town), OrgKind.VILLAGE, "村"
        for j, base in enumerate(_village_names(rng, n, used), start=1):
            serial = (200 if kind == OrgKind.VILLAGE else 0) + j
            village_objs.append(
                OrgUnit(
                    name=base + suffix, kind=kind, parent=town, code=f"{town.code}{serial:03d}", sort_order=j
                )
            )
    OrgUnit.objects.bulk_create(village_objs, batch_size=500)
    for v in village_objs:
        fill_ancestors(v, v.parent)
    OrgUnit.objects.bulk_update(
        village_objs,
        ["path", "depth", "city", "county", "township", "zone", "pinyin_initials"],
        batch_size=500,
    )

    departments = []
    for i, name in enumerate(DEPARTMENTS):
        dept = _unit(name, OrgKind.DEPARTMENT, city, sort_order=100 + i)
        departments.append(dept)
        committee = _unit(f"{name}机关党委", OrgKind.PARTY_ORG, dept)
        for k in range(1, rng.randint(2, 4) + 1):
            _unit(f"{name}第{'一二三四'[k - 1]}党支部", OrgKind.PARTY_ORG, committee)

    # People: one discipline member per village, two committee members per township, officers per county.
    people: list[User] = []
    roles: list[tuple[int, str]] = []

    def person(unit: OrgUnit, position: str, role: str, area: str) -> None:
        name = fake_name(rng)
        people.append(
            User(
                username=f"u{len(people) + 1:05d}",
                full_name=name,
                name_initials=initials(name),
                org_unit=unit,
                position=position,
                phone=fake_mobile(rng),
                id_number=fake_id_number(rng, area),
                password="!demo-no-login",
                must_change_password=True,
                appointed_on=date(2021, 1, 1),
            )
        )
        roles.append((len(people) - 1, role))

    for v in village_objs:
        person(v, "纪检委员", Role.VILLAGE_MEMBER, (v.code or "421321")[:6])
    for t in townships:
        assert t.code is not None  # every township of the data file has a code
        person(t, "纪委书记", Role.TOWNSHIP_COMMITTEE, t.code[:6])
        person(t, "纪委委员", Role.TOWNSHIP_COMMITTEE, t.code[:6])
    for c in county_units.values():
        area = c.code or "421300"
        person(c, "信访室干部", Role.PETITION_OFFICE, area)
        person(c, "案件监督管理室干部", Role.CASE_MANAGEMENT, area)
        person(c, "党风政风监督室干部", Role.CONDUCT_SUPERVISION, area)
        person(c, "纪委副书记", Role.COMMISSION_LEADER, area)
    User.objects.bulk_create(people, batch_size=500)
    UserRole.objects.bulk_create([UserRole(user=people[i], role=r) for i, r in roles], batch_size=1000)

    # Demo accounts, one per role, each printed with its password and TOTP secret.
    suixian = county_units["421321"]
    lishan = next(t for t in townships if t.name == "厉山镇")
    village = next(v for v in village_objs if v.parent_id == lishan.pk)
    party_org = (
        OrgUnit.objects.filter(kind=OrgKind.PARTY_ORG, parent__kind=OrgKind.PARTY_ORG).order_by("pk").first()
    )
    assert party_org is not None  # the departments' party branches were created above
    plan = [
        ("cun", Role.VILLAGE_MEMBER, village, "纪检委员"),
        ("xiangzhen", Role.TOWNSHIP_COMMITTEE, lishan, "纪委书记"),
        ("xinfang", Role.PETITION_OFFICE, city, "信访室主任"),
        ("anguan", Role.CASE_MANAGEMENT, city, "案件监督管理室主任"),
        ("dangfeng", Role.CONDUCT_SUPERVISION, suixian, "党风政风监督室主任"),
        # The city's office supervises the city-level departments' party organisations (主体责任).
        ("shidangfeng", Role.CONDUCT_SUPERVISION, city, "市纪委党风政风监督室主任"),
        ("ganjian", Role.CADRE_SUPERVISION, city, "干部监督室主任"),
        ("shenli", Role.CASE_REVIEW, city, "审理室主任"),
        ("lingdao", Role.COMMISSION_LEADER, city, "市纪委副书记"),
        ("dangzuzhi", Role.PARTY_ORG_LIAISON, party_org, "支部纪检委员"),
        ("zuzhibu", Role.ORG_DEPARTMENT, city, "组织部干部监督科"),
        ("xitong", Role.SYSTEM_ADMIN, city, "系统管理员"),
        ("anquan", Role.SECURITY_ADMIN, city, "安全保密管理员"),
        ("shenji", Role.AUDIT_ADMIN, city, "安全审计员"),
    ]
    accounts = []
    for username, role, unit, position in plan:
        name = fake_name(rng)
        user = User(
            username=username,
            full_name=name,
            name_initials=initials(name),
            org_unit=unit,
            position=position,
            phone=fake_mobile(rng),
            id_number=fake_id_number(rng, "421300"),
            must_change_password=False,
            is_demo=True,
        )
        user.set_password(DEMO_PASSWORD)
        if role == Role.VILLAGE_MEMBER:
            # The demo member is the village's discipline member: the generated one steps down.
            User.objects.filter(org_unit=unit, roles__role=Role.VILLAGE_MEMBER).update(is_active=False)
            user.appointed_on = date(2021, 1, 1)
        user.save()
        UserRole.objects.create(user=user, role=role)
        secret = ""
        if role != Role.VILLAGE_MEMBER:  # second factor optional for village members
            from jijian.core.accounts.security import base32_secret

            secret = base32_secret(TOTPDevice.objects.create(user=user, name="demo", confirmed=True))
        accounts.append(DemoAccount(username, role, name, unit.name, secret))
    accounts += _department_people(city, departments, seed=seed)

    calendar_seed()
    summaries = [f"{len(village_objs)} 个村（社区）", f"{len(people) + len(plan)} 名人员"]
    # Each platform app loads its own part, in INSTALLED_APPS order (its dependencies come first):
    # an AppConfig with a `demo_load(seed=...)` method returning a short summary, or "".
    for config in apps.get_app_configs():
        loader = getattr(config, "demo_load", None)
        if loader is not None and config.name != "jijian.core":
            summary = loader(seed=seed)
            if summary:
                summaries.append(summary)
    audit_record(
        actor=None,
        action="demo.load",
        object_type="core.orgunit",
        summary="装入演示数据：" + "，".join(summaries),
    )
    return accounts


def _department_people(city: OrgUnit, departments: list[OrgUnit], *, seed: int) -> list[DemoAccount]:
    """The resident groups overseeing the departments, a discipline member (市直单位纪检委员) per
    department and a staff member per group; the demo accounts `shizhi` (市教育局's discipline member)
    and `paizhu` (the first group's). A random generator of its own: the rest of the demo is unchanged."""
    from jijian.core.accounts.security import base32_secret

    rng = random.Random(seed + 6)
    by_name = {d.name: d for d in departments}
    groups = []
    for i, (name, overseen) in enumerate(RESIDENT_GROUPS):
        group = _unit(name, OrgKind.RESIDENT_GROUP, city, sort_order=90 + i)
        OrgUnit.objects.filter(pk__in=[by_name[n].pk for n in overseen]).update(resident_group=group)
        groups.append(group)
    plan = [
        (d, Role.DEPARTMENT_MEMBER, "纪检委员", "shizhi" if d.name == "市教育局" else "") for d in departments
    ]
    plan += [
        (g, Role.RESIDENT_GROUP, "派驻纪检监察组干部", "paizhu" if i == 0 else "")
        for i, g in enumerate(groups)
    ]
    accounts = []
    for unit, role, position, username in plan:
        name = fake_name(rng)
        user = User(
            username=username or f"d{unit.pk:05d}",
            full_name=name,
            name_initials=initials(name),
            org_unit=unit,
            position=position,
            phone=fake_mobile(rng),
            id_number=fake_id_number(rng, "421300"),
            must_change_password=not username,
            is_demo=bool(username),
            appointed_on=date(2021, 1, 1),
        )
        if username:
            user.set_password(DEMO_PASSWORD)
        else:
            user.password = "!demo-no-login"
        user.save()
        UserRole.objects.create(user=user, role=role)
        if username:
            device = TOTPDevice.objects.create(user=user, name="demo", confirmed=True)
            accounts.append(DemoAccount(username, role, name, unit.name, base32_secret(device)))
    return accounts


def demo_accounts() -> list[DemoAccount]:
    from jijian.core.accounts.security import base32_secret

    out = []
    for user in (
        User.objects.filter(is_demo=True).select_related("org_unit").prefetch_related("roles").order_by("pk")
    ):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        role = next(iter(user.role_set), "")
        out.append(
            DemoAccount(
                user.username,
                role,
                user.full_name,
                user.org_unit.name,
                base32_secret(device) if device else "",
            )
        )
    return out


def _pad(text: str, columns: int) -> str:
    """`text` padded to `columns` terminal columns (a Chinese character takes two), at least two spaces
    after it, so that the printed table lines up."""
    width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(columns - width, 2)


def format_accounts(accounts: list[DemoAccount]) -> str:
    name_w = max([len("用户名") * 2, *(len(a.username) for a in accounts)]) + 2
    role_w = max(len(Role(a.role).label) * 2 for a in accounts) + 2
    unit_w = max(len(a.unit) * 2 for a in accounts) + 2
    lines = [
        "",
        f"演示账号（密码均为 {DEMO_PASSWORD}；工作人员登录还须输入动态验证码，可用 `jijian otp 用户名` 查看）：",
        f"{_pad('用户名', name_w)}{_pad('角色', role_w)}{_pad('单位', unit_w)}TOTP 密钥",
    ]
    for a in accounts:
        lines.append(
            f"{_pad(a.username, name_w)}{_pad(str(Role(a.role).label), role_w)}{_pad(a.unit, unit_w)}"
            f"{a.totp_secret or '（无需动态验证码）'}"
        )
    # A platform app adds lines of its own to the printout (a demo receipt code, say) through its
    # AppConfig's `demo_notes()`.
    for config in apps.get_app_configs():
        notes = getattr(config, "demo_notes", None)
        if notes is not None:
            lines.extend(notes())
    return "\n".join(lines)
