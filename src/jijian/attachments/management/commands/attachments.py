from datetime import timedelta

from django.core.management import BaseCommand

from jijian.attachments.services import attachment_evidence_rekey, attachment_orphans_sweep


class Command(BaseCommand):
    help = (
        "附件维护（见 docs/attachments.md）：sweep 删除没有记录对应的存储文件（上传事务回滚后遗留，"
        "默认只删 6 小时前的）；rekey-evidence 用当前主密钥重新加密证据原件（jijian keys rotate 之后执行，可重复执行）"
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["sweep", "rekey-evidence"])
        parser.add_argument(
            "--older-than-hours", type=float, default=6.0, help="sweep：只删除早于此时长的文件"
        )
        parser.add_argument("--batch", type=int, default=50, help="rekey-evidence：每批处理的附件数")

    def handle(self, *args, action, older_than_hours=6.0, batch=50, **options):
        if action == "sweep":
            removed = attachment_orphans_sweep(older_than=timedelta(hours=older_than_hours))
            self.stdout.write(f"已删除 {removed} 个无记录的文件")
        else:
            done = attachment_evidence_rekey(batch=batch)
            self.stdout.write(f"已重新加密 {done} 个证据原件")
