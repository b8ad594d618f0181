from django_otp.plugins.otp_totp.models import TOTPDevice

from jijian.core.api.auth import api_token_create
from jijian.core.notify import notify
from tests.authz import ALL, PUBLIC, UNAUTHORIZED, Entry


def _otp_reset_of_member_a(tree, people) -> dict:
    from jijian.core.accounts.security import otp_stamp

    TOTPDevice.objects.create(user=people.member_a, name="手机", confirmed=True)
    return {"action": "reset_otp", "reason": "手机丢失", "seen": otp_stamp(people.member_a)}


ORGS = frozenset(
    {
        "member_a",
        "township_a",
        "township_b",
        "county_officer",
        "outsider",
        "zone_officer",
        "city_petition",
        "system_admin",
        "security_admin",
        "party_liaison",
    }
)
# Who sees village A (in 厉山镇, 随县): its member, its township, its county, the city.
SEE_VILLAGE_A = frozenset(
    {"member_a", "township_a", "county_officer", "city_petition", "system_admin", "security_admin"}
)

ENTRIES = [
    Entry("healthz", ALL, anonymous=PUBLIC),
    Entry("readyz", ALL, anonymous=PUBLIC, get_ok=(200, 503)),
    Entry("javascript-catalog", ALL, anonymous=PUBLIC, note="the scripts' words: no data"),
    Entry(
        "set_language",
        ALL,
        methods=("POST",),
        post_data=lambda tree, people: {"language": "zh-hant", "next": "/"},
        anonymous=PUBLIC,
        note="the footer's language switch: a cookie, no data",
    ),
    Entry("core:login", ALL, anonymous=PUBLIC, get_ok=(200, 302)),
    Entry("core:logout", ALL, methods=("POST",)),
    Entry("core:password_change", ALL, get_ok=(200,)),
    Entry("core:otp_verify", ALL, get_ok=(200, 302)),
    Entry("core:otp_setup", ALL, get_ok=(200, 302)),
    Entry("core:home", ALL),
    Entry("core:my_account", ALL, note="each persona sees only their own account"),
    Entry("core:token_list", ALL, note="each persona sees only their own tokens"),
    # A token of member_a: only member_a can revoke it on the page; for everyone else it does not exist.
    Entry(
        "core:token_revoke",
        frozenset({"member_a"}),
        methods=("POST",),
        args=lambda t, p: [api_token_create(actor=p.member_a, name="t")[0].pk],
        get_ok=(302,),
    ),
    Entry("core:org_list", ORGS),
    Entry(
        "core:org_detail",
        SEE_VILLAGE_A,
        args=lambda t, p: [t.village_a.pk],
        extra_outside=lambda t, p: [t.village_c.pk],
    ),
    Entry("core:user_list", ORGS),
    Entry(
        "core:user_detail",
        SEE_VILLAGE_A,
        args=lambda t, p: [p.member_a.pk],
        extra_outside=lambda t, p: [p.outsider.pk],
    ),
    # Only the roles of the reveal policy (core/sensitive/reveal.py), inside their jurisdiction, may reveal.
    Entry(
        "core:user_reveal",
        frozenset({"system_admin", "security_admin"}),
        args=lambda t, p: [p.member_a.pk, "phone"],
        methods=("GET", "POST"),
        post_data=lambda t, p: {"reason": "核对联系方式"},
    ),
    Entry("core:notification_list", ALL),
    # Each persona's own notification is readable; someone else's is a 404 (notification of member_a).
    Entry(
        "core:notification_read",
        frozenset({"member_a"}),
        methods=("POST",),
        args=lambda t, p: [notify(recipient=p.member_a, title="测试通知").pk],
    ),
    Entry("core:account_list", frozenset({"system_admin"})),
    Entry(
        "core:account_create",
        frozenset({"system_admin"}),
        methods=("GET", "POST"),
        post_data=lambda t, p: {
            "username": "newbie",
            "full_name": "新人",
            "org_unit": t.village_a.pk,
            "temporary_password": "Xy-12345678a",
        },
    ),
    Entry("core:account_detail", frozenset({"system_admin"}), args=lambda t, p: [p.member_a.pk]),
    Entry(
        "core:account_edit",
        frozenset({"system_admin"}),
        args=lambda t, p: [p.member_a.pk],
        methods=("GET", "POST"),
        post_data=lambda t, p: {
            "version": p.member_a.version,
            "full_name": "改名",
            "org_unit": t.village_a2.pk,
        },
        extra_outside=lambda t, p: [p.outsider.pk],
    ),
    # The system administrator's page of one unit; POST: 重命名, the least destructive of its actions.
    Entry(
        "core:org_manage",
        frozenset({"system_admin"}),
        args=lambda t, p: [t.village_a.pk],
        methods=("GET", "POST"),
        post_data=lambda t, p: {
            "action": "rename",
            "rename-version": t.village_a.version,
            "rename-name": "改名村",
        },
        extra_outside=lambda t, p: [t.village_c.pk],
    ),
    Entry("core:calendar", frozenset({"system_admin"})),
    Entry("core:security_list", frozenset({"security_admin"})),
    # POST: the reset of a lost authenticator (member_a enrolled one), the page's one destructive action.
    Entry(
        "core:security_detail",
        frozenset({"security_admin"}),
        args=lambda t, p: [p.member_a.pk],
        methods=("GET", "POST"),
        post_data=_otp_reset_of_member_a,
    ),
    # API
    Entry("api:api-root", ALL, anonymous=PUBLIC, get_ok=(404,), note="ninja answers 404 at /api/ itself"),
    Entry("api:openapi-json", ALL, anonymous=PUBLIC),
    Entry("api:openapi-view", ALL, anonymous=PUBLIC),
    Entry("api:me", ALL, anonymous=UNAUTHORIZED),
    Entry("api:org_list", ORGS, anonymous=UNAUTHORIZED),
    Entry(
        "api:org_detail",
        SEE_VILLAGE_A,
        args=lambda t, p: [t.village_a.pk],
        anonymous=UNAUTHORIZED,
        extra_outside=lambda t, p: [t.village_c.pk],
    ),
    Entry("api:people_list", ORGS, anonymous=UNAUTHORIZED),
    Entry("api:people_detail", SEE_VILLAGE_A, args=lambda t, p: [p.member_a.pk], anonymous=UNAUTHORIZED),
    Entry("api:token_list", ALL, anonymous=UNAUTHORIZED),
    Entry(
        "api:token_create",
        ALL,
        anonymous=UNAUTHORIZED,
        methods=("POST",),
        post_data=lambda t, p: {"name": "phone"},
    ),
    # A token of member_a: only member_a can revoke it; for everyone else it does not exist.
    Entry(
        "api:token_revoke",
        frozenset({"member_a"}),
        anonymous=UNAUTHORIZED,
        methods=("DELETE",),
        args=lambda t, p: [api_token_create(actor=p.member_a, name="t")[0].pk],
    ),
]
