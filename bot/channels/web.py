"""The web chat channel.

`POST /webhooks/web` {"sender", "text"} -> {"messages": [{"text", "from", "label"}]}: the bot's answers.
`GET /webhooks/web/updates?sender=&after=` -> {"messages": [{"id", "text", "from", "label"}], "cursor"}:
a long poll for what arrives later (a counsellor's replies, the line's notices), kept in a Redis
Stream per sender so a page that reconnects picks up where it left off.

Each message says who wrote it (handoff/authors.py): ``from`` is ``bot``, ``counsellor`` or
``system`` (the page's style), ``label`` the words the page shows above it ("Tư vấn viên Lan",
"Hệ thống", the bot's name).

A long poll holds a Redis connection while it waits, so ``PollLimits`` bounds them, per sender
and in all, below the Redis pool's size (REDIS_MAX_CONNECTIONS): a poll over either bound is
answered at once with what is there and ``retry_ms``, and the page asks again later. Nothing is
lost: messages wait in the stream.
"""
from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import re
from typing import Dict, Iterator, List

from aiohttp import web

from redis.asyncio import Redis

from bot.channels.base import Inbound, Inbox
from handoff.authors import BOT_AUTHOR, SYSTEM, SYSTEM_AUTHOR, Author
from handoff.keys import Keys
from shared.config import Config
from shared.payload import NotAnObject, json_object

CHANNEL = "web"
OUTBOX_MAXLEN = 500
POLL_BLOCK_MS = 20_000
_CURSOR = re.compile(r"^(0|\d{1,15}-\d{1,10})$")

logger = logging.getLogger(__name__)


class BadRequest(Exception):
    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(code)
        self.code, self.message, self.status = code, message, status


def parse_body(raw: bytes, config: Config) -> Dict[str, str]:
    """Validate a web chat request; errors say what is wrong, never echo the content."""
    try:
        body = json_object(raw)
    except NotAnObject as error:
        raise BadRequest(error.code, {
            "invalid_encoding": "Nội dung phải được mã hóa UTF-8.",
            "invalid_json": "Nội dung gửi lên không phải JSON hợp lệ.",
        }.get(error.code, 'Cần một đối tượng JSON dạng {"sender": "...", "text": "..."}.'))
    sender, text = body.get("sender"), body.get("text")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > config.max_sender_chars:
        raise BadRequest("invalid_sender", "Thiếu hoặc sai mã người gửi (sender).")
    if not isinstance(text, str):
        raise BadRequest("invalid_text", "Thiếu nội dung tin nhắn (text).")
    text = text.replace("\x00", "").strip()
    if not text:
        raise BadRequest("empty_text", "Tin nhắn đang trống, bạn hãy nhập nội dung.", status=422)
    if len(text) > config.max_message_chars:
        raise BadRequest(
            "text_too_long",
            f"Tin nhắn dài quá {config.max_message_chars} ký tự, bạn hãy chia thành nhiều tin ngắn hơn.",
            status=413,
        )
    return {"sender": sender.strip(), "text": text}


def error_response(error: BadRequest) -> web.Response:
    return web.json_response({"error": error.code, "message": error.message}, status=error.status)


async def handle_web_message(request: web.Request) -> web.Response:
    config: Config = request.app["config"]
    inbox: Inbox = request.app["inbox"]
    try:
        body = parse_body(await request.read(), config)
    except BadRequest as error:
        logger.info("web request refused: %s", error.code)
        return error_response(error)
    await join_burst_if_flooding(request, body["sender"])
    replies = await inbox.handle(Inbound(CHANNEL, body["sender"], body["text"]))
    return web.json_response({"messages": [{"text": r, "from": BOT_AUTHOR.kind, "label": BOT_AUTHOR.label}
                                           for r in replies or []]})


async def join_burst_if_flooding(request: web.Request, sender: str) -> None:
    """A new conversation beyond its address's bound joins a burst before its first message is
    triaged (handoff/bursts.py): it is answered and queued as always, grouped for the supervisor."""
    handoff = request.app["handoff"]
    if await handoff.redis.exists(handoff.conversations.pointer(CHANNEL, sender)):
        return
    burst = await request.app["bursts"].group_for(CHANNEL, request.remote or "")
    if burst:
        cid = await handoff.conversations.conversation_for(CHANNEL, sender)
        await handoff.conversations.set_fields(cid, burst=burst)


class Outbox:
    """Messages for web users that arrive outside a request (counsellor replies, notices)."""

    def __init__(self, redis: Redis, prefix: str = "hl:") -> None:
        self.redis, self.keys = redis, Keys(prefix)

    def _key(self, sender: str) -> str:
        return self.keys.web_outbox(sender)

    async def send(self, sender: str, text: str, author: Author = SYSTEM_AUTHOR) -> None:
        entry = {"text": text, "from": author.kind, "label": author.label}
        await self.redis.xadd(self._key(sender), entry, maxlen=OUTBOX_MAXLEN, approximate=True)
        await self.redis.expire(self._key(sender), 7 * 24 * 3600)

    async def read(self, sender: str, after: str, block_ms: int) -> tuple[List[Dict[str, str]], str]:
        found = await self.redis.xread({self._key(sender): after}, block=block_ms or None, count=100)
        messages, cursor = [], after
        for _key, entries in found:
            for entry_id, fields in entries:
                cursor = entry_id.decode()
                # an entry from before authors were kept reads as the line's notice
                messages.append({"id": cursor, "text": fields[b"text"].decode(),
                                 "from": fields.get(b"from", SYSTEM.encode()).decode(),
                                 "label": fields.get(b"label", SYSTEM_AUTHOR.label.encode()).decode()})
        return messages, cursor


class PollLimits:
    """How many long polls wait at once in this gateway: in all and per sender."""

    # The page waits this long before asking again when its poll was not allowed to wait.
    RETRY_MS = 5000

    def __init__(self, total: int, per_sender: int) -> None:
        self.total, self.per_sender = total, per_sender
        self.waiting: collections.Counter = collections.Counter()

    @contextlib.contextmanager
    def slot(self, sender: str) -> Iterator[bool]:
        """True (and held until the block ends) when this poll may wait."""
        allowed = sum(self.waiting.values()) < self.total and self.waiting[sender] < self.per_sender
        if allowed:
            self.waiting[sender] += 1
        try:
            yield allowed
        finally:
            if allowed:
                self.waiting[sender] -= 1
                if not self.waiting[sender]:
                    del self.waiting[sender]


async def handle_updates(request: web.Request) -> web.Response:
    config: Config = request.app["config"]
    sender = request.query.get("sender", "").strip()
    after = request.query.get("after", "0")
    if not sender or len(sender) > config.max_sender_chars:
        return error_response(BadRequest("invalid_sender", "Thiếu hoặc sai mã người gửi (sender)."))
    if not _CURSOR.match(after):
        return error_response(BadRequest("invalid_cursor", "Tham số after không hợp lệ."))
    try:
        block = min(max(int(request.query.get("wait_ms", POLL_BLOCK_MS)), 0), POLL_BLOCK_MS)
    except ValueError:
        block = POLL_BLOCK_MS
    outbox: Outbox = request.app["web_outbox"]
    with request.app["poll_limits"].slot(sender) as may_wait:
        if not may_wait:  # over a bound: what is there now, and come back later
            messages, cursor = await outbox.read(sender, after, 0)
            return web.json_response({"messages": messages, "cursor": cursor, "retry_ms": PollLimits.RETRY_MS})
        read = asyncio.ensure_future(outbox.read(sender, after, block))
        stopping = asyncio.ensure_future(request.app["stopping"].wait())
        await asyncio.wait({read, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not read.done():  # the gateway is stopping: the page will ask again
            read.cancel()
            return web.json_response({"messages": [], "cursor": after})
        messages, cursor = read.result()
    return web.json_response({"messages": messages, "cursor": cursor})


def setup(app: web.Application) -> None:
    config: Config = app["config"]
    app["poll_limits"] = PollLimits(config.max_long_polls, config.max_long_polls_per_sender)
    app.router.add_post("/webhooks/web", handle_web_message)
    app.router.add_get("/webhooks/web/updates", handle_updates)
