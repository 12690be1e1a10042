"""What every channel shares.

- ``Inbound``: one message from any provider, in one shape.
- ``Inbox``: the way in. A provider's retry or duplicate delivery is answered once
  (the provider message id is claimed in Redis with a TTL, and released if handling
  fails, so the provider's next retry is handled). Flood control is the router's
  (bot/router.py): a sender who floods is slowed down, but an urgent message always goes through.
- ``Outbound``: the way out. Sends go to the conversation's own channel with bounded
  retries and doubling backoff; a send that still fails raises ``DeliveryFailed``, which
  the handoff shows the counsellor instead of dropping it. Each send says who writes
  (handoff/authors.py): the web chat labels the message; a text channel, where every message
  comes from the same bot account, gets a counsellor's name before their text.
"""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set, Tuple

from aiohttp import web
from redis.asyncio import Redis

from bot.router import Router
from handoff.authors import BOT_AUTHOR, COUNSELLOR, SYSTEM_AUTHOR, Author
from handoff.keys import Keys
from handoff.errors import WINDOW_CLOSED, DeliveryFailed
from handoff.texts import delivery_failed, signed
from shared.config import Config

logger = logging.getLogger(__name__)

SEEN_TTL_S = 7 * 24 * 3600
Send = Callable[[str, str], Awaitable[None]]
SendReplies = Callable[[List[str]], Awaitable[None]]


@dataclass(frozen=True)
class Inbound:
    channel: str
    sender: str  # the channel's user id: web session, Telegram chat id, Zalo user id, phone number
    text: str
    provider_id: str = ""  # the provider's message or update id, for dedupe
    at: float = field(default_factory=time.time)
    attachments: Tuple[str, ...] = ()  # kinds of what came with it ("photo", "location"...), noted only


class PermanentFailure(Exception):
    """The provider refused for good (blocked bot, bad user id): retrying will not help."""

    reason = ""  # for DeliveryFailed.reason; empty: the class name


class WindowClosed(PermanentFailure):
    """The provider lets us write to this person only after they write again (Messenger, 7 days on)."""

    reason = WINDOW_CLOSED


class Inbox:
    def __init__(self, redis: Redis, router: Router, outbound: "Outbound", prefix: str = "hl:") -> None:
        self.redis, self.router, self.outbound, self.keys = redis, router, outbound, Keys(prefix)

    async def answer(self, channel: str, sender: str, text: str) -> None:
        """Send the bot's answer on the channel; a failure is written where counsellors see it."""
        try:
            await self.outbound.deliver(channel, sender, self.router.own(text), author=BOT_AUTHOR)
        except DeliveryFailed as error:
            handoff = self.router.handoff
            cid = await handoff.conversations.conversation_for(channel, sender)
            await handoff.transcript.record(cid, "system", delivery_failed(error.channel, error.attempts))

    def _seen(self, channel: str, provider_id: str) -> str:
        return self.keys.seen(channel, provider_id)

    async def first_time(self, channel: str, provider_id: str) -> bool:
        """Claim a provider message id; False when it was handled already."""
        return bool(await self.redis.set(self._seen(channel, provider_id), "1", nx=True, ex=SEEN_TTL_S))

    async def handle(self, message: Inbound, send: Optional[SendReplies] = None) -> Optional[List[str]]:
        """The replies to the message, or None for a duplicate already handled.

        An urgent message is replied to before Rasa is asked, and what Rasa adds is pushed on the
        channel afterwards (bot/answers.py), never before the reply. ``send``: how the channel sends
        a batch of replies (Telegram one by one, SMS joined); without it the caller sends the reply
        (the web chat's response) and the rest goes through ``answer``.
        """
        if message.provider_id and not await self.first_time(message.channel, message.provider_id):
            return None
        replied = asyncio.Event()

        async def follow_up(texts: List[str]) -> None:
            await replied.wait()
            if send is not None:
                await send(texts)
                return
            for text in texts:
                await self.answer(message.channel, message.sender, text)

        try:
            replies, _urgency = await self.router.handle(message.channel, message.sender, message.text,
                                                         follow_up=follow_up)
        except BaseException:
            if message.provider_id:  # not handled: let the provider's retry in
                await self.redis.delete(self._seen(message.channel, message.provider_id))
            raise
        try:
            if send is not None and replies:
                await send(replies)
        finally:
            replied.set()
        return replies


class Outbound:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.senders: Dict[str, Callable[..., Awaitable[None]]] = {}
        self.labelled: Set[str] = set()

    def register(self, channel: str, send: Callable[..., Awaitable[None]], labels: bool = False) -> None:
        """``labels``: the channel shows who writes itself (the web chat, ``send(sender, text, author)``);
        otherwise ``send(sender, text)`` and a counsellor's text is signed with their name (texts.signed)."""
        self.senders[channel] = send
        if labels:
            self.labelled.add(channel)

    async def deliver(self, channel: str, sender: str, text: str, author: Author = SYSTEM_AUTHOR) -> None:
        send = self.senders.get(channel)
        if send is None:
            raise DeliveryFailed(channel, 0, "channel not configured")
        args: Tuple[Any, ...] = (sender, text, author) if channel in self.labelled else (
            sender, signed(channel, text, author.name) if author.kind == COUNSELLOR else text)
        delay, attempts = self.config.send_backoff_s, max(1, self.config.send_attempts)
        for attempt in range(1, attempts + 1):
            try:
                await send(*args)
                return
            except PermanentFailure as error:
                raise DeliveryFailed(channel, attempt, error.reason or type(error).__name__) from error
            except Exception as error:  # network, 5xx, rate limits: worth another try
                if attempt == attempts:
                    raise DeliveryFailed(channel, attempt, type(error).__name__) from error
                logger.warning("%s send failed (%s), retry %d in %.1f s", channel, type(error).__name__,
                               attempt, delay)
                await asyncio.sleep(delay)
                delay *= 2


def provider_route(key: str, method: str):
    """The aiohttp handler for one provider endpoint: ``request.app[key].<method>``, 404 when that channel is off."""

    async def handle(request: web.Request) -> web.StreamResponse:
        channel = request.app.get(key)
        if channel is None:
            return web.json_response({"error": f"{key}_not_configured"}, status=404)
        return await getattr(channel, method)(request)

    return handle


def split_text(text: str, limit: int) -> List[str]:
    """Parts of at most ``limit`` UTF-16 units (how Telegram counts), cut at a line or a space."""
    def units(s: str) -> int:
        return len(s.encode("utf-16-le")) // 2

    parts, rest = [], text
    while units(rest) > limit:
        cut = limit
        while units(rest[:cut]) > limit:
            cut -= 1
        window = rest[:cut]
        at = max(window.rfind("\n"), window.rfind(" "))
        if at < cut // 2:  # no good break: cut hard
            at = cut
        parts.append(rest[:at].rstrip())
        rest = rest[at:].lstrip()
    if rest:
        parts.append(rest)
    return parts
