from django.core.management import BaseCommand, CommandError
from django.utils.translation import gettext

from jijian.core.sensitive import keys


class Command(BaseCommand):
    help = (
        "数据密钥管理（见 docs/keys.md）：status 显示密钥与各密钥加密的值的数量；new 生成新的主密钥"
        "（--standby 为备用密钥）；promote KID 把备用密钥设为主密钥；"
        "rotate 用主密钥重新加密所有旧值（可在服务运行时执行，可重复执行）；retire KID 停用不再使用的密钥；"
        "reindex 用当前盲索引密钥重建全部盲索引；check 检查数据用到的每个密钥都在密钥环中并能解密（恢复后使用，不通过则以非零状态退出）"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "action", choices=["status", "check", "new", "promote", "rotate", "retire", "reindex"]
        )
        parser.add_argument(
            "kid", nargs="?", default="", help="retire/promote：密钥编号；new：新密钥编号（可省略）"
        )
        parser.add_argument(
            "--standby",
            action="store_true",
            help="new：新密钥先作为备用（第二个），各服务器都能解密后再用 promote 设为主密钥",
        )
        parser.add_argument("--batch", type=int, default=500, help="rotate/reindex 每个事务处理的行数")

    def handle(self, *args, action, kid="", batch=500, standby=False, **options):
        self.verbosity = options.get("verbosity", 1)
        try:
            getattr(self, f"do_{action}")(kid=kid, batch=batch, standby=standby)
        except keys.KeyOperationError as exc:
            raise CommandError(str(exc)) from None

    def do_check(self, **_):
        result = keys.key_check()
        if not result.ok:
            raise CommandError(result.problem())
        used = "、".join(sorted(result.needed)) or "（尚无加密数据）"
        self.stdout.write(f"密钥检查通过：数据使用密钥 {used}，抽样解密 {result.sampled} 列次均成功")
        self.stdout.write(f"盲索引密钥：{index_state(result.index)}")

    def do_status(self, **_):
        status = keys.key_status()
        source = "环境变量 JIJIAN_DATA_KEYS" if status.source == "env" else "密钥文件 JIJIAN_KEY_FILE"
        self.stdout.write(f"密钥来源：{source}")
        self.stdout.write(f"主密钥：{status.primary}")
        for kid in status.key_ids:
            mark = "（主）" if kid == status.primary else ""
            self.stdout.write(f"  {kid}{mark}：{status.count_for(kid)} 个值")
        for fs in status.fields:
            parts = [f"{k}={n}" for k, n in fs.by_key.items()]
            parts += [f"{k}(旧格式 sm4g1)={n}" for k, n in fs.legacy.items() if n]
            if fs.unknown:
                parts.append(f"未知密钥={fs.unknown}")
            self.stdout.write(f"  {fs.label}：共 {fs.total}；{'，'.join(parts)}")
        for other in status.others:
            parts = [f"{k}={n}" for k, n in other.by_key.items()]
            note = "" if other.rotated else "（rotate 不重新加密）"
            self.stdout.write(f"  {other.label}：{'，'.join(parts)}{note}")
        self.stdout.write(f"待重新加密：{status.pending}")
        self.stdout.write(f"盲索引密钥：{index_state(status.index)}")
        if any(fs.unknown for fs in status.fields):
            self.stderr.write("有值使用密钥环中没有的密钥，无法解密：请找回该密钥")
        if status.index is not None and not status.index.ok:
            self.stderr.write(status.index.problem())

    def _deploy(self, result, done: str, then: str):
        if result.source == "file":
            self.stdout.write(f"{done}，已写入 {result.key_file}")
            self.stdout.write(f"下一步：把该密钥文件分发到所有应用服务器和后台任务服务器，{then}")
        else:
            self.stdout.write(f"{done}。密钥来自环境变量，本命令不能修改它；")
            self.stdout.write(
                f"请把以下值安全地设置到所有应用服务器和后台任务服务器的 JIJIAN_DATA_KEYS 并逐台重启，{then}："
            )
            self.stdout.write(f"JIJIAN_DATA_KEYS={result.env_value}")

    def do_new(self, *, kid, standby, **_):
        result = keys.key_new(kid=kid, standby=standby)
        if standby:
            self._deploy(
                result,
                f"已生成备用密钥 {result.kid}（旧主密钥不变）",
                f"然后运行 `jijian keys promote {result.kid}`",
            )
        else:
            self._deploy(
                result, f"已生成新主密钥 {result.kid}（旧密钥保留用于解密）", "然后运行 `jijian keys rotate`"
            )

    def do_promote(self, *, kid, **_):
        if not kid:
            raise CommandError(gettext("请指定密钥编号：jijian keys promote KID"))
        result = keys.key_promote(kid=kid)
        self._deploy(result, f"密钥 {result.kid} 已设为主密钥", "然后运行 `jijian keys rotate`")

    def do_rotate(self, *, batch, **_):
        def progress(label, done):
            self.stdout.write(f"  {label}：已重新加密 {done}")

        result = keys.key_rotate(batch=batch, progress=progress if self.verbosity > 1 else None)
        for label, n in result.rewritten.items():
            self.stdout.write(f"{label}：重新加密 {n} 个值")
        self.stdout.write(f"完成：共 {result.total} 个值已在主密钥 {result.primary} 下重新加密")
        if result.skipped_concurrent:
            self.stdout.write(f"{result.skipped_concurrent} 个值在处理期间被修改而跳过：请再运行一次 rotate")
        if result.failed:
            for label, pk, problem in result.failed[:20]:
                where = f"{label} id={pk}" if pk is not None else label
                self.stderr.write(f"无法重新加密 {where}：{problem}")
            raise CommandError(
                gettext("%(count)s 处无法重新加密（见上），其余已完成；修复后再运行一次")
                % {"count": len(result.failed)}
            )

    def do_retire(self, *, kid, **_):
        if not kid:
            raise CommandError(gettext("请指定要停用的密钥编号：jijian keys retire KID"))
        result = keys.key_retire(kid=kid)
        if result.source == "file":
            self.stdout.write(f"已从 {result.key_file} 删除密钥 {result.kid}；请同步到所有应用服务器")
        else:
            self.stdout.write(f"密钥 {result.kid} 已无数据使用。请把所有应用服务器的 JIJIAN_DATA_KEYS 改为：")
            self.stdout.write(f"JIJIAN_DATA_KEYS={result.env_value}")
        self.stdout.write("提醒：用该密钥加密的备份仍需要它，请按备份保留期限离线保存该密钥")

    def do_reindex(self, *, batch, **_):
        result = keys.blind_index_rebuild(batch=batch)
        for label, n in result.updated.items():
            self.stdout.write(f"{label}：更新 {n} 个")
        self.stdout.write(f"完成：共更新 {result.total} 个盲索引")
        if result.skipped_concurrent:
            self.stdout.write(f"{result.skipped_concurrent} 行在处理期间被修改而跳过：请再运行一次 reindex")
        if result.failed:
            raise CommandError(
                gettext("%(count)s 个值无法解密，盲索引未更新") % {"count": len(result.failed)}
            )


def index_state(check: keys.IndexKeyCheck | None) -> str:
    """One line on the blind-index key for `status` and `check`."""
    if check is None:
        return "未检查（没有密钥）"
    fingerprint = {
        keys.INDEX_MATCHES: "与数据中记录的指纹一致",
        keys.INDEX_DIFFERS: "与数据中记录的指纹不符",
        keys.INDEX_UNRECORDED: "数据中尚未记录指纹",
        keys.INDEX_MISSING: "缺少（数据中记录了指纹）",
    }[check.fingerprint]
    if check.sampled:
        fingerprint += f"；抽样重算盲索引 {check.sample_matches}/{check.sampled} 个相符"
    return fingerprint
