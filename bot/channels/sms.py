"""SMS through Kannel (bearerbox + smsbox), the open-source gateway Vietnamese operators
and aggregators connect to.

In: Kannel's sms-service calls our get-url for every mobile-originated message:
    GET /webhooks/sms?key=KEY&from=%p&to=%P&text=%b&id=%I&coding=%c&charset=%C
(``max-messages = 0`` in that sms-service: we answer through sendsms, like every other
reply). The text arrives as bytes in the given charset (UTF-8 with ``mo-recode``, or
UCS-2). ``key`` is a shared secret that keeps forged requests out; ``id`` (Kannel's
message UUID) is the dedupe key.

Out: Kannel's sendsms interface. Vietnamese is folded to GSM-7 without diacritics
(the default: 160 characters a part instead of 70) or sent as UCS-2; Kannel splits
long texts into concatenated parts (``max-messages``) and reports delivery to
/webhooks/sms/dlr, which is recorded with the conversation.
"""
from __future__ import annotations

import hmac
import logging
import math
import unicodedata
import uuid
from typing import Dict, List
from urllib.parse import parse_qsl, quote

import aiohttp
from aiohttp import web
from redis.asyncio import Redis

from bot.channels.base import Inbound, Inbox, PermanentFailure, provider_route
from handoff.service import Handoff
from shared.config import Config

logger = logging.getLogger(__name__)

CHANNEL = "sms"
# GSM 03.38 basic characters that ASCII shares; anything else is replaced.
_GSM_EXTRA = set("@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!\"#¤%&'()*+,-./:;<=>?¡ÄÖÑÜ§¿äöñüà\n\r ")
_REPLACE = {"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "...", "•": "-", "\t": " "}
GSM_PART, GSM_SINGLE, UCS2_PART, UCS2_SINGLE = 153, 160, 67, 70
# Kannel delivery report types (dlr-mask bits).
DLR_STATUS = {1: "delivered", 2: "failed", 4: "buffered", 8: "smsc_accepted", 16: "smsc_rejected"}
_CHARSETS = {"utf-8": "utf-8", "utf8": "utf-8", "ucs-2": "utf-16-be", "ucs2": "utf-16-be", "utf-16be": "utf-16-be",
             "iso-8859-1": "latin-1", "windows-1252": "cp1252"}


def gsm_fold(text: str) -> str:
    """Vietnamese without diacritics, in GSM-7's basic alphabet: "Cứu Đồng" -> "Cuu Dong"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", "".join(_REPLACE.get(c, c) for c in text))
    out = []
    for char in decomposed:
        if unicodedata.category(char) == "Mn":
            continue
        out.append(char if (char.isascii() and (char.isalnum() or char in _GSM_EXTRA)) or char in _GSM_EXTRA else "?")
    return "".join(out)


def parts_needed(text: str, ucs2: bool) -> int:
    single, part = (UCS2_SINGLE, UCS2_PART) if ucs2 else (GSM_SINGLE, GSM_PART)
    return 1 if len(text) <= single else math.ceil(len(text) / part)


def split_for_sms(text: str, ucs2: bool, max_parts: int) -> List[str]:
    """Messages of at most ``max_parts`` concatenated parts each, cut at a space where possible."""
    limit = (UCS2_PART if ucs2 else GSM_PART) * max_parts
    messages, rest = [], text
    while len(rest) > limit:
        cut = rest.rfind(" ", limit // 2, limit)
        cut = cut if cut > 0 else limit
        messages.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return messages + ([rest] if rest else [])


class BadSms(Exception):
    pass


def decode_text(raw_query: str) -> Dict[str, str]:
    """The get-url parameters, with ``text`` decoded from its charset (bytes on the wire)."""
    # latin-1 maps each byte to one character, so the bytes can be had back exactly
    pairs = dict(parse_qsl(raw_query, keep_blank_values=True, encoding="latin-1"))
    raw = pairs.get("text", "").encode("latin-1")
    coding, charset = pairs.get("coding", "0"), pairs.get("charset", "").lower()
    codec = "utf-16-be" if coding == "2" and charset not in _CHARSETS else _CHARSETS.get(charset or "utf-8")
    if codec is None:
        raise BadSms("unknown charset")
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as error:
        raise BadSms("text not in its charset") from error
    other = {k: v.encode("latin-1").decode("utf-8", "replace") for k, v in pairs.items() if k != "text"}
    return {**other, "text": text}


class SmsChannel:
    def __init__(self, config: Config, inbox: Inbox, http: aiohttp.ClientSession, redis: Redis,
                 handoff: Handoff) -> None:
        self.config, self.inbox, self.http, self.redis, self.handoff = config, inbox, http, redis, handoff
        self.ucs2 = config.sms_coding == "ucs2"

    def _key_ok(self, given: str) -> bool:
        return bool(self.config.sms_key) and hmac.compare_digest(given.encode(), self.config.sms_key.encode())

    async def mobile_originated(self, request: web.Request) -> web.Response:
        try:
            params = decode_text(request.rel_url.raw_query_string)  # bytes as Kannel sent them
        except BadSms as error:
            logger.info("sms refused: %s", error)
            return web.Response(status=400, text="invalid text encoding")
        if not self._key_ok(params.get("key", "")):
            logger.info("sms refused: bad key")
            return web.Response(status=403, text="forbidden")
        sender, text = params.get("from", "").strip(), params["text"].replace("\x00", "").strip()
        if not sender or len(sender) > self.config.max_sender_chars:
            return web.Response(status=400, text="missing sender")
        if not text:
            return web.Response(status=200, text="")  # an empty SMS: nothing to answer
        inbound = Inbound(CHANNEL, sender, text[: self.config.max_message_chars], params.get("id", ""))
        # one concatenated SMS costs less than several
        await self.inbox.handle(inbound, send=lambda replies: self.inbox.answer(CHANNEL, sender, "\n".join(replies)))
        return web.Response(status=200, text="")

    async def delivery_report(self, request: web.Request) -> web.Response:
        if not self._key_ok(request.query.get("key", "")):
            return web.Response(status=403, text="forbidden")
        ref = request.query.get("ref", "")
        try:
            status = int(request.query.get("status", ""))
        except ValueError:
            return web.Response(status=400, text="bad status")
        sender = await self.redis.get(self.handoff.keys.channel_record("sms:ref", ref))
        if sender is None:
            return web.Response(status=200, text="")  # unknown or expired reference
        cid = await self.handoff.conversations.conversation_for(CHANNEL, sender.decode())
        name = DLR_STATUS.get(status, f"status_{status}")
        await self.handoff.notices.delivery_report(cid, CHANNEL, ref, name, failed=status in (2, 16))
        return web.Response(status=200, text="")

    async def send(self, sender: str, text: str) -> None:
        text = text if self.ucs2 else gsm_fold(text)
        for message in split_for_sms(text, self.ucs2, self.config.sms_max_parts):
            await self._sendsms(sender, message)

    async def _sendsms(self, sender: str, text: str) -> None:
        ref = uuid.uuid4().hex
        params = {"username": self.config.kannel_username, "password": self.config.kannel_password, "to": sender,
                  "text": text, "charset": "UTF-8", "coding": "2" if self.ucs2 else "0",
                  "max-messages": str(self.config.sms_max_parts)}
        if self.config.sms_from:
            params["from"] = self.config.sms_from
        if self.config.sms_dlr_url:
            params["dlr-mask"] = "19"  # delivered, failed, rejected by the SMSC
            params["dlr-url"] = f"{self.config.sms_dlr_url}?key={quote(self.config.sms_key)}&ref={ref}&status=%d"
            await self.redis.set(self.handoff.keys.channel_record("sms:ref", ref), sender, ex=7 * 24 * 3600)
        async with self.http.get(self.config.kannel_sendsms_url, params=params,
                                 timeout=aiohttp.ClientTimeout(total=15)) as response:
            body = await response.text()
            if response.status in (400, 403, 404):  # bad user, bad number: retrying will not help
                raise PermanentFailure(f"kannel {response.status}")
            if response.status >= 300:
                raise aiohttp.ClientResponseError(response.request_info, (), status=response.status,
                                                  message=body[:80])


def setup(app: web.Application) -> None:
    app.router.add_get("/webhooks/sms", provider_route("sms", "mobile_originated"))
    app.router.add_get("/webhooks/sms/dlr", provider_route("sms", "delivery_report"))
