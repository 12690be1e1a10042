"""How urgent is a message? critical / high / normal, with reason tags.

Used by the live bot (before dialogue) and by the triage command. It combines a
lexicon of danger signals (data/lexicon/urgency.yml), matched on the folded view of
the message, with the NLU intent when one is available. It never needs Rasa: with
no NLU result the lexicon alone decides, so an urgent message is recognised even
when the Rasa server is down.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Pattern, Sequence, Tuple

import yaml

from nlu.text import DATA_DIR, folded_view

LEXICON_FILE = DATA_DIR / "lexicon" / "urgency.yml"

CRITICAL, HIGH, NORMAL = "critical", "high", "normal"
LEVELS = (CRITICAL, HIGH, NORMAL)

# NLU thresholds: confident enough to escalate on the model's word alone.
URGENT_INTENT = "urgent_rescue"
MISSING_INTENT = "report_missing"
URGENT_CRITICAL_CONFIDENCE = 0.7
URGENT_HIGH_CONFIDENCE = 0.4
MISSING_HIGH_CONFIDENCE = 0.6

# A minor raises these high signals to critical (child protection comes first).
MINOR_RAISES = {"lost_contact", "departure_soon", "documents_taken", "threat", "illegal_crossing"}


@dataclass(frozen=True)
class Urgency:
    level: str
    reasons: Tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_urgent(self) -> bool:
        return self.level in (CRITICAL, HIGH)


@dataclass(frozen=True)
class _Signal:
    tag: str
    level: str
    patterns: Tuple[Pattern[str], ...]


def _syllable_regex(pattern: str) -> Pattern[str]:
    # whole syllables only: "nhot" must not match inside another word
    return re.compile(r"(?<![\w])(?:" + pattern + r")(?![\w])")


class UrgencyDetector:
    def __init__(self, lexicon_file: Path = LEXICON_FILE) -> None:
        raw = yaml.safe_load(lexicon_file.read_text(encoding="utf-8"))
        self._signals = [
            _Signal(tag, spec["level"], tuple(_syllable_regex(p) for p in spec["patterns"]))
            for tag, spec in raw["signals"].items()
        ]
        self._negation = re.compile(r"(?:^|\s)(?:" + raw["negations"] + r")\s*$")
        self._hypothetical = [re.compile(p) for p in raw["hypothetical"]]
        self._hotline = _syllable_regex(raw["hotline_mention"])
        self._present = _syllable_regex(raw["present"])
        self._conditional = _syllable_regex(raw["conditional"])
        self._age = _syllable_regex(raw["age"])
        self._minor_age_below = int(raw["minor_age_below"])

    def _signals_in(self, view: str) -> Dict[str, str]:
        """Danger signals in a folded view (tag -> level), negated ones left out."""
        found: Dict[str, str] = {}
        for signal in self._signals:
            for pattern in signal.patterns:
                if any(not self._negated(view, m.start()) for m in pattern.finditer(view)):
                    found[signal.tag] = signal.level
                    break
        if any(int(m.group(1)) < self._minor_age_below for m in self._age.finditer(view)):
            found.setdefault("minor", "signal")
        if "lost_contact" in found and self._hotline.search(view):
            del found["lost_contact"]  # "goi 111 khong duoc" is about the line
        return found

    def _hypothetical_in(self, view: str) -> bool:
        if not any(p.search(view) for p in self._hypothetical):
            return False
        for m in self._present.finditer(view):
            clause = view[: m.start()].split("|")[-1]
            if not self._conditional.search(clause):
                return False  # someone says they are in it now
        return True

    def _negated(self, view: str, start: int) -> bool:
        before = view[:start].split("|")[-1]  # only within the same clause
        return bool(self._negation.search(before))

    def assess(
        self,
        text: str,
        intent: Optional[str] = None,
        confidence: float = 0.0,
    ) -> Urgency:
        view = folded_view(text)
        found = self._signals_in(view)
        reasons: List[str] = []
        critical = [t for t, lvl in found.items() if lvl == CRITICAL]
        high = [t for t, lvl in found.items() if lvl == HIGH]
        context = [t for t, lvl in found.items() if lvl == "signal"]

        hypothetical = self._hypothetical_in(view) and "distress_call" not in found
        if hypothetical:
            # a question about danger, not danger now: keep the tags for the record
            reasons.append("hypothetical")
            context += critical + high
            critical, high = [], []

        if intent == URGENT_INTENT and not hypothetical:
            if confidence >= URGENT_CRITICAL_CONFIDENCE:
                critical.append("nlu_urgent_rescue")
            elif confidence >= URGENT_HIGH_CONFIDENCE:
                high.append("nlu_urgent_rescue")
        if intent == MISSING_INTENT and confidence >= MISSING_HIGH_CONFIDENCE and not hypothetical:
            high.append("nlu_lost_contact")

        if "minor" in found and MINOR_RAISES.intersection(high):
            critical += ["minor"]

        if critical:
            level = CRITICAL
        elif high:
            level = HIGH
        else:
            level = NORMAL
        ordered = _unique(critical + high + context + reasons)
        return Urgency(level, tuple(ordered))


def _unique(items: Sequence[str]) -> List[str]:
    return list(dict.fromkeys(items))


@functools.lru_cache(maxsize=1)
def default_detector() -> UrgencyDetector:
    return UrgencyDetector()
