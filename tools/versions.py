"""`make versions`: one line per runtime, ``<runtime> python=<version> <package>=<version> …``,
for the direct dependencies its requirements file names (what an advisory check starts from)."""
from __future__ import annotations

import platform
import re
import sys
from importlib import metadata
from pathlib import Path
from typing import List


def requirement_names(path: Path) -> List[str]:
    names = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.append(re.split(r"[<>=!~\[ ;]", line, maxsplit=1)[0])
    return names


def line(runtime: str, requirements: Path) -> str:
    parts = [runtime, f"python={platform.python_version()}"]
    for name in requirement_names(requirements):
        try:
            parts.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name}=missing")
    return " ".join(parts)


if __name__ == "__main__":
    print(line(sys.argv[1], Path(sys.argv[2])))
