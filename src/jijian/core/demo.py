"""Demo data of Suizhou: the real county-level units and 51 township units (data/), generated
villages (~900) with a discipline member each, township and county officers, city-level departments
and their party organisations, and one demo account per role with a TOTP device."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date
from importlib import resources

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from jijian.audit.services import audit_record

from .models import OrgKind, OrgUnit, User, UserRole
from .pinyin import initials
from .roles import Role
from .services import _fill_ancestors
from .validators import id_number_check_digit
from .workdays import calendar_seed

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


def _unit(name, kind, parent, code=None, sort_order=0) -> OrgUnit:
    unit = OrgUnit.objects.create(name=name, kind=kind, parent=parent, code=code, sort_order=sort_order)
    _fill_ancestors(unit, parent)
    unit.save(update_fields=["path", "depth", "city", "county", "township", "zone", "pinyin_initials"])
    return unit


def _village_names(rng: random.Random, n: int, used: set[str]) -> list[str]:
    names = []
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

    townships: list[OrgUnit] = []
    for i, row in enumerate(_rows("suizhou_townships.csv")):
        townships.append(
            _unit(
                row["name"],
                _kind_of_township(row["name"]),
                county_units[row["county_code"]],
                row["code"],
                sort_order=i,
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
        _fill_ancestors(v, v.parent)
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
    plan = [
        ("cun", Role.VILLAGE_MEMBER, village, "纪检委员"),
        ("xiangzhen", Role.TOWNSHIP_COMMITTEE, lishan, "纪委书记"),
        ("xinfang", Role.PETITION_OFFICE, city, "信访室主任"),
        ("anguan", Role.CASE_MANAGEMENT, city, "案件监督管理室主任"),
        ("dangfeng", Role.CONDUCT_SUPERVISION, suixian, "党风政风监督室主任"),
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
            from .security import base32_secret

            secret = base32_secret(TOTPDevice.objects.create(user=user, name="demo", confirmed=True))
        accounts.append(DemoAccount(username, role, name, unit.name, secret))

    calendar_seed()
    from jijian.reports.demo import load_reports_demo

    n_records = load_reports_demo(seed=seed)
    from jijian.petitions.demo import load_petitions_demo

    load_petitions_demo(seed=seed)
    from jijian.archives.demo import load_demo as load_archives_demo

    load_archives_demo(seed=seed)
    audit_record(
        actor=None,
        action="demo.load",
        object_type="core.orgunit",
        summary=f"装入演示数据：{len(village_objs)} 个村（社区），{len(people) + len(plan)} 名人员，{n_records} 条履职纪实",
    )
    return accounts


def demo_accounts() -> list[DemoAccount]:
    from .security import base32_secret

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


def format_accounts(accounts: list[DemoAccount]) -> str:
    lines = [
        "",
        f"演示账号（密码均为 {DEMO_PASSWORD}；工作人员登录还须输入动态验证码，可用 `jijian otp 用户名` 查看）：",
        f"{'用户名':<10}{'角色':<14}{'单位':<16}TOTP 密钥",
    ]
    for a in accounts:
        lines.append(
            f"{a.username:<12}{Role(a.role).label:<12}{a.unit:<14}{a.totp_secret or '（无需动态验证码）'}"
        )
    from jijian.petitions.demo import DEMO_RECEIPT_CODE
    from jijian.petitions.receipt import display

    lines.append(f"\n演示举报查询码（在 /report/ “查询进度”中输入）：{display(DEMO_RECEIPT_CODE)}")
    return "\n".join(lines)
