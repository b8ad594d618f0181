"""Generated org trees and people at city, province and nation scale, for the benchmarks.

The tree is one root city -> county-level units -> townships -> villages (and communities), plus
departments under the city and under each county. Every unit gets the materialised path and the
ancestor ids exactly as `jijian.core.services._fill_ancestors` would give it (tests/bench checks
that); ids are assigned here, before insertion, so the rows go in with one pass and no update.

People: one village member per village, one township-committee officer per township, a conduct-
supervision officer and a petition officer per county, and the city's officers and administrators.
Encrypted fields (phone, id_number) stay empty unless `encrypt=True`: encrypting costs one SM4-GCM
and one HMAC-SM3 per value in Python (see `generate(encrypt=...)`), which the list benchmarks never
read anyway.

Rows go in with PostgreSQL COPY (psycopg 3) when the database is PostgreSQL, and with a plain
executemany INSERT otherwise (the tests, on SQLite, at tiny scale) - the same column lists either way.

Nation scale does not model ~31 provinces: the root stays one city, with ~2,800 county-level units
under it (about China's count of county-level divisions) x 14 townships x 12.5 villages = 490,000.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connection, models
from django.utils import timezone

from jijian.core.models import OrgKind, OrgUnit, User, UserRole
from jijian.core.orgs.pinyin import initials
from jijian.core.roles import Role


@dataclass(frozen=True)
class Shape:
    counties: int
    townships_per_county: int
    villages_per_township: float  # fractional: townships alternate (12.5 -> 12, 13, 12, 13, ...)
    city_departments: int = 20
    county_departments: int = 3

    @property
    def villages(self) -> int:
        townships = self.counties * self.townships_per_county
        return int(townships * self.villages_per_township)


SCALES: dict[str, Shape] = {
    # Suizhou-sized: ~1,000 villages.
    "city": Shape(counties=6, townships_per_county=12, villages_per_township=14),
    # A province: ~26,000 villages.
    "province": Shape(counties=149, townships_per_county=14, villages_per_township=12.5),
    # The nation as one root city with ~2,800 county-level units: ~490,000 villages.
    "nation": Shape(counties=2800, townships_per_county=14, villages_per_township=12.5),
}


def _words(text: str) -> list[str]:
    return text.split()


COUNTY_KIND_CYCLE = (OrgKind.COUNTY, OrgKind.COUNTY, OrgKind.DISTRICT, OrgKind.COUNTY_CITY)
TOWNSHIP_KIND_CYCLE = (OrgKind.TOWN, OrgKind.TOWN, OrgKind.TOWNSHIP, OrgKind.SUBDISTRICT)
COMMUNITY_EVERY = 8  # one village-level unit in eight is an urban community (社区)

_COUNTY_WORDS = _words(
    "随 曾都 广水 安陆 云梦 孝昌 大悟 应城 汉川 京山 钟祥 沙洋 枣阳 宜城 南漳 谷城 保康 老河口 丹江口 郧西 竹山 房 远安 当阳 枝江 松滋 公安 监利 洪湖 石首"
)
_TOWN_WORDS = _words(
    "厉山 高城 殷店 草店 小林 淮河 万和 尚市 唐县 吴山 新街 安居 万店 何店 洛阳 府河 三里岗 均川 长岗 环潭 柳林 武胜关 杨寨 陈巷 蔡河 郝店 吴店 骆店 城郊 关庙 余店 马坪 李店 太平 广水 十里 应山 双桥 淅河 北郊"
)
_VILLAGE_WORDS = _words(
    "神农 凤凰 高城 桃源 红星 联合 新建 光明 胜利 和平 团结 幸福 先锋 建设 东风 长岭 黄土 石桥 白果 青山 柏树 杨家 王家 李家 张家 刘家 陈家 周家 吴家 徐家 孙家 胡家 朱家 高家 林家 何家 郭家 马家 罗家 梁家 宋家 郑家 谢家 韩家 唐家 冯家 于家 董家 萧家 程家 曹家 袁家 邓家 许家 傅家 沈家 曾家 彭家 吕家 苏家 卢家 蒋家 蔡家 贾家 丁家 魏家 薛家 叶家 阎家 余家 潘家 杜家 戴家 夏家 钟家 汪家 田家 任家 姜家 范家"
)
_DEPARTMENTS = _words(
    "教育局 公安局 民政局 财政局 人社局 自然资源局 生态环境局 住建局 交通运输局 水利局 农业农村局 商务局 文旅局 卫健委 应急管理局 审计局 市场监管局 统计局 医保局 城管局"
)
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
_GIVEN = _words(
    "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英 霞 平 刚 桂英 建华 建国 志强 秀兰 海燕 春梅 国庆 红梅 德胜 玉兰 文华 立新 永红"
)

ORG_UNIT_COLUMNS = (
    "id", "code", "name", "kind", "parent_id", "path", "depth", "city_id", "county_id", "township_id",
    "management_zone_id", "zone_id", "pinyin_initials", "is_active", "active_from", "active_until",
    "sort_order", "version", "created_at",
)  # fmt: skip
USER_COLUMNS = (
    "id", "password", "last_login", "is_superuser", "username", "full_name", "name_initials", "org_unit_id",
    "position", "phone", "phone_index", "id_number", "id_number_index", "email", "is_active",
    "must_change_password", "password_changed_at", "failed_login_count", "locked_until",
    "current_session_key", "appointed_on", "is_demo", "date_joined", "version",
)  # fmt: skip
USER_ROLE_COLUMNS = ("id", "user_id", "role", "granted_by_id", "granted_at")

UNUSABLE_PASSWORD = "!bench"  # Django treats a leading "!" as "no usable password": nobody signs in


@lru_cache(maxsize=4096)
def _initials(name: str) -> str:
    """The same pinyin initials services store; names repeat (from small pools), so cache them."""
    return initials(name)


def check_columns(model: type[models.Model], columns: Sequence[str]) -> None:
    """Fail loudly when the model gained a column the generator does not fill and the database cannot
    default (NOT NULL, no db_default): the bench would otherwise break with a cryptic COPY error."""
    missing = [
        f.column
        for f in model._meta.concrete_fields
        if f.column not in columns
        and not f.null
        and getattr(f, "db_default", models.NOT_PROVIDED) is models.NOT_PROVIDED
    ]
    unknown = set(columns) - {f.column for f in model._meta.concrete_fields}
    if missing or unknown:
        raise RuntimeError(
            f"bench/generate.py is out of date for {model._meta.db_table}: add {missing}, remove {sorted(unknown)}"
        )


@dataclass
class Generated:
    shape: Shape
    city_id: int
    county_ids: list[int]
    township_ids: list[int]
    village_ids: list[int]
    department_ids: list[int]
    # The people the benchmarks act as.
    county_officer_ids: dict[int, int] = field(default_factory=dict)  # county id -> conduct supervision user
    city_officer_id: int = 0  # petition office at the city
    units: int = 0
    users: int = 0
    roles: int = 0
    seconds: float = 0.0
    seconds_by_table: dict[str, float] = field(default_factory=dict)


def _next_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608 - table names are ours
        return int(cursor.fetchone()[0])


def _write(table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    cols = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(rows))  # noqa: S608


def _reset_sequences() -> None:
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [OrgUnit, User, UserRole]):
            cursor.execute(sql)


def build_tree(shape: Shape, *, first_id: int, now: object) -> tuple[list[tuple], Generated]:
    """The org units as rows in ORG_UNIT_COLUMNS order, parents before children, and their ids."""
    rows: list[tuple] = []
    append = rows.append
    next_id = first_id

    def unit(code, name, kind, parent_id, path, depth, city_id, county_id, township_id, sort_order):
        append((next_id, code, name, kind, parent_id, path, depth, city_id, county_id, township_id,
                None, None, _initials(name), True, None, None, sort_order, 1, now))  # fmt: skip

    city_id = next_id
    city_path = f"/{city_id}/"
    unit("990000", "基准市", OrgKind.CITY, None, city_path, 0, city_id, None, None, 0)
    next_id += 1
    gen = Generated(
        shape=shape, city_id=city_id, county_ids=[], township_ids=[], village_ids=[], department_ids=[]
    )

    for d in range(shape.city_departments):
        unit(None, "市" + _DEPARTMENTS[d % len(_DEPARTMENTS)], OrgKind.DEPARTMENT, city_id,
             f"{city_path}{next_id}/", 1, city_id, None, None, d)  # fmt: skip
        gen.department_ids.append(next_id)
        next_id += 1

    township_no = 0  # over the whole tree, so fractional villages-per-township spreads evenly
    v = shape.villages_per_township
    for c in range(shape.counties):
        county_id = next_id
        next_id += 1
        kind = COUNTY_KIND_CYCLE[c % len(COUNTY_KIND_CYCLE)]
        suffix = {OrgKind.COUNTY: "县", OrgKind.DISTRICT: "区", OrgKind.COUNTY_CITY: "市"}[kind]
        county_code = 100000 + c
        county_path = f"{city_path}{county_id}/"
        rows.append((county_id, str(county_code), _COUNTY_WORDS[c % len(_COUNTY_WORDS)] + suffix, kind, city_id,
                     county_path, 1, city_id, county_id, None, None, None,
                     _initials(_COUNTY_WORDS[c % len(_COUNTY_WORDS)] + suffix), True, None, None, c, 1, now))  # fmt: skip
        gen.county_ids.append(county_id)
        for d in range(shape.county_departments):
            unit(None, "县" + _DEPARTMENTS[(c + d) % len(_DEPARTMENTS)], OrgKind.DEPARTMENT, county_id,
                 f"{county_path}{next_id}/", 2, city_id, county_id, None, d)  # fmt: skip
            gen.department_ids.append(next_id)
            next_id += 1
        for t in range(shape.townships_per_county):
            township_id = next_id
            next_id += 1
            t_kind = TOWNSHIP_KIND_CYCLE[(c + t) % len(TOWNSHIP_KIND_CYCLE)]
            t_name = _TOWN_WORDS[(c * 7 + t) % len(_TOWN_WORDS)] + (
                "街道" if t_kind == OrgKind.SUBDISTRICT else "镇" if t_kind == OrgKind.TOWN else "乡"
            )
            township_code = county_code * 1000 + t
            township_path = f"{county_path}{township_id}/"
            rows.append((township_id, str(township_code), t_name, t_kind, county_id, township_path, 2, city_id,
                         county_id, township_id, None, None, _initials(t_name), True, None, None, t, 1, now))  # fmt: skip
            gen.township_ids.append(township_id)
            n_villages = int((township_no + 1) * v) - int(township_no * v)
            township_no += 1
            for i in range(n_villages):
                village_id = next_id
                next_id += 1
                is_community = (village_id % COMMUNITY_EVERY) == 0
                name = _VILLAGE_WORDS[(village_id * 31) % len(_VILLAGE_WORDS)] + (
                    "社区" if is_community else "村"
                )
                rows.append((village_id, str(township_code * 1000 + i), name,
                             OrgKind.COMMUNITY if is_community else OrgKind.VILLAGE, township_id,
                             f"{township_path}{village_id}/", 3, city_id, county_id, township_id, None, None,
                             _initials(name), True, None, None, i, 1, now))  # fmt: skip
                gen.village_ids.append(village_id)
    gen.units = len(rows)
    return rows, gen


def _person_name(n: int) -> str:
    return _SURNAMES[n % len(_SURNAMES)] + _GIVEN[(n // len(_SURNAMES)) % len(_GIVEN)]


def build_people(
    gen: Generated, *, first_user_id: int, first_role_id: int, now: object, encrypt: bool = False
):
    """Users (USER_COLUMNS rows) and their roles (USER_ROLE_COLUMNS rows)."""
    users: list[tuple] = []
    roles: list[tuple] = []
    uid = first_user_id
    rid = first_role_id
    if encrypt:
        from types import SimpleNamespace

        fields = {
            name: User._meta.get_field(name)
            for name in ("phone", "phone_index", "id_number", "id_number_index")
        }

        def sealed(name: str, plain: str) -> tuple[str, str]:
            # Through the model fields themselves, so the ciphertext is bound to its column as on save().
            index = fields[f"{name}_index"].pre_save(SimpleNamespace(**{name: plain}), True)
            return fields[name].get_prep_value(plain), index

    def person(username: str, unit_id: int, role: str, position: str) -> int:
        nonlocal uid, rid
        name = _person_name(uid)
        phone = id_number = phone_index = id_number_index = ""
        if encrypt:
            plain_phone = f"139{uid:08d}"
            plain_id = f"421321199001{uid % 10000:04d}{uid % 10}X"[:18]
            phone, phone_index = sealed("phone", plain_phone)
            id_number, id_number_index = sealed("id_number", plain_id)
        users.append((uid, UNUSABLE_PASSWORD, None, False, username, name, _initials(name)[:20], unit_id, position,
                      phone, phone_index, id_number, id_number_index, "", True, False, None, 0, None, "", None,
                      False, now, 1))  # fmt: skip
        roles.append((rid, uid, role, None, now))
        uid += 1
        rid += 1
        return uid - 1

    gen.city_officer_id = person("city_petition", gen.city_id, Role.PETITION_OFFICE, "信访室主任")
    person("city_sysadmin", gen.city_id, Role.SYSTEM_ADMIN, "系统管理员")
    person("city_secadmin", gen.city_id, Role.SECURITY_ADMIN, "安全保密管理员")
    person("city_audadmin", gen.city_id, Role.AUDIT_ADMIN, "安全审计员")
    for county_id in gen.county_ids:
        gen.county_officer_ids[county_id] = person(
            f"cs{county_id}", county_id, Role.CONDUCT_SUPERVISION, "监督室主任"
        )
        person(f"po{county_id}", county_id, Role.PETITION_OFFICE, "信访室主任")
    for township_id in gen.township_ids:
        person(f"tc{township_id}", township_id, Role.TOWNSHIP_COMMITTEE, "纪委书记")
    for village_id in gen.village_ids:
        person(f"vm{village_id}", village_id, Role.VILLAGE_MEMBER, "纪检委员")
    return users, roles


def generate(shape: Shape, *, encrypt: bool = False) -> Generated:
    """Insert a whole tree and its people into the default database; return what was made. The caller
    owns the transaction (one `transaction.atomic()` keeps COPY fast and a failure clean)."""
    check_columns(OrgUnit, ORG_UNIT_COLUMNS)
    check_columns(User, USER_COLUMNS)
    check_columns(UserRole, USER_ROLE_COLUMNS)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    started = time.perf_counter()

    t = time.perf_counter()
    unit_rows, gen = build_tree(shape, first_id=_next_id(OrgUnit._meta.db_table), now=now)
    users, roles = build_people(
        gen,
        first_user_id=_next_id(User._meta.db_table),
        first_role_id=_next_id(UserRole._meta.db_table),
        now=now,
        encrypt=encrypt,
    )
    gen.seconds_by_table["build_rows"] = time.perf_counter() - t

    for model, columns, rows in (
        (OrgUnit, ORG_UNIT_COLUMNS, unit_rows),
        (User, USER_COLUMNS, users),
        (UserRole, USER_ROLE_COLUMNS, roles),
    ):
        t = time.perf_counter()
        _write(model._meta.db_table, columns, rows)
        gen.seconds_by_table[model._meta.db_table] = time.perf_counter() - t
    _reset_sequences()
    gen.users, gen.roles = len(users), len(roles)
    gen.seconds = time.perf_counter() - started
    return gen
