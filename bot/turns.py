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
from dataclasses import dataclass
from typing import AsyncIterator, Optional, Sequence, Tuple

from redis.asyncio import Redis
from redis.exceptions import RedisError

from handoff.queue import run_pipeline

logger = logging.getLogger(__name__)
IDLE_TTL_S = 24 * 3600

# Take a ticket; in the usual case (nobody ahead) its turn begins at once, in the same call.
_TAKE_FUNCTION = """
local function take(key, now, lease)
  local ticket = redis.call('HINCRBY', key, 'next', 1)
  local served = tonumber(redis.call('HGET', key, 'served') or '-1')
  if ticket == 1 or served < 0 then
    served = ticket - 1
    redis.call('HSET', key, 'served', served)
  end
  redis.call('EXPIRE', key, %d)
  if served + 1 == ticket then
    redis.call('HSET', key, 'deadline', now + lease)
    return ticket, 1
  end
  return ticket, 0
end
""" % IDLE_TTL_S

# KEYS: turn. ARGV: now, lease. Returns {ticket, 1 when its turn began}.
_TAKE = _TAKE_FUNCTION + """
local ticket, go = take(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]))
return {ticket, go}
"""

# A message of a conversation known by its pointer (a key holding the conversation id): the
# id, the ticket and, when the turn began, the reads, all in one round trip.
# KEYS: pointer. ARGV: turn key prefix, now, lease, then (command, key prefix) pairs, each key
# completed with the conversation id. Returns false when the pointer is missing.
# The keys built here are not declared, which Redis Cluster forbids; the hotline runs on one
# Redis (with Sentinel, docs/deploy.md), as its queue scripts, which span conversations, need.
_BEGIN = _TAKE_FUNCTION + """
local conversation = redis.call('GET', KEYS[1])
if not conversation then return false end
local ticket, go = take(ARGV[1] .. conversation, tonumber(ARGV[2]), tonumber(ARGV[3]))
local out = {conversation, ticket, go}
if go == 1 then
  for i = 4, #ARGV, 2 do out[#out + 1] = redis.call(ARGV[i], ARGV[i + 1] .. conversation) end
end
return out
"""

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

# Ends a turn: the next ticket may go.
_DONE_FUNCTION = """
local function done(key, ticket, now, grace)
  local served = tonumber(redis.call('HGET', key, 'served') or '0')
  if served + 1 == tonumber(ticket) then
    redis.call('HSET', key, 'served', ticket, 'deadline', tonumber(now) + tonumber(grace))
  end
end
"""

# KEYS: turn. ARGV: ticket, now, grace.
_DONE = _DONE_FUNCTION + """
done(KEYS[1], ARGV[1], ARGV[2], ARGV[3])
return 1
"""

# The turn ends only if a watched hash field still holds what the caller expects: then the
# commands run and the turn is released, in one round trip. Otherwise nothing runs and the
# hash comes back (flat), for the caller to act on the change first.
# KEYS: turn, watched hash. ARGV: ticket, now, grace, field, expected, value of a missing field,
# then each command as its number of parts followed by the parts.
_RELEASE_IF = _DONE_FUNCTION + """
local current = redis.call('HGET', KEYS[2], ARGV[4]) or ARGV[6]
if current ~= ARGV[5] then return redis.call('HGETALL', KEYS[2]) end
local i = 7
while i <= #ARGV do
  local n = tonumber(ARGV[i])
  redis.call(unpack(ARGV, i + 1, i + n))
  i = i + n + 1
end
done(KEYS[1], ARGV[1], ARGV[2], ARGV[3])
return false
"""


@dataclass
class Ticket:
    """A place in a conversation's line. ``reads``: what was read in the same round trip, valid
    only when ``started`` (its turn began at once); a ticket that waits reads again."""
    conversation: str
    key: str
    number: int
    started: bool
    reads: list


class Turn:
    """A turn being held. ``reads``: the ticket's reads, or None when it had to wait."""

    def __init__(self, turns: "Turns", ticket: Ticket) -> None:
        self._turns, self.ticket = turns, ticket
        self.reads = ticket.reads if ticket.started else None
        self.released = False

    async def release(self, *commands: tuple) -> list:
        """End the turn, after ``commands`` (run_pipeline's form) in the same round trip: the
        last writes of a message and its release cost one round trip, not two."""
        self.released = True
        found = await run_pipeline(self._turns.redis, [*commands, (
            "eval", _DONE, 1, self.ticket.key, self.ticket.number, time.time(), self._turns.grace_s)],
            transaction=False)
        return found[:-1]

    async def release_if(self, watched: Tuple[str, str, str], expected: str, *commands: tuple) -> Optional[list]:
        """End the turn after ``commands``, in one round trip, if a hash field still holds
        ``expected``; ``watched`` is (hash key, field, value standing for an absent field).
        Otherwise nothing is done and the hash comes back as a flat list: the caller acts on the
        change, then releases."""
        key, field, missing = watched
        parts = [part for command in commands for part in (len(command), *command)]
        changed = await self._turns._release_if(
            keys=[self.ticket.key, key], args=[self.ticket.number, time.time(), self._turns.grace_s,
                                               field, expected, missing, *parts])
        self.released = changed is None
        return changed


class Turns:
    """EVAL rather than EVALSHA for the scripts sent in pipelines: no reload is needed after a
    Redis restart (Redis caches them); scripts called alone reload themselves (redis-py)."""

    def __init__(self, redis: Redis, lease_s: float, urgent_wait_s: float = 2.0, grace_s: float = 3.0,
                 prefix: str = "hl:") -> None:
        self.redis, self.lease_s, self.urgent_wait_s, self.grace_s = redis, lease_s, urgent_wait_s, grace_s
        self.prefix = prefix
        self._turn = redis.register_script(_TURN)
        self._release_if = redis.register_script(_RELEASE_IF)

    def key(self, conversation: str) -> str:
        return f"{self.prefix}turn:{conversation}"

    async def take(self, conversation: str, reads: Sequence[tuple] = ()) -> Ticket:
        """A ticket and what ``reads`` (run_pipeline's form) returned, in one round trip."""
        key = self.key(conversation)
        (number, go), *found = await run_pipeline(self.redis, [
            ("eval", _TAKE, 1, key, time.time(), self.lease_s), *reads], transaction=False)
        return Ticket(conversation, key, number, bool(go), found)

    async def take_by_pointer(self, pointer: str, reads: Sequence[Tuple[str, str]] = (), also: Sequence[tuple] = ()
                              ) -> Tuple[Optional[Ticket], list]:
        """The same for the conversation whose id ``pointer`` holds, found in the same round trip
        (None when the pointer is missing); ``reads`` are (command, key prefix) pairs. ``also``:
        other commands (run_pipeline's form) for that round trip, and what they returned."""
        found, *others = await run_pipeline(self.redis, [
            ("eval", _BEGIN, 1, pointer, self.key(""), time.time(), self.lease_s,
             *[part for read in reads for part in read]), *also], transaction=False)
        if not found:
            return None, others
        conversation, number, go, *reads_found = found
        conversation = conversation.decode()
        return Ticket(conversation, self.key(conversation), number, bool(go), reads_found), others

    @contextlib.asynccontextmanager
    async def hold(self, ticket: Ticket, urgent: bool = False) -> AsyncIterator[Turn]:
        """Wait for the ticket's turn, then hold it until the block ends."""
        give_up = time.monotonic() + (self.urgent_wait_s if urgent else self.lease_s + self.grace_s)
        delay = 0.005
        go = ticket.started
        while not go and not await self._turn(keys=[ticket.key],
                                              args=[ticket.number, time.time(), self.lease_s, self.grace_s]):
            if time.monotonic() > give_up:
                logger.warning("conversation turn not reached in time; going on out of turn")
                break
            await asyncio.sleep(delay * (1 + random.random()))
            delay = min(delay * 2, 0.05)
        turn = Turn(self, ticket)
        try:
            yield turn
        finally:
            if not turn.released:
                try:
                    await turn.release()
                except (RedisError, OSError) as error:  # the next message waits out the lease instead
                    logger.warning("conversation turn not released (%s)", type(error).__name__)

    @contextlib.asynccontextmanager
    async def turn(self, conversation: str, urgent: bool = False, reads: Sequence[tuple] = ()
                   ) -> AsyncIterator[Turn]:
        """Take a ticket and hold its turn."""
        async with self.hold(await self.take(conversation, reads), urgent) as turn:
            yield turn
