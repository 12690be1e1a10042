"""What the line says in languages other than Vietnamese (data/languages.yml), with the
directory's numbers filled in. The language itself is told by nlu/language.py."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict

import yaml

from directory.model import Directory

LANGUAGES_FILE = Path(__file__).resolve().parent.parent / "data" / "languages.yml"
VIETNAMESE_NAME = "tiếng Việt"
AWAITING_REVIEW = "awaiting_native_speaker"


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # as the console names it, in Vietnamese
    safety: str
    waiting: str
    review: str

    @property
    def awaiting_review(self) -> bool:
        return self.review == AWAITING_REVIEW


@lru_cache(maxsize=None)
def languages(path: Path = LANGUAGES_FILE) -> Dict[str, Language]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["languages"]
    return {code: Language(code, entry["name"], entry["safety"], entry["waiting"], entry["review"])
            for code, entry in raw.items()}


def name(code: str) -> str:
    """The language's name for counsellors ("tiếng Khmer"); Vietnamese for "vi" or none."""
    found = languages().get(code or "vi")
    return found.name if found else VIETNAMESE_NAME


def safety(directory: Directory, code: str) -> str:
    return directory.render(languages()[code].safety)


def waiting(directory: Directory, code: str) -> str:
    return directory.render(languages()[code].waiting)
