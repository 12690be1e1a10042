"""A local stand-in for a Sentry server: it accepts the SDK's envelopes and stores events."""
from __future__ import annotations

import json
from typing import Any, Dict, List

from aiohttp import web

from tests.fakes import serve


class FakeSentry:
    def __init__(self) -> None:
        self.raw: List[str] = []  # every envelope as received (decompressed), to search for leaks
        self.events: List[Dict[str, Any]] = []
        self.url = ""

    def dsn(self) -> str:
        return self.url.replace("http://", "http://publickey@") + "/1"

    async def start(self, port: int) -> web.AppRunner:
        app = web.Application(client_max_size=10 * 1024 * 1024)
        app.router.add_post("/api/1/envelope/", self._envelope)
        app.router.add_post("/api/1/store/", self._store)
        runner = await serve(app, port)
        self.url = f"http://127.0.0.1:{port}"
        return runner

    async def _body(self, request: web.Request) -> str:
        text = (await request.read()).decode("utf-8")  # aiohttp has already undone the SDK's gzip
        self.raw.append(text)
        return text

    async def _envelope(self, request: web.Request) -> web.Response:
        lines = (await self._body(request)).split("\n")
        for header, payload in zip(lines[1::2], lines[2::2]):  # envelope header, then item header/payload pairs
            if json.loads(header).get("type") in ("event", "transaction"):
                self.events.append(json.loads(payload))
        return web.json_response({"id": "0" * 32})

    async def _store(self, request: web.Request) -> web.Response:
        self.events.append(json.loads(await self._body(request)))
        return web.json_response({"id": "0" * 32})
