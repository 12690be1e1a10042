"""Transfers: a counsellor hands a case to another counsellor, or back to the queue; warm when
a note goes with it."""
from __future__ import annotations

import time
from typing import Optional

from redis.asyncio import Redis

from handoff import lua
from handoff.claims import Claims
from handoff.connection import pair
from handoff.errors import HandoffError
from handoff.events import Event, Events
from handoff.keys import Keys
from handoff.transcript import Transcript
from shared.config import Config


class Transfers:
    def __init__(self, redis: Redis, config: Config, keys: Keys, events: Events, claims: Claims,
                 transcript: Transcript) -> None:
        self.config, self.keys, self.events, self.claims, self.transcript = config, keys, events, claims, transcript
        self._transfer = redis.register_script(lua.source("transfer"))

    async def transfer(self, cid: str, counsellor: str, target: Optional[str], note: str = "",
                       target_capacity: Optional[int] = None) -> None:
        """To another counsellor, or back to the queue (``target`` None)."""
        state = await self.claims.held(cid, counsellor)
        if note.strip():
            await self.transcript.record(cid, "note", note.strip(), counsellor)
        now = time.time()
        if target is None:
            await self.claims.requeue(cid, counsellor, now, "transferred_to_queue", counsellor)
            return
        status, contact = pair(await self._transfer(
            keys=[self.keys.conversation(cid), self.keys.agent(counsellor), self.keys.agent(target)],
            args=[cid, counsellor, target, repr(now + self.config.ack_timeout_s),
                  target_capacity or self.config.counsellor_capacity]))
        if status == "capacity":
            raise HandoffError("capacity", "Tư vấn viên này đã nhận đủ số cuộc trò chuyện.")
        if status != "ok":
            raise HandoffError("not_yours", "Cuộc trò chuyện này không do bạn phụ trách.", status=403)
        await self.events.record_event(Event("transferred", cid, counsellor, "assigned", "assigned", int(contact), now,
                                             detail={"to": target, "warm": bool(note.strip())},
                                             contact_update={"counsellor": target}, state=state,
                                             greet="handed_over"))
