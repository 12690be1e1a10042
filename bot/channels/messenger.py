"""Facebook Messenger (Meta's Messenger Platform), both ways.

In: Meta verifies the webhook once with a GET (hub.mode=subscribe, hub.verify_token, which must
be our MESSENGER_VERIFY_TOKEN, and hub.challenge, echoed back as plain text), then POSTs events
to /webhooks/messenger. ``X-Hub-Signature-256`` is "sha256=" and the hex HMAC-SHA256 of the raw
body with the app secret; it is compared in constant time before the body is parsed, and a
forged or missing one is 403. Messages are deduplicated on ``message.mid``; the page's own
messages come back as echoes (``is_echo``) and are ignored. Text is read; pictures, stickers,
files and voice are answered politely that only text is read. A postback (the "Get Started"
button) is greeted. Events of one POST are handled before the 200, one sender's in order and
different senders' side by side, so the answer stays quick (the router waits at most
REPLY_WAIT_S for a reply) and a failure answers 500, which Meta retries.

Out: the Send API. Meta allows a page to write to a person only within 24 hours of their last
message (messaging_type RESPONSE), and, for a human agent of the page only, up to 7 days with
the HUMAN_AGENT tag, which exists for handoffs like ours. So the time of each person's last
message is kept in Redis; a counsellor's text 24 h - 7 d after it goes tagged, anything else
then is refused, and past 7 days a send raises ``WindowClosed`` (the console then points to the
other ways the person said they may be reached, handoff/notices.py).

The page token travels in the URL's query string, as Meta documents: no error we raise or log
carries the URL (aiohttp's ClientResponseError would), only Meta's error code.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
from collections import defaultdict
from typing import Any, Dict, List, Optional

import aiohttp
from aiohttp import web
from redis.asyncio import Redis

from bot.channels.base import Inbound, Inbox, PermanentFailure, WindowClosed, provider_route, split_text
from handoff.authors import COUNSELLOR, SYSTEM_AUTHOR, Author
from handoff.keys import Keys
from handoff.texts import GREETING, NOT_TEXT, signed
from shared.config import Config
from shared.payload import NotAnObject, json_object

logger = logging.getLogger(__name__)

CHANNEL = "messenger"
SIGNATURE_HEADER = "X-Hub-Signature-256"
LAST_INBOUND = "messenger:last-in"  # the key family (handoff/keys.py) of when each person last wrote
MAX_CHARS = 2000  # a text message of the Send API
STANDARD_WINDOW_S = 24 * 3600  # any message, as a response to the person
HUMAN_AGENT_WINDOW_S = 7 * 24 * 3600  # a person of the page only, with the HUMAN_AGENT tag
# Graph API error codes worth another try: unknown/temporary errors and the rate limits.
RETRYABLE_CODES = {1, 2, 4, 17, 32, 613, 1200}
OUTSIDE_WINDOW_SUBCODE = 2018278  # "This message is sent outside of allowed window."
WINDOW_CLOSED_TEXT = ("Đã quá 7 ngày kể từ tin nhắn cuối của người dùng: Messenger không cho gửi thêm "
                      "cho tới khi họ nhắn lại.")


class MessengerError(Exception):
    """Meta refused a send; worth a retry (Outbound retries it), unlike a PermanentFailure."""

    def __init__(self, code: int, subcode: int = 0) -> None:
        super().__init__(f"messenger error {code}/{subcode}")
        self.code, self.subcode = code, subcode


def signature(app_secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def _dict(value: Any) -> Dict[str, Any]:
    """A signed event may still be oddly shaped: anything not an object counts as empty."""
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> List[Dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


class Window:
    """When each person last wrote, shared by every gateway: what Meta lets us send them now."""

    def __init__(self, redis: Redis, prefix: str = "hl:") -> None:
        self.redis, self.keys = redis, Keys(prefix)

    async def wrote(self, psid: str, at: float) -> None:
        """The person wrote at ``at`` (the event's time, never later than now); kept only when newer,
        so a late retry of an old message does not shorten the window."""
        at = min(at or time.time(), time.time())
        key = self.keys.channel_record(LAST_INBOUND, psid)
        last = await self.redis.get(key)
        if last is None or float(last) < at:
            await self.redis.set(key, repr(at), ex=HUMAN_AGENT_WINDOW_S + 24 * 3600)

    async def age(self, psid: str) -> Optional[float]:
        """Seconds since the person last wrote; None when not within the last week."""
        last = await self.redis.get(self.keys.channel_record(LAST_INBOUND, psid))
        return None if last is None else max(0.0, time.time() - float(last))


class MessengerChannel:
    def __init__(self, config: Config, inbox: Inbox, http: aiohttp.ClientSession, redis: Redis) -> None:
        self.config, self.inbox, self.http = config, inbox, http
        self.window = Window(redis)

    # --- in ------------------------------------------------------------------------
    async def verify(self, request: web.Request) -> web.Response:
        """Meta's subscription check, when the webhook is registered in the app's settings."""
        query = request.query
        token = query.get("hub.verify_token", "")
        if query.get("hub.mode") != "subscribe" or not self.config.messenger_verify_token or not hmac.compare_digest(
                token.encode(), self.config.messenger_verify_token.encode()):
            logger.info("messenger webhook verification refused")
            return web.Response(status=403, text="forbidden")
        return web.Response(text=query.get("hub.challenge", ""), content_type="text/plain")

    async def webhook(self, request: web.Request) -> web.Response:
        raw = await request.read()
        given = request.headers.get(SIGNATURE_HEADER, "")
        expected = signature(self.config.messenger_app_secret, raw)
        if not self.config.messenger_app_secret or not hmac.compare_digest(given.encode(), expected.encode()):
            logger.info("messenger webhook refused: bad signature")
            return web.json_response({"error": "forbidden"}, status=403)
        try:
            event = json_object(raw)
        except NotAnObject:
            logger.info("messenger webhook refused: malformed event")
            return web.json_response({"error": "invalid_event"}, status=400)
        if event.get("object") != "page":
            return web.json_response({"error": "not_a_page_event"}, status=404)
        by_sender: Dict[str, List[Dict[str, Any]]] = defaultdict(list)
        for entry in _list(event.get("entry")):
            for messaging in _list(entry.get("messaging")):
                sender = str(_dict(messaging.get("sender")).get("id") or "")
                if sender:
                    by_sender[sender].append(messaging)
        # An exception here answers 500: Meta retries, and what was handled is deduplicated.
        await asyncio.gather(*(self._handle_in_order(events) for events in by_sender.values()))
        return web.Response(text="EVENT_RECEIVED")

    async def _handle_in_order(self, events: List[Dict[str, Any]]) -> None:
        for messaging in events:
            await self.handle(messaging)

    async def handle(self, messaging: Dict[str, Any]) -> None:
        sender = str(_dict(messaging.get("sender")).get("id") or "")
        at = float(messaging.get("timestamp") or 0) / 1000
        if "postback" in messaging:  # the "Get Started" button, the only one the page shows
            postback = _dict(messaging.get("postback"))
            await self.window.wrote(sender, at)
            if await self.inbox.first_time(CHANNEL, str(postback.get("mid") or f"postback:{sender}:{at}")):
                await self.inbox.answer(CHANNEL, sender, GREETING)
            return
        message = _dict(messaging.get("message"))
        if not message or message.get("is_echo"):
            return  # the page's own messages, delivery and read receipts, reactions...
        await self.window.wrote(sender, at)
        mid = str(message.get("mid") or "")
        text = str(message.get("text") or "")
        attachments = _list(message.get("attachments"))
        if not text.strip():
            if attachments and (not mid or await self.inbox.first_time(CHANNEL, mid)):
                await self.inbox.answer(CHANNEL, sender, NOT_TEXT)
            return
        inbound = Inbound(CHANNEL, sender, text[: self.config.max_message_chars], mid, at or time.time(),
                          tuple(str(a.get("type")) for a in attachments))
        await self.inbox.handle(inbound, send=lambda replies: self.answer_all(sender, replies))

    async def answer_all(self, sender: str, replies: List[str]) -> None:
        for reply in replies:
            await self.inbox.answer(CHANNEL, sender, reply)

    # --- out -----------------------------------------------------------------------
    async def send(self, sender: str, text: str, author: Author = SYSTEM_AUTHOR) -> None:
        """Registered with ``labels``: the author decides what Meta allows past 24 hours, and a
        counsellor's text is signed here, as Outbound signs it for the other text channels."""
        kind = await self.messaging_type(sender, author)
        if author.kind == COUNSELLOR:
            text = signed(CHANNEL, text, author.name)
        for part in split_text(text, MAX_CHARS):
            await self._post_message(sender, part, kind)

    async def messaging_type(self, sender: str, author: Author) -> Dict[str, str]:
        age = await self.window.age(sender)
        if age is None or age > HUMAN_AGENT_WINDOW_S:
            raise WindowClosed(WINDOW_CLOSED_TEXT)
        if age <= STANDARD_WINDOW_S:
            return {"messaging_type": "RESPONSE"}
        if author.kind == COUNSELLOR:
            return {"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}
        # Meta's policy: automated messages may not use the HUMAN_AGENT tag.
        raise PermanentFailure("outside the 24-hour window: only a counsellor may write")

    async def _post_message(self, sender: str, text: str, kind: Dict[str, str]) -> None:
        async with self.http.post(
            f"{self.config.messenger_api_url}/me/messages",
            params={"access_token": self.config.messenger_page_token},
            json={"recipient": {"id": sender}, **kind, "message": {"text": text}},
            timeout=aiohttp.ClientTimeout(total=15),
        ) as response:
            status = response.status
            try:
                body = _dict(await response.json(content_type=None))
            except ValueError:
                body = {}
        error = _dict(body.get("error"))
        if status < 400 and not error:
            return
        code, subcode = int(error.get("code") or 0), int(error.get("error_subcode") or 0)
        logger.warning("messenger send refused (HTTP %d, error %d/%d)", status, code, subcode)
        if status >= 500 or code in RETRYABLE_CODES:
            raise MessengerError(code, subcode)
        if subcode == OUTSIDE_WINDOW_SUBCODE:
            raise WindowClosed(WINDOW_CLOSED_TEXT)
        raise PermanentFailure(f"messenger error {code}/{subcode}")  # blocked the page, no such person...


def setup(app: web.Application) -> None:
    app.router.add_get("/webhooks/messenger", provider_route("messenger", "verify"))
    app.router.add_post("/webhooks/messenger", provider_route("messenger", "webhook"))
