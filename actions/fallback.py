"""Low-confidence fallback: ask to rephrase once, then offer a counsellor."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

FALLBACK_INTENT = "nlu_fallback"
MISSES_BEFORE_OFFER = 2


def misses_in_a_row(events: List[Dict[Text, Any]]) -> int:
    """How many of the latest user messages in a row the NLU did not understand."""
    count = 0
    for event in reversed(events):
        if event.get("event") != "user":
            continue
        intent = (event.get("parse_data") or {}).get("intent") or {}
        if intent.get("name") != FALLBACK_INTENT:
            break
        count += 1
    return count


class ActionFallback(Action):
    def name(self) -> Text:
        return "action_fallback"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        if misses_in_a_row(tracker.events) >= MISSES_BEFORE_OFFER:
            dispatcher.utter_message(response="utter_offer_counsellor")
            return [SlotSet("counsellor_offered", True)]
        dispatcher.utter_message(response="utter_ask_rephrase")
        return []
