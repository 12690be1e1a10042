"""Choosing the urgency detector's thresholds and NLU weight, on the corpus's training split only.

    python -m tools.tune_triage        (about 20 minutes on 2 cores: it trains two NLU-only Rasa models)

1. The urgency model's probabilities for every training message, out of fold (5 folds).
2. The NLU's intent ranking for every training message, out of fold (2 folds: a Rasa model
   trained on Rasa's examples and the other half of the split).
   Cached in models/ (oof-nlu-*.json) by a hash of the corpus, Rasa's data and config.yml.
3. Every combination of ``GRID`` and ``WEIGHTS`` is scored by ``score``; the best is printed,
   with its figures with and without the NLU. Copy it into nlu/urgency.py (Thresholds,
   NLU_WEIGHT) and run `make eval`.
4. The category model's probabilities, out of fold (5 folds), averaged with the NLU's
   out-of-fold ranking at each of ``CATEGORY_WEIGHTS``; the weight with the best category
   accuracy is printed (nlu/category_model.py NLU_WEIGHT).
"""
from __future__ import annotations

import asyncio
import itertools
import json
import random
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import yaml

from tools import model as models
from tools.triage import LocalNLU
from nlu import category_model, category_training, corpus, text_classifier, urgency_training
from nlu.corpus import Labelled
from nlu.parse import intent_confidences
from nlu.text import folded_view
from nlu.urgency import CRITICAL, HIGH, NORMAL, Evidence, Thresholds, Urgency, UrgencyDetector, decide, with_nlu

GRID = {
    "signal_critical": [0.4, 0.5, 0.6, 0.7, 0.8],
    "critical": [0.45, 0.5, 0.55, 0.6, 0.65, 0.7],
    "urgent": [0.1, 0.15, 0.2, 0.3],
    "lower": [0.5, 0.6, 0.7],
    "dismiss": [0.8, 0.9],
}
WEIGHTS = [0.4, 0.5, 0.6, 0.8]
CATEGORY_WEIGHTS = [0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0]
# (message, evidence, lexicon floor, the model's out-of-fold probabilities)
Row = Tuple[Labelled, Evidence, Urgency, Dict[str, float]]


def cross_validated(detector: UrgencyDetector, folds: int = 5, seed: int = 7) -> List[Row]:
    train, _ = corpus.split(corpus.triage_corpus())
    order = list(range(len(train)))
    random.Random(seed).shuffle(order)
    out: List[Row] = []
    nlu_pairs = urgency_training.training_examples([])  # Rasa's examples and the intake answers: every fold
    for k in range(folds):
        test_idx = set(order[k::folds])
        model = urgency_training.train([(m.text, m.urgency) for i, m in enumerate(train) if i not in test_idx]
                                       + nlu_pairs)
        held = [train[i] for i in sorted(test_idx)]
        evidence = [detector.evidence(m.text) for m in held]
        probs = model.probabilities_many([e.view for e in evidence])
        out += [(m, e, detector.lexicon_level(e), p) for m, e, p in zip(held, evidence, probs)]
    return out


def out_of_fold_nlu(folds: int = 2, seed: int = 11) -> Dict[str, Dict[str, float]]:
    """{text: intent ranking} for the training split, each from a Rasa model that did not see it."""
    inputs = [*corpus.corpus_files(), *sorted(corpus.NLU_DIR.glob("*.yml")), models.ROOT / "config.yml"]
    cache = text_classifier.MODELS_DIR / f"oof-nlu-{text_classifier.fingerprint(f'oof-{folds}-{seed}', inputs)}.json"
    if cache.exists():
        return json.loads(cache.read_text(encoding="utf-8"))
    out = _out_of_fold_nlu(folds, seed)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
    return out


def _out_of_fold_nlu(folds: int, seed: int) -> Dict[str, Dict[str, float]]:
    train, _ = corpus.split(corpus.triage_corpus())
    order = list(range(len(train)))
    random.Random(seed).shuffle(order)
    out: Dict[str, Dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as work:
        for k in range(folds):
            test_idx = set(order[k::folds])
            data = Path(work) / f"fold{k}"
            data.mkdir()
            models.nlu_directory(data, [m for i, m in enumerate(train) if i not in test_idx])
            subprocess.run([sys.executable, "-m", "rasa", "train", "nlu", "--nlu", str(data), "--config",
                            str(_intents_only_config(Path(work))), "--out", work, "--fixed-model-name", f"fold{k}"],
                           cwd=models.ROOT, env=models.training_env(), check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            nlu = LocalNLU(Path(work) / f"fold{k}.tar.gz")

            async def parse_all() -> None:
                for i in sorted(test_idx):
                    out[train[i].text] = intent_confidences(await nlu.parse(train[i].text))

            asyncio.run(parse_all())
    return out


def _intents_only_config(work: Path) -> Path:
    """config.yml without its ResponseSelector: the folds need DIET's intent ranking only, and the
    selector (which does not change it) is a third of the training time."""
    config = yaml.safe_load((models.ROOT / "config.yml").read_text(encoding="utf-8"))
    config["pipeline"] = [c for c in config["pipeline"] if "ResponseSelector" not in c["name"]]
    path = work / "config-intents.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def levels(rows: Sequence[Row], th: Thresholds, nlu: Optional[Dict[str, Dict[str, float]]] = None,
           weight: float = 0.5) -> List[Tuple[str, str]]:
    """(label, decision) for every row, with the NLU's out-of-fold ranking mixed in when given."""
    return [(m.urgency, decide(floor, e, with_nlu(p, (nlu or {}).get(m.text), weight), th).level)
            for m, e, floor, p in rows]


def figures(pairs: Sequence[Tuple[str, str]]) -> Dict[str, float]:
    of = {g: [p for label, p in pairs if label == g] for g in (CRITICAL, HIGH, NORMAL)}
    return {
        "critical_recall": of[CRITICAL].count(CRITICAL) / len(of[CRITICAL]),
        "critical_missed": of[CRITICAL].count(NORMAL) / len(of[CRITICAL]),
        "normal_flagged_critical": of[NORMAL].count(CRITICAL) / len(of[NORMAL]),
        "normal_flagged_high": of[NORMAL].count(HIGH) / len(of[NORMAL]),
        "high_missed": of[HIGH].count(NORMAL) / max(len(of[HIGH]), 1),
    }


def score(f: Dict[str, float]) -> float:
    """Higher is better. A critical message decided normal weighs most (never miss one), then false
    critical alarms past the issue's 3 %, then strict recall; false high alarms and missed highs less."""
    over = max(0.0, f["normal_flagged_critical"] - 0.03)
    return (f["critical_recall"] - 30 * f["critical_missed"] - 3 * f["normal_flagged_critical"] - 5 * over
            - f["normal_flagged_high"] - 0.5 * f["high_missed"])


def tune(rows: Sequence[Row], nlu: Dict[str, Dict[str, float]]) -> Tuple[Thresholds, float, Dict[str, Any]]:
    """The thresholds and NLU weight that score best with the NLU (the triage command, the rescue
    action) and without it (the gateway's first check, which sends the safety answer) together."""
    best: Optional[Tuple[float, Thresholds, float]] = None
    for values in itertools.product(*GRID.values()):
        th = replace(Thresholds(), **dict(zip(GRID, values)))
        text_only = score(figures(levels(rows, th)))
        for weight in WEIGHTS:
            total = text_only + score(figures(levels(rows, th, nlu, weight)))
            if best is None or total > best[0]:
                best = (total, th, weight)
    _, th, weight = best
    return th, weight, {"with_nlu": figures(levels(rows, th, nlu, weight)), "text_only": figures(levels(rows, th))}


def category_out_of_fold(folds: int = 5, seed: int = 7) -> Dict[str, Dict[str, float]]:
    """{text: the category model's probabilities} for the training split, each out of fold."""
    train, _ = corpus.split(corpus.triage_corpus())
    order = list(range(len(train)))
    random.Random(seed).shuffle(order)
    rasa_pairs = category_training.training_examples([])  # Rasa's examples: every fold
    out: Dict[str, Dict[str, float]] = {}
    for k in range(folds):
        test_idx = set(order[k::folds])
        model = category_training.train([(m.text, m.category) for i, m in enumerate(train) if i not in test_idx]
                                        + rasa_pairs)
        held = [train[i] for i in sorted(test_idx)]
        for m, p in zip(held, model.probabilities_many([folded_view(m.text) for m in held])):
            out[m.text] = p
    return out


def category_accuracy(rows: Sequence[Row], decided: Sequence[Tuple[str, str]], learned: Dict[str, Dict[str, float]],
                      nlu: Dict[str, Dict[str, float]], weight: float) -> float:
    """Category accuracy as the triage command decides it, with the urgency levels ``decided``."""
    right = 0
    for (m, *_), (_, level) in zip(rows, decided):
        chosen = category_model.choose(category_model.scores(learned.get(m.text), nlu.get(m.text), weight),
                                       rescue=level == CRITICAL)
        right += chosen == m.category or chosen in m.accept
    return right / len(rows)


def main() -> int:
    detector = UrgencyDetector()
    rows, nlu = cross_validated(detector), out_of_fold_nlu()
    th, weight, result = tune(rows, nlu)
    print(f"Thresholds: {th}\nNLU_WEIGHT: {weight}")
    for name, f in result.items():
        print(name, {k: round(v, 3) for k, v in f.items()})
    decided, learned = levels(rows, th, nlu, weight), category_out_of_fold()
    accuracy = {w: category_accuracy(rows, decided, learned, nlu, w) for w in CATEGORY_WEIGHTS}
    print("category accuracy by NLU weight (0 = the model alone, 1 = the NLU alone):",
          {w: round(a, 3) for w, a in accuracy.items()})
    print("category NLU_WEIGHT:", max(accuracy, key=accuracy.get))
    return 0


if __name__ == "__main__":
    sys.exit(main())
