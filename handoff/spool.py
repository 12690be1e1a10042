"""The transcript store going away: its writes wait in Redis and reach SQL when it is back.

While PostgreSQL or SQLite cannot be written (down, unreachable, its disk full), every write of
the message path (a conversation begun, a message, a contact opened or changed, an event) is
appended to a Redis stream instead (``spool:entries``, kept on disk by Redis's append-only file).
The person still gets their answers, an urgent message is still queued and shown to counsellors
(the queue lives in Redis) and still gets the safety answer.

- **In order.** Once one write is buffered, every later one is too, until the buffer is empty
  again (``spool:active``): a message written while SQL is back cannot overtake an older one.
  Each process holds its own view of that flag, so the usual write costs no round trip to Redis:
  set by its own buffering, read again every second by the gateway's drain loop (and, while set,
  before a write). A process learns within a second that another one began to buffer.
- **Exactly once.** ``drain`` writes the entries oldest first, each in one transaction with its
  row in ``spool_applied`` (handoff/store/spooled.py), and deletes it from the stream after.
- **Provisional ids.** A message or contact made while SQL is away gets a negative id, which the
  live state and the consoles use meanwhile. When its entry is written, ``spool:ids`` maps it to
  the row's id; later entries and writes that still carry it are given the real one, and the
  conversation's live state is corrected.

Reads are not buffered: an opened case shows the messages still here (``buffered_messages``),
and what needs SQL alone (search, statistics, the audit log) answers with the store's error.
Design and limits: docs/decisions.md, "The store going away".
"""
from __future__ import annotations

import asyncio
import inspect
import json
import logging
import time
import uuid
from typing import Any, Callable, Dict, List, Optional, Tuple

import sqlalchemy as sa
from redis.asyncio import Redis

from handoff import lua
from handoff.errors import StoreUnavailable
from handoff.keys import Keys
from handoff.store import Store
from handoff.store.spooled import ID_ARGUMENTS, SPOOLED_WRITES, apply_entry

logger = logging.getLogger(__name__)
# The store's calls that the buffer takes: its writes, and the two that it rewrites as writes.
BUFFERED_CALLS = frozenset(SPOOLED_WRITES) | {"find_or_create_conversation", "add_messages"}
LOCK_MS = 15_000
BATCH = 100
IDS_KEPT_S = 86_400  # a provisional id still held by a console or a turn a day later is a bug
LIVE_CONTACT_FIELDS = ("contact", "survey_contact")


class Spool:
    def __init__(self, redis: Redis, keys: Keys, store: Store) -> None:
        self.redis, self.keys, self.store = redis, keys, store
        self._append = redis.register_script(lua.source("spool_append"))
        self._settle = redis.register_script(lua.source("spool_settle"))
        self._known: Dict[int, int] = {}  # provisional -> real ids this process has seen mapped
        self._active_here, self._read_at = False, 0.0  # this process's view of spool:active
        self._signatures: Dict[str, inspect.Signature] = {}

    # --- writing ----------------------------------------------------------------------
    async def call(self, fn: Callable, args: tuple, kwargs: Dict[str, Any]) -> Any:
        """One of the store's writes (``fn``, a bound method of the store): to SQL, or to the
        buffer while SQL is away or the buffer still holds older writes."""
        if fn.__name__ not in self._signatures:
            self._signatures[fn.__name__] = inspect.signature(fn)
        bound = self._signatures[fn.__name__].bind(*args, **kwargs)
        bound.apply_defaults()
        arguments: Dict[str, Any] = {}
        for name, value in bound.arguments.items():  # **values, **detail: as keywords again
            kind = bound.signature.parameters[name].kind
            arguments.update(value if kind is inspect.Parameter.VAR_KEYWORD else {name: value})
        if "at" in arguments and arguments["at"] is None:  # the time it happened, not when written
            arguments["at"] = time.time()
        if not await self.active():
            try:
                return await self.store.run(fn, **await self.resolved(arguments))
            except StoreUnavailable as error:  # its text is the kind of fault only (handoff/store/faults.py)
                logger.warning("transcript store unavailable (%s): its writes wait in Redis", error)
        return await self.buffer(fn.__name__, arguments)

    async def active(self, every_s: float = 1.0) -> bool:
        """Whether writes go to the buffer now: this process's view, read again from Redis when
        older than ``every_s`` while it says so (a drain elsewhere may have emptied it)."""
        if self._active_here and time.monotonic() - self._read_at > every_s:
            await self.refresh()
        return self._active_here

    async def refresh(self) -> bool:
        self._active_here, self._read_at = bool(await self.redis.exists(self.keys.spool("active"))), time.monotonic()
        return self._active_here

    async def buffer(self, call: str, arguments: Dict[str, Any]) -> Any:
        """Append a write to the buffer; what the store would have returned, with provisional ids."""
        if call == "find_or_create_conversation":  # a new conversation (its pointer is gone from Redis)
            cid = arguments["new_id"]
            await self._entries([("create_conversation", {"conversation_id": cid, "channel": arguments["channel"],
                                                          "sender": arguments["sender"], "at": time.time()}, False)])
            return cid, True
        if call == "add_messages":
            each = {k: v for k, v in arguments.items() if k != "texts"}
            messages = [{**each, "text": text, "author": None} for text in arguments["texts"]]
            ids = await self._entries([("add_message", m, True) for m in messages])
            return [self._message(i, m) for i, m in zip(ids, messages)]
        (provisional,) = await self._entries([(call, arguments, call in ("add_message", "open_contact"))])
        if call == "add_message":
            return self._message(provisional, arguments)
        return provisional if call == "open_contact" else None

    async def _entries(self, entries: List[Tuple[str, Dict[str, Any], bool]]) -> List[int]:
        argv: List[Any] = [len(entries)]
        for call, arguments, wants_id in entries:
            argv += [call, json.dumps(arguments, ensure_ascii=False), "1" if wants_id else "0"]
        keys = [self.keys.spool("entries"), self.keys.spool("active"), self.keys.spool("seq")]
        provisional = [int(i) for i in await self._append(keys=keys, args=argv)]
        self._active_here, self._read_at = True, time.monotonic()
        return provisional

    async def buffered_messages(self, cid: str) -> List[Dict[str, Any]]:
        """The messages of conversation ``cid`` still waiting in the buffer, oldest first."""
        out = []
        for _entry, fields in await self.redis.xrange(self.keys.spool("entries"), "-", "+"):
            if fields[b"w"] == b"add_message":
                arguments = json.loads(fields[b"a"])
                if arguments["conversation_id"] == cid:
                    out.append(self._message(int(fields[b"p"]), arguments))
        return out

    @staticmethod
    def _message(provisional: int, arguments: Dict[str, Any]) -> Dict[str, Any]:
        values = {k: arguments.get(k) for k in ("conversation_id", "role", "text", "author", "contact_id")}
        return {"id": provisional, **values, "created_at": arguments["at"]}

    async def resolved(self, arguments: Dict[str, Any]) -> Dict[str, Any]:
        """The arguments with any provisional id replaced by the id its row got."""
        waiting = [k for k in ID_ARGUMENTS if isinstance(arguments.get(k), int) and arguments[k] < 0]
        if not waiting:
            return arguments
        arguments = dict(arguments)
        for name in waiting:
            arguments[name] = await self.real_id(arguments[name])
        return arguments

    async def real_id(self, provisional: int) -> Optional[int]:
        if provisional not in self._known:
            found = await self.redis.hget(self.keys.spool("ids"), str(provisional))
            if found is None:
                logger.error("a provisional id has no row (its entry was refused): written without it")
                return None
            self._known[provisional] = int(found)
        return self._known[provisional]

    # --- reaching SQL again -------------------------------------------------------------
    async def pending(self) -> int:
        """Entries waiting for SQL."""
        return int(await self.redis.xlen(self.keys.spool("entries")))

    async def drain(self) -> int:
        """Write the buffer to SQL, oldest first, while SQL takes it; how many entries were
        written. One process at a time does it (``spool:lock``)."""
        lock, token = self.keys.spool("lock"), uuid.uuid4().hex
        if not await self.redis.set(lock, token, nx=True, px=LOCK_MS):
            return 0
        written = 0
        try:
            while True:
                entries = await self.redis.xrange(self.keys.spool("entries"), "-", "+", count=BATCH)
                if not entries:
                    if await self._settle(keys=[self.keys.spool("entries"), self.keys.spool("active")]):
                        self._active_here = False
                        return written
                    continue
                for entry, fields in entries:
                    if not await self._write(entry.decode(), fields):
                        return written  # SQL is still away: the rest waits, in order
                    written += 1
                await self.redis.pexpire(lock, LOCK_MS)
        finally:
            if await self.redis.get(lock) == token.encode():
                await self.redis.delete(lock)

    async def _write(self, entry: str, fields: Dict[bytes, bytes]) -> bool:
        call, provisional = fields[b"w"].decode(), int(fields[b"p"])
        arguments = await self.resolved(json.loads(fields[b"a"]))
        try:
            made = await self.store.run(apply_entry, self.store, entry, call, arguments)
        except StoreUnavailable:
            return False
        except sa.exc.SQLAlchemyError as error:
            # Refused for good (a constraint): set aside for an operator, never silently dropped,
            # and the buffer goes on (docs/deploy.md, "The store going away").
            logger.error("a buffered %s was refused by the store (%s): kept in spool:failed", call,
                         type(error).__name__)
            await self.redis.xadd(self.keys.spool("failed"), {**fields, b"error": type(error).__name__.encode()})
            await self.redis.xdel(self.keys.spool("entries"), entry)
            return True
        if provisional and made is not None:
            self._known[provisional] = made
            await self.redis.hset(self.keys.spool("ids"), str(provisional), made)
            await self.redis.expire(self.keys.spool("ids"), IDS_KEPT_S)
            if call == "open_contact":
                await self._correct_live_state(arguments["conversation_id"], provisional, made)
        await self.redis.xdel(self.keys.spool("entries"), entry)
        return True

    async def _correct_live_state(self, cid: str, provisional: int, real: int) -> None:
        key = self.keys.conversation(cid)
        held = await self.redis.hmget(key, *LIVE_CONTACT_FIELDS)
        fix = {f: real for f, v in zip(LIVE_CONTACT_FIELDS, held) if v == str(provisional).encode()}
        if fix:
            await self.redis.hset(key, mapping=fix)

    async def keep_draining(self, every_s: float = 1.0) -> None:
        """The gateway's background task: write the buffer out whenever it holds entries."""
        while True:
            await asyncio.sleep(every_s)
            try:
                if await self.refresh():  # also how this process hears that another one buffers
                    await self.drain()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # Redis away too: try again on the next round
                logger.warning("the store's buffer was not written out (%s)", type(error).__name__)


class SpooledStore:
    """The store as the handoff uses it: its message-path writes go through the spool; every
    other call and attribute is the store's own."""

    def __init__(self, store: Store, spool: Spool) -> None:
        self._store, self.spool = store, spool

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    async def run(self, fn, *args, **kwargs):
        if getattr(fn, "__self__", None) is self._store and fn.__name__ in BUFFERED_CALLS:
            return await self.spool.call(fn, args, kwargs)
        return await self._store.run(fn, *args, **kwargs)
