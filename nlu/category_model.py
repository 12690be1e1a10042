"""The category of a message (what it is about), from the NLU's intents and a learned model.

Rasa's DIET ranks intents; each intent belongs to one category (``CATEGORY_OF_INTENT``). A
logistic regression on the folded view (nlu/text_classifier.py) learns the categories directly
from the triage corpus, whose third-party reports, returnees and news discussions DIET confuses
most (reports/triage.md). The two are averaged (``NLU_WEIGHT``, chosen by tools/tune_triage.py on
the training split). Without Rasa the model alone decides; without the model, the intents.
"""
from __future__ import annotations

from pathlib import Path
from typing import Dict, Iterable, Mapping, Optional

from nlu import text_classifier
from nlu.parse import FALLBACK_INTENT, RESCUE_INTENT
from nlu.text_classifier import MODELS_DIR, TextClassifier

RESCUE = "urgent_rescue"
CATEGORY_OF_INTENT = {
    RESCUE_INTENT: RESCUE,
    "report_suspicious": "report_suspicious",
    "report_missing": "report_suspicious",
    "faq_migration": "safe_migration",
    "faq_support": "victim_support",
    "faq_hotline": "hotline_info",
    "human_request": "human_request",
    "greet": "smalltalk",
    "goodbye": "smalltalk",
    "thank": "smalltalk",
    "affirm": "smalltalk",
    "deny": "smalltalk",
    "out_of_scope": "out_of_scope",
}
CATEGORIES = tuple(sorted(set(CATEGORY_OF_INTENT.values())))
UNKNOWN = "out_of_scope"
C = 16.0  # by 5-fold cross-validation on the training split: 4 → 0.874, 16 → 0.881, 64 → 0.881
# tools/tune_triage.py, out of fold on the 3 771 training messages: 0 (the model alone) 0.893, 0.2 0.899, 0.3 0.900,
# 0.4 0.901, 0.5 0.896, 1 (DIET alone) 0.888
NLU_WEIGHT = 0.4
FORMAT = 2  # 2: plain arrays, no scikit-learn objects


class CategoryModel(TextClassifier):
    labels = CATEGORIES

    def __init__(self, c: float = C) -> None:
        super().__init__(c, balanced=False)


def category_of(intent: Optional[str]) -> str:
    return CATEGORY_OF_INTENT.get((intent or "").split("/")[0], UNKNOWN)


def from_intents(nlu: Mapping[str, float]) -> Dict[str, float]:
    """The NLU's ranking summed by category, the fallback left out and the rest scaled to 1."""
    out = dict.fromkeys(CATEGORIES, 0.0)
    for intent, confidence in nlu.items():
        if intent != FALLBACK_INTENT:
            out[category_of(intent)] += confidence
    total = sum(out.values())
    return {c: v / total for c, v in out.items()} if total > 0 else out


def scores(model: Optional[Mapping[str, float]], nlu: Optional[Mapping[str, float]],
           weight: float = NLU_WEIGHT) -> Dict[str, float]:
    """Category scores from the model's probabilities and the NLU's ranking, either of which may be missing."""
    heard = from_intents(nlu) if nlu else None
    if model is None:
        return heard or dict.fromkeys(CATEGORIES, 0.0)
    if heard is None or not any(heard.values()):
        return dict(model)
    return {c: (1 - weight) * model.get(c, 0.0) + weight * heard[c] for c in CATEGORIES}


def choose(category_scores: Mapping[str, float], rescue: bool) -> str:
    """``urgent_rescue`` when the urgency detector finds danger now; otherwise the best other
    category: a returnee or a hypothetical question the models read as rescue is asking something."""
    if rescue:
        return RESCUE
    others = {c: s for c, s in category_scores.items() if c != RESCUE}
    best = max(others, key=others.get, default=UNKNOWN)
    return best if others.get(best, 0.0) > 0 else UNKNOWN


def fingerprint(inputs: Iterable[Path]) -> str:
    return text_classifier.fingerprint(f"category-model-{FORMAT}-{C}", inputs)


def load(path: Path) -> CategoryModel:
    return text_classifier.load(path, CategoryModel)
