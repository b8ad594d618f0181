"""Code rules that keep jurisdiction in one place (STYLE.md): views and API endpoints never query a
model directly; they go through an app's access.py or selectors.py."""

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "jijian"
VIEW_FILES = ("views.py", "signin.py", "api.py", "core_api.py")


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
