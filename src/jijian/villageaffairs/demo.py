"""Demo of village affairs (`jijian setup`): the rules of two villages of 厉山镇 filed with the
township, and six 三重一大 decisions through their own services — one walked through the six steps
of 四议两公开 (resolved by the 村民代表会议), one whose party members' meeting is short of its quorum,
one that skipped the party members' meeting and reused the first one's representatives' list (both
meetings are flagged), one resolved by a 村民会议 of the households' representatives (quorate), one by
a 村民会议 of the villagers that fewer than half of them attended (flagged), one whose minutes were
recorded late. The demo member `cun` and the township `xiangzhen` see them; their flags wait on the
risk board."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from jijian.core.models import OrgUnit, User
from jijian.core.roles import Role

from . import services
from .models import MeetingForm, Step

PARTY = ["张明", "李华", "王建国", "刘芳", "陈志强", "杨秀英", "赵军", "黄丽", "周涛", "吴敏", "徐刚", "孙燕", "胡斌",
         "朱红", "高峰", "林静", "何平", "郭勇", "马兰", "罗成", "梁波", "宋洁", "郑伟", "谢芳", "韩磊", "唐敏",
         "冯雪", "于洋", "董强", "萧红"]  # fmt: skip
REPRESENTATIVES = ["代表" + c for c in "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌"]


def _photo(name: str):
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 420), (250, 250, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 620, 400), outline=(180, 20, 20), width=8)
    for y in range(90, 380, 36):
        draw.line((60, y, 580, y), fill=(120, 120, 120), width=3)
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    buf.seek(0)
    buf.name = name
    return buf


def _day(n: int):
    return timezone.localdate() - timedelta(days=n)


def _meeting(step: int, held_on, title: str, **extra) -> dict:
    fields: dict = {"held_on": held_on, "member_present": True, "member_opinion": "程序规范，无异议"}
    if step in (Step.PROPOSAL, Step.TWO_COMMITTEES):
        fields.update(
            roll=7,
            attended=7,
            votes_for=7,
            minutes=f"{title}：{'村党支部委员会提议' if step == 1 else '村“两委”联席会议商议'}，形成初步方案，"
            "与会人员一致同意提交下一环节。",
        )
    elif step == Step.PARTY_MEETING:
        fields.update(
            roll=30,
            attended=26,
            attendees="、".join(PARTY[:26]),
            votes_for=25,
            votes_against=1,
            minutes=f"党员大会审议{title}方案，逐项说明预算和实施办法，与会党员举手表决。",
        )
    elif step == Step.VILLAGERS_MEETING:
        fields.update(
            meeting_form=MeetingForm.REPRESENTATIVES,
            roll=21,
            attended=18,
            attendees="、".join(REPRESENTATIVES[:18]),
            votes_for=17,
            votes_abstain=1,
            minutes=f"村民代表会议决议：同意{title}方案，由村委会组织实施，村务监督委员会全程监督。",
        )
    else:
        fields.update(
            minutes=f"{title}{'决议' if step == 5 else '实施结果'}在村务公开栏及“清廉随州”公众号公示7天，期间无异议。",
            files=[_photo(f"公开栏{step}.png")],
        )
    fields.update(extra)
    return fields


def load_demo(*, seed: int) -> int:
    township = OrgUnit.objects.filter(name="厉山镇").first()
    cun = User.objects.filter(username="cun").first()
    if township is None or cun is None:
        return 0
    other = (
        User.objects.filter(roles__role=Role.VILLAGE_MEMBER, org_unit__parent=township)
        .exclude(org_unit=cun.org_unit)
        .order_by("org_unit__path")
        .first()
    )
    count = 0
    # cun's village files all three rolls of the villagers' decision; the other no household roll (a
    # 村民会议 of the households cannot be recorded there until it files one).
    for member, households in ((cun, 412), (other, 0)):
        if member is not None:
            services.village_rules_file(
                actor=member,
                version=0,
                large_amount=Decimal("50000"),
                item_types="村级规划和村规民约；集体土地承包、租赁；公益事业建设；集体资产处置；5万元以上资金使用；"
                "村干部误工补贴标准；救灾救济和低保",
                party_members=30,
                adult_villagers=1186,
                households=households,
                representatives=21,
                minutes_late_days=7,
            )

    def walk(member, decision, steps: dict[int, dict]) -> None:
        for step, fields in steps.items():
            services.decision_step_record(actor=member, decision=decision, step=step, **fields)

    title = "村部及文化广场维修改造"
    clean = services.major_decision_register(
        actor=cun,
        category="major_project",
        title=title,
        amount=Decimal("180000"),
        description="村部屋面防水、文化广场硬化",
    )
    walk(cun, clean, {s: _meeting(s, _day(7 - s), title) for s in range(1, 7)})
    # A step corrected by the member who recorded it: the old values stay as the step's history.
    step = clean.steps.get(step=2)
    services.decision_step_correct(
        actor=cun,
        record=step,
        version=step.version,
        reason="补充监督意见",
        **{
            **{name: getattr(step, name) for name in services.CORRECTABLE},
            "member_opinion": "程序规范；已提醒会议记录须由全体参会人员签字",
        },
    )
    count += 1

    title = "集体鱼塘承包经营权发包"
    short = services.major_decision_register(
        actor=cun, category="major_matter", title=title, amount=Decimal("36000")
    )
    walk(
        cun,
        short,
        {
            1: _meeting(1, _day(5), title),
            2: _meeting(2, _day(4), title),
            3: _meeting(
                3,
                _day(2),
                title,
                attended=17,
                attendees="、".join(PARTY[5:22]),
                votes_for=16,
                votes_against=1,
                member_opinion="到会党员不足三分之二，建议择期重新召开党员大会",
            ),
        },
    )
    count += 1

    title = "村组道路硬化资金使用"
    skipped = services.major_decision_register(
        actor=cun, category="large_fund", title=title, amount=Decimal("260000")
    )
    walk(
        cun,
        skipped,
        {
            1: _meeting(1, _day(6), title),
            2: _meeting(2, _day(5), title),
            # No party members' meeting; the representatives' list is the one of the village hall's meeting
            # (held on another day: the same list at one sitting is not suspicious).
            4: _meeting(
                4,
                _day(2),
                title,
                out_of_sequence_reason="村两委称党员大会因农忙未召开",
                member_opinion="未经党员大会审议，已当场提出",
            ),
        },
    )
    count += 1

    # Resolved by a 村民会议 of the households' representatives: 281 of 412 households, two thirds
    # or more (275) — quorate — and the resolution made public.
    title = "二轮土地承包到期延包方案"
    by_households = services.major_decision_register(actor=cun, category="major_matter", title=title)
    steps = {s: _meeting(s, _day(8 - s), title) for s in (1, 2)}
    steps[3] = _meeting(3, _day(5), title, attendees="、".join(PARTY[4:30]))
    steps[5] = _meeting(5, _day(1), title)
    steps[4] = _meeting(
        4,
        _day(4),
        title,
        meeting_form=MeetingForm.HOUSEHOLDS,
        roll=None,
        attended=281,
        attendees="",
        votes_for=263,
        votes_against=11,
        votes_abstain=7,
        minutes=f"村民会议（每户一名代表）表决{title}：到会户代表281人，赞成263票，反对11票，弃权7票，通过。",
    )
    walk(cun, by_households, dict(sorted(steps.items())))
    count += 1

    # Taken to a 村民会议 of the villagers that 540 of the village's 1,186 adults attended: not more
    # than half (594 needed), so its quorum is flagged although the representatives' two thirds would
    # have been met by far.
    title = "村规民约修订"
    villagers = services.major_decision_register(actor=cun, category="major_matter", title=title)
    walk(
        cun,
        villagers,
        {
            1: _meeting(1, _day(6), title),
            2: _meeting(2, _day(5), title),
            3: _meeting(3, _day(4), title, attendees="、".join(PARTY[2:28])),
            4: _meeting(
                4,
                _day(2),
                title,
                meeting_form=MeetingForm.VILLAGERS,
                roll=None,
                attended=540,
                attendees="",
                votes_for=498,
                votes_against=30,
                votes_abstain=12,
                minutes=f"村民会议表决{title}（修订稿）：到会村民540人，赞成498票，通过。",
                member_opinion="到会村民未过半数，已提醒村委会择期重新召开或提交村民代表会议",
            ),
        },
    )
    count += 1

    if other is not None:
        title = "村干部误工补贴标准调整"
        late = services.major_decision_register(actor=other, category="major_matter", title=title)
        walk(other, late, {1: _meeting(1, _day(12), title, member_present=False, member_opinion="")})
        count += 1
    _load_vouchers(cun, User.objects.filter(username="xiangzhen").first())
    from .board import public_board_publish

    public_board_publish(
        actor=cun,
        version=0,
        duties="监督村“三重一大”事项决策和“四议两公开”落实；复审会签村级财务报账；监督惠民惠农资金发放；"
        "收集群众反映的问题线索，及时向镇纪委报告。",
        commitments="坚持原则、敢于监督；公道正派、不徇私情；群众反映的问题件件有登记、事事有回音。",
        contact="村委会办公室（工作日 8:30—17:30），电话 0722-4321000",
    )
    from .board import public_board_photo_set

    public_board_photo_set(actor=cun, village_id=cun.org_unit_id, file=_portrait())
    township_officer = User.objects.filter(username="xiangzhen").first()
    if township_officer is not None:
        # The township turns the skipped party members' meeting into a problem clue (petitions register).
        services.flag_open_clue(
            actor=township_officer,
            decision=skipped,
            flag_key="missing:3",
            facts="道路硬化资金26万元未经党员大会审议即提交村民代表会议，需核实是否规避集体决策。",
        )
    return count


def _portrait():
    """A plain drawn portrait for the demo member's 四亮 photo (no real person's picture)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (300, 400), (214, 228, 240))
    draw = ImageDraw.Draw(image)
    draw.ellipse((95, 70, 205, 190), fill=(236, 205, 180))
    draw.rectangle((60, 220, 240, 400), fill=(40, 60, 110))
    draw.polygon([(150, 220), (130, 260), (170, 260)], fill=(250, 250, 250))
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    buf.seek(0)
    buf.name = "member.png"
    return buf


def _load_vouchers(cun, township_officer) -> None:
    """Five vouchers of cun's village: one booked, one waiting for the secretary, two that look like one
    purchase split under the large-amount threshold, one objected to at the member's re-check and
    waiting for the township."""
    from . import reimbursements as r

    def enter(purpose, amount, handler, days):
        return r.voucher_enter(
            actor=cun, purpose=purpose, amount=Decimal(amount), spent_on=_day(days), handler_name=handler,
            files=[_photo("票据.png")],
        )  # fmt: skip

    def sign(actor, voucher, name="", **kw):
        voucher.refresh_from_db()
        r.voucher_sign(actor=actor, voucher=voucher, version=voucher.version, signer_name=name, **kw)

    booked = enter("村部办公用品及打印耗材", "1860.00", "王会计", 6)
    sign(cun, booked, "周监委", opinion="票据齐全")
    sign(cun, booked, opinion="复审无误")
    sign(cun, booked, "李书记")
    sign(cun, booked, "陈主任")
    if township_officer is not None:  # the committee records the agency's booking, by its clerk's name
        sign(township_officer, booked, "孙会计", opinion="已入账")
    waiting = enter("村组道路养护材料", "12800.00", "刘组长", 3)
    sign(cun, waiting, "周监委", opinion="同意")
    sign(cun, waiting, opinion="与道路硬化决议一致")
    # One purchase entered as two, each under the village's 50,000 元: a split-expense flag, told to
    # the township (its notification) and on its risk board (疑似拆分报账).
    enter("村文化广场绿化苗木（第一批）", "28000.00", "刘组长", 9)
    enter("村文化广场绿化苗木（第二批）", "24000.00", "刘组长", 4)
    objected = enter("接待餐费", "960.00", "赵文书", 2)
    sign(cun, objected, "周监委")
    sign(cun, objected, objection=True, opinion="村级不得列支招待费，票据抬头也不是本村")
