"""Rooms depend downward only (issue 15): shared/ at the bottom, nlu/ and directory/ above it,
handoff/ and actions/ above those, the gateway bot/ on top. Every product module below the gateway
is read with ``ast``, imports inside functions included, and none may import a room above it (or
beside it). Sources are only parsed, never imported: the test runs in both runtimes."""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterator, List, Tuple

ROOT = Path(__file__).resolve().parent.parent
# What each room may not import. nlu/ imports no other room at all; directory/ may use shared/.
FORBIDDEN = {
    "shared": {"bot", "nlu", "directory", "handoff", "actions"},
    "nlu": {"bot", "handoff", "actions", "directory", "shared"},
    "directory": {"bot", "handoff", "actions", "nlu"},
    "handoff": {"bot", "actions"},
    "actions": {"bot"},
}


def modules(room: str) -> List[Path]:
    return sorted(p for p in (ROOT / room).rglob("*.py") if "__pycache__" not in p.parts)


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
