"""Zalo Official Account, both ways.

In: Zalo POSTs events to /webhooks/zalo. ``X-ZEvent-Signature`` is "mac=" and the SHA-256
hex (plain SHA-256, not HMAC) of app_id + the raw body + the event's timestamp + the OA
secret key; anything else is 403, and so is an event whose timestamp is more than
ZALO_MAX_SKEW_S from now (a replay). Messages are deduplicated on ``message.msg_id``.
Text and shared locations are read; pictures, stickers, files and voice are answered
politely that only text is read.

Out: the OA customer-service message API. Access tokens live about 25 h and refresh
tokens are single-use, so a refresh happens under a Redis lock, both new tokens are
stored together, and other gateways wait for it and read them; a send answered
-216 (token invalid) refreshes once and retries once.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
from typing import Any, Dict, List

import aiohttp
from aiohttp import web
from redis.asyncio import Redis

from bot.channels.base import Inbound, Inbox, PermanentFailure, provider_route, split_text
from handoff.keys import Keys
from handoff.texts import GREETING, NOT_TEXT
from shared.config import Config
from shared.payload import NotAnObject, json_object

logger = logging.getLogger(__name__)

CHANNEL = "zalo"
SIGNATURE_HEADER = "X-ZEvent-Signature"
MAX_CHARS = 2000  # a customer-service text message
TOKEN_INVALID = -216
REFRESH_MARGIN_S = 3600  # refresh an hour before expiry
DECLINED_EVENTS = {"user_send_image", "user_send_gif", "user_send_sticker", "user_send_file", "user_send_audio",
                   "user_send_video", "user_send_link", "user_send_business_card"}


class ZaloError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"zalo error {code}")
        self.code, self.message = code, message


def signature(app_id: str, body: bytes, timestamp: str, oa_secret: str) -> str:
    digest = hashlib.sha256(app_id.encode() + body + timestamp.encode() + oa_secret.encode()).hexdigest()
    return "mac=" + digest


class Tokens:
    """The OA's access and refresh tokens, shared by every gateway through Redis."""

    def __init__(self, redis: Redis, http: aiohttp.ClientSession, config: Config, prefix: str = "hl:") -> None:
        self.redis, self.http, self.config = redis, http, config
        self.key, self.lock_key = Keys(prefix).zalo("tokens"), Keys(prefix).zalo("refresh-lock")

    async def _stored(self) -> Dict[str, str]:
        raw = await self.redis.hgetall(self.key)
        if raw:
            return {k.decode(): v.decode() for k, v in raw.items()}
        # First start: the tokens an operator pasted into the environment (expiry unknown).
        first = {"access": self.config.zalo_access_token, "refresh": self.config.zalo_refresh_token,
                 "expires_at": repr(time.time() + 24 * 3600)}
        await self.redis.hset(self.key, mapping=first)
        return first

    async def access(self) -> str:
        tokens = await self._stored()
        if float(tokens["expires_at"]) - time.time() < REFRESH_MARGIN_S:
            tokens = await self.refresh(tokens["access"])
        return tokens["access"]

    async def refresh(self, stale_access: str) -> Dict[str, str]:
        """Refresh once across all gateways: whoever holds the lock refreshes, the others wait."""
        for _ in range(100):
            if await self.redis.set(self.lock_key, "1", nx=True, ex=30):
                try:
                    tokens = await self._stored()
                    if tokens["access"] != stale_access:  # someone refreshed while we waited
                        return tokens
                    return await self._refresh(tokens["refresh"])
                finally:
                    await self.redis.delete(self.lock_key)
            await asyncio.sleep(0.1)
            tokens = await self._stored()
            if tokens["access"] != stale_access:
                return tokens
        raise ZaloError(0, "token refresh lock not released")

    async def _refresh(self, refresh_token: str) -> Dict[str, str]:
        async with self.http.post(
            f"{self.config.zalo_oauth_url}/v4/oa/access_token",
            data={"refresh_token": refresh_token, "app_id": self.config.zalo_app_id, "grant_type": "refresh_token"},
            headers={"secret_key": self.config.zalo_app_secret},
            timeout=aiohttp.ClientTimeout(total=15),
        ) as response:
            body = await response.json(content_type=None)
        if not body.get("access_token") or not body.get("refresh_token"):
            logger.error("zalo token refresh refused (error %s)", body.get("error"))
            raise ZaloError(int(body.get("error") or 0), str(body.get("error_name") or body.get("message") or ""))
        tokens = {"access": body["access_token"], "refresh": body["refresh_token"],
                  "expires_at": repr(time.time() + float(body.get("expires_in") or 90000))}
        await self.redis.hset(self.key, mapping=tokens)  # both together: the old refresh token is spent
        return tokens


def _dict(value: Any) -> Dict[str, Any]:
    """A signed event may still be oddly shaped: anything not an object counts as empty."""
    return value if isinstance(value, dict) else {}


def location(attachment: Dict[str, Any]) -> str:
    """A shared location as a line of the transcript, or "" when it is not one."""
    coordinates = _dict(_dict(attachment.get("payload")).get("coordinates"))
    if attachment.get("type") != "location" or not coordinates:
        return ""
    try:
        return f"[Vị trí được chia sẻ: {float(coordinates['latitude']):.5f}, {float(coordinates['longitude']):.5f}]"
    except (KeyError, TypeError, ValueError):
        return ""


class ZaloChannel:
    def __init__(self, config: Config, inbox: Inbox, http: aiohttp.ClientSession, redis: Redis) -> None:
        self.config, self.inbox, self.http = config, inbox, http
        self.tokens = Tokens(redis, http, config)

    # --- in ------------------------------------------------------------------------
    async def webhook(self, request: web.Request) -> web.Response:
        raw = await request.read()
        try:
            event = json_object(raw)
            app_id, timestamp = str(event["app_id"]), str(event["timestamp"])
        except (NotAnObject, KeyError):
            logger.info("zalo webhook refused: malformed event")
            return web.json_response({"error": "invalid_event"}, status=400)
        expected = signature(app_id, raw, timestamp, self.config.zalo_oa_secret)
        given = request.headers.get(SIGNATURE_HEADER, "")
        if (not self.config.zalo_oa_secret or app_id != self.config.zalo_app_id
                or not hmac.compare_digest(given.encode(), expected.encode())):
            logger.info("zalo webhook refused: bad signature")
            return web.json_response({"error": "forbidden"}, status=403)
        try:
            skew = abs(time.time() - int(timestamp) / 1000)
        except ValueError:
            skew = float("inf")
        if skew > self.config.zalo_max_skew_s:
            logger.info("zalo webhook refused: stale timestamp")
            return web.json_response({"error": "stale"}, status=403)
        await self.handle(event)
        return web.json_response({"ok": True})

    async def handle(self, event: Dict[str, Any]) -> None:
        name = str(event.get("event_name", ""))
        sender = str(_dict(event.get("sender")).get("id") or "")
        message = _dict(event.get("message"))
        if not sender:
            return
        if name == "follow":
            follower = str(_dict(event.get("follower")).get("id") or sender)
            if await self.inbox.first_time(CHANNEL, f"follow:{follower}:{event.get('timestamp')}"):
                await self.inbox.answer(CHANNEL, follower, GREETING)
            return
        if name not in ("user_send_text", "user_send_location") and name not in DECLINED_EVENTS:
            return  # the OA's own messages, reactions, seen receipts...
        msg_id = str(message.get("msg_id") or "")
        if name in DECLINED_EVENTS:
            if not msg_id or await self.inbox.first_time(CHANNEL, msg_id):
                await self.inbox.answer(CHANNEL, sender, NOT_TEXT)
            return
        text = str(message.get("text") or "")
        found = message.get("attachments")
        attachments = [a for a in found if isinstance(a, dict)] if isinstance(found, list) else []
        for attachment in attachments:
            place = location(attachment)
            if place:
                text += ("\n" if text else "") + place
        if not text.strip():
            return
        inbound = Inbound(CHANNEL, sender, text[: self.config.max_message_chars], msg_id,
                          int(event.get("timestamp") or 0) / 1000, tuple(str(a.get("type")) for a in attachments))
        await self.inbox.handle(inbound, send=lambda replies: self.answer_all(sender, replies))

    async def answer_all(self, sender: str, replies: List[str]) -> None:
        for reply in replies:
            await self.inbox.answer(CHANNEL, sender, reply)

    # --- out -----------------------------------------------------------------------
    async def send(self, sender: str, text: str) -> None:
        for part in split_text(text, MAX_CHARS):
            await self._send_part(sender, part)

    async def _send_part(self, sender: str, text: str) -> None:
        access = await self.tokens.access()
        try:
            await self._post_message(access, sender, text)
        except ZaloError as error:
            if error.code != TOKEN_INVALID:
                raise PermanentFailure(f"zalo error {error.code}") from error
            fresh = await self.tokens.refresh(access)  # once, then one retry
            await self._post_message(fresh["access"], sender, text)

    async def _post_message(self, access: str, sender: str, text: str) -> None:
        async with self.http.post(
            f"{self.config.zalo_api_url}/v3.0/oa/message/cs",
            json={"recipient": {"user_id": sender}, "message": {"text": text}},
            headers={"access_token": access}, timeout=aiohttp.ClientTimeout(total=15),
        ) as response:
            if response.status >= 500:
                raise aiohttp.ClientResponseError(response.request_info, (), status=response.status)
            body = await response.json(content_type=None)
        if int(body.get("error") or 0) != 0:
            raise ZaloError(int(body["error"]), str(body.get("message") or ""))


def setup(app: web.Application) -> None:
    app.router.add_post("/webhooks/zalo", provider_route("zalo", "webhook"))
