"""How urgent is a message? critical / high / normal, with reason tags.

Used by the live bot (before dialogue, and by the rescue action), and by the triage
command. Three stages, all on the folded view of the message (nlu/text.py):

1. **Danger signals** (data/lexicon/urgency.yml): regular expressions with high recall
   ("bị nhốt", "tối nay đưa qua sông"), negations cancelled within a clause.
2. **Context markers** (data/lexicon/context.yml, nlu/urgency_context.py): when (past,
   now, imminent, hypothetical) and whether literally (figurative, third party safe now).
3. **A learned model** (nlu/urgency_model.py) over the words of the folded view, averaged
   with the NLU's intent ranking when there is one.

The decision (``decide``) keeps explicit signals as a recall floor: a danger signal that no
context explains away is at least ``high``; the model may lower it to normal only when a
lowering marker says why, and it may raise a message no signal caught. When in doubt
between critical and normal, the answer is high. It never needs Rasa: with no NLU
result, and even with no trained model, an urgent message is recognised.
"""
from __future__ import annotations

import copy
import functools
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, FrozenSet, List, Mapping, Optional, Pattern, Sequence, Tuple

import yaml

from nlu import urgency_model
from nlu.parse import FALLBACK_INTENT
from nlu.text import DATA_DIR, Teencode, folded_view
from nlu.urgency_context import LOWERING, ContextMarkers, syllable_regex

LEXICON_FILE = DATA_DIR / "lexicon" / "urgency.yml"

CRITICAL, HIGH, NORMAL = "critical", "high", "normal"
LEVELS = (CRITICAL, HIGH, NORMAL)

# With the NLU's ranking at hand, the detector's model and DIET are averaged with this weight:
# two models of the same words that err differently; chosen by tools/tune_triage.py.
NLU_WEIGHT = 0.4  # 0.6 before the corpus grew by 959 messages (issue 12's third pass)
# The lexicon-only detector (no trained model, and the baseline of reports/triage.md) escalates on
# the NLU's word alone at these confidences.
URGENT_INTENT = "urgent_rescue"
MISSING_INTENT = "report_missing"
URGENT_CRITICAL_CONFIDENCE = 0.7
URGENT_HIGH_CONFIDENCE = 0.4
MISSING_HIGH_CONFIDENCE = 0.6
NLU_TAGS = {URGENT_INTENT: "nlu_urgent_rescue", MISSING_INTENT: "nlu_lost_contact"}

# Signals whose wording is never a question about danger: "cứu em" or "they take us across
# tonight" in a message that also asks "làm sao để biết" is still a person in it now.
NOT_HYPOTHETICAL = {"distress_call", "moved_now"}
# Signals no figure of speech explains: a phone hidden from the guards, a crossing tonight.
# A "game" or "deadline" elsewhere in the message does not lower them.
LITERAL_SIGNALS = {"secret_phone", "moved_now"}

# A minor raises these high signals to critical (child protection comes first).
MINOR_RAISES = {"lost_contact", "departure_soon", "documents_taken", "threat", "illegal_crossing"}

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Urgency:
    level: str
    reasons: Tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_urgent(self) -> bool:
        return self.level in (CRITICAL, HIGH)


@dataclass(frozen=True)
class Thresholds:
    """Where the learned model's probabilities move a level; chosen by tools/tune_triage.py on the
    training split. ``signal_critical`` is above ``critical`` because a signal the model does not
    confirm still ends high, while a message without one may end normal."""
    signal_critical: float = 0.6   # P(critical) that confirms a critical danger signal
    critical: float = 0.5          # P(critical) that makes a message critical without one
    urgent: float = 0.15           # P(critical) + P(high) that makes a message high without a signal
    lower: float = 0.7             # P(normal) that, with a lowering marker, explains a signal away
    dismiss: float = 0.8           # P(normal) that explains a high signal away without a marker


@dataclass(frozen=True)
class Evidence:
    """What the first two stages found in a message."""
    view: str
    signals: Dict[str, str]         # tag -> critical / high / signal
    context: FrozenSet[str]         # context markers (past, now, figurative...)
    hypothetical_wording: bool      # the lexicon's question wording, not overridden by "đang bị"

    @property
    def lowering(self) -> List[str]:
        literal = bool(LITERAL_SIGNALS.intersection(self.signals))
        found = [t for t in LOWERING if t in self.context and not (literal and t == "figurative")]
        if self.hypothetical_wording and "hypothetical" not in found:
            found.insert(0, "hypothetical")
        return found


@dataclass(frozen=True)
class _Signal:
    tag: str
    level: str
    patterns: Tuple[Pattern[str], ...]


class UrgencyDetector:
    def __init__(
        self,
        lexicon_file: Path = LEXICON_FILE,
        context: Optional[ContextMarkers] = None,
        model: Optional[urgency_model.UrgencyModel] = None,
        thresholds: Thresholds = Thresholds(),
        teencode: Optional[Teencode] = None,
    ) -> None:
        self._context = context or ContextMarkers()
        self._teencode = teencode
        self.model = model
        self.thresholds = thresholds
        raw = yaml.safe_load(lexicon_file.read_text(encoding="utf-8"))
        self._signals = [
            _Signal(tag, spec["level"], tuple(syllable_regex(p) for p in spec["patterns"]))
            for tag, spec in raw["signals"].items()
        ]
        self._negation = re.compile(r"(?:^|\s)(?:" + raw["negations"] + r")\s*$")
        self._hypothetical = [re.compile(p) for p in raw["hypothetical"]]
        self._hotline = syllable_regex(raw["hotline_mention"])
        self._present = syllable_regex(raw["present"])
        self._conditional = syllable_regex(raw["conditional"])
        self._age = syllable_regex(raw["age"])
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

    def evidence(self, text: str) -> Evidence:
        view = folded_view(text, self._teencode)
        signals = self._signals_in(view)
        hypothetical = self._hypothetical_in(view) and not NOT_HYPOTHETICAL.intersection(signals)
        return Evidence(view, signals, self._context.tags(view), hypothetical)

    def lexicon_level(self, evidence: Evidence, intent: Optional[str] = None, confidence: float = 0.0) -> Urgency:
        """Stage 1 alone, as the detector decided before it had context: the recall floor."""
        found = evidence.signals
        critical = [t for t, lvl in found.items() if lvl == CRITICAL]
        high = [t for t, lvl in found.items() if lvl == HIGH]
        context = [t for t, lvl in found.items() if lvl == "signal"]
        reasons: List[str] = []
        hypothetical = evidence.hypothetical_wording
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

        level = CRITICAL if critical else HIGH if high else NORMAL
        return Urgency(level, tuple(_unique(critical + high + context + reasons)))

    def assess(self, text: str, nlu: Optional[Mapping[str, float]] = None) -> Urgency:
        """The urgency of ``text``; ``nlu`` is the NLU's intent ranking ({intent: confidence}) when
        there is one (the triage command, the rescue action), None before Rasa answers (the gateway)."""
        evidence = self.evidence(text)
        if self.model is None:
            return self.lexicon_level(evidence, *_best_intent(nlu))
        p = with_nlu(self.model.probabilities(evidence.view), nlu)
        urgency = decide(self.lexicon_level(evidence), evidence, p, self.thresholds)
        heard = [tag for intent, tag in NLU_TAGS.items() if (nlu or {}).get(intent, 0.0) >= 0.5]
        if heard and urgency.is_urgent:
            urgency = Urgency(urgency.level, tuple(_unique(list(urgency.reasons) + heard)))
        return urgency

    def with_model(self, model: Optional[urgency_model.UrgencyModel], thresholds: Optional[Thresholds] = None
                   ) -> "UrgencyDetector":
        """The same lexicons with another model (the evaluation compares several)."""
        clone = copy.copy(self)
        clone.model, clone.thresholds = model, thresholds or self.thresholds
        return clone


def decide(floor: Urgency, evidence: Evidence, p: Dict[str, float], th: Thresholds) -> Urgency:
    """The level, from the lexicon's floor and the model's probabilities (see the module doc)."""
    reasons = list(floor.reasons)
    lowering = evidence.lowering
    # A signal explained away: by a marker the model agrees with, or (a high signal only) by
    # words the model knows as harmless. A critical signal with no marker stays at least high.
    if floor.level != NORMAL and lowering and p[NORMAL] >= th.lower:
        return Urgency(NORMAL, tuple(_unique(reasons + lowering)))
    if floor.level == HIGH and p[NORMAL] >= th.dismiss:
        return Urgency(NORMAL, tuple(_unique(reasons + ["model_normal"])))
    confirm = th.signal_critical if floor.level == CRITICAL else th.critical
    if p[CRITICAL] >= confirm:
        extra = [] if floor.level == CRITICAL else ["model_critical"]
        return Urgency(CRITICAL, tuple(_unique(reasons + extra)))
    if floor.level != NORMAL:
        # a signal the model does not confirm and no marker explains: a counsellor sees it soon
        extra = ["doubt"] if floor.level == CRITICAL else []
        return Urgency(HIGH, tuple(_unique(reasons + lowering + extra)))
    if p[CRITICAL] + p[HIGH] >= th.urgent:
        return Urgency(HIGH, tuple(_unique(reasons + ["model_high"])))
    return Urgency(NORMAL, tuple(reasons))


def with_nlu(model: Dict[str, float], nlu: Optional[Mapping[str, float]], weight: float = NLU_WEIGHT
             ) -> Dict[str, float]:
    """The model's probabilities averaged with the NLU's ranking read as urgency (a rescue intent
    is critical, a missing person high, the rest normal)."""
    if not nlu:
        return model
    critical, high = nlu.get(URGENT_INTENT, 0.0), nlu.get(MISSING_INTENT, 0.0)
    heard = {CRITICAL: critical, HIGH: high, NORMAL: max(0.0, 1.0 - critical - high)}
    return {level: (1 - weight) * model[level] + weight * heard[level] for level in LEVELS}


def _best_intent(nlu: Optional[Mapping[str, float]]) -> Tuple[Optional[str], float]:
    """The NLU's most likely real intent (a fallback is not one) and its confidence."""
    real = {name: c for name, c in (nlu or {}).items() if name != FALLBACK_INTENT}
    if not real:
        return None, 0.0
    intent = max(real, key=real.get)
    return intent, real[intent]


def _unique(items: Sequence[str]) -> List[str]:
    return list(dict.fromkeys(items))


@functools.lru_cache(maxsize=1)
def default_detector() -> UrgencyDetector:
    """The detector with its trained model (trained now if `make setup` has not)."""
    from nlu.urgency_training import ensure_model

    detector = UrgencyDetector()
    try:
        return detector.with_model(ensure_model())
    except (OSError, ValueError) as error:
        # Never leave the bot without urgency: the lexicon alone still escalates explicit danger.
        logger.error("urgency model unavailable (%s); lexicon only", type(error).__name__)
        return detector
