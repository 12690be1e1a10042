"""Misunderstandings: answer the first, hand over to a counsellor after two in a row.

A miss is a message the NLU was unsure of (nlu_fallback) or that is outside what
the hotline does (out_of_scope): either way the person is not being helped.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import escalate

MISS_INTENTS = {"nlu_fallback": "utter_ask_rephrase", "out_of_scope": "utter_out_of_scope"}
MISSES_BEFORE_OFFER = 2


def misses_in_a_row(events: List[Dict[Text, Any]]) -> int:
    """How many of the latest user messages in a row were misses."""
    count = 0
    for event in reversed(events):
        if event.get("event") != "user":
            continue
        intent = (event.get("parse_data") or {}).get("intent") or {}
        if intent.get("name") not in MISS_INTENTS:
            break
        count += 1
    return count


class ActionFallback(Action):
    def name(self) -> Text:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        if misses_in_a_row(tracker.events) >= MISSES_BEFORE_OFFER:
            done = await escalate(tracker, "normal", "misunderstood", ["misunderstood_twice"])
            dispatcher.utter_message(response="utter_handoff_misunderstood" if done else "utter_offer_counsellor")
            return []
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        dispatcher.utter_message(response=MISS_INTENTS.get(intent, "utter_ask_rephrase"))
        return []
