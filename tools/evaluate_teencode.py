"""Teencode figures for `make eval`: how well the folded view normalises chat text.

Pairs of a chat message and its normalised form, word for word (lower case, no diacritics,
every non-standard form written out): data/triage/teencode_dev.jsonl (read while extending
the table) and data/holdout/teencode_heldout.jsonl (never read; reported). Written by a
helper who did not see the table.

- *non-standard forms normalised*: of the message's tokens that are not a standard word
  (where folding alone does not give the reference), the share we turn into the reference;
- *standard words wrongly changed*: of the tokens folding alone gets right, the share the
  table changes;
- *error reduction*: 1 - (word edit distance to the reference, ours) / (the same, folding only),
  the measure the issue quotes (0.31 for the table before issue 12).
"""
from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Dict, List, Optional

from nlu.text import DATA_DIR, Teencode, fold, plain_words, syllables

DEV = DATA_DIR / "triage" / "teencode_dev.jsonl"
HELD_OUT = DATA_DIR / "holdout" / "teencode_heldout.jsonl"


def _distance(a: List[str], b: List[str]) -> int:
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        current = [i]
        for j, y in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def score(path: Path, teencode: Optional[Teencode] = None) -> Dict[str, float]:
    standard = changed = nonstandard = normalised = 0
    errors_ours = errors_folded = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        pair = json.loads(line)
        words = [w for w, _, _ in syllables(pair["text"])]
        folded = [fold(w) for w in words]
        ours = plain_words(words, teencode)
        reference = pair["norm"].split()
        errors_ours += _distance(" ".join(ours).split(), reference)
        errors_folded += _distance(folded, reference)
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, folded, reference, autojunk=False).get_opcodes():
            if op == "equal":
                standard += i2 - i1
                changed += sum(ours[i] != folded[i] for i in range(i1, i2))
            elif i2 > i1:
                nonstandard += i2 - i1
                if " ".join(ours[i1:i2]) == " ".join(reference[j1:j2]):
                    normalised += i2 - i1
    return {
        "standard_words": standard,
        "standard_wrongly_changed": changed / standard if standard else 0.0,
        "nonstandard_forms": nonstandard,
        "nonstandard_normalised": normalised / nonstandard if nonstandard else 0.0,
        "error_reduction": 1 - errors_ours / errors_folded if errors_folded else 0.0,
    }


def evaluate(teencode: Optional[Teencode] = None) -> Dict[str, Dict[str, float]]:
    return {name: score(path, teencode) for name, path in (("dev", DEV), ("held out", HELD_OUT)) if path.exists()}
