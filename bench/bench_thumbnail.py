"""Thumbnails kept after their first view: what a later view of a photo's thumbnail costs against its
first view, which decrypts the original (a photo stored once, as evidence), re-encodes it without its
metadata and scales it down. A review page shows a thumbnail per photo; before, every view paid the
first view's price.

    .venv/bin/python bench/bench_thumbnail.py [--repeat 30]

No server, no PostgreSQL: an in-memory SQLite database and a temporary file store, the real
`attachment_store` and `attachment_thumbnail`. A generated 1600x1200 photo with EXIF (a phone's
size), stored once as evidence (`keep_original=True`) and, beside it, as a plain re-encoded copy.
Value: a later view (the kept thumbnail read, and decrypted for the evidence). Floor: the first view,
made from the stored photo (the kept thumbnail removed before each, so each one makes it anew).
Ratio below 1: the later view is cheaper; target 0.2 (a fifth of the first view or less). CPU time of
the process, medians. See bench/README.md, "Thumbnails".
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

TARGET = 0.2


def photo_bytes() -> bytes:
    """A 1600x1200 JPEG with a gradient and noise (a compressible but not trivial phone photo)."""
    from PIL import Image

    image = Image.effect_noise((1600, 1200), 40).convert("RGB")
    gradient = Image.linear_gradient("L").resize((1600, 1200)).convert("RGB")
    image = Image.blend(image, gradient, 0.6)
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "BenchPhone"  # camera make
    image.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30, help="views timed per side (at least 3)")
    args = parser.parse_args()
    if args.repeat < 3:
        parser.error("--repeat 至少为 3")
    files = Path(tempfile.mkdtemp(prefix="jijian-bench-thumb-"))
    os.environ.update(JIJIAN_ENV="test", DJANGO_SETTINGS_MODULE="jijian.config.settings")
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection

    from jijian.attachments.models import Attachment
    from jijian.attachments.services import attachment_store, attachment_thumbnail, file_storage
    from jijian.core.models import OrgKind
    from jijian.core.roles import Module
    from jijian.core.services import org_unit_create

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(files)},
        },
    }
    connection.creation.create_test_db(verbosity=0)
    call_command("migrate", verbosity=0)
    city = org_unit_create(
        actor=None, name="随州市", kind=OrgKind.CITY, parent=None, code="421300", audit=False
    )
    data = photo_bytes()

    def stored(keep_original: bool) -> Attachment:
        return attachment_store(
            actor=None,
            file=SimpleUploadedFile("走访.jpg", data),
            org_unit=city,
            module=Module.REPORTS,
            purpose="reports.duty_log",
            keep_original=keep_original,
        )

    def cpu_ms(fn) -> float:
        started = time.process_time()
        fn()
        return (time.process_time() - started) * 1000

    for label, attachment in (("evidence", stored(True)), ("copy", stored(False))):

        def first_view(pk=attachment.pk) -> None:
            row = Attachment.objects.get(pk=pk)
            if row.thumbnail_storage_name:
                file_storage().delete(row.thumbnail_storage_name)
                Attachment.objects.filter(pk=pk).update(thumbnail_storage_name="")
                row.thumbnail_storage_name = ""
            attachment_thumbnail(attachment=row)

        def later_view(pk=attachment.pk) -> None:
            attachment_thumbnail(attachment=Attachment.objects.get(pk=pk))

        first_view()
        made, kept = [], []
        for _ in range(args.repeat):  # interleaved
            made.append(cpu_ms(first_view))
            kept.append(cpu_ms(later_view))
        value, floor = statistics.median(kept), statistics.median(made)
        print(
            f"# thumbnail_{label}: photo {len(data)} bytes 1600x1200; n={args.repeat}; first view (made) "
            f"{min(made):.2f}..{max(made):.2f} ms, later view (kept) {min(kept):.2f}..{max(kept):.2f} ms of CPU; "
            f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs",
            flush=True,
        )
        print(
            f"BENCH name=thumbnail_{label} scale=photo value={value:.3f} unit=ms floor={floor:.3f} "
            f"ratio={value / floor:.3f} target={TARGET:g}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
