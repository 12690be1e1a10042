"""Triage figures for `make eval`: urgency and category on messages never trained on.

Two sets: the triage corpus's held-out split (data/triage/corpus, nlu/corpus.py) and the
blind set (data/holdout/triage_blind.jsonl, written by someone else and never read while
tuning: only its aggregate figures are looked at). Each is scored as written and with every
diacritic removed, for three detectors:

- the lexicon alone, as the detector worked before issue 12 (stage 1 only), with and without
  the NLU intent;
- ours (lexicon + context + model) with the NLU intent, as the triage command decides;
- ours without the NLU, as the gateway decides before Rasa answers.

The thresholds of ``nlu.urgency.Thresholds`` are chosen by tools/tune_triage.py, on the training
split only; the report gives their cross-validated figures.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Dict, List, Optional, Sequence, Tuple

from tools.triage import LocalNLU, triage
from tools import tune_triage
from nlu import corpus
from nlu.corpus import Labelled
from nlu.text import fold
from nlu.urgency import CRITICAL, HIGH, LEVELS, NORMAL, UrgencyDetector

Record = Dict[str, Any]


def metrics(gold: Sequence[Labelled], records: Sequence[Record]) -> Dict[str, Any]:
    def share(items: List[bool]) -> Optional[float]:
        return sum(items) / len(items) if items else None

    pairs = list(zip(gold, records))
    of = {level: [r["urgency"] for g, r in pairs if g.urgency == level] for level in LEVELS}
    confusion = {g: {p: of[g].count(p) for p in LEVELS} for g in LEVELS}
    return {
        "messages": len(pairs),
        "critical_recall": share([u == CRITICAL for u in of[CRITICAL]]),
        "critical_flagged_critical_or_high": share([u != NORMAL for u in of[CRITICAL]]),
        "high_flagged_high_or_critical": share([u != NORMAL for u in of[HIGH]]),
        "normal_flagged_critical": share([u == CRITICAL for u in of[NORMAL]]),
        "normal_flagged_high": share([u == HIGH for u in of[NORMAL]]),
        "category_accuracy": share([r["category"] == g.category or r["category"] in g.accept for g, r in pairs]),
        "confusion": confusion,
    }


def by_phenomenon(gold: Sequence[Labelled], records: Sequence[Record]) -> Dict[str, Dict[str, Any]]:
    """Per phenomenon: how many, urgency right, category right."""
    out: Dict[str, Dict[str, Any]] = {}
    for g, r in zip(gold, records):
        row = out.setdefault(g.phenomenon or "-", {"messages": 0, "urgency_right": 0, "category_right": 0})
        row["messages"] += 1
        row["urgency_right"] += r["urgency"] == g.urgency or (g.urgency == HIGH and r["urgency"] == CRITICAL)
        row["category_right"] += r["category"] == g.category or r["category"] in g.accept
    return dict(sorted(out.items()))


Detector = Tuple[UrgencyDetector, bool, Any]  # the detector, whether it sees the NLU intent, the category model


async def score_set(nlu: LocalNLU, messages: Sequence[Labelled], detectors: Dict[str, Detector]) -> Dict[str, Any]:
    """Every detector on ``messages``, as written and folded."""
    result: Dict[str, Any] = {}
    for view in ("accented", "folded"):
        texts = [fold(m.text) if view == "folded" else m.text for m in messages]
        parses = [await nlu.parse(t) for t in texts]
        for name, (detector, with_nlu, categories) in detectors.items():
            records = [triage(t, p, detector, text_only=not with_nlu, categories=categories)
                       for t, p in zip(texts, parses)]
            entry = result.setdefault(name, {})
            entry[view] = metrics(messages, records)
            if view == "accented":
                plain = [(g, r) for g, r in zip(messages, records) if g.style == "plain"]
                entry["plain_style_category_accuracy"] = metrics(*zip(*plain))["category_accuracy"] if plain else None
                entry["by_phenomenon"] = by_phenomenon(messages, records)
    return result


def level_counts(messages: Sequence[Labelled]) -> Dict[str, int]:
    """How many messages of each urgency label."""
    return dict(Counter(m.urgency for m in messages))


# ---- the report ----

BEFORE_LEXICON = corpus.DATA_DIR.parent / "eval_configs" / "urgency_lexicon_before_issue12.yml"
BEFORE_TEENCODE = corpus.DATA_DIR.parent / "eval_configs" / "teencode_before_issue12.yml"
OURS, OURS_NO_NLU = "ours, with the NLU intent", "ours, text only (gateway)"
OURS_DIET_CATEGORY = "ours, with the NLU intent, category by DIET alone"
BEFORE, BEFORE_NO_NLU = "before issue 12, with the NLU intent", "before issue 12, text only (gateway)"


def detectors(ours: UrgencyDetector) -> Dict[str, Detector]:
    from nlu.category_training import default_model
    from nlu.text import Teencode

    before = UrgencyDetector(BEFORE_LEXICON, teencode=Teencode.load(BEFORE_TEENCODE))
    categories = default_model()
    return {BEFORE: (before, True, None), BEFORE_NO_NLU: (before, False, None), OURS: (ours, True, categories),
            OURS_NO_NLU: (ours, False, categories), OURS_DIET_CATEGORY: (ours, True, None)}


ROWS = [
    ("critical_recall", "critical flagged critical"),
    ("critical_flagged_critical_or_high", "critical flagged critical or high"),
    ("high_flagged_high_or_critical", "high flagged high or critical"),
    ("normal_flagged_critical", "normal flagged critical (lower is better)"),
    ("normal_flagged_high", "normal flagged high (lower is better)"),
    ("category_accuracy", "category accuracy"),
]


def _cell(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.3f}"


def markdown(sets: Dict[str, Dict[str, Any]], counts: Dict[str, Dict[str, int]], tuned: Dict[str, Any],
             teencode: Dict[str, Dict[str, Dict[str, float]]]) -> str:
    lines = ["# Triage evaluation", "",
             "Generated by `make eval` (tools/evaluate_triage.py). Urgency levels and categories of messages",
             "never trained on, as written (accented, or however the writer typed) and with every diacritic",
             "removed (folded). \"text only\" is the gateway's first check, before Rasa answers. \"Before issue",
             "12\" is the lexicon and teencode table of then (eval_configs/), with the intent of today's Rasa model",
             "(which trains on the corpus too), as that detector used it, and its category is DIET's intent. Ours",
             "averages DIET's intents with the category model (nlu/category_model.py); the last column shows",
             "DIET's category alone with our urgency, so the category model's gain is a measured number.", ""]
    for name, result in sets.items():
        n = counts[name]
        lines += [f"## {name}", "",
                  f"{sum(n.values())} messages: {n.get('critical', 0)} critical, {n.get('high', 0)} high, "
                  f"{n.get('normal', 0)} normal.", ""]
        for view in ("accented", "folded"):
            names = list(result)
            lines += [f"### {view.capitalize()}", "", "| metric | " + " | ".join(names) + " |",
                      "|---|" + "---|" * len(names)]
            for key, label in ROWS:
                lines.append(f"| {label} | " + " | ".join(_cell(result[d][view][key]) for d in names) + " |")
            lines.append("")
        ours = result[OURS]
        lines += [f"Category accuracy of ours on messages typed without diacritics (style `plain`): "
                  f"{_cell(ours['plain_style_category_accuracy'])}.", "",
                  "Confusion of ours (rows: label, columns: decision), accented:", "",
                  "| label | " + " | ".join(LEVELS) + " |", "|---|---|---|---|"]
        for g in LEVELS:
            lines.append(f"| {g} | " + " | ".join(str(ours['accented']['confusion'][g][p]) for p in LEVELS) + " |")
        lines += ["", "Per phenomenon (ours, accented; urgency right counts a high label decided critical as right):", "",
                  "| phenomenon | messages | urgency right | category right |", "|---|---|---|---|"]
        for tag, row in ours["by_phenomenon"].items():
            lines.append(f"| {tag} | {row['messages']} | {row['urgency_right']} | {row['category_right']} |")
        lines.append("")
    lines += ["## Thresholds (cross-validated on the training split)", "",
              f"`nlu.urgency.Thresholds()`: {tuned['thresholds']}.", "",
              "Five-fold cross-validation on the corpus's training split (never the held-out quarter), the lexicon",
              "and context stages as they are and the model retrained per fold, text only: " +
              ", ".join(f"{k} {v:.3f}" for k, v in tuned["figures"].items()) + ".", ""]
    lines += ["## Teencode and misspellings in the folded view", "",
              "| pairs | table | non-standard forms normalised | standard words wrongly changed | error reduction |",
              "|---|---|---|---|---|"]
    for table, by_set in teencode.items():
        for name, f in by_set.items():
            lines.append(f"| {name} ({f['nonstandard_forms']} forms, {f['standard_words']} standard) | {table} | "
                         f"{f['nonstandard_normalised']:.3f} | {f['standard_wrongly_changed']:.4f} | "
                         f"{f['error_reduction']:.3f} |")
    lines.append("")
    return "\n".join(lines)


async def evaluate(nlu: LocalNLU, ours: UrgencyDetector) -> Tuple[str, Dict[str, Any]]:
    from tools import evaluate_teencode
    from nlu.text import Teencode

    _, held = corpus.split(corpus.triage_corpus())
    sets = {"Held-out split of the triage corpus": held}
    for number, path in enumerate(corpus.BLIND_FILES, start=1):
        if path.exists():
            sets[f"Blind set {number} (data/holdout/{path.name})"] = corpus.read_jsonl(path)
    chosen = detectors(ours)
    results = {name: await score_set(nlu, messages, chosen) for name, messages in sets.items()}
    counts = {name: level_counts(messages) for name, messages in sets.items()}
    figures = tune_triage.figures(tune_triage.levels(tune_triage.cross_validated(ours), ours.thresholds))
    tuned = {"thresholds": ours.thresholds, "figures": figures}
    teencode = {"before issue 12": evaluate_teencode.evaluate(Teencode.load(BEFORE_TEENCODE)),
                "now": evaluate_teencode.evaluate()}
    data = {"sets": results, "counts": counts, "cross_validation": figures, "teencode": teencode}
    return markdown(results, counts, tuned, teencode), data
