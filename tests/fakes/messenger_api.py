"""A local stand-in for Meta's Send API (graph.facebook.com/v21.0/me/messages) on loopback.

It answers as the Graph API does: ``{"recipient_id": ..., "message_id": "m_..."}`` for a send,
and HTTP 400 with ``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}``
otherwise: 190 for a page token that is not ours, 100 for a malformed request or a text over
2000 characters, and 10/2018278 for a send outside the window Meta allows (RESPONSE more than
24 hours, a HUMAN_AGENT tag more than 7 days after the person last wrote, as the events this
fake built say). ``fail_next`` answers the next sends with an error of your choice. Webhook
events it builds are signed the way Meta signs them (X-Hub-Signature-256).
"""
from __future__ import annotations

import itertools
import json
import time
from typing import Any, Dict, List, Optional, Tuple

from aiohttp import web

from tests.fakes import serve

from bot.channels.messenger import signature

PAGE_ID = "104683928712345"
VERSION = "v21.0"


def graph_error(code: int, message: str, subcode: Optional[int] = None,
                kind: str = "OAuthException") -> Dict[str, Any]:
    error: Dict[str, Any] = {"message": message, "type": kind, "code": code, "fbtrace_id": "AbCdEfGhIjK"}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


# What Meta answers when a send is not allowed any more, and when the person cannot be reached.
OUTSIDE_WINDOW = graph_error(10, "(#10) This message is sent outside of allowed window.", 2018278)
UNAVAILABLE = graph_error(551, "This person isn't available right now.", 1545041)
RATE_LIMITED = graph_error(613, "Calls to this api have exceeded the rate limit.")


class FakeMessenger:
    def __init__(self, page_token: str, app_secret: str) -> None:
        self.page_token, self.app_secret = page_token, app_secret
        self.sent: List[Dict[str, Any]] = []  # each send's JSON as received
        self.last_wrote: Dict[str, float] = {}  # psid -> when they last wrote (events built here)
        self.fail_next: List[Tuple[int, Dict[str, Any]]] = []  # (HTTP status, body) for the next sends
        self._ids = itertools.count(1)
        self.url = ""

    def to(self, psid: str) -> List[str]:
        return [m["message"]["text"] for m in self.sent if m["recipient"]["id"] == psid]

    def sends_to(self, psid: str) -> List[Dict[str, Any]]:
        return [m for m in self.sent if m["recipient"]["id"] == psid]

    async def start(self, port: int) -> web.AppRunner:
        app = web.Application()
        app.router.add_post(f"/{VERSION}/me/messages", self._send)
        runner = await serve(app, port)
        self.url = f"http://127.0.0.1:{port}/{VERSION}"
        return runner

    async def _send(self, request: web.Request) -> web.Response:
        if request.query.get("access_token") != self.page_token:
            return web.json_response(graph_error(190, "Invalid OAuth access token - Cannot parse access token"),
                                     status=400)
        if self.fail_next:
            status, body = self.fail_next.pop(0)
            return web.json_response(body, status=status)
        try:
            body = await request.json()
            psid, text = body["recipient"]["id"], body["message"]["text"]
            kind = body["messaging_type"]
        except (ValueError, KeyError, TypeError):
            return web.json_response(graph_error(100, "(#100) Invalid parameter"), status=400)
        if kind not in ("RESPONSE", "UPDATE", "MESSAGE_TAG") or (kind == "MESSAGE_TAG") != ("tag" in body):
            return web.json_response(graph_error(100, "(#100) Invalid messaging_type or tag"), status=400)
        if len(text) > 2000:
            return web.json_response(graph_error(100, "(#100) Length of param message[text] must be less than "
                                                      "or equal to 2000"), status=400)
        age = time.time() - self.last_wrote.get(psid, 0.0)
        allowed = 7 * 24 * 3600 if body.get("tag") == "HUMAN_AGENT" else 24 * 3600
        if age > allowed:
            return web.json_response(OUTSIDE_WINDOW, status=400)
        self.sent.append(body)
        return web.json_response({"recipient_id": psid, "message_id": f"m_sent{next(self._ids)}"})

    def signed(self, payload: Dict[str, Any], app_secret: Optional[str] = None) -> Tuple[bytes, Dict[str, str]]:
        body = json.dumps(payload, ensure_ascii=False).encode()
        return body, {"X-Hub-Signature-256": signature(app_secret or self.app_secret, body),
                      "Content-Type": "application/json"}

    def messaging(self, psid: str, text: Optional[str] = None, mid: Optional[str] = None,
                  attachments: Optional[List[Dict[str, Any]]] = None, echo: bool = False,
                  timestamp_ms: Optional[int] = None) -> Dict[str, Any]:
        """One messaging event as Meta sends it: a person's message, or the page's own echo."""
        timestamp = timestamp_ms or int(time.time() * 1000)
        message: Dict[str, Any] = {"mid": mid or f"m_{next(self._ids)}AbCdEf"}
        if text is not None:
            message["text"] = text
        if attachments:
            message["attachments"] = attachments
        if echo:
            message.update(is_echo=True, app_id=1517776481860111)
            return {"sender": {"id": PAGE_ID}, "recipient": {"id": psid}, "timestamp": timestamp, "message": message}
        self.last_wrote[psid] = max(self.last_wrote.get(psid, 0.0), timestamp / 1000)
        return {"sender": {"id": psid}, "recipient": {"id": PAGE_ID}, "timestamp": timestamp, "message": message}

    def postback(self, psid: str, payload: str = "GET_STARTED", title: str = "Bắt đầu") -> Dict[str, Any]:
        self.last_wrote[psid] = time.time()
        return {"sender": {"id": psid}, "recipient": {"id": PAGE_ID}, "timestamp": int(time.time() * 1000),
                "postback": {"mid": f"m_{next(self._ids)}PbAck", "title": title, "payload": payload}}

    def event(self, *messaging: Dict[str, Any], app_secret: Optional[str] = None) -> Tuple[bytes, Dict[str, str]]:
        """(body bytes, headers) of a webhook POST with these messaging events, signed."""
        now = int(time.time() * 1000)
        return self.signed({"object": "page", "entry": [{"id": PAGE_ID, "time": now, "messaging": list(messaging)}]},
                           app_secret)
