"""Labelled messages: the triage corpus (data/triage/) and Rasa's NLU examples (data/nlu/).

The triage corpus is JSON Lines, one message a line with its urgency, category and fine
intent (format in data/triage/README.md). A fixed quarter of it, chosen by a hash of the
text, is the held-out split: nothing is trained on it, neither the urgency model nor Rasa,
and `make eval` reports on it. Nothing here imports Rasa.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, List, Tuple

import yaml

from nlu.text import DATA_DIR

CORPUS_DIR = DATA_DIR / "triage" / "corpus"
NLU_DIR = DATA_DIR / "nlu"
# Blind sets: each written by a writer of its own, never read by the developers, only scored.
BLIND_FILES = [DATA_DIR / "holdout" / name for name in
               ("triage_blind.jsonl", "triage_blind2.jsonl", "triage_blind3.jsonl", "triage_blind4.jsonl")]
# Non-counselling messages, all normal: answers to the bot's intake questions (where are you, is
# it safe to talk, how to reach you), insults, tests and wrong numbers. The urgency model learns
# that a place name, "có" or "đồ vô dụng" raises nothing. Not Rasa's data (the intake form takes any
# text) and not evaluated; written for issue 12 by the developer.
NON_COUNSELLING = DATA_DIR / "triage" / "non_counselling.jsonl"
# Messages for the urgency model only, all training (not Rasa's data, so adding some retrains no Rasa
# model): current danger said indirectly, calmly or with a question, and its past, hypothetical and
# figurative look-alikes. Written for issue 12 by a writer from the guide (data/triage/README.md).
URGENCY_MORE = DATA_DIR / "triage" / "urgency_more.jsonl"
# One message in HELD_OUT_EVERY is held out (by a hash of its text, so a file can grow
# without moving old messages between the splits).
HELD_OUT_EVERY = 4
_ENTITY = re.compile(r"\[([^\]]+)\]\([^)]*\)")

# The level an NLU training example stands for when it trains the urgency model.
LEVEL_OF_INTENT = {"urgent_rescue": "critical", "report_missing": "high"}


@dataclass(frozen=True)
class Labelled:
    text: str
    urgency: str
    category: str
    intent: str
    accept: Tuple[str, ...] = field(default_factory=tuple)
    phenomenon: str = ""
    style: str = ""


def is_held_out(text: str) -> bool:
    digest = hashlib.sha256(text.strip().encode("utf-8")).digest()
    return digest[0] % HELD_OUT_EVERY == 0


def read_jsonl(path: Path) -> List[Labelled]:
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            out.append(Labelled(item["text"], item["urgency"], item["category"], item.get("intent") or "",
                                tuple(item.get("accept") or ()), item.get("phenomenon", ""), item.get("style", "")))
        except (ValueError, KeyError) as error:
            raise ValueError(f"{path.name} line {number}: {type(error).__name__}") from None
    return out


def corpus_files(directory: Path = CORPUS_DIR) -> List[Path]:
    return sorted(directory.glob("*.jsonl"))


def triage_corpus(directory: Path = CORPUS_DIR) -> List[Labelled]:
    return [m for path in corpus_files(directory) for m in read_jsonl(path)]


def split(messages: Iterable[Labelled]) -> Tuple[List[Labelled], List[Labelled]]:
    """(train, held out)."""
    train, held = [], []
    for message in messages:
        (held if is_held_out(message.text) else train).append(message)
    return train, held


def nlu_examples_in(path: Path) -> List[Tuple[str, str]]:
    """(text, intent) of every example in one Rasa NLU file, entity marks removed."""
    out = []
    for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
        if "intent" not in block:
            continue  # lookup tables, synonyms, regexes
        for line in block["examples"].splitlines():
            line = line.strip()
            if line.startswith("- "):
                out.append((_ENTITY.sub(r"\1", line[2:]), block["intent"]))
    return out


def nlu_examples(directory: Path = NLU_DIR) -> List[Tuple[str, str]]:
    """(text, intent) of every example in Rasa's training files."""
    return [pair for path in sorted(directory.glob("*.yml")) for pair in nlu_examples_in(path)]
