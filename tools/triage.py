"""Triage: urgency, category and intent of one message.

The `python -m bot triage` command (contract in ../shared/eval/README.md), `make eval`, the tuning
and `make bench` use it: a Rasa NLU parse, in this process, plus the urgency detector the gateway
uses (nlu/urgency.py). The gateway itself asks its Rasa servers (bot/rasa_client.py), which read at
most the same ``NLU_MAX_CHARS`` of a message.
"""
from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any, Dict, IO, Optional

from bot.rasa_client import NLU_MAX_CHARS
from nlu import category_model, category_training
from nlu.category_model import CategoryModel
from nlu.parse import FALLBACK_INTENT, intent_confidences, ranked_intents, response_key
from nlu.text import folded_view
from nlu.urgency import CRITICAL, UrgencyDetector, default_detector

logger = logging.getLogger(__name__)

CATEGORIES = category_model.CATEGORIES


def best_intent(parse: Dict[str, Any]) -> tuple[Optional[str], float]:
    """The most likely real intent; under a fallback, the best of the ranking."""
    return next(((n, c) for n, c in ranked_intents(parse) if n != FALLBACK_INTENT), (None, 0.0))


def fine_intent(parse: Dict[str, Any], intent: Optional[str]) -> Optional[str]:
    """"faq_support/shelter" rather than "faq_support" when the ResponseSelector chose."""
    return response_key(parse, intent) or intent


_DEFAULT = object()


def triage(text: str, parse: Optional[Dict[str, Any]], detector: Optional[UrgencyDetector] = None,
           text_only: bool = False, categories: Any = _DEFAULT) -> Dict[str, Any]:
    """One triage record; ``parse`` is None when the NLU is not available. ``text_only``: the urgency
    as the gateway's first check decides it, without the NLU's ranking (the evaluation compares both).
    ``categories``: the category model (by default the trained one; None = the NLU's intents alone)."""
    detector = detector or default_detector()
    model: Optional[CategoryModel] = category_training.default_model() if categories is _DEFAULT else categories
    parse = parse or {}
    intent, confidence = best_intent(parse)
    ranking = intent_confidences(parse) or None
    urgency = detector.assess(text, None if text_only else ranking)
    reasons = list(urgency.reasons)
    if (parse.get("intent") or {}).get("name") == FALLBACK_INTENT:
        reasons.append("low_confidence")
    if not parse:
        reasons.append("nlu_unavailable")

    learned = model.probabilities(folded_view(text)) if model is not None and text.strip() else None
    # Someone in danger now is a rescue case; otherwise the best other category (a returnee the
    # models read as rescue is asking about support, as the rescue action answers: actions/urgent.py).
    category = category_model.choose(category_model.scores(learned, ranking), rescue=urgency.level == CRITICAL)
    return {
        "text": text,
        "urgency": urgency.level,
        "category": category,
        "intent": fine_intent(parse, intent),
        "confidence": round(confidence, 4),
        "reasons": reasons,
    }


class LocalNLU:
    """A trained Rasa model parsing in this process (no server needed)."""

    def __init__(self, model: Path) -> None:
        from rasa.core.agent import Agent
        from rasa.utils.log_utils import configure_structlog

        from tools import rasa_server

        rasa_server.install()  # parse as the Rasa servers do (tools/rasa_server.py)
        # Unconfigured, Rasa's structlog prints every parsed message at debug level
        # to stdout: message texts must never reach a log, and stdout carries data.
        configure_structlog(logging.WARNING)
        self._agent = Agent.load(str(model))

    async def parse(self, text: str) -> Dict[str, Any]:
        return await self._agent.parse_message(text[:NLU_MAX_CHARS])


async def run_lines(source: IO[str], sink: IO[str], nlu: LocalNLU, detector: Optional[UrgencyDetector] = None) -> int:
    """Triage JSON Lines from ``source`` to ``sink``; returns how many lines were bad."""
    bad = 0
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text = item["text"]
            if not isinstance(text, str):
                raise TypeError("text is not a string")
        except (ValueError, KeyError, TypeError) as error:
            bad += 1
            # Keep one output line per input line; never echo the content.
            sink.write(json.dumps({"error": f"line {number}: {type(error).__name__}"}) + "\n")
            continue
        parse = await nlu.parse(text) if text.strip() else None
        sink.write(json.dumps(triage(text, parse, detector), ensure_ascii=False) + "\n")
        sink.flush()
    return bad


def main(source: IO[str], sink: IO[str], model: Path) -> int:
    nlu = LocalNLU(model)
    return 1 if asyncio.run(run_lines(source, sink, nlu)) else 0
