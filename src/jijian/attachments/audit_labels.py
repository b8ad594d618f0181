"""Chinese names of the events the attachment store record in the audit trail (core.audit_reader)."""

from jijian.core.audit_reader.labels import register_labels

register_labels(
    actions={
        "attachment.upload": "上传附件",
        "attachment.download": "下载附件",
        "attachment.original_read": "查看附件原件",
        "attachment.evidence_rekey": "证据附件重新加密",
    },
)
