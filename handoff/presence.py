"""Counsellors' presence: online, away, or offline once their console stops sending heartbeats."""
from __future__ import annotations

import json
import time
from typing import Dict, Optional

from redis.asyncio import Redis

from handoff.keys import Keys
from handoff.listeners import Consoles
from shared.config import Config


class Presence:
    def __init__(self, redis: Redis, config: Config, keys: Keys, consoles: Consoles) -> None:
        self.redis, self.config, self.keys, self.consoles = redis, config, keys, consoles

    async def heartbeat(self, username: str, status: Optional[str] = None) -> None:
        key = self.keys.presence
        current = await self.redis.hget(key, username)
        previous = json.loads(current) if current else {}
        status = status or previous.get("status") or "online"
        await self.redis.hset(key, username, json.dumps({"status": status, "seen": time.time()}))
        if previous.get("status") != status:
            await self.consoles.publish({"type": "presence", "username": username, "status": status})

    async def statuses(self) -> Dict[str, str]:
        """online / away / offline (no heartbeat within the timeout) per counsellor."""
        now, out = time.time(), {}
        for name, raw in (await self.redis.hgetall(self.keys.presence)).items():
            entry = json.loads(raw)
            fresh = now - entry["seen"] <= self.config.heartbeat_timeout_s
            out[name.decode()] = entry["status"] if fresh else "offline"
        return out

    async def online_count(self) -> int:
        return sum(1 for status in (await self.statuses()).values() if status == "online")
