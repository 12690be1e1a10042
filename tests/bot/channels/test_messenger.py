"""Facebook Messenger through the real gateway and a local fake of Meta's Send API (real JSON,
real X-Hub-Signature-256 signatures), as the other channels are tested."""
import asyncio
import json
import time
import uuid

import pytest

from handoff import texts
from handoff.keys import Keys
from handoff.texts import GREETING, NOT_TEXT
from tools.launcher import free_port
from tests.conftest import start_gateway, stop_gateway
from tests.fakes.messenger_api import RATE_LIMITED, UNAVAILABLE, FakeMessenger
from tests.handoff.conftest import Console, ensure_user

PAGE_TOKEN, APP_SECRET, VERIFY_TOKEN = "EAAGpage-TOKEN-4711", "app-SECRET-messenger-99", "verify-TOKEN-hotline"
DAY = 24 * 3600


@pytest.fixture
async def messenger_api():
    api = FakeMessenger(PAGE_TOKEN, APP_SECRET)
    runner = await api.start(free_port())
    yield api
    await runner.cleanup()


def messenger_settings(api, **extra):
    return dict(messenger_page_token=PAGE_TOKEN, messenger_app_secret=APP_SECRET,
                messenger_verify_token=VERIFY_TOKEN, messenger_api_url=api.url, send_attempts=3,
                send_backoff_s=0.01, **extra)


@pytest.fixture
async def messenger_gateway(messenger_api, redis, store):
    """The gateway with Rasa down: urgent messages, escalation and counsellors need no Rasa."""
    runner, url = await start_gateway(f"http://127.0.0.1:{free_port()}", redis, store,
                                      **messenger_settings(messenger_api))
    yield runner, url
    await stop_gateway(runner)


async def deliver(http, gateway, body, headers):
    async with http.post(f"{gateway}/webhooks/messenger", data=body, headers=headers) as r:
        return r.status


def new_psid():
    return str(uuid.uuid4().int)[:16]


async def set_last_inbound(redis, api, psid, age_s):
    """The person last wrote ``age_s`` ago, for the gateway and for Meta (the fake) alike."""
    at = time.time() - age_s
    await redis.set(Keys().channel_record("messenger:last-in", psid), repr(at))
    api.last_wrote[psid] = at


async def test_the_webhook_is_verified_with_our_token_only(http, messenger_gateway):
    _, gateway = messenger_gateway
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    async with http.get(f"{gateway}/webhooks/messenger", params=query) as r:
        assert r.status == 200 and r.content_type == "text/plain" and await r.text() == "1158201444"
    for wrong in ({**query, "hub.verify_token": "guessed"}, {**query, "hub.mode": "unsubscribe"},
                  {"hub.challenge": "1158201444"}):
        async with http.get(f"{gateway}/webhooks/messenger", params=wrong) as r:
            assert r.status == 403 and "1158201444" not in await r.text()


async def test_the_channel_is_off_without_its_settings(http, redis, store):
    runner, gateway = await start_gateway(f"http://127.0.0.1:{free_port()}", redis, store)
    try:
        async with http.get(f"{gateway}/webhooks/messenger", params={"hub.mode": "subscribe"}) as r:
            assert r.status == 404
    finally:
        await stop_gateway(runner)


async def test_forged_missing_and_tampered_signatures_are_refused_unparsed(http, messenger_gateway, messenger_api):
    _, gateway = messenger_gateway
    psid = new_psid()
    body, headers = messenger_api.event(messenger_api.messaging(psid, "cứu em"))
    forged_body, forged = messenger_api.event(messenger_api.messaging(psid, "cứu em"), app_secret="not-our-secret")
    assert await deliver(http, gateway, forged_body, forged) == 403
    assert await deliver(http, gateway, body, {"Content-Type": "application/json"}) == 403
    assert await deliver(http, gateway, body, {**headers, "X-Hub-Signature-256": "sha256=" + "0" * 64}) == 403
    assert await deliver(http, gateway, body.replace("cứu em".encode(), b"xin chao"), headers) == 403
    # Not even parsed: a body that is not JSON at all is refused for its signature, not its shape.
    assert await deliver(http, gateway, b"{oops", {"X-Hub-Signature-256": "sha256=" + "1" * 64}) == 403
    assert messenger_api.sent == []
    assert await deliver(http, gateway, body, headers) == 200
    assert messenger_api.to(psid)


async def test_malformed_and_foreign_events_are_not_handled(http, messenger_gateway, messenger_api):
    _, gateway = messenger_gateway
    from bot.channels.messenger import signature
    assert await deliver(http, gateway, b"{oops", {"X-Hub-Signature-256": signature(APP_SECRET, b"{oops")}) == 400
    body, headers = messenger_api.signed({"object": "instagram", "entry": []})
    assert await deliver(http, gateway, body, headers) == 404
    body, headers = messenger_api.signed({"object": "page", "entry": [{"messaging": [{"sender": 7}, "x"]}, 3]})
    assert await deliver(http, gateway, body, headers) == 200
    assert messenger_api.sent == []


async def test_an_urgent_message_is_escalated_and_answered_with_response(http, messenger_gateway, messenger_api):
    runner, gateway = messenger_gateway
    psid = new_psid()
    body, headers = messenger_api.event(messenger_api.messaging(psid, "e bi giu ho chieu, ko cho ve"))
    assert await deliver(http, gateway, body, headers) == 200
    [safety, *_] = messenger_api.sends_to(psid)
    assert safety["messaging_type"] == "RESPONSE" and "tag" not in safety
    assert safety["message"]["text"].startswith("Mình đã nhận được tin")
    handoff = runner.app["handoff"]
    cid = await handoff.conversations.conversation_for("messenger", psid)
    assert (await handoff.conversations.state(cid))["priority"] == "critical"


async def test_duplicates_are_answered_once_and_echoes_ignored(http, messenger_gateway, messenger_api):
    _, gateway = messenger_gateway
    psid = new_psid()
    body, headers = messenger_api.event(messenger_api.messaging(psid, "em bị nhốt, cứu em", mid="m_dup-1"))
    statuses = await asyncio.gather(*(deliver(http, gateway, body, headers) for _ in range(4)))
    assert statuses == [200] * 4
    assert sum(t.startswith("Mình đã nhận được tin") for t in messenger_api.to(psid)) == 1
    before = len(messenger_api.to(psid))
    # The page's own message comes back as an echo: not the person's, never answered.
    body, headers = messenger_api.event(messenger_api.messaging(psid, "Mình đã nhận được tin", echo=True))
    assert await deliver(http, gateway, body, headers) == 200
    assert len(messenger_api.to(psid)) == before
    body, headers = messenger_api.event(messenger_api.messaging(psid, attachments=[
        {"type": "image", "payload": {"url": "https://scontent.xx.fbcdn.net/v/t1/a.jpg"}}]))
    assert await deliver(http, gateway, body, headers) == 200
    assert await deliver(http, gateway, body, headers) == 200  # Meta's retry of it
    assert messenger_api.to(psid)[before:] == [NOT_TEXT]


async def test_get_started_is_greeted(http, messenger_gateway, messenger_api):
    runner, gateway = messenger_gateway
    psid = new_psid()
    body, headers = messenger_api.event(messenger_api.postback(psid))
    assert await deliver(http, gateway, body, headers) == 200
    assert messenger_api.to(psid) == [runner.app["directory"].render(GREETING)]


async def test_the_bot_answers_through_the_send_api(http, messenger_api, backend, redis, store):
    runner, gateway = await start_gateway(backend.rasa_url, redis, store, backend.token,
                                          **messenger_settings(messenger_api))
    try:
        psid = new_psid()
        body, headers = messenger_api.event(messenger_api.messaging(psid, "goi 111 co mat tien khong"))
        assert await deliver(http, gateway, body, headers) == 200
        sends = messenger_api.sends_to(psid)
        assert any("miễn phí" in s["message"]["text"] for s in sends)
        assert {s["messaging_type"] for s in sends} == {"RESPONSE"}
    finally:
        await stop_gateway(runner)


async def escalated_and_claimed(http, gateway, api, store, psid, username):
    body, headers = api.event(api.messaging(psid, "e bi giu ho chieu, ko cho ve"))
    assert await deliver(http, gateway, body, headers) == 200
    ensure_user(store, username)
    console = Console(gateway)
    await console.login(username)
    _, queue = await console.call("GET", "/api/queue")
    [case] = queue["waiting"]
    assert case["channel"] == "messenger" and case["priority"] == "critical" and psid not in json.dumps(queue)
    await console.call("POST", f"/api/conversations/{case['id']}/claim")
    return console, case["id"]


async def test_a_counsellor_replies_inside_the_24_hours_with_response(http, messenger_gateway, messenger_api, store):
    _, gateway = messenger_gateway
    psid = new_psid()
    console, cid = await escalated_and_claimed(http, gateway, messenger_api, store, psid, "mess.lan")
    try:
        status, _ = await console.call("POST", f"/api/conversations/{cid}/messages", {"text": "Chị đây, em đang ở đâu?"})
        assert status == 200
        assert messenger_api.to(psid)[-2:] == [texts.claimed("Mess.Lan"), "Mess.Lan (tư vấn viên): Chị đây, em đang ở đâu?"]
        last = messenger_api.sends_to(psid)[-1]
        assert last["messaging_type"] == "RESPONSE" and "tag" not in last
    finally:
        await console.close()


async def test_after_24_hours_a_counsellor_replies_with_the_human_agent_tag(http, messenger_gateway, messenger_api,
                                                                              redis, store):
    _, gateway = messenger_gateway
    psid = new_psid()
    console, cid = await escalated_and_claimed(http, gateway, messenger_api, store, psid, "mess.hoa")
    try:
        await set_last_inbound(redis, messenger_api, psid, 2 * DAY)
        status, _ = await console.call("POST", f"/api/conversations/{cid}/messages", {"text": "Em còn an toàn không?"})
        assert status == 200
        last = messenger_api.sends_to(psid)[-1]
        assert last == {"recipient": {"id": psid}, "messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT",
                        "message": {"text": "Mess.Hoa (tư vấn viên): Em còn an toàn không?"}}
    finally:
        await console.close()


async def test_past_7_days_the_console_says_the_window_is_closed(http, messenger_gateway, messenger_api, redis, store):
    runner, gateway = messenger_gateway
    psid = new_psid()
    console, cid = await escalated_and_claimed(http, gateway, messenger_api, store, psid, "mess.mai")
    try:
        await runner.app["handoff"].intake.set_intake(cid, "", "", "gọi số của chị gái sau 8 giờ tối")
        await set_last_inbound(redis, messenger_api, psid, 8 * DAY)
        sent = len(messenger_api.sent)
        status, body = await console.call("POST", f"/api/conversations/{cid}/messages", {"text": "Em ơi?"})
        assert status == 502 and body["error"] == "delivery_failed"
        closed = texts.window_closed("messenger", "gọi số của chị gái sau 8 giờ tối")
        assert body["message"] == closed and "7 ngày" in closed
        assert len(messenger_api.sent) == sent  # nothing tried: Meta would refuse it
        _, conversation = await console.call("GET", f"/api/conversations/{cid}")
        assert [m["role"] for m in conversation["messages"][-2:]] == ["counsellor", "system"]
        assert conversation["messages"][-2]["text"] == "Em ơi?"  # kept, not lost
        assert conversation["messages"][-1]["text"] == closed
    finally:
        await console.close()


async def test_sends_meta_refuses_are_retried_or_given_up(http, messenger_gateway, messenger_api, redis):
    runner, _ = messenger_gateway
    channel, outbound = runner.app["messenger"], runner.app["outbound"]
    psid = new_psid()
    await set_last_inbound(redis, messenger_api, psid, 60)
    messenger_api.fail_next = [(400, RATE_LIMITED), (500, {})]  # a rate limit, a hiccup: then it goes
    await outbound.deliver("messenger", psid, "Xin chào")
    assert messenger_api.to(psid) == ["Xin chào"]
    messenger_api.fail_next = [(400, UNAVAILABLE)] * 3  # the person blocked the page: no retry
    from handoff.errors import DeliveryFailed
    with pytest.raises(DeliveryFailed) as failed:
        await outbound.deliver("messenger", psid, "Em ơi?")
    assert failed.value.attempts == 1 and len(messenger_api.fail_next) == 2
    # A long answer goes in parts of at most 2000 characters, each accepted by Meta.
    messenger_api.fail_next = []
    await channel.send(psid, "Một đoạn dài. " * 400)
    assert len(messenger_api.to(psid)) == 1 + 3 and all(len(t) <= 2000 for t in messenger_api.to(psid))
