"""Actions that hand a conversation to a counsellor, through the same handoff library
as the gateway (handoff/service.py, handoff/queue.py): a request for a person, a missing relative, an
urgent message the NLU recognised, two misunderstandings in a row.

The gateway tells the user their place in line and starts the intake form once it sees
the conversation queued; these actions only escalate, and say so.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from handoff.connection import connect
from handoff.queue import Escalation
from handoff.service import Handoff
from handoff.store import Store
from shared.config import Config

logger = logging.getLogger(__name__)

PRIORITY_OF_INTENT = {"urgent_rescue": "critical", "report_missing": "high"}
_handoff: Optional[Handoff] = None


def handoff() -> Handoff:
    """One Handoff per action server process, made on first use (inside the server's loop)."""
    global _handoff
    if _handoff is None:
        config = Config.from_env()
        _handoff = Handoff(connect(config.redis_url), Store.from_url(config.database_url), config)
    return _handoff


async def escalate(tracker: Tracker, priority: str, trigger: str, reasons: List[str]) -> Optional[Escalation]:
    """Queue the tracker's conversation; None when the handoff store cannot be reached."""
    channel, _, sender = tracker.sender_id.partition(":")
    if not sender:  # not from the gateway (rasa shell): nobody to hand over to
        return None
    try:
        service = handoff()
        cid = await service.conversations.conversation_for(channel, sender)
        return await service.queue.escalate(cid, priority, trigger, reasons,
                                      text=tracker.latest_message.get("text") or "")
    except Exception as error:  # Redis or SQL down: the user still gets the hotline numbers
        logger.error("handoff from an action failed: %s", type(error).__name__)
        return None


class ActionIntakeDone(Action):
    """The intake form is complete: keep its answers with the conversation, for the counsellor."""

    def name(self) -> Text:
        return "action_intake_done"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        channel, _, sender = tracker.sender_id.partition(":")
        if sender:
            try:
                service = handoff()
                cid = await service.conversations.conversation_for(channel, sender)
                await service.intake.set_intake(cid, tracker.get_slot("intake_location") or "",
                                         tracker.get_slot("intake_safe") or "", tracker.get_slot("intake_contact") or "")
            except Exception as error:  # the answers are in the transcript anyway
                logger.error("intake not stored: %s", type(error).__name__)
        dispatcher.utter_message(response="utter_intake_done")
        return []


class ActionHandoff(Action):
    """Escalate at the priority of the intent that asked for it (normal for a request for a person)."""

    def name(self) -> Text:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or "human_request"
        priority = PRIORITY_OF_INTENT.get(intent, "normal")
        trigger = "human_request" if priority == "normal" else "nlu"
        done = await escalate(tracker, priority, trigger, [f"intent:{intent}"])
        if done is None:
            dispatcher.utter_message(response="utter_human_request")
        elif intent not in PRIORITY_OF_INTENT:
            dispatcher.utter_message(response="utter_handoff_requested")
        return []
