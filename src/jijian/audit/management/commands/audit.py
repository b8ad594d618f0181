from django.core.management import BaseCommand, CommandError

from jijian.audit.services import audit_seal, audit_verify


class Command(BaseCommand):
    help = "审计日志：verify 校验整条哈希链（先封存未封存的日志），seal 立即封存"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "seal"])
        parser.add_argument("--no-seal", action="store_true", help="verify 时不先封存")

    def handle(self, *args, action, no_seal=False, **options):
        if action == "seal" or not no_seal:
            n = audit_seal()
            self.stdout.write(f"已封存 {n} 条")
        if action == "verify":
            result = audit_verify()
            if not result.ok:
                raise CommandError(
                    f"审计链校验失败：第一处问题在日志 id={result.first_bad_id} seq={result.first_bad_seq}："
                    f"{result.problem}（已校验 {result.checked} 条）"
                )
            self.stdout.write(f"审计链完整：已校验 {result.checked} 条")
