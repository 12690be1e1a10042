"""`make eval`: NLU and triage quality on held-out messages.

1. NLU: trains (or reuses) NLU-only models for each pipeline, parses every message of
   data/holdout/nlu_holdout.yml as written and accent-folded: reports/nlu.md and .json.
2. Triage (tools/evaluate_triage.py): urgency and category with the live model and detector on
   the triage corpus's held-out split and the blind set, beside the lexicon-only detector of
   before issue 12; teencode normalisation: reports/triage.md and .json.

    python -m tools.evaluate [--ablation] [--triage-only]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Tuple

from tools import evaluate_triage
from tools.model import ROOT, ensure_model
from tools.triage import LocalNLU, best_intent, triage
from nlu.category_model import CATEGORY_OF_INTENT
from nlu.corpus import nlu_examples_in
from nlu.text import fold
from nlu.urgency import CRITICAL, NORMAL, default_detector

HOLDOUT = ROOT / "data" / "holdout" / "nlu_holdout.yml"
REPORTS = ROOT / "reports"
OURS = ("ours (config.yml)", ROOT / "config.yml")
STOCK = ("stock Rasa (Whitespace + CountVectors + DIET)", ROOT / "eval_configs" / "stock.yml")
ABLATIONS = [
    ("underthesea words, no folding", ROOT / "eval_configs" / "vi_plain.yml"),
    ("folded words joined with _", ROOT / "eval_configs" / "vi_fold_words.yml"),
    ("ours + OOV token", ROOT / "eval_configs" / "vi_oov.yml"),
    ("ours + char 2-4-grams", ROOT / "eval_configs" / "vi_fold_syllables_chars.yml"),
]


@dataclass(frozen=True)
class Example:
    text: str
    intent: str  # base intent, "faq_support" for "faq_support/shelter"
    key: str  # full key


def load_holdout(path: Path = HOLDOUT) -> List[Example]:
    return [Example(text, key.split("/")[0], key) for text, key in nlu_examples_in(path)]


def macro_f1(gold: List[str], pred: List[str]) -> float:
    labels = sorted(set(gold))
    scores = []
    for label in labels:
        tp = sum(g == p == label for g, p in zip(gold, pred))
        fp = sum(p == label and g != label for g, p in zip(gold, pred))
        fn = sum(g == label and p != label for g, p in zip(gold, pred))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores)


async def score(nlu: LocalNLU, examples: List[Example], view: str) -> Dict[str, float]:
    gold, pred, gold_cat, pred_cat = [], [], [], []
    urgent_levels, other_levels = [], []
    for example in examples:
        text = fold(example.text) if view == "folded" else example.text
        parse = await nlu.parse(text)
        intent, _ = best_intent(parse)
        record = triage(text, parse)
        gold.append(example.intent)
        pred.append(intent or "none")
        gold_cat.append(CATEGORY_OF_INTENT[example.intent])
        pred_cat.append(record["category"])
        (urgent_levels if example.intent == "urgent_rescue" else other_levels).append(record["urgency"])
    n = len(gold)
    return {
        "intent_accuracy": sum(g == p for g, p in zip(gold, pred)) / n,
        "intent_macro_f1": macro_f1(gold, pred),
        "category_accuracy": sum(g == p for g, p in zip(gold_cat, pred_cat)) / n,
        "critical_recall": urgent_levels.count(CRITICAL) / len(urgent_levels),
        "urgent_flagged_high_or_critical": sum(lvl != NORMAL for lvl in urgent_levels) / len(urgent_levels),
        "non_urgent_flagged_critical": other_levels.count(CRITICAL) / len(other_levels),
        "messages": n,
    }


async def evaluate(pipelines: List[Tuple[str, Path]]) -> Dict[str, Dict[str, Dict[str, float]]]:
    examples = load_holdout()
    results = {}
    for name, config in pipelines:
        nlu = LocalNLU(ensure_model(config, nlu_only=True))
        results[name] = {view: await score(nlu, examples, view) for view in ("accented", "folded")}
    return results


METRICS = [
    ("intent_accuracy", "intent accuracy"),
    ("intent_macro_f1", "intent macro-F1"),
    ("category_accuracy", "triage category accuracy"),
    ("critical_recall", "urgent messages flagged critical"),
    ("urgent_flagged_high_or_critical", "urgent messages flagged critical or high"),
    ("non_urgent_flagged_critical", "other messages flagged critical (lower is better)"),
]


def markdown(results: Dict[str, Dict[str, Dict[str, float]]]) -> str:
    names = list(results)
    first = results[names[0]]["accented"]["messages"]
    lines = [
        "# NLU evaluation (held-out split)",
        "",
        f"{first} messages from `data/holdout/nlu_holdout.yml`, never used in training, scored as written",
        "(accented) and with every diacritic removed (folded). Intents are the top-level ones (retrieval",
        "intents count as their family); urgency uses `nlu/urgency.py` on top of each pipeline's intent.",
        "Generated by `make eval`.",
        "",
    ]
    for view in ("accented", "folded"):
        lines += [f"## {view.capitalize()} text", "", "| metric | " + " | ".join(names) + " |",
                  "|---|" + "---|" * len(names)]
        for key, label in METRICS:
            lines.append(f"| {label} | " + " | ".join(f"{results[n][view][key]:.3f}" for n in names) + " |")
        lines.append("")
    ours, stock = results.get(OURS[0]), results.get(STOCK[0])
    if ours and stock:
        gain = ours["folded"]["intent_macro_f1"] - stock["folded"]["intent_macro_f1"]
        lines += [f"Gain of `nlu/` on folded text (macro-F1): {gain:+.3f}.", ""]
    return "\n".join(lines)


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ablation", action="store_true", help="also score the tokenizer variants")
    parser.add_argument("--triage-only", action="store_true", help="only the triage figures (reports/triage.md)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    REPORTS.mkdir(exist_ok=True)
    if not args.triage_only:
        pipelines = [OURS, STOCK] + (ABLATIONS if args.ablation else [])
        results = asyncio.run(evaluate(pipelines))
        (REPORTS / "nlu.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
        (REPORTS / "nlu.md").write_text(markdown(results), encoding="utf-8")
        print(markdown(results))
    text, data = asyncio.run(evaluate_triage.evaluate(LocalNLU(ensure_model()), default_detector()))
    (REPORTS / "triage.json").write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    (REPORTS / "triage.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
