"""Actions for urgent messages: tell the person what to do right now, and bring a counsellor.

The NLU's ``urgent_rescue`` intent is a guess from the words; the urgency detector
(nlu/urgency.py) decides with context, as it does in the gateway and in triage. When it finds
no danger now (a returnee telling what happened years ago, a hypothetical, a figure of
speech), the person gets the answer to what they asked, not "call 113 now".
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions import directory
from directory.messages import safety_message
from actions.handoff import escalate
from nlu.parse import intent_confidences, next_intent, response_key
from nlu.urgency import CRITICAL, HIGH, default_detector

# Countries are written as the NLU's synonym mapping gives them.
HOME_COUNTRY = {"việt nam", "viet nam", "vietnam"}
RETRIEVAL_FAMILIES = {"faq_migration", "faq_support", "faq_hotline"}
# What the rules answer for the other intents, when the message turns out not to be a rescue.
ANSWER_OF_INTENT = {
    "report_suspicious": "utter_report_suspicious",
    "report_missing": "utter_report_missing",
    "greet": "utter_greet",
    "thank": "utter_thank",
    "goodbye": "utter_goodbye",
}


def answer_instead(latest: Dict[str, Any]) -> Optional[str]:
    """The response for the question a non-rescue message asks, or None (ask what they need)."""
    intent = next_intent(latest)
    if intent in RETRIEVAL_FAMILIES:
        key = response_key(latest, intent)
        return f"utter_{key}" if key else None
    return ANSWER_OF_INTENT.get(intent or "")


class ActionUrgentSafety(Action):
    def name(self) -> Text:
        return "action_urgent_safety"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        latest = tracker.latest_message or {}
        urgency = default_detector().assess(latest.get("text") or "", intent_confidences(latest))
        if urgency.level == CRITICAL:
            country = tracker.get_slot("country")
            abroad = bool(country) and country.lower() not in HOME_COUNTRY
            dispatcher.utter_message(text=safety_message(directory(), abroad=abroad))
            # The NLU recognised danger the gateway's first check may have missed: a person must see it too.
            await escalate(tracker, "critical", "nlu", ["intent:urgent_rescue", *urgency.reasons])
            return []
        if urgency.level == HIGH:
            await escalate(tracker, "high", "nlu", ["intent:urgent_rescue", *urgency.reasons])
        if next_intent(latest) == "human_request":
            return [FollowupAction("action_handoff")]
        dispatcher.utter_message(response=answer_instead(latest) or "utter_how_can_help")
        return []
