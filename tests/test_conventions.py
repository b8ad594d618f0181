"""Code rules that keep jurisdiction in one place (docs/development.md): views and API endpoints
never query a model directly; they go through an app's access.py or selectors.py."""

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "jijian"
VIEW_FILES = ("views.py", "signin.py", "api.py", "core_api.py")


def called(node: ast.Call) -> str:
    """The name a call calls: `f` of f(…) and of x.f(…)."""
    f = node.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""


def offending_calls(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "objects"
            and isinstance(node.value, ast.Name)
            and node.value.id[:1].isupper()
        ):
            found.append(f"{path.relative_to(SRC)}:{node.lineno} {node.value.id}.objects")
    return found


def test_views_never_touch_model_objects():
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.name in VIEW_FILES or path.name.startswith(("views_", "api_")) or "views" in path.parts:
            offenders += offending_calls(path)
    assert not offenders, "views must query through access.py / selectors.py: " + ", ".join(offenders)


def test_the_rule_detects_a_direct_query(tmp_path):
    sample = tmp_path / "views.py"
    sample.write_text("def v(request):\n    return OrgUnit.objects.all()\n")
    assert offending_calls_at(sample) == ["views.py:2 OrgUnit.objects"]


def offending_calls_at(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{path.name}:{n.lineno} {n.value.id}.objects"
        for n in ast.walk(tree)
        if isinstance(n, ast.Attribute)
        and n.attr == "objects"
        and isinstance(n.value, ast.Name)
        and n.value.id[:1].isupper()
    ]


def test_every_page_names_itself_in_the_browser_tab():
    """A page on the staff frame sets its own title (the tab, the history, a bookmark): a page that
    leaves the frame's generic one is named here (a frame of its own, *_base.html, leaves it to its
    pages)."""
    untitled = [
        str(p.relative_to(SRC))
        for p in SRC.rglob("*.html")
        if not p.name.endswith("base.html")
        and '{% extends "core/base.html" %}' in (text := p.read_text(encoding="utf-8"))
        and "{% block title %}" not in text
    ]
    assert untitled == []


def test_every_model_has_a_chinese_name():
    """A model's name reaches users: the audit trail's 对象 column and its filter, form errors ("…已存在").
    Twenty-two read "check pair", "rectification", "sitting" there."""
    import re

    from django.apps import apps

    english = [
        f"{m._meta.label}: {m._meta.verbose_name}"
        for m in apps.get_models()
        if m.__module__.startswith("jijian.") and not re.search("[\u4e00-\u9fff]", str(m._meta.verbose_name))
    ]
    assert not english, "give these models a Chinese verbose_name: " + ", ".join(english)


def test_no_cdn_in_templates_or_static():
    import re

    pattern = re.compile(
        r"(https?:)?//(cdn\.|unpkg\.com|cdnjs\.|fonts\.googleapis|ajax\.googleapis|cdn\.jsdelivr)"
    )
    hits = [
        str(p)
        for p in SRC.rglob("*")
        if p.suffix in (".html", ".js", ".css") and pattern.search(p.read_text(errors="ignore"))
    ]
    assert not hits


def test_no_inline_script_in_templates():
    import re

    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
    hits = [str(p) for p in SRC.rglob("*.html") if inline.search(p.read_text())]
    assert not hits, f"inline <script> breaks the CSP: {hits}"


# Underscored names a module may use although it does not define them, because Django documents them:
# Model._meta, the managers Model._default_manager and Model._base_manager, and a manager's self._db
# (the custom user manager of Django's authentication docs saves with using=self._db).
# Django's documented Model._meta and managers; a named tuple's `_fields`, documented API of
# collections.namedtuple (its names start with "_" only to keep clear of the field names).
DOCUMENTED_UNDERSCORED = {"_meta", "_default_manager", "_base_manager", "_db", "_fields"}


def private_uses(path: Path) -> list[str]:
    """Underscored names a module reaches for but does not define itself: a framework's private API
    (QuerySet._raw_delete, say) or another module's private helper imported by name. A module's own
    underscored names (functions, attributes it sets) are its business."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            own.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            own.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            own.add(node.attr)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            found += [
                f"{path.name}:{node.lineno} import {a.name}"
                for a in node.names
                if a.name.startswith("_") and not a.name.startswith("__")
            ]
        elif (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and node.attr not in DOCUMENTED_UNDERSCORED
            and node.attr not in own
        ):
            found.append(f"{path.name}:{node.lineno} .{node.attr}")
    return found


def test_no_private_api_of_a_framework_or_of_another_module():
    offenders = []
    for path in SRC.rglob("*.py"):
        if "migrations" not in path.parts:
            offenders += [f"{path.relative_to(SRC).parent}/{o}" for o in private_uses(path)]
    assert not offenders, "private names used across a boundary: " + ", ".join(offenders)


def test_the_private_api_rule_detects_a_framework_internal_and_a_borrowed_helper(tmp_path):
    sample = tmp_path / "services.py"
    sample.write_text(
        "from .other import _helper\n"
        "def prune(qs):\n    return qs._raw_delete(qs.db)\n"
        "class A:\n    def __init__(self):\n        self._own = 1\n    def f(self, other):\n"
        "        return other._own, self._own, A._meta\n"
    )
    assert private_uses(sample) == ["services.py:1 import _helper", "services.py:3 ._raw_delete"]


# Framework internals that carry no underscore: the SQL layer behind a queryset (`qs.query.<anything>`,
# a compiler), a backend's operations object (`connection.ops`) and Django's request handlers. A module
# may use one only when listed here, with the reason the stock API will not do (docs/development.md,
# "Stock framework only").
INTERNALS_ALLOWED = {
    "core/ops/streaming.py": {
        "django.core.handlers": "AsyncStreamingMiddleware must know that the request is served under ASGI "
        "(its synchronous streams are then read whole); Django offers no public way to tell: "
        "iscoroutinefunction(get_response) reports the mode of the next middleware, not the server's",
    },
    "partitions.py": {
        "connection.ops": "quote_name() quotes the partition tables' names in the PostgreSQL DDL that no "
        "ORM or schema-editor API writes (CREATE/ATTACH/DETACH PARTITION); psycopg.sql.Identifier, "
        "psycopg's documented way, would retire this allowance",
    },
}
# What `urlsplit(…).query` (a str) may call; anything else after `.query.` is sql.Query's.
_STR_ATTRIBUTES = frozenset(dir(str))
# sql.Query's members (and a compiler's) by name, whatever they are read from (`query = qs.query` first).
_QUERY_INTERNALS = frozenset(
    {"get_compiler", "values_select", "annotation_select", "extra_select", "is_empty", "set_empty"}
)


def framework_internals(path: Path, source: str | None = None) -> list[tuple[str, str]]:
    """(rule, "file:line what") for each use of a framework internal that has no underscore: a
    queryset's `.query.<member>` or a sql.Query member by name, a compiler, a backend's `connection.ops`
    (`connections[alias].ops`, `x.connection.ops`), an import from `django.core.handlers`."""

    def connection_like(node: ast.AST) -> bool:
        return (
            (isinstance(node, ast.Name) and node.id == "connection")
            or (isinstance(node, ast.Attribute) and node.attr == "connection")
            or (
                isinstance(node, ast.Subscript)
                and isinstance(node.value, ast.Name)
                and node.value.id == "connections"
            )
        )

    tree = ast.parse(source if source is not None else path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        where = f"{path.name}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Attribute):
            if (
                isinstance(node.value, ast.Attribute)
                and node.value.attr == "query"
                and node.attr not in _STR_ATTRIBUTES
            ):
                found.append(("query", f"{where} .query.{node.attr}"))
            elif node.attr in _QUERY_INTERNALS:
                found.append(("query", f"{where} .{node.attr}"))
            elif node.attr == "ops" and connection_like(node.value):
                found.append(("connection.ops", f"{where} connection.ops"))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("django.core.handlers"):
            found.append(("django.core.handlers", f"{where} from {node.module} import"))
        elif isinstance(node, ast.Import):
            found += [
                ("django.core.handlers", f"{where} import {a.name}")
                for a in node.names
                if a.name.startswith("django.core.handlers")
            ]
    return found


def test_no_framework_internals_without_a_reason():
    offenders = []
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        allowed = INTERNALS_ALLOWED.get(str(path.relative_to(SRC)), {})
        offenders += [
            f"{path.relative_to(SRC).parent}/{hit}"
            for rule, hit in framework_internals(path)
            if rule not in allowed
        ]
    assert not offenders, (
        "framework internals (stock API instead, or INTERNALS_ALLOWED with a reason): " + ", ".join(offenders)
    )


def test_every_allowed_internal_is_still_used():
    """An allowance whose use is gone goes too, or it would cover the next one unnoticed."""
    stale = [
        f"{name}: {rule}"
        for name, rules in INTERNALS_ALLOWED.items()
        for rule in rules
        if rule not in {r for r, _ in framework_internals(SRC / name)}
    ]
    assert not stale


def test_the_internals_rule_detects_the_sql_layer_ops_and_handlers(tmp_path):
    sample = tmp_path / "statistics.py"
    source = (
        "from django.core.handlers.asgi import ASGIRequest\n"
        "import django.core.handlers.wsgi\n"
        "def f(qs, request, url):\n"
        "    if qs.query.is_empty() or qs.query.where:\n"
        "        return []\n"
        "    query = qs.values('x').query\n"
        "    names = [*query.values_select, *query.annotation_select]\n"
        "    sql, params = query.get_compiler(using=qs.db).as_sql()\n"
        "    quote = connection.ops.quote_name\n"
        "    converters = connections[qs.db].ops.get_db_converters(col)\n"
        "    ok = urlsplit(url).query.split('&'), request.GET.get('q'), qs.none(), qs.db\n"
    )
    hits = [hit for _, hit in framework_internals(sample, source)]
    assert sorted(hits, key=lambda h: (int(h.split(":")[1].split()[0]), h)) == [
        "statistics.py:1 from django.core.handlers.asgi import",
        "statistics.py:2 import django.core.handlers.wsgi",
        "statistics.py:4 .query.is_empty",
        "statistics.py:4 .query.where",
        "statistics.py:7 .annotation_select",
        "statistics.py:7 .values_select",
        "statistics.py:8 .get_compiler",
        "statistics.py:9 connection.ops",
        "statistics.py:10 connection.ops",
    ]


def bare_wait_expressions(path: Path) -> list[str]:
    """Calls of wait_for_function whose first argument is a string that is not a function.

    Playwright compiles a function once, under the DevTools protocol, but evaluates a bare expression
    with eval() on every poll after the first; the pages' CSP (script-src 'self') forbids that eval, so
    such a wait passes when its condition is already true and fails when it has to poll."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "wait_for_function"
            and node.args
        ):
            first = node.args[0]
            text = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
            if isinstance(first, ast.JoinedStr):
                head = first.values[0] if first.values else None
                text = head.value if isinstance(head, ast.Constant) else ""
            if (
                text is not None
                and "=>" not in text.split("{")[0]
                and not text.lstrip().startswith("function")
            ):
                found.append(f"{path.name}:{node.lineno}")
    return found


def test_browser_waits_are_functions_the_csp_allows():
    tests = Path(__file__).resolve().parent
    offenders = [hit for path in tests.rglob("*.py") for hit in bare_wait_expressions(path)]
    assert not offenders, "pass wait_for_function an arrow function, not a bare expression: " + ", ".join(
        offenders
    )


def test_the_wait_rule_detects_a_bare_expression(tmp_path):
    sample = tmp_path / "test_x.py"
    sample.write_text(
        "page.wait_for_function(\"document.title === 'x'\")\n"
        "page.wait_for_function(\"() => document.title === 'x'\")\n"
        'page.wait_for_function(f"() => {1}")\n'
    )
    assert bare_wait_expressions(sample) == ["test_x.py:1"]


# --- the interface's words go through gettext ---------------------------------------------------------
_HAN = re.compile(r"[\u4e00-\u9fff]")
_VISIBLE_ATTR = re.compile(r'\s(?:placeholder|title|aria-label|alt|data-label|data-confirm)="([^"]*)"')


# A string a template tag hands on to be shown: a filter's default ({{ x|default:"无" }}) or a value an
# include receives ({% include … with title="按来源" %}); `_("…")` is its translated form. A date
# format ("Y年n月") is a format, the same in every script.
_HANDED_LITERAL = re.compile(r'(?:default:|=)("[^"]*"|\'[^\']*\')')
_DATE_FORMAT = re.compile(r"^[YnjHisdmyN年月日 :]+$")


def untranslated_text(source: str) -> list[str]:
    """The Chinese a template shows outside {% translate %} / {% blocktranslate %}: in text between
    tags, in an attribute the reader sees, or in a string a tag hands on to be shown (a filter's
    default, an include's value) outside `_("…")`. Scripts, styles and comments are not shown; a
    string a tag compares with is not text of the page."""
    s = re.sub(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", "", source, flags=re.S)
    s = re.sub(r"\{%\s*(blocktranslate|blocktrans)\b.*?\{%\s*end\1\s*%\}", "", s, flags=re.S)
    handed = [
        literal[1:-1]
        for tag in re.findall(r"\{\{.*?\}\}|\{%(?!\s*(?:translate|trans|if|elif)\b).*?%\}", s, flags=re.S)
        for literal in _HANDED_LITERAL.findall(tag)
        if _HAN.search(literal) and not _DATE_FORMAT.match(literal[1:-1])
    ]
    s = re.sub(r"<(script|style)\b.*?</\1>", "", s, flags=re.S | re.I)
    s = re.sub(r"<!--.*?-->", "", s, flags=re.S)
    s = re.sub(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", "", s)
    found = [v for tag in re.findall(r"<[^<>]*>", s) for v in _VISIBLE_ATTR.findall(tag) if _HAN.search(v)]
    text = re.sub(r"<[^<>]*>", "\n", s)
    found += [line.strip() for line in text.splitlines() if _HAN.search(line)]
    return found + handed


def test_templates_show_chinese_only_through_gettext():
    """Simplified Chinese is the interface's source language: its words are msgids, so Traditional
    Chinese and English can follow as catalogues without touching a template."""
    offenders = {}
    for path in SRC.rglob("templates/**/*.html"):
        found = untranslated_text(path.read_text(encoding="utf-8"))
        if found:
            offenders[str(path.relative_to(SRC))] = found[:3]
    assert not offenders, offenders


def test_the_gettext_rule_sees_text_and_visible_attributes_only():
    assert (
        untranslated_text('<p>{% translate "已受理" %}</p><input placeholder="{% translate \'姓名\' %}">')
        == []
    )
    assert untranslated_text('{% if x == "中文" %}<script>alert("好")</script>{# 注 #}{% endif %}') == []
    assert untranslated_text('<p title="查看">{{ n }} 件</p><input value="值">') == ["查看", "件"]
    assert untranslated_text(
        '{{ a|default:"无" }}{{ b|default:_("无") }}{{ d|date:"Y年n月" }}'
        '{% include "t.html" with title="按来源" key="k" %}{% include "t.html" with title=_("按来源") %}'
    ) == ["无", "按来源"]


# Where Python code hands words to the user: a message on the next page, a refusal (ValidationError and
# the project's refusals derived from it, a command's error), a form's label, help text, empty choice and
# placeholder, and an error added to a form.
USER_EXCEPTIONS = {
    "ValidationError",
    "SittingClosed",
    "ImportRefused",
    "ConcurrentEditError",
    "JanusError",
    "Refused",
    "BackupError",
    "CommandError",
    "PowError",
    "KeyOperationError",
    "ImportFileError",
}
USER_KEYWORDS = {"label", "help_text", "empty_label", "placeholder"}
# Calls whose `label` is wording of the audit trail, which keeps its records in the source language.
AUDIT_WORDING = {"register_reveal"}
# A collection of refusals that a service fills and raises as one (errors.append(…), errors["x"] = …).
_REFUSALS = re.compile(r"(^|_)(errors|problems)$")


def untranslated_python(source: str) -> list[str]:
    """Chinese string literals (plain or f-strings) that Python code hands to the user directly, not
    through gettext / gettext_lazy."""

    def chinese(node: ast.AST) -> str:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value if _HAN.search(node.value) else ""
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            return text if _HAN.search(text) else ""
        return ""

    def keyed(node: ast.AST, keys: tuple[str, ...]) -> list[ast.AST]:
        if not isinstance(node, ast.Dict):
            return []
        return [v for k, v in zip(node.keys, node.values) if isinstance(k, ast.Constant) and k.value in keys]

    def collects_refusals(node: ast.AST) -> bool:  # errors, problems, row_errors: raised together later
        name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""
        return bool(_REFUSALS.search(name))

    handed: list[ast.AST] = []
    for node in ast.walk(ast.parse(source)):
        # a JSON answer's error, a widget's placeholder, a to-do's title on the home page
        handed += keyed(node, ("error", "placeholder", "title"))
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "attr", "") in USER_KEYWORDS:
            handed.append(node.value)  # self.fields["x"].label = …
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Subscript) and collects_refusals(target.value):
                handed.append(node.value)  # errors["x"] = …
            elif collects_refusals(target):
                for value in (
                    [node.value]
                    if not isinstance(node.value, ast.IfExp)
                    else [node.value.body, node.value.orelse]
                ):
                    handed += value.elts if isinstance(value, ast.List) else []  # errors = [ … ]
        if not isinstance(node, ast.Call):
            continue
        func, name = node.func, called(node)
        if name == "append" and isinstance(func, ast.Attribute) and collects_refusals(func.value):
            handed += node.args[:1]  # errors.append(…)
        elif name == "RowError":  # an import's refusal of a row: (row, the column's header, the message)
            handed += node.args[2:3]
        elif (
            name == "error"
            and node.args
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id == "request"
        ):
            handed += node.args[3:4]  # an API's error answer: error(request, status, code, message)
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "messages"
        ):
            handed += node.args[1:2]
        elif name in USER_EXCEPTIONS:
            handed += node.args[:1]
        elif name == "add_error":
            handed += node.args[1:2]
        elif name == "render":  # the error page's title and message
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                handed += keyed(arg, ("title", "message"))
        for keyword in node.keywords:
            if keyword.arg == "error_messages" and isinstance(keyword.value, ast.Dict):
                handed += keyword.value.values
            elif keyword.arg in USER_KEYWORDS and name not in AUDIT_WORDING:
                handed.append(keyword.value)
    # A text first put in a variable and then handed on (bad = f"…"; raise Refused(bad)) is handed too.
    assigned: dict[str, list[ast.AST]] = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            assigned.setdefault(node.targets[0].id, []).append(node.value)
    handed += [value for node in handed if isinstance(node, ast.Name) for value in assigned.get(node.id, [])]
    unique = {id(node): node for node in handed}.values()  # a render's title is also a dict's "title"
    return [text for text in map(chinese, unique) if text]


def test_python_hands_chinese_to_the_user_only_through_gettext():
    """The same for Python's words: messages, refusals and form texts are msgids (gettext per request,
    gettext_lazy where a module or class defines them), so a catalogue can translate them."""
    offenders = {}
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts or path.name == "settings.py":
            continue
        found = untranslated_python(path.read_text(encoding="utf-8"))
        if found:
            offenders[str(path.relative_to(SRC))] = found[:3]
    assert not offenders, offenders


def test_the_python_gettext_rule_sees_what_reaches_the_user():
    assert untranslated_python('messages.success(request, gettext("已保存"))') == []
    assert untranslated_python('raise ValidationError(gettext("%(n)s 件") % {"n": n})') == []
    assert untranslated_python('audit_record(summary=f"已受理 {n}")\nlog("中文")') == []
    assert untranslated_python('error(request, 409, "conflict", "已修改")\nlogger.error("中文")') == [
        "已修改"
    ]
    assert untranslated_python(
        'bad = f"{x}已损坏"\nok = gettext("好")\nraise Refused(bad)\nraise Refused(ok)'
    ) == ["已损坏"]
    assert untranslated_python(
        'messages.error(request, f"未执行：{x}")\nraise Refused("文件太大")\n'
        'forms.CharField(label="姓名", help_text="必填")\nform.add_error("x", "不对")'
    ) == ["未执行：", "文件太大", "姓名", "必填", "不对"]
    assert sorted(
        untranslated_python(
            'JsonResponse({"error": "无效"})\nforms.CharField(error_messages={"required": "请填写"})\n'
            'self.fields["x"].help_text = "选填"\nrender(request, "e.html", {"title": "错误", "n": "件"})'
        )
    ) == sorted(["无效", "请填写", "选填", "错误"])
    assert sorted(
        untranslated_python(
            'errors.append("请填写用途")\nerrors["题型"] = f"应为{x}"\nproblems = ["已有数据"] if n else []\n'
            'self.row_errors.append(gettext("不能为空"))\nerrors.append(RowError(n, "姓名", "不能为空"))\nnames.append("张三")\n'
            'todos = [{"title": "未读通知", "count": n}]'
        )
    ) == sorted(["请填写用途", "应为", "已有数据", "不能为空", "未读通知"])


# A JavaScript string literal: double- or single-quoted, with escapes. Comments are removed first
# (a `//` inside a literal, as in a URL, is skipped by matching the literals in the same pass).
_JS_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|/\*.*?\*/|//[^\n]*', re.S)
_JS_GETTEXT = re.compile(r"\bgettext\(\s*$")


def untranslated_js(source: str) -> list[str]:
    """The Chinese string literals of a script that are not the argument of gettext(...); the
    catalogue (Django's JavaScriptCatalog) defines gettext and interpolate for the page's language."""
    found = []
    for match in _JS_TOKEN.finditer(source):
        token = match.group()
        if token.startswith("/") or not _HAN.search(token):
            continue
        if not _JS_GETTEXT.search(source[: match.start()][-40:]):
            found.append(token[1:-1])
    return found


def test_scripts_show_chinese_only_through_gettext():
    """The scripts' words too: a status line, a confirmation, a chart's legend."""
    offenders = {}
    for path in [*SRC.rglob("static/**/*.js"), *SRC.rglob("templates/**/*.js")]:
        if "vendor" in path.parts:
            continue
        found = untranslated_js(path.read_text(encoding="utf-8"))
        if found:
            offenders[str(path.relative_to(SRC))] = found[:3]
    assert not offenders, offenders


def test_the_script_gettext_rule_sees_literals_outside_gettext():
    assert untranslated_js('say(gettext("已保存"));\n// 注释 "中文"\n/* 说明 */ var u = "http://x";') == []
    assert (
        untranslated_js('interpolate(gettext("共 %(n)s 份"), {n: 1}, true);\nx.title = gettext(\n  "当前");')
        == []
    )
    assert untranslated_js("say('已保存 ' + t);\nvar names = { late: \"逾期\" }; // 图例") == [
        "已保存 ",
        "逾期",
    ]


# What a view hands to a helper of its own (_act(…, "已受理"), _saved(…)) reaches the user as surely as
# messages.success does. Callees whose Chinese argument is a record or a file name, not the page's words:
# the audit trail (a record, in the language it was written in), the name of a downloaded file, the
# minutes' "where" and the room's display name (part of the recorded minutes), a date format.
VIEW_ARGUMENTS_KEPT = {
    "audit_record",
    "record",
    "content_disposition",
    "export_audit",
    "stats_filename",
    "FileResponse",
    "opinion_read",
    "minutes_confirm",
    "join_token_mint",
    "format",
}
_GETTEXT_CALLS = {"gettext", "gettext_lazy", "_", "ngettext", "pgettext"}
_STRFTIME = re.compile(r"^[%YmdHMSjn年月日 :-]+$")  # a date format, the same in every script


def untranslated_view_arguments(source: str) -> list[str]:
    """Chinese literals a view passes as an argument of any call, outside gettext and the kept callees."""

    tree = ast.parse(source)
    skipped = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and called(node) in _GETTEXT_CALLS | VIEW_ARGUMENTS_KEPT
        for inner in ast.walk(node)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict) and id(node) not in skipped:  # a context's or a JSON answer's words
            for value in node.values:
                if (
                    isinstance(value, ast.Constant)
                    and isinstance(value.value, str)
                    and _HAN.search(value.value)
                    and not _STRFTIME.match(value.value)
                ):
                    found.append(value.value)
        if not isinstance(node, ast.Call) or id(node) in skipped:
            continue
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                text = arg.value
            elif isinstance(arg, ast.JoinedStr):
                text = "".join(v.value for v in arg.values if isinstance(v, ast.Constant))
            else:
                continue
            if _HAN.search(text):
                found.append(text)
    return found


def test_views_pass_chinese_on_only_through_gettext():
    offenders = {}
    for path in SRC.rglob("*.py"):
        if "views" in path.name or path.name == "signin.py":
            found = untranslated_view_arguments(path.read_text(encoding="utf-8"))
            if found:
                offenders[str(path.relative_to(SRC))] = found[:3]
    assert not offenders, offenders


def test_the_view_argument_rule_sees_a_helpers_text():
    assert untranslated_view_arguments(
        'return _act(request, pk, "x", F, run, "已受理")\n_saved(request, a, f"已建立 {a.name}")'
    ) == ["已受理", "已建立 "]
    assert (
        untranslated_view_arguments(
            '_act(request, pk, "x", F, run, gettext("已受理"))\naudit_record(summary=f"查看 {x}")\n'
            'content_disposition("统计.xlsx")'
        )
        == []
    )
    assert untranslated_view_arguments(
        'context = {"label": "手机号码", "when": "%Y年%m月", "ok": gettext("已销号")}\n'
        'audit_record(after={"what": "查看"})'
    ) == ["手机号码"]


# --- what is kept is written in the platform's language ----------------------------------------------
# Calls that store a text others read later (the audit trail, a notification, a report's history, a duty
# record), by the keywords that carry it. A choice label or a `label` read into one of them takes the
# language active when it is read: the actor's, unless inside `with platform_language():`.
KEPT_CALLEES = {
    "audit_record",
    "notify",
    "notify_township",
    "notify_leaders",
    "tell",
    "report_transition",
    "duty_log_record",
}
KEPT_KEYWORDS = {"summary", "title", "body", "reason", "notes", "facts", "data", "before", "after"}
_LABELLED = re.compile(r"_display\(|\.label\b|\b\w*label\b|_label\(|provisional_mark\(")


def labels_kept_in_the_reader_s_language(source: str) -> list[str]:
    """The stored texts of the kept callees that read a label outside `with platform_language():`."""

    tree = ast.parse(source)
    inside = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.With)
        and any(
            isinstance(i.context_expr, ast.Call) and called(i.context_expr) == "platform_language"
            for i in node.items
        )
        for inner in ast.walk(node)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and id(node) not in inside and called(node) in KEPT_CALLEES:
            for keyword in node.keywords:
                text = ast.get_source_segment(source, keyword.value) or ""
                if keyword.arg in KEPT_KEYWORDS and _LABELLED.search(text) and "gettext" not in text:
                    found.append(text)
    return found


def test_what_is_kept_reads_labels_in_the_platform_s_language():
    offenders = {}
    for path in SRC.rglob("*.py"):
        if path.name != "demo.py":  # demo data is made by a command, in the platform's language
            found = labels_kept_in_the_reader_s_language(path.read_text(encoding="utf-8"))
            if found:
                offenders[str(path.relative_to(SRC))] = found[:3]
    assert not offenders, offenders


def test_the_kept_label_rule_sees_a_label_outside_the_platform_s_language():
    assert labels_kept_in_the_reader_s_language(
        'audit_record(actor=a, summary=f"登记{r.get_channel_display()}")\n'
        'notify(recipient=u, title=f"{Kind(k).label}")\ntell(people, body=f"{label}：已逾期")\n'
    ) == ['f"登记{r.get_channel_display()}"', 'f"{Kind(k).label}"', 'f"{label}：已逾期"']
    assert (
        labels_kept_in_the_reader_s_language(
            'with platform_language():\n    audit_record(summary=f"登记{r.get_channel_display()}")\n'
            'audit_record(summary=f"查看 {x}")\nraise ValidationError(gettext("%(label)s") % {"label": x})\n'
        )
        == []
    )


# --- a choice's label is a word of the page too ----------------------------------------------------------
def untranslated_choices(source: str) -> list[str]:
    """Chinese labels in a form field's choices (`choices=[…]`, `field.choices = […]`) outside gettext:
    the options of a select or of radio buttons, 请选择 included."""
    tree = ast.parse(source)
    translated = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and called(node) in _GETTEXT_CALLS
        for inner in ast.walk(node)
    }
    roots = [node.value for node in ast.walk(tree) if isinstance(node, ast.keyword) and node.arg == "choices"]
    roots += [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and any(
            (isinstance(t, ast.Attribute) and t.attr == "choices")
            or (isinstance(t, ast.Name) and t.id == "choices")
            for t in node.targets
        )
    ]
    return [
        c.value
        for root in roots
        for c in ast.walk(root)
        if isinstance(c, ast.Constant)
        and isinstance(c.value, str)
        and _HAN.search(c.value)
        and id(c) not in translated
    ]


def test_choices_show_chinese_only_through_gettext():
    offenders = {}
    for path in SRC.rglob("*.py"):
        if "migrations" not in path.parts:
            found = untranslated_choices(path.read_text(encoding="utf-8"))
            if found:
                offenders[str(path.relative_to(SRC))] = found[:3]
    assert not offenders, offenders


def test_the_choices_rule_sees_a_bare_label():
    assert untranslated_choices(
        'f = forms.ChoiceField(choices=[("", "请选择"), ("a", gettext_lazy("甲"))])\n'
        'field.choices = [(q, f"第{q}季度") for q in (1, 2)]\nchoices = [("", "全部")]\n'
    ) == ["请选择", "第", "季度", "全部"]
    assert (
        untranslated_choices('f = forms.ChoiceField(choices=[("", gettext_lazy("请选择")), ("0", "—")])')
        == []
    )


PLATFORM_PAGES = re.compile(
    r"[\"'](reports|petitions\w*|archives|responsibility|villageaffairs|reception|training|manual"
    r"|evaluation|cadres):\w+[\"']"
)


def platform_pages_named(path: Path, root: Path = SRC) -> list[str]:
    return [
        f"{path.relative_to(root)}:{n} {m[0]}"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for m in PLATFORM_PAGES.finditer(line)
    ]


def test_core_names_no_platform_page():
    """The menu and the sign-in page's public links are each app's own (its nav.py, collected by
    core.navigation): core's Python and templates name no platform's page, so a platform can be
    added or left out without editing core."""
    core_files = [*(SRC / "core").rglob("*.py"), *(SRC / "core").rglob("*.html")]
    offenders = [hit for path in core_files for hit in platform_pages_named(path)]
    assert offenders == []


def test_the_platform_page_rule_sees_a_menu_entry_in_core(tmp_path):
    bad = tmp_path / "context_processors.py"
    bad.write_text('NAV = [(Module.ARCHIVES, _("廉情档案"), "archives:list", None)]\n', encoding="utf-8")
    assert platform_pages_named(bad, tmp_path) == ['context_processors.py:1 "archives:list"']
    page = tmp_path / "login.html"
    page.write_text("<a href=\"{% url 'petitions:home' %}\">举报</a>\n", encoding="utf-8")
    assert platform_pages_named(page, tmp_path) == ["login.html:1 'petitions:home'"]
    good = tmp_path / "nav.py"
    good.write_text('NavEntry(900, Module.ORGS, _("组织机构"), "core:org_list")\n', encoding="utf-8")
    assert platform_pages_named(good, tmp_path) == []


def test_every_app_s_menu_entries_are_collected():
    """Each app's nav.py was found: every page of the menu table resolves and every app with pages
    of its own under a module has at least one entry."""
    from django.urls import reverse

    from jijian.core.navigation import entries

    names = {entry.url_name.split(":")[0].split("_")[0] for entry in entries()}
    assert names >= {
        "reports",
        "petitions",
        "archives",
        "responsibility",
        "villageaffairs",
        "reception",
        "training",
        "manual",
        "evaluation",
        "cadres",
        "core",
        "audit",
    }
    positions = [entry.position for entry in entries()]
    assert positions == sorted(positions)
    for entry in entries():
        assert reverse(entry.url_name)


TESTS = SRC.parent.parent / "tests"
TEST_MODULE_IMPORT = re.compile(r"^\s*(?:from|import)\s+tests\.(?:[\w.]+\.)?test_\w+", re.MULTILINE)


def imports_of_test_modules(root: Path) -> list[str]:
    return [
        f"{path.relative_to(root)}: {m[0].strip()}"
        for path in root.rglob("*.py")
        for m in TEST_MODULE_IMPORT.finditer(path.read_text(encoding="utf-8"))
    ]


def test_no_test_module_imports_another():
    """What tests share lives in helper modules and conftest.py (docs/development.md): a test module
    imported by another runs its tests' fixtures and collection twice and ties their edits together."""
    assert imports_of_test_modules(TESTS) == []


def test_the_test_import_rule_sees_a_borrowed_builder(tmp_path):
    (tmp_path / "test_b.py").write_text("from tests.archives.test_pages import idn\n", encoding="utf-8")
    (tmp_path / "test_c.py").write_text("    from tests.test_navigation import x\n", encoding="utf-8")
    (tmp_path / "test_ok.py").write_text("from tests.archives.helpers import idn\n", encoding="utf-8")
    assert sorted(imports_of_test_modules(tmp_path)) == [
        "test_b.py: from tests.archives.test_pages",
        "test_c.py: from tests.test_navigation",
    ]


# --- platforms meet through core, in the database too ---------------------------------------------
def platform_apps() -> set[str]:
    """The platform apps' labels, as the import-linter layers contract names them (pyproject.toml)."""
    import tomllib

    config = tomllib.loads((SRC.parent.parent / "pyproject.toml").read_text(encoding="utf-8"))
    layers = config["tool"]["importlinter"]["contracts"][0]["layers"]
    platforms = next(layer for layer in layers if "jijian.reports" in layer)
    return {name.strip().removeprefix("jijian.") for name in platforms.split("|")}


def cross_platform_keys(models, platforms: set[str]) -> list[str]:
    """Relations (foreign keys, one-to-one, many-to-many) from a platform's model to another's."""
    found = []
    for model in models:
        label = model._meta.app_label
        if label not in platforms:
            continue
        for field in model._meta.get_fields():
            target = field.related_model if field.is_relation and field.concrete else None
            if target is not None and target._meta.app_label in platforms - {label}:
                found.append(f"{label}.{model.__name__}.{field.name} -> {target._meta.label}")
    return found


def test_no_platform_holds_a_foreign_key_to_another():
    """A platform refers to another's row by a plain id and reads it through a core.links port
    (docs/development.md): a foreign key would tie their migrations, deletions and queries together,
    as PetitionReport.archive and Clue.duty_record did until petitions' migrations 0020 and 0021."""
    from django.apps import apps

    assert len(platform_apps()) >= 10
    assert cross_platform_keys(apps.get_models(), platform_apps()) == []


def test_the_foreign_key_rule_sees_a_key_between_platforms():
    from django.apps import apps

    report = apps.get_model("petitions", "PetitionReport")
    archive = apps.get_model("archives", "IntegrityArchive")
    field = type(
        "Field", (), {"is_relation": True, "concrete": True, "related_model": archive, "name": "archive"}
    )
    fake = type(
        "PetitionReport",
        (),
        {"_meta": type("Meta", (), {"app_label": "petitions", "get_fields": lambda: [field]})},
    )
    assert cross_platform_keys([fake, report], {"petitions", "archives"}) == [
        "petitions.PetitionReport.archive -> archives.IntegrityArchive"
    ]
