"""One message of a conversation at a time, in arrival order, across all gateways.

Rasa 3.6's open-source lock store is not safe across several Rasa servers, and two
messages of one person handled at once by two gateways would interleave their replies
in the transcript and corrupt Rasa's tracker. So each message takes a ticket from a
per-conversation counter in Redis when it arrives, and waits until the tickets before it
are done: a FIFO lock, fair where a SET NX lock is not.

A gateway that dies holding a turn would stop its conversation for good; so a turn has
a lease, and waiters skip a ticket whose lease ran out (or that was never started: its
gateway died while waiting). No one waits without bound: an urgent message waits at
most ``urgent_wait_s`` and then goes on out of turn, because escalating it matters more
than its place in the transcript.

Keys: ``{prefix}turn:{conversation}`` hash with ``next`` (last ticket given), ``served``
(last ticket done or skipped) and ``deadline`` (when the current turn is forfeit).
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from typing import AsyncIterator

from redis.asyncio import Redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
IDLE_TTL_S = 24 * 3600

# KEYS: turn. ARGV: grace, now, lease. Returns {ticket, 1 when it is its turn already}: in
# the usual case (nobody ahead) taking a ticket and starting the turn are one round trip.
_TAKE = """
local ticket = redis.call('HINCRBY', KEYS[1], 'next', 1)
local now = tonumber(ARGV[2])
local served = tonumber(redis.call('HGET', KEYS[1], 'served') or '-1')
if ticket == 1 or served < 0 then
  served = ticket - 1
  redis.call('HSET', KEYS[1], 'served', served)
end
redis.call('EXPIRE', KEYS[1], %d)
if served + 1 == ticket then
  redis.call('HSET', KEYS[1], 'deadline', now + tonumber(ARGV[3]))
  return {ticket, 1}
end
return {ticket, 0}
""" % IDLE_TTL_S

# KEYS: turn. ARGV: ticket, now, lease, grace. 1: go; 0: wait.
_TURN = """
local ticket, now = tonumber(ARGV[1]), tonumber(ARGV[2])
local served = tonumber(redis.call('HGET', KEYS[1], 'served') or '0')
local deadline = tonumber(redis.call('HGET', KEYS[1], 'deadline') or '0')
if served + 1 < ticket and now > deadline then
  -- the current turn is forfeit: its gateway died or overran the lease
  served = served + 1
  deadline = now + tonumber(ARGV[4])
  redis.call('HSET', KEYS[1], 'served', served, 'deadline', deadline)
end
if served + 1 == ticket then
  redis.call('HSET', KEYS[1], 'deadline', now + tonumber(ARGV[3]))
  return 1
end
if ticket <= served then return 1 end  -- skipped while slow: go on rather than lose the message
return 0
"""

# KEYS: turn. ARGV: ticket, now, grace.
_DONE = """
local served = tonumber(redis.call('HGET', KEYS[1], 'served') or '0')
if served + 1 == tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'served', ARGV[1], 'deadline', tonumber(ARGV[2]) + tonumber(ARGV[3]))
end
return 1
"""


class Turns:
    def __init__(self, redis: Redis, lease_s: float, urgent_wait_s: float = 2.0, grace_s: float = 3.0,
                 prefix: str = "hl:") -> None:
        self.redis, self.lease_s, self.urgent_wait_s, self.grace_s = redis, lease_s, urgent_wait_s, grace_s
        self.prefix = prefix
        self._take = redis.register_script(_TAKE)
        self._turn = redis.register_script(_TURN)
        self._done = redis.register_script(_DONE)

    @contextlib.asynccontextmanager
    async def turn(self, conversation: str, urgent: bool = False) -> AsyncIterator[None]:
        key = f"{self.prefix}turn:{conversation}"
        ticket, go = await self._take(keys=[key], args=[self.grace_s, time.time(), self.lease_s])
        give_up = time.monotonic() + (self.urgent_wait_s if urgent else self.lease_s + self.grace_s)
        delay = 0.005
        while not go and not await self._turn(keys=[key], args=[ticket, time.time(), self.lease_s, self.grace_s]):
            if time.monotonic() > give_up:
                logger.warning("conversation turn not reached in time; going on out of turn")
                break
            await asyncio.sleep(delay * (1 + random.random()))
            delay = min(delay * 2, 0.05)
        try:
            yield
        finally:
            try:
                await self._done(keys=[key], args=[ticket, time.time(), self.grace_s])
            except (RedisError, OSError) as error:  # the next message waits out the lease instead
                logger.warning("conversation turn not released (%s)", type(error).__name__)
