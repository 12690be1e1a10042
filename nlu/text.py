"""Vietnamese text normalisation shared by the NLU components and the urgency detector.

Nothing here imports Rasa: the urgency detector must work when Rasa is down.

Two views of a message are used:
- the *surface* text, NFC-normalised (what people see, what entity offsets refer to);
- the *folded* view: lower case, diacritics removed ("đ" -> "d"), teencode expanded
  ("ko" -> "khong", "e" -> "em"), so "hộ chiếu", "ho chieu" and "hc" meet.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

import yaml

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
TEENCODE_FILE = DATA_DIR / "lexicon" / "teencode.yml"

# Syllables: runs of letters/digits (Vietnamese letters are \w in Python's re).
_SYLLABLE = re.compile(r"\w+", re.UNICODE)
_BOUNDARY = re.compile(r"[.,;!?\n:()]")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower-case and strip Vietnamese diacritics: "Cứu Đồng" -> "cuu dong"."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", stripped.replace("đ", "d").replace("ð", "d"))


@dataclass(frozen=True)
class Teencode:
    expansions: Dict[str, str]
    contextual: Dict[str, Tuple[str, frozenset]]

    @classmethod
    def load(cls, path: Path = TEENCODE_FILE) -> "Teencode":
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        expansions = {fold(k): fold(v) for k, v in (raw.get("expansions") or {}).items()}
        contextual = {
            fold(k): (fold(v["expansion"]), frozenset(fold(w) for w in v.get("after", [])))
            for k, v in (raw.get("contextual") or {}).items()
        }
        return cls(expansions, contextual)

    def expand(self, folded_word: str, previous: Optional[str]) -> str:
        """The plain form of one folded syllable, given the folded syllable before it."""
        if folded_word in self.expansions:
            return self.expansions[folded_word]
        rule = self.contextual.get(folded_word)
        if rule and previous in rule[1]:
            return rule[0]
        return folded_word


@functools.lru_cache(maxsize=1)
def default_teencode() -> Teencode:
    return Teencode.load()


def syllables(text: str) -> List[Tuple[str, int, int]]:
    """(syllable, start, end) for every word-character run of ``text``."""
    return [(m.group(0), m.start(), m.end()) for m in _SYLLABLE.finditer(text)]


def plain_words(words: Iterable[str], teencode: Optional[Teencode] = None) -> List[str]:
    """Fold and expand a sequence of words; an expansion may hold several syllables."""
    teencode = teencode or default_teencode()
    out: List[str] = []
    previous: Optional[str] = None
    for word in words:
        folded = fold(word)
        out.append(teencode.expand(folded, previous))
        previous = folded
    return out


def folded_view(text: str, teencode: Optional[Teencode] = None) -> str:
    """The message as a single line of folded, expanded syllables separated by spaces.

    Sentence punctuation becomes " | " so that look-behind rules (negation) do not
    cross a clause boundary.
    """
    text = nfc(text)
    found = syllables(text)
    parts: List[str] = []
    last_end = 0
    for word, (_, start, end) in zip(plain_words([w for w, _, _ in found], teencode), found):
        if parts and _BOUNDARY.search(text[last_end:start]):
            parts.append("|")
        parts.append(word)
        last_end = end
    return " ".join(parts)
