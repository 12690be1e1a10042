"""Training the category model (nlu/category_model.py), and finding the trained one.

What it learns from: the triage corpus's training split (never its held-out quarter) and Rasa's
NLU examples, each intent as its category. Cached in models/ by a hash of those files and of the
code that computes its features.
"""
from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from nlu import category_model, corpus, text_classifier
from nlu.text import folded_view

logger = logging.getLogger(__name__)
NLU_ROOT = Path(__file__).resolve().parent
INPUTS = [*text_classifier.training_inputs(), NLU_ROOT / "category_model.py"]


def training_examples(train: Optional[Sequence[corpus.Labelled]] = None) -> List[Tuple[str, str]]:
    """(text, category) pairs; ``train`` defaults to the corpus's training split."""
    if train is None:
        train, _ = corpus.split(corpus.triage_corpus())
    return [(m.text, m.category) for m in train] + [
        (text, category_model.category_of(intent)) for text, intent in corpus.nlu_examples()]


def train(examples: Sequence[Tuple[str, str]], c: float = category_model.C) -> category_model.CategoryModel:
    model = category_model.CategoryModel(c)
    model.fit([folded_view(text) for text, _ in examples], [category for _, category in examples])
    return model


def model_path() -> Path:
    inputs = [p for p in INPUTS if p.exists()]
    return text_classifier.model_file("category", category_model.fingerprint(inputs))


def ensure_model() -> category_model.CategoryModel:
    """The model for the current data, trained (a few seconds) if it is not in models/ yet."""
    return text_classifier.cached(model_path(), category_model.CategoryModel, lambda: train(training_examples()))


@functools.lru_cache(maxsize=1)
def default_model() -> Optional[category_model.CategoryModel]:
    """The trained model, or None (the NLU's intents alone decide) if it cannot be had."""
    try:
        return ensure_model()
    except (OSError, ValueError) as error:
        logger.error("category model unavailable (%s); NLU intents only", type(error).__name__)
        return None
