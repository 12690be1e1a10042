"""The Lua scripts of the live state, one file each, read once per process.

A script may start from shared functions: ``source("turn_take_function", "turn_take")`` is the
first file followed by the second (Redis runs one text per script).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def source(*names: str) -> str:
    return "\n".join((HERE / f"{name}.lua").read_text(encoding="utf-8") for name in names)
