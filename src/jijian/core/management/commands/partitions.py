import re
from datetime import date

from django.conf import settings
from django.core.management import BaseCommand, CommandError
from django.utils.translation import gettext

from jijian.audit.models import AuditEvent
from jijian.core.ops.retention import partition_retention_apply
from jijian.partitions import (
    MONTHS_AHEAD,
    is_partitioned_database,
    partitioned_tables,
    partitions_create_ahead,
    partitions_detach,
    partitions_of,
)


def _month(value: str) -> date:
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", value.strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise CommandError(
            gettext("--before 的格式应为 年-月（如 2024-01），收到 “%(value)s”") % {"value": value}
        )
    return date(int(match[1]), int(match[2]), 1)


class Command(BaseCommand):
    help = (
        "按月分区（仅 PostgreSQL）：status 列出各分区表的分区和行数估计；create 建好本月及之后 "
        f"--ahead 个月（默认 {MONTHS_AHEAD}）的分区（定时任务每天也会做）；detach 表名 --before 年-月 "
        "把该月以前的分区从表中摘下（数据留在同名的独立表里，供归档后删除）；retain 按各表的保留月数"
        "（JIJIAN_PARTITION_KEEP_MONTHS_<表名>，定时任务每天也会做）摘下过期的分区。审计日志请用 jijian audit prune。"
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["status", "create", "detach", "retain"])
        parser.add_argument("table", nargs="?", default="")
        parser.add_argument("--ahead", type=int, default=MONTHS_AHEAD)
        parser.add_argument("--before", default="")

    def handle(self, *args, action, table="", ahead=MONTHS_AHEAD, before="", **options):
        if not is_partitioned_database():
            self.stdout.write("当前数据库不是 PostgreSQL：表未分区，无需维护")
            return
        if action == "create":
            created = partitions_create_ahead(ahead=ahead)
            self.stdout.write(
                f"已新建分区 {len(created)} 个" + (f"：{'、'.join(created)}" if created else "")
            )
            return
        if action == "retain":
            rules = settings.PARTITION_KEEP_MONTHS
            for spec in partitioned_tables():
                keep = rules.get(spec.name, 0)
                rule = f"保留 {keep} 个月" if keep > 0 else "不按保留期摘下"
                if spec.name == AuditEvent._meta.db_table:
                    rule = "只由 jijian audit prune 按审计日志保留期摘下"
                self.stdout.write(f"{spec.name}：{rule}")
            detached = [name for names in partition_retention_apply().values() for name in names]
            self.stdout.write(
                f"已摘下分区 {len(detached)} 个" + (f"：{'、'.join(detached)}" if detached else "")
            )
            return
        if action == "detach":
            if table == AuditEvent._meta.db_table:
                raise CommandError(
                    gettext("审计日志的分区只由 jijian audit prune 按保留期摘下（先校验哈希链并写检查点）")
                )
            if table not in {t.name for t in partitioned_tables()}:
                raise CommandError(
                    gettext("“%(table)s” 不是按月分区的表（见 jijian partitions status）") % {"table": table}
                )
            if not before:
                raise CommandError(gettext("detach 需要 --before 年-月"))
            detached = partitions_detach(table, before=_month(before))
            self.stdout.write(
                f"已摘下分区 {len(detached)} 个" + (f"：{'、'.join(detached)}" if detached else "")
            )
            return
        for spec in partitioned_tables():
            self.stdout.write(f"{spec.name}（按 {spec.column} 分月）")
            for partition in partitions_of(spec.name):
                label = f"{partition.month:%Y-%m}" if partition.month else "默认分区"
                rows = "未统计" if partition.rows < 0 else f"约 {partition.rows} 行"
                self.stdout.write(f"  {partition.name}  {label}  {rows}")
