"""The learned stage of the urgency detector: P(critical), P(high), P(normal) for a message.

A logistic regression over two kinds of features of the folded view:
- word 1-3-grams ("bi dua qua", "da ve que", "bai tap"),
- character 2-5-grams within words (typos and unseen forms still share pieces).
So it weighs a danger word against the words around it ("bị nhốt" + "năm 2019" + "học nghề").
The tags of the first two stages are *not* features: measured, adding them lowered the
cross-validated AUC (critical against normal) from 0.98 to 0.96, because a signal fired by a
figurative "cứu" looks the same as a real one (reports/triage.md). They act in the decision
instead (nlu/urgency.py).

Trained from the triage corpus (data/triage/corpus, held-out split excluded) and Rasa's NLU
examples, at `make setup`; cached in models/ by a hash of everything it is trained from.
scikit-learn and joblib come with Rasa's environment; nothing here imports Rasa.
"""
from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Dict, Iterable, List, Sequence

import joblib
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from nlu.text import DATA_DIR

MODELS_DIR = DATA_DIR.parent / "models"
LEVELS = ("critical", "high", "normal")
# Inverse regularisation strength, chosen by cross-validation on the training split
# (reports/triage.md): C = 1 and 4 underfit the indirect danger wording (AUC 0.93, 0.96).
C = 64.0
FORMAT = 1  # bump when the saved object changes shape
CRITICAL = "critical"
# Messages longer than this many syllables are also read in windows of this size.
WINDOW = 60

logger = logging.getLogger(__name__)

class UrgencyModel:
    def __init__(self, c: float = C) -> None:
        self._words = TfidfVectorizer(token_pattern=r"[^\s|]+", ngram_range=(1, 3), sublinear_tf=True)
        self._chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)
        self._classifier = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")

    def _matrix(self, views: Sequence[str], fit: bool = False):
        parts = (self._words, self._chars)
        return hstack([p.fit_transform(views) if fit else p.transform(views) for p in parts]).tocsr()

    def fit(self, views: Sequence[str], levels: Sequence[str]) -> "UrgencyModel":
        """``views``: folded views of the messages (nlu.text.folded_view)."""
        self._classifier.fit(self._matrix(views, fit=True), list(levels))
        return self

    def _scores(self, views: Sequence[str]) -> List[Dict[str, float]]:
        rows = self._classifier.predict_proba(self._matrix(views))
        classes = list(self._classifier.classes_)
        return [{level: float(row[classes.index(level)]) if level in classes else 0.0 for level in LEVELS}
                for row in rows]

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

    def probabilities(self, view: str) -> Dict[str, float]:
        return self.probabilities_many([view])[0]


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
    digest = hashlib.sha256(f"urgency-model-{FORMAT}-{C}".encode())
    for path in sorted(inputs):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def save(model: UrgencyModel, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    joblib.dump(model, partial)
    partial.replace(path)  # a reader never sees half a file


def load(path: Path) -> UrgencyModel:
    model = joblib.load(path)
    if not isinstance(model, UrgencyModel):
        raise TypeError(f"{path.name} is not an urgency model")
    return model
