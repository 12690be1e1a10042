"""The learned stages of triage: a logistic regression over the folded view of a message.

Two kinds of features:
- word 1-3-grams ("bi dua qua", "da ve que", "bai tap"),
- character 2-5-grams within words (typos and unseen forms still share pieces).

Two models are built on it: urgency (nlu/urgency_model.py) and category (nlu/category_model.py).
Both are trained at `make setup` from data/ and cached in models/ under a hash of everything they
are trained from, so a change of data or code trains them again (a few seconds each).
Both runtimes (Rasa's and the services') train their own copy (``model_file`` names the
runtime). scikit-learn trains; a trained model keeps only plain arrays (vocabularies, idf
weights, coefficients) and scores with NumPy, so a process that only scores never imports
scikit-learn and SciPy's statistics (74 MB of the gateway's memory). ``features`` computes
exactly what scikit-learn's TfidfVectorizer does for these settings; a test compares the two.
Nothing here imports Rasa.
"""
from __future__ import annotations

import ctypes
import hashlib
import logging
import pickle
import platform
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Type, TypeVar

import re

import joblib
import numpy as np

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


# The two feature sets: word 1-3-grams (tokens split on spaces and "|") and character 2-5-grams
# within words, each TF-IDF with sublinear tf and l2 norm.
WORD_TOKENS = re.compile(r"[^\s|]+")
WORD_NGRAMS, CHAR_NGRAMS = (1, 3), (2, 5)
_WHITE_SPACES = re.compile(r"\s\s+")


def word_ngrams(view: str) -> List[str]:
    tokens = WORD_TOKENS.findall(view.lower())
    out = list(tokens)
    for n in range(WORD_NGRAMS[0] + 1, min(WORD_NGRAMS[1] + 1, len(tokens) + 1)):
        out += [" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
    return out


def char_ngrams(view: str) -> List[str]:
    out = []
    for word in _WHITE_SPACES.sub(" ", view.lower()).split():
        padded = f" {word} "
        for n in range(CHAR_NGRAMS[0], CHAR_NGRAMS[1] + 1):
            if len(padded) <= n:  # a short word is counted once, whole
                out.append(padded)
                break
            out += [padded[i:i + n] for i in range(len(padded) - n + 1)]
    return out


class TfIdf:
    """A fitted vectorizer as plain data: each feature's column, and each column's idf.

    In memory the vocabulary is two arrays, the sorted hashes of the features (Python's own
    ``hash``) and their columns, found by binary search, instead of a dict of strings: 12 bytes a
    feature against about 140, which was 28 MB of every scoring process for the two models'
    200 000 features. On disk it is the features' text (``hash`` differs between processes),
    hashed again at load. Two features with one hash would be one chance in 10^9; it is refused."""

    def __init__(self, vocabulary: Dict[str, int], idf: np.ndarray) -> None:
        terms = [""] * len(vocabulary)
        for term, column in vocabulary.items():
            terms[column] = term
        self._index(terms, idf)
        self._terms: Optional[List[str]] = terms  # for saving; a loaded vectorizer has none

    def __getstate__(self) -> dict:
        return {"terms": self._terms_by_column(), "idf": self.idf}

    def __setstate__(self, state: dict) -> None:
        self._index(state["terms"], state["idf"])
        self._terms = None

    def _index(self, terms: List[str], idf: np.ndarray) -> None:
        keys = np.fromiter(map(hash, terms), dtype=np.int64, count=len(terms))
        order = np.argsort(keys)
        self.keys, self.columns, self.idf = keys[order], order.astype(np.int32), idf
        if len(self.keys) > 1 and not np.all(self.keys[1:] != self.keys[:-1]):
            raise ValueError("two features share a hash")

    def _terms_by_column(self) -> List[str]:
        if self._terms is None:
            raise ValueError("a loaded vectorizer no longer has its features' text")
        return self._terms

    def row(self, ngrams: List[str]) -> Tuple[np.ndarray, np.ndarray]:
        """Columns and l2-normalised weights of one message."""
        grams, counts = np.unique(np.fromiter(map(hash, ngrams), dtype=np.int64, count=len(ngrams)),
                                  return_counts=True)
        if not len(self.keys):
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        at = np.minimum(np.searchsorted(self.keys, grams), len(self.keys) - 1)
        known = self.keys[at] == grams
        columns = self.columns[at[known]].astype(np.int64)
        weights = (1.0 + np.log(counts[known].astype(np.float64))) * self.idf[columns]
        norm = np.sqrt(np.dot(weights, weights))
        return columns, (weights / norm if norm else weights)


def _fitted(vectorizer) -> TfIdf:
    return TfIdf({k: int(v) for k, v in vectorizer.vocabulary_.items()}, np.asarray(vectorizer.idf_, dtype=np.float64))


class TextClassifier:
    """P(label) for folded views of messages. ``labels``: every label, in a fixed order."""

    labels: Tuple[str, ...] = ()

    def __init__(self, c: float, balanced: bool) -> None:
        self.c, self.balanced = c, balanced
        self._words: TfIdf | None = None
        self._chars: TfIdf | None = None
        self._coef = np.zeros((0, 0))
        self._intercept = np.zeros(0)
        self._classes: Tuple[str, ...] = ()

    @staticmethod
    def sklearn_parts(c: float, balanced: bool):
        """The word and character vectorizers and the classifier, as scikit-learn trains them."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        return (TfidfVectorizer(token_pattern=WORD_TOKENS.pattern, ngram_range=WORD_NGRAMS, sublinear_tf=True),
                TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS, sublinear_tf=True, min_df=2),
                LogisticRegression(C=c, max_iter=3000, class_weight="balanced" if balanced else None))

    def fit(self, views: Sequence[str], labels: Sequence[str]) -> "TextClassifier":
        """``views``: folded views of the messages (nlu.text.folded_view)."""
        from scipy.sparse import hstack

        words, chars, classifier = self.sklearn_parts(self.c, self.balanced)
        classifier.fit(hstack([words.fit_transform(views), chars.fit_transform(views)]).tocsr(), list(labels))
        self._words, self._chars = _fitted(words), _fitted(chars)
        self._coef = np.asarray(classifier.coef_, dtype=np.float64)
        self._intercept = np.asarray(classifier.intercept_, dtype=np.float64)
        self._classes = tuple(str(c) for c in classifier.classes_)
        return self

    def _probabilities(self, view: str) -> np.ndarray:
        word_columns, word_weights = self._words.row(word_ngrams(view))
        char_columns, char_weights = self._chars.row(char_ngrams(view))
        offset = len(self._words.idf)
        scores = (self._coef[:, word_columns] @ word_weights + self._coef[:, char_columns + offset] @ char_weights
                  + self._intercept)
        if len(self._classes) == 2:  # one row of coefficients: the second class's log-odds
            p = 1.0 / (1.0 + np.exp(-scores[0]))
            return np.array([1.0 - p, p])
        scores = np.exp(scores - scores.max())
        return scores / scores.sum()

    def _scores(self, views: Sequence[str]) -> List[Dict[str, float]]:
        """P(label) of each view as a whole (a subclass may read parts of it too)."""
        out = []
        for view in views:
            row = dict(zip(self._classes, self._probabilities(view)))
            out.append({label: float(row.get(label, 0.0)) for label in self.labels})
        return out

    def probabilities_many(self, views: Sequence[str]) -> List[Dict[str, float]]:
        return self._scores(views)

    def probabilities(self, view: str) -> Dict[str, float]:
        return self.probabilities_many([view])[0]


def model_file(name: str, fingerprint_: str) -> Path:
    """Where a model trained from inputs with this fingerprint lives, in this runtime."""
    from importlib.metadata import version

    python = "".join(platform.python_version_tuple()[:2])
    return MODELS_DIR / f"{name}-{fingerprint_}-py{python}-sklearn{version('scikit-learn')}.joblib"


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
    _give_back_freed_heap()
    return model


def _give_back_freed_heap() -> None:
    """Loading made and dropped a string for every feature; glibc keeps the freed heap (9 MB for
    the two models) unless asked to return it. Elsewhere than glibc this does nothing."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


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
