"""Every POST form that shows its fields' errors also summarises them at the top (issue 16, item 4):
core/partials/form_error_summary.html, directly or through core/partials/form.html, for the same form.
app.js then moves focus to that summary. The walk reads every template of the project; the page tests
in tests/petitions/test_form_summaries.py check that a refused submit shows it above the fields."""

from __future__ import annotations

import re
from pathlib import Path

import jijian

SRC = Path(jijian.__file__).parent
SUMMARY = "core/partials/form_error_summary.html"
WHOLE_FORM = "core/partials/form.html"

FORM_BLOCK = re.compile(r"<form\b(?P<attrs>[^>]*)>(?P<body>.*?)</form>", re.S | re.I)
INCLUDE = re.compile(r"{%\s*include\s+[\"'](?P<name>[^\"']+)[\"'](?P<rest>[^%]*)%}")
# A form's field rendered: `propose_form.note`, `with field=form.source`, `{% for f in form %}`.
FORM_VAR = re.compile(
    r"\b(?P<var>\w*form)\.(?!errors\b|non_field_errors\b)\w+|\bfor \w+ in (?P<loop>\w*form)\b"
)


def _names(root: Path) -> dict[str, str]:
    """Template name (as `{% include %}` spells it) → its text, for every app's templates/."""
    result = {}
    for templates in root.glob("*/templates"):
        for path in templates.rglob("*.html"):
            result[path.relative_to(templates).as_posix()] = path.read_text(encoding="utf-8")
    return result


TEMPLATES = _names(SRC)


def _renders_errors(text: str, seen: frozenset[str] = frozenset()) -> bool:
    if ".errors" in text or "non_field_errors" in text:
        return True
    for m in INCLUDE.finditer(text):
        name = m["name"]
        if name in (SUMMARY, WHOLE_FORM) or name in seen or name not in TEMPLATES:
            continue
        if _renders_errors(TEMPLATES[name], seen | {name}):
            return True
    return False


def _summarised_forms(text: str) -> set[str]:
    """The form variables whose summary `text` includes (`with form=x`, else `form`)."""
    forms = set()
    for m in INCLUDE.finditer(text):
        if m["name"] in (SUMMARY, WHOLE_FORM):
            with_form = re.search(r"\bform=(\w+)", m["rest"])
            forms.add(with_form.group(1) if with_form else "form")
    return forms


def _missing_summaries() -> list[str]:
    missing = []
    for name, text in sorted(TEMPLATES.items()):
        if name in (SUMMARY, WHOLE_FORM):
            continue
        for block in FORM_BLOCK.finditer(text):
            if not re.search(r"method=[\"']?post", block["attrs"], re.I):
                continue
            body = block["body"]
            if not _renders_errors(body):
                continue
            shown = {m["var"] or m["loop"] for m in FORM_VAR.finditer(body)}
            # The summary sits in the form, or above it on the page (a page whose GET filter and POST
            # export share one form object summarises once, above both).
            summarised = _summarised_forms(text[: block.end()])
            for var in sorted(shown - summarised):
                line = text.count("\n", 0, block.start()) + 1
                missing.append(f"{name}:{line} ({var})")
    return missing


def test_the_walk_finds_the_forms_it_checks():
    """Guard against a walk that checks nothing: the known forms are seen as rendering errors."""
    assert "petitions/public_form.html" in TEMPLATES
    assert "core/account_create.html" in TEMPLATES
    assert _renders_errors(TEMPLATES["petitions/public_form.html"])
    assert _summarised_forms(TEMPLATES["petitions/clue_detail.html"]) >= {
        "reply_form",
        "propose_form",
        "approve_form",
        "reject_form",
        "reopen_form",
    }


def test_every_post_form_that_shows_field_errors_summarises_them_at_the_top():
    assert _missing_summaries() == []
