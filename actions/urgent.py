"""Actions for urgent messages: tell the person what to do right now, and bring a counsellor."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.directory import default_directory
from actions.handoff import escalate

# Countries are written as the NLU's synonym mapping gives them.
HOME_COUNTRY = {"việt nam", "viet nam", "vietnam"}


class ActionUrgentSafety(Action):
    def name(self) -> Text:
        return "action_urgent_safety"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        country = tracker.get_slot("country")
        abroad = bool(country) and country.lower() not in HOME_COUNTRY
        dispatcher.utter_message(text=default_directory().safety_message(abroad=abroad))
        # The NLU recognised danger the lexicon may have missed: a person must see it too.
        await escalate(tracker, "critical", "nlu", ["intent:urgent_rescue"])
        return []
