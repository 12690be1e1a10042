"""Conversations: a channel user's conversation id, its live state in Redis and why we may
process it (legal basis). The durable record is handoff/store/transcript.py."""
from __future__ import annotations

import uuid
from typing import Any, Dict, List, Mapping, Optional, Tuple

from redis.asyncio import Redis

from handoff import lua
from handoff.blocking import until_of
from handoff.connection import run_pipeline
from handoff.events import Event, Events
from handoff.keys import Keys
from handoff.store import Store


def sender_key(channel: str, sender: str) -> str:
    """The id Rasa knows a conversation by: channel and the channel's user id."""
    return f"{channel}:{sender}"


class Conversations:
    def __init__(self, redis: Redis, store: Store, keys: Keys, events: Events) -> None:
        self.redis, self.store, self.keys, self.events = redis, store, keys, events
        self._point = redis.register_script(lua.source("point"))

    async def conversation_for(self, channel: str, sender: str, pointer_missing: bool = False) -> str:
        """The conversation id of a channel user, created on first contact. ``pointer_missing``:
        the caller has just found no pointer in Redis (saves a round trip)."""
        key = self.pointer(channel, sender)
        if not pointer_missing:
            existing = await self.redis.get(key)
            if existing:
                return existing.decode()
        # After a Redis restart the transcript goes on in the same conversation.
        cid, created = await self.store.run(self.store.find_or_create_conversation, channel, sender, uuid.uuid4().hex)
        pointed = (await self._point(keys=[key, self.keys.conversation(cid)], args=[cid, channel, sender])).decode()
        if pointed != cid and created:  # another gateway's first message made it first
            await self.store.run(self.store.delete_empty_conversation, cid)
        return pointed

    def pointer(self, channel: str, sender: str) -> str:
        """The key holding a channel user's conversation id."""
        return self.keys.pointer(channel, sender)

    async def first_contact(self, cid: str, state: Optional[Dict[str, str]] = None) -> bool:
        """True once per conversation: the moment to show the privacy notice."""
        if state and state.get("notice") == "1":
            return False
        return bool(await self.redis.hsetnx(self.keys.conversation(cid), "notice", "1"))

    async def legal_basis(self, cid: str, urgent: bool, state: Optional[Dict[str, str]] = None) -> None:
        """Record why we may process this conversation: the person's consent, or, once a message
        says someone is in danger, the protection of life and health (which then stays)."""
        basis = "vital_interest" if urgent else "consent"
        if state is not None:
            current = state.get("legal_basis", "").encode()
        else:
            current = await self.redis.hget(self.keys.conversation(cid), "legal_basis")
        if current in (basis.encode(), b"vital_interest"):
            return
        await self.set_fields(cid, legal_basis=basis)
        state = state or await self.state(cid)
        await self.events.record_event(Event("legal_basis", cid, "gateway", state["state"], state["state"],
                                             int(state["contact"]) if state.get("contact") else None,
                                             detail={"basis": basis}, state=state))

    # --- the live state -------------------------------------------------------------
    async def state(self, cid: str) -> Dict[str, str]:
        return self.decode(cid, await self.redis.hgetall(self.keys.conversation(cid)))

    @staticmethod
    def decode(cid: str, raw: Mapping[bytes, bytes]) -> Dict[str, str]:
        state = {k.decode(): v.decode() for k, v in raw.items()}
        state.setdefault("state", "bot")
        state["conversation"] = cid
        return state

    def state_of(self, cid: str, raw: Any) -> Dict[str, str]:
        """The live state from the conversation's hash as Redis gave it."""
        if isinstance(raw, list):  # HGETALL inside a script: a flat list
            raw = dict(zip(raw[::2], raw[1::2]))
        return self.decode(cid, raw)

    async def set_fields(self, cid: str, **fields: str) -> None:
        await self.redis.hset(self.keys.conversation(cid), mapping=fields)

    @staticmethod
    def contact_of(state: Dict[str, str]) -> Optional[int]:
        """The contact (handoff/store/transcript.py) the conversation has or had, if any."""
        return int(state["contact"]) if state.get("contact") else None

    # --- what a message reads in its turn's round trip (bot/turns.py) ---------------
    def snapshot_reads(self, cid: str = "") -> List[Tuple[str, str]]:
        """What reads the live state and any restriction (every message needs both), as
        (command, key) pairs, for a round trip the caller makes anyway (its turn, bot/turns.py).
        Without ``cid`` the keys are prefixes, which a script completes."""
        return [("hgetall", self.keys.conversation(cid)), ("get", self.keys.blocked(cid))]

    def snapshot_of(self, cid: str, found: List[Any]) -> Tuple[Dict[str, str], Optional[float]]:
        raw, blocked = found
        return self.state_of(cid, raw), until_of(blocked)

    async def snapshot(self, cid: str) -> Tuple[Dict[str, str], Optional[float]]:
        return self.snapshot_of(cid, await run_pipeline(self.redis, self.snapshot_reads(cid), transaction=False))

    def state_field(self, cid: str) -> Tuple[str, str, str]:
        """Where the conversation's state ("bot", "queued", …) is kept: hash key, field, and
        the state when the field is absent; for a script that watches it (bot/turns.py)."""
        return self.keys.conversation(cid), "state", "bot"
