"""Demo integrity archives for Suizhou: a county cadre, two township cadres of 厉山镇, a village cadre
王某 in the village of the petitions demo's first report (so that report's page offers the archive as a
link candidate), and a township cadre of 广水市. Created through services.archive_create by the demo
cadre supervision officer (ganjian), so each has its audit entry. Nothing is linked: linking is the
report handler's decision.

The archives carry a few section entries (family, a personal-matters report, a sanction still in
its effect period, a 政务处分 whose period is over, an integrity talk, a gift handed in), two carry a
drawn placeholder photo, and the organisation department (zuzhibu)
has asked for an integrity opinion on three names — one of them not on file — for the cadre
supervision office (ganjian) to answer and the leader (lingdao) to sign."""

from __future__ import annotations

import datetime
import random

from jijian.core.demo import fake_id_number
from jijian.core.models import VILLAGE_KINDS, CadreLevel, OrgUnit, User
from jijian.core.roles import Role

from . import services
from .models import IntegrityArchive, PartyStatus, SupervisedCategory


def _first_village(township: OrgUnit | None) -> OrgUnit | None:
    # The petitions demo's first report is about 王某 in the first village of 厉山镇 by id.
    if township is None:
        return None
    return OrgUnit.objects.filter(township=township, kind__in=VILLAGE_KINDS).order_by("pk").first()


def load_demo(*, seed: int = 2020) -> int:
    """Create the demo archives; returns how many. Does nothing where archives exist already (run
    twice) or the Suizhou tree or the demo keeper is missing."""
    if IntegrityArchive.objects.exists():
        return 0
    keeper = (
        User.objects.filter(username="ganjian", roles__role=Role.CADRE_SUPERVISION).first()
        or User.objects.filter(roles__role=Role.CADRE_SUPERVISION, org_unit__kind="city", is_active=True)
        .order_by("pk")
        .first()
    )
    suixian = OrgUnit.objects.filter(code="421321").first()
    if keeper is None or suixian is None:
        return 0
    lishan = (
        OrgUnit.objects.filter(name="厉山镇").first()
        or OrgUnit.objects.filter(parent=suixian).exclude(kind="department").order_by("pk").first()
    )
    village = _first_village(lishan)
    guangshui = OrgUnit.objects.filter(code="421381").first()
    guangshui_town = (
        OrgUnit.objects.filter(parent=guangshui).exclude(kind="department").order_by("pk").first()
        if guangshui
        else None
    )
    rng = random.Random(seed + 3)
    civil, grassroots, institution = (
        SupervisedCategory.CIVIL_SERVANT,
        SupervisedCategory.GRASSROOTS,
        SupervisedCategory.PUBLIC_INSTITUTION,
    )
    plan = [
        (
            suixian,
            "赵某",
            "县交通运输局局长",
            CadreLevel.SECTION,
            civil,
            "2024年度个人有关事项报告已按时填报。",
        ),
        (lishan, "刘某", "副镇长", CadreLevel.SECTION, civil, "分管城建、交通。"),
        (lishan, "张某", "镇农业服务中心主任", CadreLevel.STAFF, institution, ""),
        (village, "王某", "村主任", CadreLevel.VILLAGE, grassroots, "2021年换届当选。"),
        (guangshui_town, "陈某", "镇党委副书记", CadreLevel.SECTION, civil, ""),
    ]
    made = 0
    archives = {}
    for unit, name, post, level, category, notes in plan:
        if unit is None:
            continue
        area = (unit.county.code if unit.county is not None else unit.code) or "421300"
        archives[name] = services.archive_create(
            actor=keeper,
            name=name,
            org_unit=unit,
            id_number=fake_id_number(rng, area[:6]),
            post=post,
            level=level,
            category=category,
            party_status=PartyStatus.MEMBER,
            notes=notes,
        )
        made += 1
    _sections(keeper, archives)
    _photos(keeper, archives)
    _opinion_request(archives)
    return made


def _portrait(seed: int) -> bytes:
    """A drawn ID-photo placeholder (head and shoulders on a blue ground), PNG: no real face."""
    import io

    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    image = Image.new("RGB", (300, 400), (67, 142, 219))
    draw = ImageDraw.Draw(image)
    suit = (rng.randint(20, 60), rng.randint(20, 60), rng.randint(40, 80))
    draw.ellipse((40, 270, 260, 520), fill=suit)
    draw.polygon([(130, 280), (170, 280), (150, 340)], fill=(245, 245, 245))
    draw.ellipse((95, 90, 205, 230), fill=(236, 200, 170))
    draw.chord((90, 70, 210, 170), 180, 360, fill=(30, 30, 30))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _photos(keeper: User, archives: dict[str, IntegrityArchive]) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    for n, name in enumerate(("刘某", "赵某")):
        if name in archives:
            services.archive_photo_set(
                actor=keeper,
                archive=archives[name],
                file=SimpleUploadedFile(f"photo-{n}.png", _portrait(n)),
            )


def _sections(keeper: User, archives: dict[str, IntegrityArchive]) -> None:
    today = datetime.date.today()
    year = today.year
    liu, zhao, wang = archives.get("刘某"), archives.get("赵某"), archives.get("王某")
    if liu is not None:
        services.family_add(
            actor=keeper,
            archive=liu,
            relation="spouse",
            name="孙某",
            employer="随县第一中学",
            occupation="教师",
            source="本人填报",
            recorded_on=datetime.date(year - 1, 12, 20),
        )
        services.record_add(
            actor=keeper,
            archive=liu,
            kind="talk",
            summary="任职廉政谈话，强调分管城建领域廉洁风险。",
            source="随县纪委监委",
            recorded_on=datetime.date(year - 1, 3, 12),
        )
        services.record_add(
            actor=keeper,
            archive=liu,
            kind="gift",
            summary="春节期间上交某施工企业所送购物卡一张。",
            amount=1000,
            source="本人上交登记",
            recorded_on=datetime.date(year - 1, 2, 18),
        )
    if zhao is not None:
        services.matters_add(
            actor=keeper,
            archive=zhao,
            year=year - 2,
            items=["property"],
            summary="新购住房一套。",
            source="本人填报",
            recorded_on=datetime.date(year - 1, 1, 20),
        )
        services.record_add(
            actor=keeper,
            archive=zhao,
            kind="commitment",
            summary="签订年度廉洁从政承诺书。",
            source="随县纪委监委",
            recorded_on=datetime.date(year - 1, 2, 1),
        )
    chen = archives.get("陈某")
    if chen is not None:
        services.sanction_add(
            actor=keeper,
            archive=chen,
            kind="public_demerit",
            decided_on=datetime.date(year - 2, 6, 15),
            authority="广水市监委",
            reason="履职不力，造成不良影响（政务处分，影响期已满）。",
            source="审理室",
        )
    if wang is not None:
        services.sanction_add(
            actor=keeper,
            archive=wang,
            kind="party_warning",
            decided_on=today - datetime.timedelta(days=90),
            authority="厉山镇纪委",
            reason="违规发放村干部补贴。",
            source="审理室",
        )


def _opinion_request(archives: dict[str, IntegrityArchive]) -> None:
    from . import opinions

    asker = User.objects.filter(username="zuzhibu", roles__role=Role.ORG_DEPARTMENT).first()
    if asker is None or not archives:
        return
    lines = [
        f"{a.name} {a.id_number} {a.org_unit.name}{a.post}"
        for n, a in archives.items()
        if n in ("刘某", "王某")
    ]
    opinions.opinion_submit(
        actor=asker,
        ref_no=f"随组函〔{datetime.date.today().year}〕12号",
        purpose="promotion",
        persons_text="\n".join([*lines, "周某 随县财政局副局长"]),
        note="拟提拔人选征求党风廉政意见",
    )
