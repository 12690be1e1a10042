"""The queue: cases waiting for a counsellor, in the order they are served, and what a person
in line is told (place, honest wait).

Every change is one Lua script (handoff/lua/), atomic across gateways, the action server and the
watchdog: it checks the current state, changes it, or does nothing and says why.
"""
from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass
from typing import Iterable, List, Mapping, Optional, Sequence

from redis.asyncio import Redis

from directory import Directory
from handoff import lua, texts
# handoff/signin.py and tests/conftest.py import these from here (the sign-in rewrite moves them).
from handoff.connection import connect, pair, run_pipeline  # noqa: F401
from handoff.conversations import Conversations
from handoff.events import Event, Events
from handoff.keys import Keys
from handoff.places import note_place
from handoff.presence import Presence
from handoff.store import Store
from shared.config import Config

PRIORITIES = ("critical", "high", "normal")
RANK = {p: i for i, p in enumerate(PRIORITIES)}


@dataclass(frozen=True)
class Waiting:
    """One case in the queue, as the ordering sees it."""

    conversation_id: str
    priority: str
    queued_at: float
    returned: bool = False

    def effective_priority(self, now: float, ageing: Mapping[str, float]) -> str:
        """The priority after ageing: each step waited moves the case up one level."""
        rank, waited = RANK[self.priority], now - self.queued_at
        while rank > 0:
            step = ageing.get(PRIORITIES[rank])
            if not step or waited < step:
                break
            waited -= step
            rank -= 1
        return PRIORITIES[rank]


@dataclass
class Escalation:
    status: str  # queued (new), raised, unchanged
    contact_id: Optional[int]


def order(waiting: Sequence[Waiting], now: float, ageing: Mapping[str, float]) -> List[Waiting]:
    """Priority first (after ageing), cases given back by a counsellor first, then oldest first."""
    return sorted(waiting, key=lambda w: (RANK[w.effective_priority(now, ageing)], not w.returned, w.queued_at))


def estimate_wait_s(position: int, online: int, recent_waits: Sequence[float]) -> Optional[float]:
    """An honest estimate, or None when there is nothing to base one on.

    The median recent wait is what one place in line has cost lately; each counsellor
    online serves their own share of the line.
    """
    if online <= 0 or not recent_waits:
        return None
    return max(30.0, statistics.median(recent_waits) * math.ceil(position / online))


class Queue:
    def __init__(self, redis: Redis, store: Store, config: Config, keys: Keys, conversations: Conversations,
                 events: Events, presence: Presence, directory: Directory) -> None:
        self.redis, self.store, self.config, self.keys = redis, store, config, keys
        self.conversations, self.events, self.presence, self.directory = conversations, events, presence, directory
        self._escalate = redis.register_script(lua.source("escalate"))

    async def escalate(self, cid: str, priority: str, trigger: str, reasons: Iterable[str] = (),
                       trigger_message_id: Optional[int] = None, text: str = "", language: str = "") -> Escalation:
        """Queue the conversation (or raise its priority). ``language``: when not Vietnamese, the
        language the person writes in (nlu/language.py), kept on the contact."""
        now = time.time()
        state = await self.conversations.state(cid)
        contact_id = None
        if state["state"] == "bot":
            contact_id = await self.store.run(self.store.open_contact, cid, priority, trigger, list(reasons),
                                              trigger_message_id, now, language or None)
        status, contact = pair(await self._escalate(
            keys=[self.keys.conversation(cid), self.keys.queue],
            args=[cid, priority, repr(now), str(contact_id or 0), state.get("channel", ""), state.get("sender", ""),
                  trigger]))
        if status == "queued":
            await self.events.record_event(Event("queued", cid, trigger, "bot", "queued", contact_id, now,
                                                 detail={"priority": priority, "reasons": list(reasons)}, state=state))
            await note_place(self.events, cid, contact_id, text)
            return Escalation("queued", contact_id)
        if contact_id:  # another process queued it a moment earlier
            await self.store.run(self.store.delete_contact, contact_id)
        contact_id = int(contact) if contact and contact != "0" else None
        if status == "raised":
            await self.events.record_event(Event("priority_raised", cid, trigger, state["state"], state["state"],
                                                 contact_id, now, detail={"priority": priority, "reasons": list(reasons)},
                                                 contact_update={"priority": priority}, state=state))
        return Escalation(status, contact_id)

    async def waiting(self) -> List[Waiting]:
        """The cases in the queue, unordered."""
        ids = [i.decode() for i in await self.redis.zrange(self.keys.queue, 0, -1)]
        if not ids:
            return []
        found = await run_pipeline(self.redis, [("hmget", self.keys.conversation(cid), "priority", "queued_at",
                                                 "returned") for cid in ids], transaction=False)
        out = []
        for cid, (priority, queued_at, returned) in zip(ids, found):
            if priority and queued_at:
                out.append(Waiting(cid, priority.decode(), float(queued_at), returned == b"1"))
        return out

    async def ordered(self, now: Optional[float] = None) -> List[Waiting]:
        """The cases in the queue, in the order they are served."""
        return order(await self.waiting(), now or time.time(), self.config.queue_ageing)

    async def position(self, cid: str) -> tuple[int, int]:
        """1-based place in line and the length of the line (0, n when not waiting)."""
        ids = [w.conversation_id for w in await self.ordered()]
        return (ids.index(cid) + 1 if cid in ids else 0), len(ids)

    async def queued_message(self, cid: str) -> str:
        """What a user just queued is told: place in line, honest wait, what to do meanwhile."""
        state = await self.conversations.state(cid)
        position, length = await self.position(cid)
        online = await self.presence.online_count()
        wait = estimate_wait_s(max(position, 1), online, await self.recent_waits())
        overflow = length > self.config.queue_overflow
        return self.directory.render(texts.queued(state.get("priority", "normal"), max(position, 1), wait, online, overflow))

    async def record_wait(self, seconds: float, keep: int = 50) -> None:
        await run_pipeline(self.redis, [("lpush", self.keys.waits, repr(seconds)),
                                        ("ltrim", self.keys.waits, 0, keep - 1)])

    async def recent_waits(self) -> List[float]:
        return [float(v) for v in await self.redis.lrange(self.keys.waits, 0, -1)]
