"""A local stand-in for Zalo's OA APIs (openapi.zalo.me and oauth.zaloapp.com) on loopback.

It answers the customer-service message API and the token refresh with Zalo's JSON:
``{"error": 0, "message": "Success", "data": {...}}`` for a send, ``-216`` for an access
token that is not the current one, and new tokens for a refresh token used once only.
Events it builds are signed the way Zalo signs them.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import time
from typing import Any, Dict, List, Optional

from aiohttp import web

from tests.fakes import serve

from bot.channels.zalo import signature


class FakeZalo:
    def __init__(self, app_id: str, app_secret: str, access: str, refresh: str) -> None:
        self.app_id, self.app_secret = app_id, app_secret
        self.access, self.refresh = access, refresh
        self.sent: List[Dict[str, str]] = []
        self.refreshes = 0
        self._ids = itertools.count(1)
        self.url = ""

    def to(self, user_id: str) -> List[str]:
        return [m["text"] for m in self.sent if m["user_id"] == user_id]

    async def start(self, port: int) -> web.AppRunner:
        app = web.Application()
        app.router.add_post("/v3.0/oa/message/cs", self._send)
        app.router.add_post("/v4/oa/access_token", self._refresh)
        runner = await serve(app, port)
        self.url = f"http://127.0.0.1:{port}"
        return runner

    async def _send(self, request: web.Request) -> web.Response:
        if request.headers.get("access_token") != self.access:
            return web.json_response({"error": -216, "message": "Access token is invalid"})
        body = await request.json()
        user_id, text = body["recipient"]["user_id"], body["message"]["text"]
        if len(text) > 2000:
            return web.json_response({"error": -201, "message": "Parameters are invalid"})
        self.sent.append({"user_id": user_id, "text": text})
        return web.json_response({"error": 0, "message": "Success",
                                  "data": {"message_id": f"m{next(self._ids)}", "user_id": user_id}})

    async def _refresh(self, request: web.Request) -> web.Response:
        form = await request.post()
        await asyncio.sleep(0.05)  # long enough for racing gateways to overlap
        if (request.headers.get("secret_key") != self.app_secret or form.get("app_id") != self.app_id
                or form.get("grant_type") != "refresh_token" or form.get("refresh_token") != self.refresh):
            return web.json_response({"error": -14014, "error_name": "Invalid refresh token",
                                      "error_description": "refresh token is invalid or used"})
        self.refreshes += 1
        self.access, self.refresh = f"access-{self.refreshes}", f"refresh-{self.refreshes}"
        return web.json_response({"access_token": self.access, "refresh_token": self.refresh, "expires_in": "90000"})

    def event(self, oa_secret: str, name: str, user_id: str, text: Optional[str] = None, msg_id: Optional[str] = None,
              attachments: Optional[List[Dict[str, Any]]] = None, timestamp_ms: Optional[int] = None,
              app_id: Optional[str] = None):
        """(body bytes, headers) of a webhook event as Zalo sends it, signed."""
        timestamp = str(timestamp_ms or int(time.time() * 1000))
        event: Dict[str, Any] = {"app_id": app_id or self.app_id, "user_id_by_app": "84" + user_id[-8:],
                                 "event_name": name, "timestamp": timestamp,
                                 "sender": {"id": user_id}, "recipient": {"id": "579745863508352884"}}
        message: Dict[str, Any] = {"msg_id": msg_id or f"msg{next(self._ids)}"}
        if text is not None:
            message["text"] = text
        if attachments:
            message["attachments"] = attachments
        event["message"] = message
        body = json.dumps(event, ensure_ascii=False).encode()
        return body, {"X-ZEvent-Signature": signature(event["app_id"], body, timestamp, oa_secret),
                      "Content-Type": "application/json"}
