from django.core.files.uploadedfile import SimpleUploadedFile

from jijian.attachments.services import attachment_store
from jijian.core.roles import Module

from . import samples


def make_attachment(
    tree,
    people,
    *,
    name="神农村履职记录.pdf",
    content=None,
    module=Module.REPORTS,
    unit=None,
    actor=None,
    keep_original=False,
):
    """A PDF attachment of village A under the reports module (stored through the real service)."""
    return attachment_store(
        actor=actor or people.member_a,
        file=SimpleUploadedFile(name, content if content is not None else samples.pdf()),
        org_unit=unit or tree.village_a,
        module=module,
        purpose="reports.duty_log",
        object_id=1,
        keep_original=keep_original,
    )
