"""Rasa's ResponseSelector, run only for messages whose intent is a retrieval intent
(and for rescue messages: see ``ALSO_FOR``).

Rasa runs the ResponseSelector on every message, yet its choice is read only when the
intent is one of its retrieval intents (``utter_faq_support`` picks "faq_support/loan";
``nlu.parse.response_key`` checks the same). For a greeting, a report or a cry for help its
TensorFlow call and feature preparation were 4–5 ms of CPU spent for nothing, about a tenth
of a Rasa server's work under load (docs/performance.md, "How the goals were reached").
Training is unchanged.
"""
from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY
from rasa.shared.nlu.training_data.message import Message

# Rasa's key for the selector's output in a parse result.
RESPONSE_SELECTOR = "response_selector"
RETRIEVAL_INTENTS = "all_retrieval_intents"
# The rescue action answers the question instead of the emergency script when the urgency
# detector finds no danger now (a returnee's "em từng bị nhốt…, giờ học nghề được không"):
# it needs the selector's choice then (actions/urgent.py). Rescue messages are few.
ALSO_FOR = {"urgent_rescue"}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class RetrievalResponseSelector(ResponseSelector):
    """Selects a response only where the intent classifier chose a retrieval intent."""

    def process(self, messages: List[Message]) -> List[Message]:
        retrieval = set(self.all_retrieval_intents)
        if self.retrieval_intent:
            retrieval = {self.retrieval_intent}
        retrieval |= ALSO_FOR
        asked = [m for m in messages if (m.get(INTENT) or {}).get(INTENT_NAME_KEY) in retrieval]
        super().process(asked)
        for message in messages:
            if message.get(RESPONSE_SELECTOR) is None:
                # The shape Rasa gives, with no choice in it: a retrieval action run anyway
                # finds nothing to say instead of failing on a missing key.
                message.set(RESPONSE_SELECTOR, {RETRIEVAL_INTENTS: self.all_retrieval_intents},
                            add_to_output=True)
        return messages
