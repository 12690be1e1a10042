"""The learned stages of triage: a logistic regression over the folded view of a message.

Two kinds of features:
- word 1-3-grams ("bi dua qua", "da ve que", "bai tap"),
- character 2-5-grams within words (typos and unseen forms still share pieces).

Two models are built on it: urgency (nlu/urgency_model.py) and category (nlu/category_model.py).
Both are trained at `make setup` from data/ and cached in models/ under a hash of everything they
are trained from, so a change of data or code trains them again (a few seconds each).
Both runtimes (Rasa's and the services') train their own copy: a pickled scikit-learn model
loads only in the version that saved it, so the file's name says which (``model_file``).
Nothing here imports Rasa.
"""
from __future__ import annotations

import hashlib
import logging
import pickle
import platform
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Sequence, Tuple, Type, TypeVar

import joblib
import sklearn
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from nlu.text import DATA_DIR

MODELS_DIR = DATA_DIR.parent / "models"
_HERE = Path(__file__).resolve().parent


def training_inputs() -> List[Path]:
    """What both models are trained from and how their features are computed: the triage corpus,
    Rasa's examples, the folded view and its teencode table, this module. A model's cache key adds
    its own files."""
    from nlu import corpus

    return [*corpus.corpus_files(), *sorted(corpus.NLU_DIR.glob("*.yml")), DATA_DIR / "lexicon" / "teencode.yml",
            _HERE / "text.py", _HERE / "corpus.py", _HERE / "text_classifier.py"]
logger = logging.getLogger(__name__)


class TextClassifier:
    """P(label) for folded views of messages. ``labels``: every label, in a fixed order."""

    labels: Tuple[str, ...] = ()

    def __init__(self, c: float, balanced: bool) -> None:
        self._words = TfidfVectorizer(token_pattern=r"[^\s|]+", ngram_range=(1, 3), sublinear_tf=True)
        self._chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)
        self._classifier = LogisticRegression(C=c, max_iter=3000, class_weight="balanced" if balanced else None)

    def _matrix(self, views: Sequence[str], fit: bool = False):
        parts = (self._words, self._chars)
        return hstack([p.fit_transform(views) if fit else p.transform(views) for p in parts]).tocsr()

    def fit(self, views: Sequence[str], labels: Sequence[str]) -> "TextClassifier":
        """``views``: folded views of the messages (nlu.text.folded_view)."""
        self._classifier.fit(self._matrix(views, fit=True), list(labels))
        return self

    def _scores(self, views: Sequence[str]) -> List[Dict[str, float]]:
        rows = self._classifier.predict_proba(self._matrix(views))
        classes = list(self._classifier.classes_)
        return [{label: float(row[classes.index(label)]) if label in classes else 0.0 for label in self.labels}
                for row in rows]

    def probabilities_many(self, views: Sequence[str]) -> List[Dict[str, float]]:
        return self._scores(views)

    def probabilities(self, view: str) -> Dict[str, float]:
        return self.probabilities_many([view])[0]


def model_file(name: str, fingerprint_: str) -> Path:
    """Where a model trained from inputs with this fingerprint lives, in this runtime."""
    python = "".join(platform.python_version_tuple()[:2])
    return MODELS_DIR / f"{name}-{fingerprint_}-py{python}-sklearn{sklearn.__version__}.joblib"


def fingerprint(kind: str, inputs: Iterable[Path]) -> str:
    """A hash of ``kind`` (the model, its format and settings) and of every input file."""
    digest = hashlib.sha256(kind.encode())
    for path in sorted(inputs):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def save(model: TextClassifier, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    joblib.dump(model, partial)
    partial.replace(path)  # a reader never sees half a file


Model = TypeVar("Model", bound=TextClassifier)


def load(path: Path, kind: Type[Model]) -> Model:
    model = joblib.load(path)
    if not isinstance(model, kind):
        raise TypeError(f"{path.name} is not a {kind.__name__}")
    return model


def cached(path: Path, kind: Type[Model], train: Callable[[], Model]) -> Model:
    """The model saved at ``path``, or one trained by ``train`` and saved there."""
    if path.exists():
        try:
            return load(path, kind)
        except (OSError, EOFError, TypeError, ValueError, AttributeError, ImportError, pickle.UnpicklingError) as error:
            # a cache, not a record: a damaged or outdated file is trained again
            logger.warning("%s unreadable (%s); training it again", path.name, type(error).__name__)
    logger.info("training %s", path.name)
    model = train()
    save(model, path)
    return model
