"""Reading Rasa parse results (plain dicts; no Rasa import, usable by actions and the gateway)."""
from __future__ import annotations

from typing import Any, Dict, Optional


def response_key(parse: Dict[str, Any], intent: Optional[str]) -> Optional[str]:
    """The retrieval key the ResponseSelector chose for ``intent`` ("faq_support/loan").

    A ResponseSelector trained on all retrieval intents files its answer under
    "default", one trained on a single intent under that intent's name.
    """
    selectors = parse.get("response_selector") or {}
    for name in (intent, "default"):
        key = ((selectors.get(name or "") or {}).get("response") or {}).get("intent_response_key")
        if key and intent and key.split("/")[0] == intent:
            return key
    return None
