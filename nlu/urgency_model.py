"""The learned stage of the urgency detector: P(critical), P(high), P(normal) for a message.

A logistic regression over the words and character pieces of the folded view
(nlu/text_classifier.py), so it weighs a danger word against the words around it
("bị nhốt" + "năm 2019" + "học nghề").
The tags of the first two stages are *not* features: measured, adding them lowered the
cross-validated AUC (critical against normal) from 0.98 to 0.96, because a signal fired by a
figurative "cứu" looks the same as a real one (reports/triage.md). They act in the decision
instead (nlu/urgency.py).

Trained from the triage corpus (data/triage/corpus, held-out split excluded) and Rasa's NLU
examples, at `make setup` (nlu/urgency_training.py).
"""
from __future__ import annotations

from pathlib import Path
from typing import Dict, Iterable, List, Sequence

from nlu import text_classifier
from nlu.text_classifier import MODELS_DIR, TextClassifier

LEVELS = ("critical", "high", "normal")
# Inverse regularisation strength, chosen by cross-validation on the training split
# (reports/triage.md): C = 1 and 4 underfit the indirect danger wording (AUC 0.93, 0.96).
C = 64.0
FORMAT = 3  # bump when the saved object changes shape (3: plain arrays, no scikit-learn objects)
CRITICAL = "critical"
# Messages longer than this many syllables are also read in windows of this size.
WINDOW = 60


class UrgencyModel(TextClassifier):
    labels = LEVELS

    def __init__(self, c: float = C) -> None:
        super().__init__(c, balanced=True)

    def probabilities_many(self, views: Sequence[str]) -> List[Dict[str, float]]:
        """P(level) of each message. A long message is also read in overlapping windows and
        takes its most critical one: one sentence of danger in a long story must not be
        diluted by the rest ("chuyện dài … cứu em, họ nhốt em")."""
        out = []
        for view, whole in zip(views, self._scores(views)):
            windows = _windows(view)
            if windows:
                whole = max([whole, *self._scores(windows)], key=lambda p: p[CRITICAL])
            out.append(whole)
        return out


def _windows(view: str) -> List[str]:
    """Windows of a long folded view: pairs of neighbouring pieces, a piece being a clause (the
    view marks clause ends with "|") or a part of at most WINDOW // 2 syllables of a longer one.
    None for a message of WINDOW syllables or fewer."""
    if len(view.split()) <= WINDOW:
        return []
    half = WINDOW // 2
    pieces = []
    for clause in view.split("|"):
        words = clause.split()
        pieces += [words[i:i + half] for i in range(0, len(words), half)]
    return [" ".join(a + b) for a, b in zip(pieces, pieces[1:] + [[]])]


def fingerprint(inputs: Iterable[Path]) -> str:
    return text_classifier.fingerprint(f"urgency-model-{FORMAT}-{C}", inputs)


def load(path: Path) -> UrgencyModel:
    return text_classifier.load(path, UrgencyModel)
