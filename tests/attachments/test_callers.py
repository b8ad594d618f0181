"""Every upload says what it takes: each call of attachment_store() or attachments_store_all() in src
names its `kinds` (or is a public upload, which follows JIJIAN_PUBLIC_UPLOAD_KINDS). A new caller that
forgets fails here, so no form takes a 300 MB video because nobody thought about it. And several files
are stored together through attachments_store_all() (nothing kept when one is refused), never by a
loop over attachment_store()."""

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent.parent / "src" / "jijian"

# Callers that rely on the default (STAFF_KINDS) on purpose: "path:function". None today; a caller
# added here says why in a comment.
DEFAULT_ON_PURPOSE: set[str] = set()


def store_calls(path: Path, tree: ast.AST | None = None) -> list[tuple[str, set[str]]]:
    """(function name, keyword names) of each attachment_store(...) or attachments_store_all(...) call."""
    tree = tree or ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(func):
            if isinstance(node, ast.Call):
                callee = node.func
                name = callee.attr if isinstance(callee, ast.Attribute) else getattr(callee, "id", "")
                if name in STORE_FUNCTIONS:
                    found.append((func.name, {k.arg for k in node.keywords if k.arg}))
    return found


STORE_FUNCTIONS = {"attachment_store", "attachments_store_all"}
LOOPS = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)


def store_calls_in_loops(path: Path) -> list[str]:
    """Functions of the file that call attachment_store() once per file, in a loop or a
    comprehension: they must use attachments_store_all(), which keeps nothing when one is refused."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for loop in ast.walk(tree):
        if isinstance(loop, LOOPS):
            for node in ast.walk(loop):
                if isinstance(node, ast.Call):
                    callee = node.func
                    name = callee.attr if isinstance(callee, ast.Attribute) else getattr(callee, "id", "")
                    if name == "attachment_store":
                        found.append(f"{path.name}:{node.lineno}")
    return found


def callers() -> dict[str, set[str]]:
    out = {}
    for path in sorted(SRC.rglob("*.py")):
        if path.parent.name == "attachments" and path.name == "services.py":
            continue  # the definition
        for function, keywords in store_calls(path):
            out[f"{path.relative_to(SRC)}:{function}"] = keywords
    return out


def test_every_caller_of_attachment_store_names_the_kinds_it_takes():
    found = callers()
    assert set(found) == {
        "archives/services.py:archive_photo_set",
        "evaluation/services.py:finding_add",
        "petitions/clues/services.py:clue_letter_reply",
        "petitions/services.py:_store_evidence",
        "reception/services.py:document_add",
        "reception/services.py:petitioner_document_add",
        "reports/member.py:_store_files",
        "responsibility/services.py:record_create",
        "training/services.py:material_add",
        "training/services.py:lecture_material_add",
        "villageaffairs/board.py:public_board_photo_set",
        "villageaffairs/reimbursements.py:voucher_enter",
        "villageaffairs/services.py:decision_step_record",
    }, "a caller of attachment_store was added or moved: check the kinds it takes, then update this list"
    silent = [
        caller
        for caller, keywords in found.items()
        if "kinds" not in keywords and "public" not in keywords and caller not in DEFAULT_ON_PURPOSE
    ]
    assert not silent, f"name the kinds these uploads take (kinds=...): {silent}"


def test_no_caller_stores_several_files_one_by_one():
    looped = [
        hit
        for path in sorted(SRC.rglob("*.py"))
        if not (path.parent.name == "attachments" and path.name == "services.py")
        for hit in store_calls_in_loops(path)
    ]
    assert not looped, f"store several files with attachments_store_all (all or nothing): {looped}"


def test_the_loop_walk_finds_a_store_per_file(tmp_path):
    sample = tmp_path / "services.py"
    sample.write_text(
        "def a(fs):\n    for f in fs:\n        attachment_store(file=f)\n"
        "def b(fs):\n    return [services.attachment_store(file=f) for f in fs]\n"
        "def c(fs):\n    attachments_store_all(files=fs)\n"
    )
    assert store_calls_in_loops(sample) == ["services.py:3", "services.py:5"]


def test_the_walk_finds_a_call_without_kinds(tmp_path):
    sample = tmp_path / "services.py"
    sample.write_text(
        "def a(f):\n    attachment_store(file=f)\n"
        "def b(f):\n    services.attachment_store(file=f, kinds=STAFF_KINDS)\n"
    )
    assert store_calls(sample) == [("a", {"file"}), ("b", {"file", "kinds"})]
