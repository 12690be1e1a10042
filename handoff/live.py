"""The console's live line: one WebSocket per open console at /api/ws.

Each socket follows the Redis channel every gateway publishes to, and forwards what
this user may see (``can``, handoff/permissions.py): queue changes, messages of waiting cases
and of the cases they hold (supervisors: all), alerts. The console sends a heartbeat every few seconds;
when heartbeats stop, the watchdog gives that counsellor's cases back to the queue.
A console that reconnects asks for messages after the last id it has, so nothing is
lost or shown twice; when Redis restarts, the socket is closed so that this happens.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging

from aiohttp import WSCloseCode, WSMsgType, web
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from handoff.auth import COOKIE, Sessions, api_error
from handoff.permissions import Conversation, can
from handoff.service import Handoff
from shared.payload import NotAnObject, json_object

logger = logging.getLogger(__name__)


def _visible(payload: dict, session) -> bool:
    """A message goes to whoever may read its conversation (``can``, handoff/permissions.py), as
    far as the event tells: its state and holder. So counsellors get waiting cases and their
    own, supervisors everything; a case handled before shows its new messages when opened.
    Queue changes, presence and alerts carry no words of anyone's and go to every console."""
    if payload.get("type") == "message":
        return can(session, "conversation.read", Conversation.of_event(payload))
    return True


async def websocket(request: web.Request) -> web.StreamResponse:
    sessions: Sessions = request.app["sessions"]
    session = await sessions.get(request.cookies.get(COOKIE, ""))
    if session is None:
        return api_error(401, "unauthenticated", "Bạn cần đăng nhập.")
    if not can(session, "live.connect"):
        return api_error(403, "forbidden", "Tài khoản của bạn không có quyền này.")
    origin = request.headers.get("Origin")
    if origin and origin != f"{request.scheme}://{request.host}":  # cross-site WebSocket hijacking
        return api_error(403, "csrf", "Nguồn kết nối không hợp lệ.")
    handoff: Handoff = request.app["handoff"]
    ws = web.WebSocketResponse(heartbeat=20)
    await ws.prepare(request)
    await handoff.presence.heartbeat(session.username)
    pubsub = handoff.redis.pubsub()
    await pubsub.subscribe(handoff.keys.notify)
    # The live line does not wait out a Redis restart as commands do (handoff/queue.py): it fails
    # at once and the socket closes, so the console reconnects and catches up.
    pubsub.connection.retry = Retry(NoBackoff(), 0)
    request.app["sockets"].add(ws)

    async def forward() -> None:
        subscribed = 0
        try:
            async for item in pubsub.listen():
                if item.get("type") == "subscribe":
                    # redis-py reconnects and subscribes again by itself after a Redis restart; what
                    # was published meanwhile is lost all the same.
                    subscribed += 1
                    if subscribed > 1:
                        raise ConnectionError("subscribed again after a reconnect")
                if item.get("type") != "message":
                    continue
                payload = json.loads(item["data"])
                if _visible(payload, session) and not ws.closed:
                    await ws.send_str(json.dumps(payload, ensure_ascii=False))
        except (RedisError, OSError, ConnectionError) as error:
            # Redis restarted: what was published meanwhile is gone from pub/sub. Closing makes
            # the console reconnect and fetch what it missed, instead of a live line gone quiet.
            logger.warning("live line lost (%s); closing the socket so the console catches up",
                           type(error).__name__)
            await ws.close(code=WSCloseCode.TRY_AGAIN_LATER, message=b"redis")

    forwarder = asyncio.create_task(forward())
    try:
        await ws.send_str(json.dumps({"type": "hello", "username": session.username}))
        async for message in ws:
            if message.type != WSMsgType.TEXT:
                break
            try:
                data = json_object(message.data)
            except NotAnObject:
                continue
            if data.get("type") == "heartbeat":
                # An account disabled or given a new password meanwhile hears nothing more.
                if await sessions.get(session.token) is None:
                    await ws.close(code=WSCloseCode.POLICY_VIOLATION, message=b"signed out")
                    break
                status = data.get("status") if data.get("status") in ("online", "away") else None
                await handoff.presence.heartbeat(session.username, status)
    finally:
        forwarder.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await forwarder
        with contextlib.suppress(Exception):
            await pubsub.unsubscribe()
            await pubsub.close()
        request.app["sockets"].discard(ws)
    return ws


websocket.action = "live.connect"  # checked above: a WebSocket handshake has no CSRF header to check
