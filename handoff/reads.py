"""One audit entry per opening of a transcript, not one per refresh.

The console reads an open conversation again on every live event about it and after each step
taken on it (claim, referral, reconnect), so auditing every GET wrote an entry every few seconds
(32 in 7 minutes) and drowned the reads that matter.

Why the server decides what an opening is, from the reads themselves, and not from an "opened"
signal sent by the page: the audit log must hold for any client of the API (a script, an old
tab, a page that forgets to send the signal), so nothing a client says or omits can make a read
go unaudited. The page shows one conversation at a time, so the server can tell when an
opening ends: the same user reads another conversation, signs out, or leaves it unread for
``AUDIT_READ_WINDOW_S`` (shared/config.py).

So each user has one key (``reading:{username}``, handoff/keys.py) holding the conversation
they read last; every read replaces it and restarts its expiry, in one command. A read is a new
opening, to be audited, when the key held another conversation or nothing. A user reading two
conversations in two tabs at once gets an entry at each switch: the log says more than it must,
never less.
"""
from __future__ import annotations

from redis.asyncio import Redis

from handoff.keys import Keys


class Reads:
    def __init__(self, redis: Redis, keys: Keys, window_s: int) -> None:
        self.redis, self.keys, self.window_s = redis, keys, max(1, int(window_s))

    async def opened(self, username: str, cid: str) -> bool:
        """Record that ``username`` reads ``cid`` now; True when this read opens it (audit it)."""
        # SET … GET (Redis 6.2+): replace and learn the previous value in one atomic step, so two
        # reads racing each other cannot both count as the opening.
        previous = await self.redis.set(self.keys.reading(username), cid, ex=self.window_s, get=True)
        if isinstance(previous, bytes):
            previous = previous.decode()
        return previous != cid

    async def closed(self, username: str) -> None:
        """The user signed out: their next read, wherever, is a new opening."""
        await self.redis.delete(self.keys.reading(username))
