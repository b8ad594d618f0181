"""Manual content for tests: the city's editor (党风政风监督室 at 随州市) and a page written through the
services."""

from __future__ import annotations

from jijian.core.roles import Role
from jijian.manual import services
from tests.conftest import make_user


def city_editor(tree):
    return make_user("city_editor", tree.city, Role.CONDUCT_SUPERVISION)


def page(editor, code="reimbursement_check", title="村级报账单据复审签字", **kw):
    fields = {
        "kind": "duty_type",
        "summary": "纪检委员复审报账单据",
        "steps": ["核对票据", "复审签字"],
        "roles": ["纪检委员"],
        "checkpoints": ["白条"],
        "documents": ["复审意见"],
        **kw,
    }
    return services.page_create(actor=editor, code=code, title=title, **fields)
