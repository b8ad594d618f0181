"""`jijian receipts`: how many reporters' receipt codes are hashed under each Argon2id cost."""

from django.core.management import BaseCommand, CommandError
from django.db.models import Count
from django.utils.translation import gettext

from jijian.petitions.intake import receipt
from jijian.petitions.models import PetitionReport


class Command(BaseCommand):
    help = (
        "查询码哈希：按 Argon2id 参数统计举报件数量。当前参数之外的旧参数须保留在 "
        "JIJIAN_PETITION_RECEIPT_ARGON2_PREVIOUS 中，直到其数量为 0（举报人下次查询时自动按当前参数重新计算）"
    )

    def handle(self, *args, **options):
        current = receipt.scheme_id()
        previous = {receipt.scheme_id(c) for c in receipt.previous_costs()}
        rows = (
            PetitionReport.objects.filter(receipt_hash__isnull=False)
            .order_by()
            .values_list("receipt_scheme")
            .annotate(n=Count("pk"))
            .order_by("receipt_scheme")
        )
        stuck = lost = 0
        for scheme, n in rows:
            if scheme == current:
                status = "当前参数"
            elif scheme in previous:
                status = "旧参数（已列入 PREVIOUS，仍可查询）"
            elif not scheme.endswith(":" + receipt.salt_id()):
                status = "索引密钥更换前生成：这些查询码已无法查询"
                lost += n
            else:
                status = "未列入配置：这些查询码目前无法查询"
                stuck += n
            self.stdout.write(f"{scheme or '（未记录）'}\t{n}\t{status}")
        problems = []
        if lost:
            problems.append(
                gettext(
                    "有 %(lost)s 件举报的查询码在索引密钥更换前生成（或恢复时未放回原密钥），无法再凭查询码查询（见 docs/keys.md、docs/backup.md）"
                )
                % {"lost": lost}
            )
        if stuck:
            problems.append(
                gettext(
                    "有 %(stuck)s 件举报的查询码使用的参数既不是当前参数也不在 JIJIAN_PETITION_RECEIPT_ARGON2_PREVIOUS 中：请把这些参数加回该设置"
                )
                % {"stuck": stuck}
            )
        # Non-zero whenever some receipt cannot be checked: a script or a monitor must notice.
        if problems:
            raise CommandError("；".join(problems))
