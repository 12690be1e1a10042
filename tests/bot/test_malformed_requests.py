"""10 000 malformed requests of many kinds against every door of the gateway: each gets a
clear 4xx (never a 5xx, never a crash), nothing is stored, nothing is logged as an error,
and the gateway goes on serving real people."""
import asyncio
import json
import logging
import random
import re
import time
import uuid

import pytest
import sqlalchemy as sa

from bot.channels.telegram import SECRET_HEADER
from bot.channels.zalo import signature
from tools.launcher import free_port
from tests.bot.channels.test_telegram import SECRET, TOKEN
from tests.conftest import start_gateway, stop_gateway
from tests.fakes.telegram_api import FakeBotAPI
from tests.handoff.conftest import Console, ensure_user, user_says

APP_ID, OA_SECRET, SMS_KEY = "4318523937592871234", "oa-secret-KEY", "kannel-shared-KEY"
TOTAL = 10_000


@pytest.fixture
async def exposed_gateway(redis, store):
    """Every channel switched on; Rasa and the providers are not needed to refuse junk."""
    api = FakeBotAPI(TOKEN)
    api_runner = await api.start(free_port())
    settings = dict(telegram_token=TOKEN, telegram_secret=SECRET, telegram_mode="webhook", telegram_api_url=api.url,
                    zalo_app_id=APP_ID, zalo_oa_secret=OA_SECRET, zalo_app_secret="x", zalo_access_token="a",
                    zalo_refresh_token="r", zalo_api_url=api.url, zalo_oauth_url=api.url,
                    kannel_sendsms_url=f"http://127.0.0.1:{free_port()}/cgi-bin/sendsms", sms_key=SMS_KEY,
                    sms_from="18001769")
    runner, url = await start_gateway(f"http://127.0.0.1:{free_port()}", redis, store, **settings)
    yield url
    await stop_gateway(runner)
    await api_runner.cleanup()


def zalo_signed(event, timestamp=None):
    timestamp = timestamp or str(int(time.time() * 1000))
    event = {"app_id": APP_ID, "timestamp": timestamp, **event}
    body = json.dumps(event).encode()
    return {"data": body, "headers": {"X-ZEvent-Signature": signature(APP_ID, body, timestamp, OA_SECRET)}}


def kinds(rng: random.Random, cid: str):
    """(name, method, path, kwargs, allowed statuses) makers; each call makes a fresh request."""
    junk = lambda n: bytes(rng.getrandbits(8) for _ in range(n))  # noqa: E731
    web = "/webhooks/web"
    weird_shapes = [{"sender": "s"}, {"sender": 5, "message": []}, {"sender": {"id": "1"}, "message": [1, 2]},
                    {"sender": {"id": "2"}, "event_name": "user_send_location",
                     "message": {"attachments": [{"type": "location", "payload": {"coordinates": {"latitude": "x"}}},
                                                 "str", None, 5]}},
                    {"sender": {"id": "3"}, "event_name": "user_send_text", "message": {"attachments": "nope"}},
                    {"sender": {"id": "4"}, "event_name": ["list"], "follower": "x"}]
    return [
        ("web random bytes", lambda: ("POST", web, {"data": junk(rng.randint(1, 300))}, {400})),
        ("web not utf-8", lambda: ("POST", web, {"data": json.dumps({"sender": "a", "text": "Cứu"}, ensure_ascii=False)
                                                 .encode("cp1258", "replace") + b"\xff"}, {400})),
        ("web utf-16", lambda: ("POST", web, {"data": json.dumps({"sender": "a", "text": "cứu"}).encode("utf-16")}, {400})),
        ("web not an object", lambda: ("POST", web, {"data": rng.choice([b"[]", b"5", b'"x"', b"null", b"true"])}, {400})),
        ("web nested deep", lambda: ("POST", web, {"data": b"[" * 20000 + b"]" * 20000}, {400})),
        ("web nested object", lambda: ("POST", web, {"data": b'{"a":' * 5000 + b"1" + b"}" * 5000}, {400})),
        ("web wrong types", lambda: ("POST", web, {"json": rng.choice([{"sender": 1, "text": "x"}, {"sender": "a"},
                                                                      {"sender": "a", "text": ["x"]}, {"text": "x"},
                                                                      {"sender": "", "text": "x"}])}, {400})),
        ("web empty text", lambda: ("POST", web, {"json": {"sender": "a", "text": rng.choice(["", "   ", "\x00\x00"])}},
                                    {422})),
        ("web text too long", lambda: ("POST", web, {"json": {"sender": "a", "text": "a" * 20_001}}, {413})),
        ("web body too large", lambda: ("POST", web, {"data": b"{" + b" " * 70_000 + b"}"}, {413})),
        ("web sender too long", lambda: ("POST", web, {"json": {"sender": "s" * 500, "text": "x"}}, {400})),
        ("web wrong method", lambda: ("GET", web, {}, {405})),
        ("web bad cursor", lambda: ("GET", web + "/updates", {"params": {"sender": "a", "after": "'; drop"}}, {400})),
        ("web no sender", lambda: ("GET", web + "/updates", {"params": {"after": "0"}}, {400})),
        ("telegram no secret", lambda: ("POST", "/webhooks/telegram", {"data": junk(50)}, {403})),
        ("telegram wrong secret", lambda: ("POST", "/webhooks/telegram",
                                           {"data": b"{}", "headers": {SECRET_HEADER: "x" * rng.randint(0, 300)}}, {403})),
        ("telegram junk", lambda: ("POST", "/webhooks/telegram",
                                   {"data": rng.choice([junk(80), b"[]", b"[" * 20000, b'{"update_id": "x"}',
                                                        b'{"update_id": 1, "message": "x"}']),
                                    "headers": {SECRET_HEADER: SECRET}}, {400})),
        ("zalo unsigned", lambda: ("POST", "/webhooks/zalo", {"data": json.dumps({"app_id": APP_ID, "timestamp": "1"})},
                                   {403})),
        ("zalo junk", lambda: ("POST", "/webhooks/zalo", {"data": rng.choice([junk(60), b"[1]", b"{}", b"[" * 20000])},
                               {400})),
        ("zalo stale", lambda: ("POST", "/webhooks/zalo", zalo_signed(
            {"event_name": "user_send_text", "sender": {"id": "9"}, "message": {"text": "x", "msg_id": "m"}},
            timestamp=str(int((time.time() - 7200) * 1000))), {403})),
        ("zalo signed odd shapes", lambda: ("POST", "/webhooks/zalo", zalo_signed(rng.choice(weird_shapes)), {200})),
        ("sms no key", lambda: ("GET", "/webhooks/sms", {"params": {"from": "0912345678", "text": "cuu"}}, {403})),
        ("sms wrong key", lambda: ("GET", "/webhooks/sms", {"params": {"key": "k" * rng.randint(0, 64), "text": "x"}},
                                   {403})),
        ("sms bad charset", lambda: ("GET", "/webhooks/sms?key=" + SMS_KEY + "&from=1&text=%FF%FE%FD&charset=utf-8",
                                     {}, {400})),
        ("sms unknown charset", lambda: ("GET", "/webhooks/sms", {"params": {"key": SMS_KEY, "from": "1", "text": "a",
                                                                             "charset": "klingon"}}, {400})),
        ("sms no sender", lambda: ("GET", "/webhooks/sms", {"params": {"key": SMS_KEY, "text": "cuu em"}}, {400})),
        ("sms dlr forged", lambda: ("GET", "/webhooks/sms/dlr", {"params": {"ref": "x", "status": "1"}}, {403})),
        ("sms dlr bad status", lambda: ("GET", "/webhooks/sms/dlr", {"params": {"key": SMS_KEY, "status": "ok"}}, {400})),
        ("login junk", lambda: ("POST", "/api/login", {"data": rng.choice([junk(40), b"[]", b"[" * 20000])}, {400})),
        ("login wrong types", lambda: ("POST", "/api/login", {"json": rng.choice([{"username": 1, "password": 2},
                                                                                  {"username": "a"}, {}])}, {400})),
        ("api unauthenticated", lambda: (rng.choice(["GET", "POST"]), rng.choice(
            ["/api/queue", f"/api/conversations/{cid}", f"/api/conversations/{cid}/claim", "/api/stats.csv",
             "/api/conversations/%2e%2e%2f%2e%2e", "/api/audit"]), {}, {401, 405})),
        ("api unknown route", lambda: ("GET", "/api/" + uuid.uuid4().hex, {}, {403, 404})),
        ("unknown path", lambda: (rng.choice(["GET", "POST"]), "/" + rng.choice(["wp-login.php", ".env", "admin",
                                                                                 "static/../../etc/passwd", "%00"]),
                                  {}, {403, 404})),
        ("wrong method", lambda: (rng.choice(["PUT", "DELETE", "PATCH"]), rng.choice(
            ["/webhooks/web", "/webhooks/telegram", "/api/login", "/console/"]), {}, {405})),
    ]


async def test_ten_thousand_malformed_requests_are_refused_and_the_gateway_keeps_serving(
        exposed_gateway, store, http, caplog):
    gateway, rng = exposed_gateway, random.Random(2026)
    caplog.set_level(logging.WARNING)
    ensure_user(store, "trang")
    console = Console(gateway)
    assert (await console.login("trang"))[0] == 200
    with store.engine.connect() as db:
        stored_before = db.execute(sa.text("SELECT count(*) FROM messages")).scalar()
    cid = uuid.uuid4().hex
    makers = kinds(rng, cid)
    # Signed-in junk: a counsellor's console sending nonsense to case actions.
    signed_in = [
        ("POST", f"/api/conversations/{cid}/claim", {"data": b"[" * 20000}, {400, 404}),
        ("POST", f"/api/conversations/{cid}/messages", {"json": {"text": 5}}, {400, 404}),
        ("POST", f"/api/conversations/{cid}/close", {"json": {"outcomes": "x", "victim": []}}, {400, 404}),
        ("GET", "/api/conversations", {"params": {"from": "yesterday", "urgency": "' or 1=1 --"}}, {400, 403}),
        ("GET", "/api/stats", {"params": {"from": "x", "to": "y"}}, {400, 403}),
    ]
    unexpected = []
    counts = {}

    async def one(i: int) -> None:
        if i % 25 == 0:
            name, (method, path, kwargs, allowed) = "console junk", rng.choice(signed_in)
            session = console.http
            kwargs = {**kwargs, "headers": {"X-CSRF-Token": console.csrf}}
        else:
            name, make = makers[i % len(makers)]
            method, path, kwargs, allowed = make()
            session = http
        async with session.request(method, gateway + path, **kwargs) as response:
            await response.read()
            counts[name] = counts.get(name, 0) + 1
            if response.status not in allowed:
                unexpected.append((name, method, path, response.status))

    queue = iter(range(TOTAL))

    async def worker() -> None:
        for i in queue:
            await one(i)

    try:
        await asyncio.gather(*(worker() for _ in range(32)))
    finally:
        await console.close()
    assert sum(counts.values()) == TOTAL and len(counts) == len(makers) + 1
    assert sorted(set(unexpected)) == []

    # Raw garbage on the socket: not HTTP at all, and a header line too long.
    for payload in (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(200), b"GET / HTTP/1.1\r\nX: " + b"a" * 20000
                    + b"\r\n\r\n", b"POST /webhooks/web HTTP/1.1\r\nContent-Length: -5\r\n\r\n"):
        reader, writer = await asyncio.open_connection("127.0.0.1", int(gateway.rsplit(":", 1)[1]))
        writer.write(payload)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(200), 10)
        assert answer == b"" or re.match(rb"HTTP/1\.[01] 4\d\d ", answer), answer[:40]
        writer.close()

    with store.engine.connect() as db:
        assert db.execute(sa.text("SELECT count(*) FROM messages")).scalar() == stored_before
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    # Still serving people: an urgent message is answered and escalated.
    async with http.get(f"{gateway}/healthz") as r:
        assert r.status == 200
    replies = await user_says(http, gateway, uuid.uuid4().hex, "cứu em, em bị nhốt")
    assert replies and "113" in "\n".join(replies)
    console = Console(gateway)
    await console.login("trang")
    _, queue_now = await console.call("GET", "/api/queue")
    await console.close()
    assert len(queue_now["waiting"]) == 1
