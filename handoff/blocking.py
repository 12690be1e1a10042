"""Restricting an abusive sender for a while: their messages are stored, not answered by the bot
(bot/router.py), and never if they have written of danger."""
from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Optional

from redis.asyncio import Redis

from handoff.errors import HandoffError
from handoff.events import Event, Events
from handoff.keys import Keys
from handoff.store import Store

if TYPE_CHECKING:
    from handoff.conversations import Conversations


def until_of(raw: Optional[bytes]) -> Optional[float]:
    """When a restriction (``blocked:{id}``) ends, or None."""
    return json.loads(raw)["until"] if raw else None


class Blocking:
    def __init__(self, redis: Redis, store: Store, keys: Keys, conversations: "Conversations", events: Events) -> None:
        self.redis, self.store, self.keys, self.conversations, self.events = redis, store, keys, conversations, events

    async def block(self, cid: str, supervisor: str, hours: float, reason: str) -> float:
        """Restrict an abusive sender for a while; refused for anyone who has written of danger."""
        handled = await self.store.run(self.store.contacts_of, cid)
        state = await self.conversations.state(cid)
        if any(c["priority"] in ("critical", "high") for c in handled) or state["state"] == "assigned":
            raise HandoffError("urgent_sender", "Không thể hạn chế người đã từng nhắn tin khẩn cấp "
                                                "hoặc đang được tư vấn.")
        until = time.time() + hours * 3600
        await self.redis.set(self.keys.blocked(cid), json.dumps({"until": until, "by": supervisor}),
                             ex=int(hours * 3600))
        await self.events.record_event(Event("blocked", cid, supervisor, state["state"], state["state"], None,
                                             detail={"hours": hours, "reason": reason}, state=state))
        return until

    async def unblock(self, cid: str, supervisor: str) -> None:
        if await self.redis.delete(self.keys.blocked(cid)):
            await self.events.record_event(Event("unblocked", cid, supervisor))

    async def blocked_until(self, cid: str) -> Optional[float]:
        return until_of(await self.redis.get(self.keys.blocked(cid)))
