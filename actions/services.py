"""Point people to the services of the directory that answer their question."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import directory
from nlu.parse import response_key

# Which need of the directory each answer key stands for.
NEED_OF_RESPONSE = {
    "faq_support/vocational": "vocational",
    "faq_support/loan": "loan",
    "faq_support/travel_cost": "travel_cost",
    "faq_support/legal_aid": "legal_aid",
    "faq_support/shelter": "shelter",
    "faq_support/psychological": "psychological",
    "faq_support/health": "health",
    "faq_support/documents": "documents",
}
NEED_OF_INTENT = {"report_missing": "report"}
MAX_SERVICES = 3


def need_of(latest_message: Dict[Text, Any]) -> Optional[str]:
    intent = (latest_message.get("intent") or {}).get("name")
    if intent in NEED_OF_INTENT:
        return NEED_OF_INTENT[intent]
    return NEED_OF_RESPONSE.get(response_key(latest_message, intent) or "")


class ActionFindServices(Action):
    def name(self) -> Text:
        return "action_find_services"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        need = need_of(tracker.latest_message)
        if not need:
            return []
        services = directory().for_need(need, tracker.get_slot("province"))[:MAX_SERVICES]
        if services:
            lines = ["Nơi bạn có thể liên hệ:"] + [f"- {s.line()}" for s in services]
            dispatcher.utter_message(text="\n".join(lines))
        return []
