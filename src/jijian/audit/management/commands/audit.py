import re

from django.core.management import BaseCommand, CommandError
from django.utils.translation import gettext

from jijian.audit.services import AuditChainBroken, audit_head, audit_prune, audit_seal, audit_verify


def _anchor(value: str) -> tuple[int, str]:
    match = re.fullmatch(r"(\d+):([0-9a-f]{64})", value.strip().lower())
    if not match:
        raise CommandError(
            gettext("--anchor 的格式应为 序号:64位十六进制哈希（即 `jijian audit head` 的输出）")
        )
    return int(match.group(1)), match.group(2)


class Command(BaseCommand):
    help = (
        "审计日志：verify 校验整条哈希链（先封存未封存的日志），发现问题时指出第一条问题日志并以非零状态退出；"
        "seal 立即封存；head 输出链头（序号:哈希），供离线留存后用 verify --anchor 比对；"
        "prune 删除超过保留期（AUDIT_RETENTION_DAYS，至少 180 天）的已封存日志并写检查点"
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "seal", "head", "prune"])
        parser.add_argument("--no-seal", action="store_true", help="verify 时不先封存")
        parser.add_argument("--anchor", default="", help="此前用 head 留存的链头 序号:哈希，校验时一并比对")

    def handle(self, *args, action, no_seal=False, anchor="", **options):
        if action == "head":
            seq, chain_hash = audit_head()
            self.stdout.write(f"{seq}:{chain_hash}")
            return
        if action == "prune":
            audit_seal()
            try:
                removed = audit_prune()
            except AuditChainBroken as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"已清理超过保留期的审计日志 {removed} 条")
            return
        anchor_value = _anchor(anchor) if anchor else None
        if action == "seal" or not no_seal:
            n = audit_seal()
            self.stdout.write(f"已封存 {n} 条")
        if action == "verify":
            result = audit_verify(anchor=anchor_value)
            if not result.ok:
                where = []
                if result.first_bad_id is not None:
                    where.append(f"id={result.first_bad_id}")
                if result.first_bad_seq is not None:
                    where.append(f"序号={result.first_bad_seq}")
                raise CommandError(
                    gettext(
                        "审计链校验失败：第一处问题在日志 %(value)s：%(problem)s（此前已校验 %(checked)s 条完好）"
                    )
                    % {
                        "value": " ".join(where) or "（链尾）",
                        "problem": result.problem,
                        "checked": result.checked,
                    }
                )
            self.stdout.write(f"审计链完整：已校验 {result.checked} 条")
