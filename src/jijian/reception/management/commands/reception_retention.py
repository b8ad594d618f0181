"""Remove the reception recordings past their retention period (JIJIAN_RECEPTION_RECORDING_RETENTION_DAYS),
except those whose reception is linked to a case still open; each removal is an audit event. The
daily beat task `recordings_retention` does the same."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from jijian.reception.recordings import retention_purge


class Command(BaseCommand):
    help = "删除超过保存期限的视频接访录像（关联的信访举报未办结的除外）"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只列出，不删除")

    def handle(self, *args, dry_run=False, **options):
        days = settings.RECEPTION_RECORDING_RETENTION_DAYS
        if not days:
            self.stdout.write(
                "未设置录像保存期限（JIJIAN_RECEPTION_RECORDING_RETENTION_DAYS=0）：录像永久保存"
            )
            return
        removed, kept = retention_purge(dry_run=dry_run)
        verb = "将删除" if dry_run else "已删除"
        for rec in removed:
            self.stdout.write(
                f"{verb} 接访 {rec.reception_id} {rec.participant}（{rec.segment}）{rec.file_path}"
            )
        for rec, reason in kept:
            self.stdout.write(f"保留 接访 {rec.reception_id} {rec.participant}（{rec.segment}）：{reason}")
        self.stdout.write(f"保存期限 {days} 天：{verb} {len(removed)} 个，保留 {len(kept)} 个")
