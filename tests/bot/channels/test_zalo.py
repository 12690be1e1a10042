"""Zalo OA through the real gateway and a local fake of Zalo's APIs (real JSON, real signatures)."""
import asyncio
import json
import time
import uuid

import pytest

from handoff.texts import NOT_TEXT
from tools.launcher import free_port
from handoff import texts
from tests.conftest import start_gateway
from tests.fakes.zalo_api import FakeZalo
from tests.handoff.conftest import Console, ensure_user

APP_ID, OA_SECRET, APP_SECRET = "4318523937592871234", "oa-secret-KEY", "app-secret-KEY"


@pytest.fixture
async def zalo_api():
    api = FakeZalo(APP_ID, APP_SECRET, access="access-0", refresh="refresh-0")
    runner = await api.start(free_port())
    yield api
    await runner.cleanup()


def zalo_settings(api, **extra):
    return dict(zalo_app_id=APP_ID, zalo_oa_secret=OA_SECRET, zalo_app_secret=APP_SECRET,
                zalo_access_token="access-0", zalo_refresh_token="refresh-0", zalo_api_url=api.url,
                zalo_oauth_url=api.url, send_attempts=3, send_backoff_s=0.01, **extra)


@pytest.fixture
async def zalo_gateway(zalo_api, redis, store):
    runner, url = await start_gateway(f"http://127.0.0.1:{free_port()}", redis, store, **zalo_settings(zalo_api))
    yield url
    await runner.cleanup()


async def deliver(http, gateway, body, headers):
    async with http.post(f"{gateway}/webhooks/zalo", data=body, headers=headers) as r:
        return r.status


def new_user():
    return str(uuid.uuid4().int)[:18]


async def test_forged_tampered_and_stale_events_are_refused(http, zalo_gateway, zalo_api):
    user = new_user()
    body, headers = zalo_api.event(OA_SECRET, "user_send_text", user, "cứu em")
    assert await deliver(http, zalo_gateway, body, {**headers, "X-ZEvent-Signature": "mac=" + "0" * 64}) == 403
    assert await deliver(http, zalo_gateway, body, {"Content-Type": "application/json"}) == 403
    assert await deliver(http, zalo_gateway, body.replace("cứu em".encode(), b"xin chao"), headers) == 403
    forged, forged_headers = zalo_api.event("not-our-secret", "user_send_text", user, "cứu em")
    assert await deliver(http, zalo_gateway, forged, forged_headers) == 403
    stale, stale_headers = zalo_api.event(OA_SECRET, "user_send_text", user, "cứu em",
                                          timestamp_ms=int((time.time() - 3600) * 1000))
    assert await deliver(http, zalo_gateway, stale, stale_headers) == 403
    assert await deliver(http, zalo_gateway, b"{oops", headers) == 400
    assert zalo_api.sent == []
    assert await deliver(http, zalo_gateway, body, headers) == 200
    assert zalo_api.to(user)


async def test_duplicates_are_answered_once_and_pictures_politely_declined(http, zalo_gateway, zalo_api):
    user = new_user()
    body, headers = zalo_api.event(OA_SECRET, "user_send_text", user, "em bị nhốt, cứu em", msg_id="dup-1")
    statuses = await asyncio.gather(*(deliver(http, zalo_gateway, body, headers) for _ in range(4)))
    assert statuses == [200] * 4
    first = list(zalo_api.to(user))
    assert sum(t.startswith("Mình đã nhận được tin") for t in first) == 1
    body, headers = zalo_api.event(OA_SECRET, "user_send_image", user,
                                   attachments=[{"type": "image", "payload": {"url": "https://example.invalid/a.jpg"}}])
    assert await deliver(http, zalo_gateway, body, headers) == 200
    assert zalo_api.to(user)[-1] == NOT_TEXT


async def test_the_bot_answers_through_the_oa_message_api(http, zalo_api, backend, redis, store):
    runner, gateway = await start_gateway(backend.rasa_url, redis, store, backend.token, **zalo_settings(zalo_api))
    try:
        user = new_user()
        body, headers = zalo_api.event(OA_SECRET, "user_send_text", user, "goi 111 co mat tien khong")
        assert await deliver(http, gateway, body, headers) == 200
        assert any("miễn phí" in t for t in zalo_api.to(user))
    finally:
        await runner.cleanup()


async def test_urgent_message_escalates_and_the_counsellor_replies_on_zalo(http, zalo_gateway, zalo_api, store):
    user = new_user()
    body, headers = zalo_api.event(OA_SECRET, "user_send_text", user, "e bi giu ho chieu, ko cho ve")
    await deliver(http, zalo_gateway, body, headers)
    body, headers = zalo_api.event(OA_SECRET, "user_send_location", user, attachments=[
        {"type": "location", "payload": {"coordinates": {"latitude": "10.9587", "longitude": "104.7816"}}}])
    await deliver(http, zalo_gateway, body, headers)
    ensure_user(store, "zalo.lan")
    console = Console(zalo_gateway)
    try:
        await console.login("zalo.lan")
        _, queue = await console.call("GET", "/api/queue")
        [case] = queue["waiting"]
        assert case["channel"] == "zalo" and user not in json.dumps(queue)
        _, conversation = await console.call("GET", f"/api/conversations/{case['id']}")
        assert any("10.95870, 104.78160" in m["text"] for m in conversation["messages"])
        await console.call("POST", f"/api/conversations/{case['id']}/claim")
        await console.call("POST", f"/api/conversations/{case['id']}/messages", {"text": "Chị đây, em đang ở đâu?"})
        assert zalo_api.to(user)[-2:] == [texts.claimed("Zalo.Lan"), "Zalo.Lan (tư vấn viên): Chị đây, em đang ở đâu?"]
    finally:
        await console.close()


async def test_an_invalid_token_refreshes_once_and_retries_once(http, zalo_gateway, zalo_api, redis):
    zalo_api.access = "rotated-elsewhere"  # Zalo no longer accepts the token we hold
    zalo_api.refresh = "refresh-0"
    user = new_user()
    body, headers = zalo_api.event(OA_SECRET, "user_send_text", user, "cứu em với, họ nhốt em")
    assert await deliver(http, zalo_gateway, body, headers) == 200
    assert zalo_api.refreshes == 1 and zalo_api.to(user)
    stored = await redis.hgetall("hl:zalo:tokens")
    assert stored[b"access"] == b"access-1" and stored[b"refresh"] == b"refresh-1"


async def test_gateways_racing_to_refresh_spend_the_single_use_token_once(zalo_api, redis, store):
    runners = []
    try:
        for _ in range(3):
            runners.append((await start_gateway(f"http://127.0.0.1:{free_port()}", redis, store,
                                                **zalo_settings(zalo_api)))[0])
        await redis.hset("hl:zalo:tokens", mapping={"access": "access-0", "refresh": "refresh-0",
                                                      "expires_at": repr(time.time() + 60)})  # about to expire
        channels = [runner.app["zalo"] for runner in runners]
        await asyncio.gather(*(c.send(f"u{i}", "Xin chào") for i, c in enumerate(channels * 3)))
        assert zalo_api.refreshes == 1 and len(zalo_api.sent) == 9
    finally:
        for runner in runners:
            await runner.cleanup()
