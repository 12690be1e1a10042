"""Context markers: when a danger is (past, now, imminent, hypothetical), and whether literally.

The second stage of the urgency detector (nlu/urgency.py). Markers live in
data/lexicon/context.yml and are matched on the folded view of a message, like the
danger signals. They become reason tags and features of the learned model.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import FrozenSet, List, Pattern, Tuple

import yaml

from nlu.text import DATA_DIR

CONTEXT_FILE = DATA_DIR / "lexicon" / "context.yml"
# Tags that say a danger signal is not a danger now; reported when they lower a level.
LOWERING = ("past", "hypothetical", "figurative", "third_party_safe")


def syllable_regex(pattern: str) -> Pattern[str]:
    # whole syllables only: "nhot" must not match inside another word
    return re.compile(r"(?<![\w])(?:" + pattern + r")(?![\w])")


class ContextMarkers:
    def __init__(self, path: Path = CONTEXT_FILE) -> None:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        self._markers: List[Tuple[str, Tuple[Pattern[str], ...]]] = [
            (tag, tuple(syllable_regex(p) for p in patterns)) for tag, patterns in raw["markers"].items()
        ]

    def tags(self, view: str) -> FrozenSet[str]:
        """The context tags found in a folded view."""
        return frozenset(tag for tag, patterns in self._markers if any(p.search(view) for p in patterns))
