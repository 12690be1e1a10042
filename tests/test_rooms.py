"""Rooms depend downward only (issue 15): shared/ at the bottom, nlu/ and directory/ above it,
handoff/ and actions/ above those, the gateway bot/ above them, and the tooling tools/ (command
line, model cache, launcher, Rasa runner, evaluation, tuning, bench) on top, apart from the
gateway's runtime. Every module of bot/ and of the rooms below it is read with ``ast``, imports
inside functions included, and none may import a room above it (or beside it). One module is let
through: bot/__main__.py, which keeps `python -m bot` (the evaluation's triage contract) and only
hands it to tools.cli. No class of these rooms has more than 25 methods, and no module but
handoff/keys.py spells a Redis key. Sources are only parsed, never imported: the test runs in both
runtimes."""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterator, List, Tuple

ROOT = Path(__file__).resolve().parent.parent
# What each room may not import. nlu/ imports no other room at all; directory/ may use shared/;
# no room below the tooling imports tools/ (which may import every room).
FORBIDDEN = {
    "shared": {"bot", "nlu", "directory", "handoff", "actions", "tools"},
    "nlu": {"bot", "handoff", "actions", "directory", "shared", "tools"},
    "directory": {"bot", "handoff", "actions", "nlu", "tools"},
    "handoff": {"bot", "actions", "tools"},
    "actions": {"bot", "tools"},
    "bot": {"tools"},
}
# The one entry point let through, and all it may import: `python -m bot` handed to the tooling.
ENTRY_POINT = ROOT / "bot" / "__main__.py"
ENTRY_POINT_IMPORTS = {"sys", "tools.cli"}


def modules(room: str) -> List[Path]:
    return sorted(p for p in (ROOT / room).rglob("*.py") if "__pycache__" not in p.parts and p != ENTRY_POINT)


def imported(path: Path, source: str) -> Iterator[Tuple[int, str, str]]:
    """(line, module, statement) for every import in ``source``, wherever it stands (module level,
    a function, ``if TYPE_CHECKING:``), relative imports resolved against ``path``'s package, and
    ``importlib.import_module("...")`` / ``__import__("...")`` with a literal name."""
    package = list(path.relative_to(ROOT).parent.parts)
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, ast.unparse(node)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - (node.level - 1)] if node.level else []
            if node.module:
                yield node.lineno, ".".join(base + [node.module]), ast.unparse(node)
            else:  # from . import a, b: each name may be a module of the package
                for alias in node.names:
                    yield node.lineno, ".".join(base + [alias.name]), ast.unparse(node)
        elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)
              and ((isinstance(node.func, ast.Name) and node.func.id in ("__import__", "import_module"))
                   or (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module"))):
            yield node.lineno, node.args[0].value, ast.unparse(node)


def wrong_imports(room: str, path: Path, source: str) -> List[str]:
    """"file:line: statement (why)" for each import of a room that ``room`` may not use."""
    found = []
    for line, name, statement in sorted(imported(path, source)):
        top = name.split(".", 1)[0]
        if top in FORBIDDEN[room]:
            found.append(f"{path.relative_to(ROOT)}:{line}: {statement} ({room}/ may not import {top}/)")
    return found


def test_every_room_has_modules_to_check():
    for room in FORBIDDEN:
        assert modules(room), f"{room}/ has no Python modules: is the layout in this test still the project's?"


def test_rooms_import_only_rooms_below_them():
    found = [problem for room in FORBIDDEN for path in modules(room)
             for problem in wrong_imports(room, path, path.read_text(encoding="utf-8"))]
    assert not found, "imports against the layering (docs/files.md):\n" + "\n".join(found)


def test_the_check_finds_imports_anywhere_in_a_module():
    path = ROOT / "handoff" / "example.py"
    source = (
        "import json\n"
        "from handoff import texts\n"
        "from shared.config import Config\n"
        "def later():\n"
        "    from bot.config import Config\n"
        "    import bot.app as app\n"
        "class Late:\n"
        "    def method(self):\n"
        "        importlib.import_module('bot.router')\n"
        "from .. import bot\n"
        "from ..actions.server import main\n"
    )
    assert wrong_imports("handoff", path, source) == [
        "handoff/example.py:5: from bot.config import Config (handoff/ may not import bot/)",
        "handoff/example.py:6: import bot.app as app (handoff/ may not import bot/)",
        "handoff/example.py:9: importlib.import_module('bot.router') (handoff/ may not import bot/)",
        "handoff/example.py:10: from .. import bot (handoff/ may not import bot/)",
        "handoff/example.py:11: from ..actions.server import main (handoff/ may not import actions/)",
    ]
    assert wrong_imports("nlu", ROOT / "nlu" / "example.py", "from shared import errors\n") == [
        "nlu/example.py:1: from shared import errors (nlu/ may not import shared/)"]
    assert wrong_imports("directory", ROOT / "directory" / "example.py", "from shared.config import Config\n") == []


def test_the_entry_point_only_hands_the_command_line_to_the_tooling():
    """bot/__main__.py imports tools.cli and nothing else of the project, and no module imports it."""
    assert {name for _, name, _ in imported(ENTRY_POINT, ENTRY_POINT.read_text(encoding="utf-8"))} \
        == ENTRY_POINT_IMPORTS
    everything = [path for room in (*FORBIDDEN, "tools", "tests") for path in modules(room)]
    found = [f"{path.relative_to(ROOT)}:{line}: {statement}" for path in everything
             for line, name, statement in imported(path, path.read_text(encoding="utf-8"))
             if name == "bot.__main__" or (name == "bot" and "__main__" in statement)]
    assert not found, "bot/__main__.py is only run (python -m bot), never imported:\n" + "\n".join(found)


def test_the_gateway_may_not_import_the_tooling():
    assert wrong_imports("bot", ROOT / "bot" / "example.py", "from tools.model import ensure_model\n"
                                                          "def later():\n    from tools import launcher\n") == [
        "bot/example.py:1: from tools.model import ensure_model (bot/ may not import tools/)",
        "bot/example.py:3: from tools import launcher (bot/ may not import tools/)",
    ]
    assert wrong_imports("bot", ROOT / "bot" / "example.py", "from handoff.service import Handoff\n") == []


# Issue 15: a class small enough to read in one sitting. Counted as `def`s directly in its body.
MAX_METHODS = 25


def methods_per_class(path: Path, source: str) -> Iterator[Tuple[int, str]]:
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if isinstance(node, ast.ClassDef):
            yield sum(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) for n in node.body), \
                f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"


def test_no_class_of_the_product_has_more_than_25_methods():
    sizes = [size for room in (*FORBIDDEN, "tools") for path in modules(room)
             for size in methods_per_class(path, path.read_text(encoding="utf-8"))]
    assert len(sizes) > 50, "too few classes found: is the layout in this test still the project's?"
    too_big = [f"{where}: {count} methods" for count, where in sizes if count > MAX_METHODS]
    assert not too_big, f"classes over {MAX_METHODS} methods (split them by domain object):\n" + "\n".join(too_big)


def spelled_keys(path: Path, source: str) -> Iterator[str]:
    """Strings built on a key prefix (f"{self.prefix}…", prefix + "…"): Redis keys spelled here."""
    def on_prefix(node: ast.AST) -> bool:
        return (isinstance(node, ast.Attribute) and node.attr == "prefix") or (
            isinstance(node, ast.Name) and node.id == "prefix")

    for node in ast.walk(ast.parse(source, filename=str(path))):
        if isinstance(node, ast.JoinedStr) and any(
                isinstance(v, ast.FormattedValue) and on_prefix(v.value) for v in node.values):
            yield f"{path.relative_to(ROOT)}:{node.lineno}"
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and on_prefix(node.left) \
                and isinstance(node.right, (ast.Constant, ast.JoinedStr)):
            yield f"{path.relative_to(ROOT)}:{node.lineno}"


def test_redis_keys_are_spelled_in_handoff_keys_only():
    keys_module = ROOT / "handoff" / "keys.py"
    assert list(spelled_keys(keys_module, keys_module.read_text(encoding="utf-8"))), "the check finds nothing"
    found = [where for room in FORBIDDEN for path in modules(room) if path != keys_module
             for where in spelled_keys(path, path.read_text(encoding="utf-8"))]
    assert not found, "Redis keys built outside handoff/keys.py (name the family there):\n" + "\n".join(found)
