"""Reading Rasa parse results (plain dicts; no Rasa import, usable by actions and the gateway)."""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Tuple

RESCUE_INTENT = "urgent_rescue"
FALLBACK_INTENT = "nlu_fallback"


def ranked_intents(parse: Dict[str, Any]) -> List[Tuple[str, float]]:
    """(intent, confidence), best first: the chosen intent, then the rest of the ranking."""
    out: List[Tuple[str, float]] = []
    for candidate in [parse.get("intent") or {}] + list(parse.get("intent_ranking") or []):
        name = candidate.get("name")
        if name and name not in {n for n, _ in out}:
            out.append((name, float(candidate.get("confidence") or 0.0)))
    return out


def intent_confidences(parse: Dict[str, Any]) -> Dict[str, float]:
    """{intent: confidence} of the ranking, as the urgency detector takes it."""
    return dict(ranked_intents(parse))


def next_intent(parse: Dict[str, Any], skip: Iterable[str] = (RESCUE_INTENT, FALLBACK_INTENT)) -> Optional[str]:
    """The best intent that is not in ``skip``: what a message asks when it is not a rescue."""
    skipped = set(skip)
    return next((name for name, _ in ranked_intents(parse) if name not in skipped), None)


def response_key(parse: Dict[str, Any], intent: Optional[str]) -> Optional[str]:
    """The retrieval key the ResponseSelector chose for ``intent`` ("faq_support/loan").

    A ResponseSelector trained on all retrieval intents files its answer under
    "default", one trained on a single intent under that intent's name. When its first
    choice is of another family (the message was not asked as ``intent``), the best key of
    ``intent``'s family in its ranking is taken.
    """
    if not intent:
        return None
    selectors = parse.get("response_selector") or {}
    for name in (intent, "default"):
        selector = selectors.get(name) or {}
        key = (selector.get("response") or {}).get("intent_response_key")
        if key and key.split("/")[0] == intent:
            return key
        for candidate in selector.get("ranking") or []:
            key = candidate.get("intent_response_key") or ""
            if key.split("/")[0] == intent:
                return key
    return None
