"""The watchdog: unacknowledged or abandoned cases go back to the queue; a critical case nobody
claims in time alerts the supervisors (once, or once for a whole burst)."""
from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any, Dict, List, Optional

from redis.asyncio import Redis

from handoff import lua
from handoff.claims import Claims
from handoff.conversations import Conversations
from handoff.events import Event, Events
from handoff.keys import Keys
from handoff.listeners import alert_of
from handoff.presence import Presence
from handoff.queue import Queue, Waiting
from shared.config import Config

logger = logging.getLogger(__name__)


class Watchdog:
    def __init__(self, redis: Redis, config: Config, keys: Keys, conversations: Conversations, events: Events,
                 queue: Queue, claims: Claims, presence: Presence) -> None:
        self.redis, self.config, self.keys, self.conversations, self.events = redis, config, keys, conversations, events
        self.queue, self.claims, self.presence = queue, claims, presence
        self._alert = redis.register_script(lua.source("alert"))

    async def sweep(self, now: Optional[float] = None) -> Dict[str, int]:
        """One pass: unacknowledged or abandoned cases go back; unclaimed critical cases alert."""
        now = now or time.time()
        presence = await self.presence.statuses()
        counts = {"requeued": 0, "alerted": 0}
        for cid in await self.claims.assigned():
            state = await self.conversations.state(cid)
            counsellor = state.get("counsellor", "")
            if state["state"] != "assigned":
                continue
            if state.get("acked") != "1" and now > float(state.get("ack_deadline") or 0):
                kind = "ack_timeout"
            elif presence.get(counsellor, "offline") == "offline":
                kind = "counsellor_lost"
            else:
                continue
            if await self.claims.requeue(cid, counsellor, now, kind, "watchdog"):
                counts["requeued"] += 1
        for waiting in await self.queue.waiting():
            if waiting.priority != "critical" or now - waiting.queued_at < self.config.critical_alert_s:
                continue
            if await self._alert(keys=[self.keys.conversation(waiting.conversation_id)]):
                counts["alerted"] += 1
                await self._alert_unclaimed(waiting, now)
        return counts

    async def _alert_unclaimed(self, waiting: Waiting, now: float) -> None:
        cid = waiting.conversation_id
        state = await self.conversations.state(cid)
        # A burst's cases alert once, for the whole burst: the supervisor sees the group in the console.
        if state.get("burst") and not await self.redis.set(self.keys.burst_alerted(state["burst"]), "1",
                                                           nx=True, ex=3600):
            return
        event = Event("critical_unclaimed", cid, "watchdog", "queued", "queued", int(state["contact"]), now,
                      state=state, waited_s=now - waiting.queued_at)
        await self.redis.lpush(self.keys.alerts, json.dumps(alert_of(event)))
        await self.redis.ltrim(self.keys.alerts, 0, 49)
        await self.events.record_event(event)

    async def alerts(self, now: Optional[float] = None) -> List[Dict[str, Any]]:
        """Recent alerts still worth showing: their case is still waiting, for as long as it has
        waited by now (an alert stored at 61 s must not say "1 phút" eight minutes later)."""
        now = time.time() if now is None else now
        out = []
        for raw in await self.redis.lrange(self.keys.alerts, 0, -1):
            alert = json.loads(raw)
            if (await self.conversations.state(alert["conversation"]))["state"] == "queued":
                alert["waited_s"] = round(alert["waited_s"] + max(0.0, now - alert["at"]))
                out.append(alert)
        return out


async def run_watchdog(watchdog: Watchdog, interval_s: float) -> None:
    """Sweep forever; several gateways may run it, every step is conditional and atomic."""
    while True:
        try:
            await watchdog.sweep()
        except Exception as error:
            logger.error("watchdog pass failed: %s", type(error).__name__)
        await asyncio.sleep(interval_s)
