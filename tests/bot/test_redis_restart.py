"""Redis killed (-9) and restarted mid-conversation, with append-only persistence
(appendfsync everysec): what was acknowledged more than a second before the kill is
still there, a message written during the outage waits and goes through, and the
counsellor's live line reconnects and catches up."""
import asyncio
import json
import time
import uuid

import aiohttp
import pytest

from tools.launcher import free_port
from handoff import texts
from tests.conftest import start_gateway, stop_gateway
from tests.handoff.conftest import Console, ensure_user, user_receives, user_says


@pytest.fixture
async def gateway_on_own_redis(redis_server, store):
    # redis=None: the gateway makes its own client (handoff.queue.connect), as in production.
    runner, url = await start_gateway(f"http://127.0.0.1:{free_port()}", None, store, redis_url=redis_server.url)
    yield url
    await stop_gateway(runner)


async def next_of_type(ws, kind, timeout=10):
    while True:
        message = await ws.receive(timeout=timeout)
        if message.type != aiohttp.WSMsgType.TEXT:
            return None
        event = json.loads(message.data)
        if event.get("type") == kind:
            return event


async def test_a_redis_crash_loses_nothing_acknowledged_and_the_conversation_goes_on(
        redis_server, gateway_on_own_redis, store, http):
    gateway, person, other = gateway_on_own_redis, uuid.uuid4().hex, uuid.uuid4().hex
    ensure_user(store, "hoa")
    lan = Console(gateway)
    try:
        assert (await lan.login("hoa"))[0] == 200
        await user_says(http, gateway, person, "cứu em, em bị nhốt ở xưởng, họ lấy điện thoại")
        await user_says(http, gateway, other, "họ giữ giấy tờ của em không cho về")
        _, queue = await lan.call("GET", "/api/queue")
        cid = next(c["id"] for c in queue["waiting"] if c["priority"] == "critical")
        assert (await lan.call("POST", f"/api/conversations/{cid}/claim"))[0] == 200
        ws = await lan.http.ws_connect(gateway.replace("http", "ws") + "/api/ws")
        assert (await next_of_type(ws, "hello"))["username"] == "hoa"
        await asyncio.sleep(1.5)  # appendfsync everysec: now on disk

        redis_server.kill()
        # The live line closes (instead of going quiet), so the console will reconnect and catch up.
        assert await next_of_type(ws, "message", timeout=10) is None and ws.closed
        async with http.get(f"{gateway}/readyz") as r:
            assert r.status == 503 and (await r.json())["checks"]["redis"] != "ok"
        # Written while Redis is down: it waits for Redis instead of failing.
        during = asyncio.create_task(user_says(http, gateway, person, "em vẫn ở đây, tầng 3"))
        await asyncio.sleep(1.0)
        assert not during.done()
        redis_server.start()
        assert await asyncio.wait_for(during, 20) == []  # the counsellor holds the case: no bot answer

        async with http.get(f"{gateway}/readyz") as r:
            assert r.status == 200 and (await r.json())["checks"] == {"redis": "ok", "store": "ok",
                                                                       "rasa": "unreachable"}
        # The session, the assignment and the other case's place in the queue survived.
        status, queue = await lan.call("GET", "/api/queue")
        assert status == 200
        assert [c["id"] for c in queue["mine"]] == [cid]
        assert len(queue["waiting"]) == 1 and queue["waiting"][0]["priority"] == "critical"
        status, case = await lan.call("GET", f"/api/conversations/{cid}")
        users = [m["text"] for m in case["messages"] if m["role"] == "user"]
        assert users == ["cứu em, em bị nhốt ở xưởng, họ lấy điện thoại", "em vẫn ở đây, tầng 3"]
        # The conversation goes on: the counsellor's reply reaches the person, after the claim notice.
        assert (await lan.call("POST", f"/api/conversations/{cid}/messages", {"text": "Chị đây, em bình tĩnh."}))[0] == 200
        got, _ = await user_receives(http, gateway, person)
        assert got == [texts.claimed("Hoa"), "Chị đây, em bình tĩnh."]
        # A console that reconnects hears live messages again.
        ws = await lan.http.ws_connect(gateway.replace("http", "ws") + "/api/ws")
        await next_of_type(ws, "hello")
        await user_says(http, gateway, person, "dạ em nghe")
        event = await next_of_type(ws, "message")
        assert event["conversation"] == cid and event["message"]["text"] == "dạ em nghe"
        await ws.close()
    finally:
        await lan.close()


async def test_a_message_acknowledged_just_before_the_crash_is_in_the_transcript(
        redis_server, gateway_on_own_redis, store, http):
    """SQL holds every message durably; Redis keeps the case in line (AOF), and after a restart
    the person's messages go on in the same conversation."""
    gateway, person = gateway_on_own_redis, uuid.uuid4().hex
    await user_says(http, gateway, person, "em bị bán sang bên kia biên giới, cứu em")
    cid = store.find_conversation("web", person)
    await asyncio.sleep(1.5)
    redis_server.kill()
    redis_server.start()
    start = time.monotonic()
    await user_says(http, gateway, person, "họ đang đến")
    assert time.monotonic() - start < 15
    assert store.find_conversation("web", person) == cid
    texts_ = [m["text"] for m in store.messages(cid) if m["role"] == "user"]
    assert texts_ == ["em bị bán sang bên kia biên giới, cứu em", "họ đang đến"]
    ensure_user(store, "vy")
    console = Console(gateway)
    try:
        await console.login("vy")
        _, queue = await console.call("GET", "/api/queue")
        assert [c["id"] for c in queue["waiting"]] == [cid]
    finally:
        await console.close()
