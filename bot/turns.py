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

Keys: ``turn:{conversation}`` (handoff/keys.py), a hash with ``next`` (last ticket given),
``served`` (last ticket done or skipped) and ``deadline`` (when the current turn is forfeit); it
is forgotten after a day idle. A message's turn with what it reads and writes on the way, as the
router uses it: bot/message_turn.py.
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

from handoff import lua
from handoff.connection import run_pipeline
from handoff.keys import Keys

logger = logging.getLogger(__name__)

# The scripts (handoff/lua/turn_*.lua); EVAL rather than EVALSHA for those sent in pipelines.
_TAKE = lua.source("turn_take_function", "turn_take")
_BEGIN = lua.source("turn_take_function", "turn_begin")
_DONE = lua.source("turn_done_function", "turn_done")


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
        self.keys = Keys(prefix)
        self._turn = redis.register_script(lua.source("turn_wait"))
        self._release_if = redis.register_script(lua.source("turn_done_function", "turn_release_if"))

    def key(self, conversation: str) -> str:
        return self.keys.turn(conversation)

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
