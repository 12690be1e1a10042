"""Claims: a counsellor takes a case from the queue, a supervisor takes it over or gives it to
someone, a case goes back to the queue, a counsellor closes it. Transfers between counsellors:
handoff/transfers.py. Each change is one Lua script (handoff/lua/), then one recorded event
(handoff/events.py) whose listeners pause or resume Rasa, tell the person and update consoles."""
from __future__ import annotations

import time
from typing import Any, Dict, List, Optional

from redis.asyncio import Redis

from handoff import lua, texts
from handoff.connection import pair
from handoff.conversations import Conversations
from handoff.errors import HandoffError, StoreUnavailable, not_yours
from handoff.events import Event, Events
from handoff.keys import Keys
from handoff.listeners import Consoles
from handoff.closing import ended_with_survey, record
from handoff.outcomes import FOLLOW_UP_OUTCOMES
from handoff.queue import Queue
from handoff.store import Store
from shared.config import Config


def greeting(greeted: str) -> str:
    """What the person is told when a counsellor takes the case from the queue, by what they were
    told before (the conversation's ``greeted``): that a counsellor joined, that another one
    continues after the first had to step away, or nothing (already told, once per contact)."""
    if greeted == "left":
        return "continued"
    return "" if greeted == "1" else "joined"


class Claims:
    def __init__(self, redis: Redis, store: Store, config: Config, keys: Keys, conversations: Conversations,
                 events: Events, queue: Queue, consoles: Consoles) -> None:
        self.redis, self.store, self.config, self.keys = redis, store, config, keys
        self.conversations, self.events, self.queue, self.consoles = conversations, events, queue, consoles
        self._claim = redis.register_script(lua.source("claim"))
        self._assign = redis.register_script(lua.source("assign"))
        self._requeue = redis.register_script(lua.source("requeue"))
        self._close = redis.register_script(lua.source("close"))
        self._acknowledge = redis.register_script(lua.source("acknowledge"))

    async def claim(self, cid: str, counsellor: str, capacity: Optional[int] = None) -> None:
        now = time.time()
        status, greeted = pair(await self._claim(
            keys=[self.keys.conversation(cid), self.keys.queue, self.keys.assigned, self.keys.agent(counsellor)],
            args=[cid, counsellor, repr(now), repr(now + self.config.ack_timeout_s),
                  capacity or self.config.counsellor_capacity]))
        if status == "taken":
            raise HandoffError("already_taken", "Cuộc trò chuyện này đã có tư vấn viên khác nhận.")
        if status == "capacity":
            raise HandoffError("capacity", "Bạn đang nhận đủ số cuộc trò chuyện tối đa; hãy kết thúc bớt một cuộc.")
        if status != "ok":
            raise HandoffError("not_queued", "Cuộc trò chuyện này không còn trong hàng chờ.")
        state = await self.conversations.state(cid)
        contact_id = int(state["contact"])
        values = {"counsellor": counsellor}
        try:
            contact = await self.store.run(self.store.contact, contact_id)
        except StoreUnavailable:  # away (handoff/spool.py): a case of the live line is being claimed
            contact = {"claimed_at": None}
        if contact and contact["claimed_at"] is None:
            values = {"claimed_at": now, "counsellor": counsellor}
            await self.queue.record_wait(now - float(state["queued_at"]))
        await self.events.record_event(Event("claimed", cid, counsellor, "queued", "assigned", contact_id, now,
                                             contact_update=values, state=state, greet=greeting(greeted)))

    async def acknowledge(self, cid: str, counsellor: str) -> bool:
        return bool(await self._acknowledge(keys=[self.keys.conversation(cid)], args=[counsellor]))

    async def held(self, cid: str, counsellor: str) -> Dict[str, str]:
        """The live state of a conversation ``counsellor`` holds; refused otherwise."""
        state = await self.conversations.state(cid)
        if state["state"] != "assigned" or state.get("counsellor") != counsellor:
            raise not_yours()
        return state

    async def assign(self, cid: str, supervisor: str, target: str) -> None:
        """A supervisor takes a case over (``target`` is themselves) or gives it to a counsellor,
        from the queue or from whoever holds it; the person hears who writes from now on."""
        kind = "taken_over" if target == supervisor else "reassigned"
        for _ in range(3):  # the holder may change between our read and the script: read again
            state = await self.conversations.state(cid)
            current = state.get("counsellor", "") if state["state"] == "assigned" else ""
            if current == target:
                raise HandoffError("already_assigned", "Cuộc trò chuyện đã do người này phụ trách.")
            now = time.time()
            status, greeted = pair(await self._assign(
                keys=[self.keys.conversation(cid), self.keys.queue, self.keys.assigned,
                      self.keys.agent(current or "-"), self.keys.agent(target)],
                args=[cid, current, target, repr(now), repr(now + self.config.ack_timeout_s)]))
            if status == "changed":
                continue
            if status != "ok":
                raise HandoffError("not_queued", "Cuộc trò chuyện này không còn chờ hay đang được tư vấn.")
            contact_id = int(state["contact"])
            values = {"counsellor": target}
            if state["state"] == "queued" and not (await self.store.run(self.store.contact, contact_id))["claimed_at"]:
                values["claimed_at"] = now
                await self.queue.record_wait(now - float(state["queued_at"]))
            await self.events.record_event(Event(kind, cid, supervisor, state["state"], "assigned", contact_id, now,
                                                 detail={"previous": current, "to": target}, contact_update=values,
                                                 state=state,
                                                 greet="handed_over" if current else greeting(greeted)))
            return
        raise HandoffError("busy", "Cuộc trò chuyện đang thay đổi, hãy thử lại.")

    async def requeue(self, cid: str, counsellor: str, now: float, kind: str, actor: str) -> bool:
        """Back to the head of its priority, if ``counsellor`` still holds it. A person who was told
        a counsellor had joined is told that they had to step away (handoff/listeners.py)."""
        status, contact, greeted = (v.decode() if isinstance(v, bytes) else str(v) for v in await self._requeue(
            keys=[self.keys.conversation(cid), self.keys.queue, self.keys.assigned, self.keys.agent(counsellor)],
            args=[cid, counsellor]))
        if status != "ok":
            return False
        state = await self.conversations.state(cid)
        await self.events.record_event(Event(kind, cid, actor, "assigned", "queued", int(contact), now,
                                             detail={"counsellor": counsellor}, state=state,
                                             greet="stepped_away" if greeted == "1" else ""))
        return True

    async def close(self, cid: str, counsellor: str, outcomes: List[str], victim: str = "unknown",
                    columns: Optional[Dict[str, Any]] = None) -> int:
        """End the contact ``counsellor`` holds with what they recorded: ``columns`` (the close
        form's, handoff/closing.py) or, from callers that only know them, the outcomes and victim
        status. Returns the contact's id."""
        columns = dict(columns) if columns is not None else record({"outcomes": outcomes, "victim": victim})
        outcomes = columns["outcomes"]
        await self.held(cid, counsellor)
        now = time.time()
        # A rescue or support referral keeps the case open for follow-up (docs/architecture.md,
        # "Follow-up"): no "ended", no survey; the person's next message goes to a counsellor.
        follow_up = bool(FOLLOW_UP_OUTCOMES & set(outcomes))
        survey = texts.SURVEY_ORDER[0] if not follow_up and ended_with_survey(columns) else ""
        status, contact = pair(await self._close(
            keys=[self.keys.conversation(cid), self.keys.assigned, self.keys.agent(counsellor)],
            args=[cid, counsellor, survey, "1" if follow_up else ""]))
        if status != "ok":
            raise not_yours()
        state = await self.conversations.state(cid)
        await self.events.record_event(Event("closed", cid, counsellor, "assigned", "bot", int(contact), now,
                                             detail={"outcomes": outcomes, "victim": columns["victim"],
                                                     "contact_type": columns["contact_type"], "follow_up": follow_up},
                                             contact_update={"closed_at": now, **columns},
                                             state=state, survey=survey))
        return int(contact)

    async def dismiss_burst(self, burst: str, supervisor: str) -> int:
        """Close every waiting case of a burst (handoff/bursts.py) as abuse; how many were closed.
        Cases a counsellor already holds stay with them."""
        closed = 0
        for waiting in await self.queue.ordered():
            cid = waiting.conversation_id
            if (await self.conversations.state(cid)).get("burst") != burst:
                continue
            try:
                await self.assign(cid, supervisor, supervisor)
                await self.close(cid, supervisor, ["abusive"], "unknown")
            except HandoffError:  # claimed by someone a moment ago: theirs now
                continue
            closed += 1
        await self.consoles.publish({"type": "queue", "critical": False, "conversation": ""})
        return closed

    async def assigned(self) -> List[str]:
        """Every conversation a counsellor holds (the watchdog walks them)."""
        return sorted(i.decode() for i in await self.redis.smembers(self.keys.assigned))

    async def held_by(self, counsellor: str) -> List[str]:
        return sorted(i.decode() for i in await self.redis.smembers(self.keys.agent(counsellor)))
