"""Lists from templates, records and their bad input, view-not-edit for the commission."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jijian.audit.models import AuditEvent
from jijian.core.services import ConcurrentEditError
from jijian.responsibility import services
from jijian.responsibility.models import (
    Frequency,
    FulfilmentRecord,
    Holder,
    LeadershipMember,
    MemberRole,
    RecordComment,
    ResponsibilityItem,
)

from .conftest import meeting, publish, staff_org

YEAR = date.today().year


def test_a_list_is_generated_from_the_city_templates_once_per_holder_and_member(tree, people, resp):
    liaison = people.party_liaison
    staff_org(liaison, members=2)
    publish(resp.city_office, YEAR)
    publish(
        resp.city_office, YEAR, holder=Holder.SECRETARY, title="廉政谈话", frequency=Frequency.HALF_YEARLY
    )
    publish(resp.city_office, YEAR, holder=Holder.MEMBER, title="分管领域检查", record_type="inspection")
    publish(resp.city_office, YEAR - 1, title="去年的事项")
    assert services.list_generate(actor=liaison, org=tree.party_org, year=YEAR) == 4  # 1 + 1 + 2 members
    items = ResponsibilityItem.objects.filter(org_unit=tree.party_org, year=YEAR)
    assert sorted(items.exclude(member=None).values_list("member__name", flat=True)) == [
        "班子成员0",
        "班子成员1",
    ]
    # Again, after a new member joined: only what is missing.
    services.member_save(actor=liaison, org=tree.party_org, name="新成员", role=MemberRole.MEMBER)
    assert services.list_generate(actor=liaison, org=tree.party_org, year=YEAR) == 1
    assert services.list_generate(actor=liaison, org=tree.party_org, year=YEAR) == 0
    assert AuditEvent.objects.filter(action="responsibility.list_generate").count() == 3


def test_only_the_organisations_own_liaison_writes_its_leadership_list_and_records(tree, people, resp):
    with pytest.raises(PermissionDenied):
        services.member_save(actor=resp.city_office, org=tree.party_org, name="张", role=MemberRole.SECRETARY)
    with pytest.raises(PermissionDenied):  # the committee's liaison does not write for its branch
        services.list_generate(actor=people.party_liaison, org=resp.branch, year=YEAR)
    item = ResponsibilityItem.objects.create(
        org_unit=tree.party_org, year=YEAR, holder="organisation", title="事项", frequency="yearly"
    )
    with pytest.raises(PermissionDenied):
        meeting(resp.city_office, item, date(YEAR, 1, 2), entered_on=date(YEAR, 1, 2))
    assert not FulfilmentRecord.objects.exists()


def test_one_secretary_in_office_and_edits_carry_the_version(tree, people):
    liaison = people.party_liaison
    staff_org(liaison, members=0)
    with pytest.raises(ValidationError, match="已有在任书记"):
        services.member_save(actor=liaison, org=tree.party_org, name="李书记", role=MemberRole.SECRETARY)
    secretary = LeadershipMember.objects.get(role=MemberRole.SECRETARY)
    services.member_save(
        actor=liaison,
        org=tree.party_org,
        member=secretary,
        version=1,
        name="张书记",
        role="secretary",
        is_active=False,
    )
    with pytest.raises(ConcurrentEditError):  # a second tab still holds version 1
        services.member_save(
            actor=liaison, org=tree.party_org, member=secretary, version=1, name="张某", role="secretary"
        )
    assert LeadershipMember.objects.get(pk=secretary.pk).name == "张书记"
    services.member_save(actor=liaison, org=tree.party_org, name="李书记", role=MemberRole.SECRETARY)


def test_bad_records_are_refused_with_a_clear_message_and_nothing_changes(tree, people, resp):
    liaison = people.party_liaison
    today = date.today()
    own = ResponsibilityItem.objects.create(
        org_unit=tree.party_org, year=today.year, holder="organisation", title="事项", frequency="yearly"
    )
    other = ResponsibilityItem.objects.create(
        org_unit=resp.other_org,
        year=today.year,
        holder="organisation",
        title="别人的事项",
        frequency="yearly",
    )
    with pytest.raises(ValidationError, match="不能晚于今天"):
        meeting(liaison, own, today + timedelta(days=1), entered_on=today)
    with pytest.raises(ValidationError, match="不属于本党组织"):
        meeting(liaison, other, today, entered_on=today)
    with pytest.raises(ValidationError, match="廉政十分钟"):
        meeting(liaison, own, today, entered_on=today, integrity_topic="")
    with pytest.raises(ValidationError, match=f"{today.year}年内"):
        meeting(liaison, own, date(today.year - 1, 12, 30), entered_on=today)
    assert not FulfilmentRecord.objects.exists()
    assert not AuditEvent.objects.filter(action="responsibility.record_create").exists()


def test_a_template_that_lists_copied_is_not_edited_but_withdrawn(tree, people, resp):
    template = publish(resp.city_office, YEAR)
    template = services.template_save(
        actor=resp.city_office,
        template=template,
        version=1,
        year=YEAR,
        **{**_fields(template), "title": "改过的"},
    )
    assert template.title == "改过的"  # nobody had copied it
    services.list_generate(actor=people.party_liaison, org=tree.party_org, year=YEAR)
    with pytest.raises(ValidationError, match="不能修改"):
        services.template_save(
            actor=resp.city_office,
            template=template,
            version=2,
            year=YEAR,
            **{**_fields(template), "title": "再改"},
        )
    services.template_save(
        actor=resp.city_office, template=template, version=2, year=YEAR, is_active=False, **_fields(template)
    )
    assert ResponsibilityItem.objects.get(org_unit=tree.party_org).title == "改过的"
    # The county office cannot edit the city's template.
    with pytest.raises(PermissionDenied):
        services.template_save(
            actor=people.county_officer, template=template, version=3, year=YEAR, **_fields(template)
        )


def _fields(t):
    return {f: getattr(t, f) for f in services.ITEM_FIELDS}


def test_the_commission_comments_but_the_record_stays_as_entered(tree, people, resp):
    item = ResponsibilityItem.objects.create(
        org_unit=tree.party_org, year=YEAR, holder="organisation", title="事项", frequency="yearly"
    )
    record = meeting(people.party_liaison, item, date(YEAR, 1, 5), entered_on=date(YEAR, 1, 5))
    services.record_comment(actor=resp.city_office, record=record, text="请补充会议照片")
    assert RecordComment.objects.get().text == "请补充会议照片"
    with pytest.raises(PermissionDenied):  # the county office is not over the city's departments
        services.record_comment(actor=people.county_officer, record=record, text="x")
    with pytest.raises(PermissionDenied):
        services.record_comment(actor=people.party_liaison, record=record, text="x")
