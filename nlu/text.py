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
# Laughter the folded view would otherwise drop (it keeps syllables only): it tells a joke
# ("bị vợ nhốt ở nhà, cứu tui =))") from a plea, so it becomes the syllable "haha".
_LAUGHTER = re.compile(r"[\U0001F602\U0001F923\U0001F605\U0001F606\U0001F601\U0001F61C\U0001F61D\U0001F643\U0001F639\U0001F604]|[=:]\)\)+|(?<!\w):v(?!\w)|\^\^|:D(?!\w)")
# Three or more of one letter are a stretched word, never Vietnamese spelling ("xoong" has two).
# A stretched "u" after a consonant keeps two: folded "ưu" is "uu" ("cứuuu" is "cuu", "đâuuu" "dau").
_STRETCHED = re.compile(r"([a-z])\1{2,}")
_STRETCHED_UU = re.compile(r"(?<=[bcdghklmnrstvx])uuu+")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower-case and strip Vietnamese diacritics: "Cứu Đồng" -> "cuu dong"."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", stripped.replace("đ", "d").replace("ð", "d"))


@dataclass(frozen=True)
class _Rule:
    """One reading of an ambiguous form: used when the word before or after fits (or always)."""
    expansion: str
    after: frozenset
    before: frozenset

    def fits(self, previous: Optional[str], following: Optional[str]) -> bool:
        if not self.after and not self.before:
            return True  # the default reading
        return previous in self.after or following in self.before


@dataclass(frozen=True)
class Teencode:
    expansions: Dict[str, str]
    contextual: Dict[str, Tuple[_Rule, ...]]

    @classmethod
    def load(cls, path: Path = TEENCODE_FILE) -> "Teencode":
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        expansions = {fold(k): fold(v) for k, v in (raw.get("expansions") or {}).items()}
        contextual = {
            fold(k): tuple(
                _Rule(fold(r["expansion"]), frozenset(fold(w) for w in r.get("after", [])),
                      frozenset(fold(w) for w in r.get("before", [])))
                for r in rules)
            for k, rules in (raw.get("contextual") or {}).items()
        }
        return cls(expansions, contextual)

    def expand(self, folded_word: str, previous: Optional[str], following: Optional[str] = None) -> str:
        """The plain form of one folded syllable, given the folded syllables around it."""
        folded_word = _STRETCHED.sub(r"\1", _STRETCHED_UU.sub("uu", folded_word))  # "nhieuuu" -> "nhieu"
        if folded_word in self.expansions:
            return self.expansions[folded_word]
        for rule in self.contextual.get(folded_word, ()):
            if rule.fits(previous, following):
                return rule.expansion
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
    folded = [fold(word) for word in words]
    return [
        teencode.expand(word, folded[i - 1] if i else None, folded[i + 1] if i + 1 < len(folded) else None)
        for i, word in enumerate(folded)
    ]


def folded_view(text: str, teencode: Optional[Teencode] = None) -> str:
    """The message as a single line of folded, expanded syllables separated by spaces.

    Sentence punctuation becomes " | " so that look-behind rules (negation) do not
    cross a clause boundary.
    """
    text = _LAUGHTER.sub(" haha ", nfc(text))
    found = syllables(text)
    parts: List[str] = []
    last_end = 0
    for word, (_, start, end) in zip(plain_words([w for w, _, _ in found], teencode), found):
        if parts and _BOUNDARY.search(text[last_end:start]):
            parts.append("|")
        parts.append(word)
        last_end = end
    return " ".join(parts)
