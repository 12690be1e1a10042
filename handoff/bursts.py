"""Bursts of new conversations: a cheap flood of fake emergencies must not bury real ones.

A web-chat sender id is whatever the page sends, so one machine can open any number of
conversations. ``BurstGuard`` counts new conversations per address and in all, per minute:
- within ``per_address`` a minute from one address (a dormitory, a phone shop, a family
  sharing Wi-Fi), nothing changes;
- beyond it, each further new conversation from that address joins one *burst* (for 10
  minutes). It is still stored, answered, and queued with its urgency: a real person on a
  busy network still gets the safety answer and a counsellor. The supervisor sees the burst as
  one group with its size, is alerted once for it instead of once a case, and can dismiss
  the whole group as abuse in one step (``handoff.claims.dismiss_burst``, handoff/claims.py);
- beyond ``total`` new conversations a minute from everywhere, the circuit opens: every
  further new conversation joins the circuit's burst, and supervisors see the circuit open.

Addresses are kept only as hashes, in keys that expire.
"""
from __future__ import annotations

import hashlib
import json
import secrets
import time
from typing import Callable, Dict, Optional

from redis.asyncio import Redis

from handoff.connection import run_pipeline
from handoff.keys import Keys

BURST_S = 600  # a burst gathers the address's new conversations for this long after its last
CIRCUIT = "circuit"


def _digest(address: str) -> str:
    return hashlib.sha256(address.encode("utf-8")).hexdigest()[:24]


class BurstGuard:
    def __init__(self, redis: Redis, per_address: int = 6, total: int = 120, prefix: str = "hl:",
                 clock: Callable[[], float] = time.time) -> None:
        self.redis, self.per_address, self.total, self.clock = redis, per_address, total, clock
        self.keys = Keys(prefix)

    def _key(self, *parts: str) -> str:
        return self.keys.burst(*parts)

    async def group_for(self, channel: str, address: str) -> str:
        """Count one new conversation; the burst it joins, or "" within the bounds."""
        minute = str(int(self.clock() // 60))
        who = _digest(address)
        per_address, total = self._key("new", channel, who, minute), self._key("new", channel, "all", minute)
        counts = await run_pipeline(self.redis, [("incr", per_address), ("expire", per_address, 120),
                                                 ("incr", total), ("expire", total, 120)], transaction=False)
        if int(counts[2]) > self.total:
            return await self._join(CIRCUIT, channel)
        if int(counts[0]) > self.per_address:
            return await self._join(who, channel)
        return ""

    async def _join(self, who: str, channel: str) -> str:
        pointer = self._key("of", who)
        fresh = f"{'c' if who == CIRCUIT else 'a'}{secrets.token_hex(6)}"
        await self.redis.set(pointer, fresh, nx=True, ex=BURST_S)
        burst = (await self.redis.get(pointer)).decode()
        await self.redis.expire(pointer, BURST_S)
        if who == CIRCUIT:
            since = self.clock()
            await self.redis.set(self._key("circuit"), json.dumps({"since": since, "burst": burst, "channel": channel}),
                                 nx=True, ex=BURST_S)
            await self.redis.expire(self._key("circuit"), BURST_S)
        return burst

    async def circuit(self) -> Optional[Dict[str, object]]:
        """The open circuit ({"since", "burst", "channel"}), or None."""
        raw = await self.redis.get(self._key("circuit"))
        return json.loads(raw) if raw else None
