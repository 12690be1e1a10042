"""Training the urgency model (nlu/urgency_model.py), and finding the trained one.

What it learns from: the triage corpus's training split (data/triage/corpus, never its
held-out quarter), non-counselling messages (intake answers, insults, tests: data/triage/non_counselling.jsonl),
the urgency model's own messages (data/triage/urgency_more.jsonl) and Rasa's
NLU examples (urgent_rescue as critical, report_missing as
high, every other intent as normal). The model is cached in models/ by a hash of those
files and of the code and lexicons that compute its features.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from nlu import corpus, text_classifier, urgency_model
from nlu.text import DATA_DIR, folded_view

logger = logging.getLogger(__name__)
NLU_ROOT = Path(__file__).resolve().parent
# Everything the model's features or labels depend on.
INPUTS = [
    *text_classifier.training_inputs(),
    corpus.NON_COUNSELLING,
    corpus.URGENCY_MORE,
    DATA_DIR / "lexicon" / "urgency.yml",
    DATA_DIR / "lexicon" / "context.yml",
    NLU_ROOT / "urgency.py",
    NLU_ROOT / "urgency_context.py",
    NLU_ROOT / "urgency_model.py",
]


def training_examples(train: Optional[Sequence[corpus.Labelled]] = None) -> List[Tuple[str, str]]:
    """(text, level) pairs; ``train`` defaults to the corpus's training split."""
    if train is None:
        train, _ = corpus.split(corpus.triage_corpus())
    extra = [*corpus.read_jsonl(corpus.NON_COUNSELLING), *corpus.read_jsonl(corpus.URGENCY_MORE)]
    pairs = [(m.text, m.urgency) for m in [*train, *extra]]
    pairs += [(text, corpus.LEVEL_OF_INTENT.get(intent.split("/")[0], "normal"))
              for text, intent in corpus.nlu_examples()]
    return pairs


def train(examples: Sequence[Tuple[str, str]], c: float = urgency_model.C) -> urgency_model.UrgencyModel:
    """A model fitted on (text, level) ``examples``."""
    views = [folded_view(text) for text, _ in examples]
    return urgency_model.UrgencyModel(c).fit(views, [level for _, level in examples])


def model_path() -> Path:
    inputs = [p for p in INPUTS if p.exists()]
    return text_classifier.model_file("urgency", urgency_model.fingerprint(inputs))


def ensure_model() -> urgency_model.UrgencyModel:
    """The model for the current data, trained (a few seconds) if it is not in models/ yet."""
    return text_classifier.cached(model_path(), urgency_model.UrgencyModel, lambda: train(training_examples()))
