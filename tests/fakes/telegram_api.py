"""A local stand-in for the Telegram Bot API: the real JSON shapes, on loopback.

It answers getMe, sendMessage, getUpdates (long poll), setWebhook and deleteWebhook,
records every sendMessage, and can be told to fail the next sends (as Telegram does
when it is down: 502), or to refuse them for good (403: the user blocked the bot).
"""
from __future__ import annotations

import asyncio
import itertools
import json
import time
from typing import Any, Dict, List

from aiohttp import web

from tests.fakes import serve

BOT = {"id": 7000001, "is_bot": True, "first_name": "Đường dây nóng", "username": "hotline_test_bot",
       "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}


def text_update(update_id: int, chat_id: int, text: str) -> Dict[str, Any]:
    message: Dict[str, Any] = {
        "message_id": update_id % 100000, "date": int(time.time()), "text": text,
        "chat": {"id": chat_id, "type": "private", "first_name": "Lan"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "Lan", "language_code": "vi"},
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": message}


def location_update(update_id: int, chat_id: int, latitude: float, longitude: float) -> Dict[str, Any]:
    update = text_update(update_id, chat_id, "")
    del update["message"]["text"]
    update["message"]["location"] = {"latitude": latitude, "longitude": longitude}
    return update


class FakeBotAPI:
    def __init__(self, token: str) -> None:
        self.token = token
        self.sent: List[Dict[str, Any]] = []
        self.updates: List[Dict[str, Any]] = []
        self.fail_next = 0
        self.refuse = False
        self._ids = itertools.count(1)
        self._new_update = asyncio.Event()
        self.url = ""

    def to(self, chat_id: int) -> List[str]:
        return [m["text"] for m in self.sent if int(m["chat_id"]) == chat_id]

    def push(self, update: Dict[str, Any]) -> None:
        self.updates.append(update)
        self._new_update.set()

    async def start(self, port: int) -> web.AppRunner:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._call)
        runner = await serve(app, port)
        self.url = f"http://127.0.0.1:{port}"
        return runner

    async def _params(self, request: web.Request) -> Dict[str, Any]:
        params: Dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
        elif request.can_read_body:
            params.update(await request.post())
        return params

    async def _call(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method, params = request.match_info["method"], await self._params(request)
        if method == "getMe":
            return self._ok(BOT)
        if method in ("setWebhook", "deleteWebhook"):
            return self._ok(True)
        if method == "getUpdates":
            return await self._get_updates(params)
        if method == "sendMessage":
            return self._send(params)
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)

    def _send(self, params: Dict[str, Any]) -> web.Response:
        if self.refuse:
            return web.json_response({"ok": False, "error_code": 403,
                                      "description": "Forbidden: bot was blocked by the user"}, status=403)
        if self.fail_next:
            self.fail_next -= 1
            return web.Response(status=502, text="Bad Gateway")
        text = str(params["text"])
        if len(text.encode("utf-16-le")) // 2 > 4096:
            return web.json_response({"ok": False, "error_code": 400,
                                      "description": "Bad Request: message is too long"}, status=400)
        self.sent.append({"chat_id": params["chat_id"], "text": text})
        chat_id = int(params["chat_id"])
        return self._ok({"message_id": next(self._ids), "date": int(time.time()), "text": text, "from": BOT,
                         "chat": {"id": chat_id, "type": "private", "first_name": "Lan"}})

    async def _get_updates(self, params: Dict[str, Any]) -> web.Response:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 1.0)
        pending = [u for u in self.updates if u["update_id"] >= offset]
        if not pending and timeout:
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), timeout)
            except asyncio.TimeoutError:
                pass
            pending = [u for u in self.updates if u["update_id"] >= offset]
        return self._ok(pending)

    @staticmethod
    def _ok(result: Any) -> web.Response:
        return web.Response(text=json.dumps({"ok": True, "result": result}, ensure_ascii=False),
                            content_type="application/json")
