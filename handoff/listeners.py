"""What follows a recorded state change (handoff/events.py), one listener per audience:
the consoles, the person, the supervisors. Rasa's pause and resume: handoff/bot_pause.py."""
from __future__ import annotations

import json
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional

from redis.asyncio import Redis

from handoff import texts
from handoff.authors import Names
from handoff.events import Event
from handoff.intake import Known
from handoff.keys import Keys
from handoff.notices import Notices

logger = logging.getLogger(__name__)

# Kinds that put a case back in the queue (handoff/claims.py, requeue).
REQUEUED = ("transferred_to_queue", "ack_timeout", "counsellor_lost")
ASSIGNED_BY_SUPERVISOR = ("taken_over", "reassigned")


def alert_of(event: Event) -> Dict[str, Any]:
    """The supervisors' banner entry for an unclaimed critical case."""
    return {"type": "alert", "kind": "critical_unclaimed", "conversation": event.conversation,
            "waited_s": round(event.waited_s), "at": event.at}


class Consoles:
    """Shows changes live in every console (their WebSocket, handoff/live.py, reads ``notify``)."""

    def __init__(self, redis: Redis, keys: Keys) -> None:
        self.redis, self.keys = redis, keys

    async def publish(self, payload: Dict[str, Any]) -> None:
        await self.redis.publish(self.keys.notify, json.dumps(payload, ensure_ascii=False))

    async def __call__(self, event: Event) -> None:
        for payload in self.payloads(event):
            await self.publish(payload)

    @staticmethod
    def payloads(event: Event) -> List[Dict[str, Any]]:
        cid, kind = event.conversation, event.kind
        if kind in ("queued", "priority_raised"):
            return [{"type": "queue", "critical": event.detail["priority"] == "critical", "conversation": cid}]
        if kind == "claimed":
            return [{"type": "queue", "conversation": cid}]
        if kind in ASSIGNED_BY_SUPERVISOR:
            return [{"type": "assigned", "conversation": cid, "counsellor": event.detail["to"]},
                    {"type": "queue", "conversation": cid}]
        if kind == "transferred":
            return [{"type": "assigned", "conversation": cid, "counsellor": event.detail["to"]}]
        if kind in REQUEUED:
            return [{"type": "queue", "critical": event.state.get("priority") == "critical", "conversation": cid}]
        if kind == "closed":
            return [{"type": "closed", "conversation": cid, "counsellor": event.actor}]
        if kind == "critical_unclaimed":
            return [alert_of(event)]
        if kind == "intake":
            return [{"type": "intake", "conversation": cid}]
        return []  # legal basis, restrictions, places, delivery reports, referrals: in the record only


GREETINGS = {"joined": texts.claimed, "continued": texts.continued, "handed_over": texts.handed_over}


class PersonNotices:
    """Tells the person on their own channel the truth of each step: a counsellor (by name) is
    here; the one who joined had to step away and another will continue; the case went to a
    colleague; the chat is closed (with the survey) or a referral keeps it open; a critical case
    still waits (asking only for what is not known yet)."""

    def __init__(self, notices: Notices, names: Names, known: Known) -> None:
        self.notices, self.names, self.known = notices, names, known

    async def __call__(self, event: Event) -> None:
        cid, state = event.conversation, event.state
        if event.greet in GREETINGS:
            # "joined" once per contact; "continued" / "handed_over" when someone else takes over
            to = event.detail.get("to") or event.actor
            await self.notices.send(state, cid, GREETINGS[event.greet](await self.names.of(to)))
        elif event.greet == "stepped_away":
            await self.notices.send(state, cid, texts.stepped_away(state.get("priority") == "critical"))
        elif event.kind == "closed" and event.detail.get("follow_up"):
            await self.notices.send(state, cid, texts.referral_in_progress(state.get("do_not_contact") != "1"))
        elif event.kind == "closed":
            await self.notices.send(state, cid, texts.closed() + ("\n" + texts.SURVEY[event.survey]
                                                                   if event.survey else ""))
        elif event.kind == "critical_unclaimed":
            await self._still_waiting(event)

    async def _still_waiting(self, event: Event) -> None:
        state = event.state
        if state.get("greeted") == "left":
            # A counsellor had joined and stepped away: the person was told so, with the safety
            # steps, less than critical_alert_s ago (the alert fires that long after queueing at
            # the latest). "Still looking for a counsellor" would deny that anyone came.
            return
        text = texts.still_waiting_critical(location_known=await self.known.location(event.conversation, state),
                                            watched=self.known.watched(state))
        await self.notices.send(state, event.conversation, text)


class SupervisorAlerts:
    """An unclaimed critical case, sent to the supervisors' chat when one is set (bot/app.py)."""

    def __init__(self, send: Optional[Callable[[str], Awaitable[None]]] = None) -> None:
        self.send = send

    async def __call__(self, event: Event) -> None:
        if event.kind != "critical_unclaimed" or not self.send:
            return
        try:
            await self.send(texts.supervisor_alert(event.waited_s, event.state.get("channel", "")))
        except Exception as error:  # the console banner is up regardless
            logger.error("supervisor alert not sent: %s", type(error).__name__)
