from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "jijian.attachments"
    verbose_name = "附件"

    def ready(self) -> None:
        from jijian.core.sensitive.keys import register_key_user

        from .models import Attachment
        from .services import attachment_evidence_rekey

        # Evidence originals are SM4-GCM encrypted under a data key recorded per row: `jijian keys
        # rotate` re-encrypts them, `jijian keys retire` must not drop a key they still use.
        register_key_user(
            "attachments.attachment.evidence_key_id",
            lambda kid: Attachment._base_manager.filter(evidence_key_id=kid).count(),
            rotate=lambda: attachment_evidence_rekey(),
            key_ids=lambda: set(
                Attachment._base_manager.exclude(evidence_key_id="")
                .order_by()
                .values_list("evidence_key_id", flat=True)
                .distinct()
            ),
        )
