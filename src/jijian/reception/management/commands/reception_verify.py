"""Integrity check of the stored reception recordings: each file's SHA-256 against the one recorded."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from jijian.reception.models import ReceptionRecording, RecordingState
from jijian.reception.recordings import verify_stored


class Command(BaseCommand):
    help = "核验视频接访录像文件的 SHA-256"

    def handle(self, *args, **options):
        bad = []
        count = 0
        for rec in ReceptionRecording.objects.filter(state=RecordingState.VERIFIED).iterator():
            count += 1
            if not verify_stored(rec):
                bad.append(f"{rec.reception_id}:{rec.participant}:{rec.segment} {rec.file_path}")
        self.stdout.write(f"已核验 {count} 个录像文件")
        if bad:
            raise CommandError("以下录像文件缺失或与存档哈希不符：\n" + "\n".join(bad))
