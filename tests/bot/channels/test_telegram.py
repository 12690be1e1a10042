"""Telegram through the real gateway and a local fake of the Bot API (real JSON both ways)."""
import asyncio
import json
import uuid

import pytest

from bot.channels.telegram import SECRET_HEADER
from handoff.texts import GREETING
from tools.launcher import free_port
from directory import Directory
from handoff import texts
from tests.conftest import start_gateway
from tests.fakes.telegram_api import FakeBotAPI, location_update, text_update
from tests.handoff.conftest import Console, ensure_user, head_of_queue

TOKEN = "123456:TEST-token"
SECRET = "s3cret-Token_value"


@pytest.fixture
async def bot_api():
    api = FakeBotAPI(TOKEN)
    runner = await api.start(free_port())
    yield api
    await runner.cleanup()


def telegram_settings(api, mode="webhook"):
    return dict(telegram_token=TOKEN, telegram_secret=SECRET, telegram_mode=mode, telegram_api_url=api.url,
                send_attempts=3, send_backoff_s=0.01)


@pytest.fixture
async def tg_gateway(bot_api, redis, store):
    """The gateway with Telegram in webhook mode; Rasa is down (the safety net answers)."""
    runner, url = await start_gateway(f"http://127.0.0.1:{free_port()}", redis, store, **telegram_settings(bot_api))
    yield url
    await runner.cleanup()


async def post_update(http, gateway, update, secret=SECRET, raw=None):
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    body = raw if raw is not None else json.dumps(update).encode()
    async with http.post(f"{gateway}/webhooks/telegram", data=body, headers=headers) as r:
        return r.status


def new_chat():
    return int(uuid.uuid4().int % 10**9) + 10**9


async def test_a_wrong_or_missing_secret_is_refused_before_the_body_is_read(http, tg_gateway, bot_api):
    update = text_update(1, new_chat(), "cứu em")
    assert await post_update(http, tg_gateway, update, secret="wrong") == 403
    assert await post_update(http, tg_gateway, update, secret=None) == 403
    assert await post_update(http, tg_gateway, None, secret="wrong", raw=b"\xff not json") == 403  # 403, not 400
    assert await post_update(http, tg_gateway, None, raw=b"\xff not json") == 400
    assert await post_update(http, tg_gateway, None, raw=b'{"update_id": "nope", "message": 5}') == 400
    assert bot_api.sent == []


async def test_the_bot_token_never_reaches_a_log(http, tg_gateway, bot_api, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    chat = new_chat()
    assert await post_update(http, tg_gateway, text_update(31, chat, "cho hỏi về học nghề")) == 200
    assert bot_api.to(chat)  # the answer went out through the Bot API, whose URLs carry the token
    # the fake Bot API's own access log (an outside service, serving /bot<token>/...) is not ours
    ours = "\n".join(r.getMessage() for r in caplog.records
                      if not (r.name == "aiohttp.access" and f"/bot{TOKEN}/" in r.getMessage()))
    assert len(ours) > 0 and TOKEN.split(":")[1] not in ours
    assert "học nghề" not in ours  # nor the message text


async def test_start_greets_once(http, tg_gateway, bot_api):
    chat = new_chat()
    for _ in range(2):  # Telegram retried the same update
        assert await post_update(http, tg_gateway, text_update(11, chat, "/start")) == 200
    assert bot_api.to(chat) == [Directory.load().render(GREETING)]


async def test_the_bot_answers_through_send_message(http, bot_api, backend, redis, store):
    runner, gateway = await start_gateway(backend.rasa_url, redis, store, backend.token, **telegram_settings(bot_api))
    try:
        chat = new_chat()
        assert await post_update(http, gateway, text_update(21, chat, "so tong dai ho tro nan nhan la gi")) == 200
        assert any("111" in t for t in bot_api.to(chat))
    finally:
        await runner.cleanup()


async def test_duplicate_deliveries_get_one_answer(http, tg_gateway, bot_api):
    chat = new_chat()
    update = text_update(31, chat, "cứu em, họ nhốt em")
    statuses = await asyncio.gather(*(post_update(http, tg_gateway, update) for _ in range(5)))
    assert statuses == [200] * 5
    answers = bot_api.to(chat)
    assert len(answers) == len(set(answers)) and sum(t.startswith("Mình đã nhận được tin") for t in answers) == 1
    # update ids restart after a quiet week: a new id lower than before is still a new message
    assert await post_update(http, tg_gateway, text_update(2, chat, "em vẫn ở đây")) == 200
    assert len(bot_api.to(chat)) > len(answers)


async def test_an_urgent_message_escalates_and_the_counsellor_answers_on_telegram(http, tg_gateway, bot_api, store):
    chat = new_chat()
    await post_update(http, tg_gateway, text_update(41, chat, "cuu e voi, e bi nhot o cty ben cam"))
    await post_update(http, tg_gateway, location_update(42, chat, 11.0917, 102.7783))
    ensure_user(store, "tg.lan")
    console = Console(tg_gateway)
    try:
        await console.login("tg.lan")
        _, queue = await console.call("GET", "/api/queue")
        [case] = queue["waiting"]
        assert case["channel"] == "telegram" and str(chat) not in json.dumps(queue)
        cid = case["id"]
        _, conversation = await console.call("GET", f"/api/conversations/{cid}")
        assert any("[Vị trí được chia sẻ: 11.09170, 102.77830]" in m["text"] for m in conversation["messages"])
        await console.call("POST", f"/api/conversations/{cid}/claim")
        status, _ = await console.call("POST", f"/api/conversations/{cid}/messages", {"text": "Chị đây, em ở Bavet à?"})
        assert status == 200
        # every message comes from the same bot account: the counsellor's name goes first
        assert bot_api.to(chat)[-2:] == [texts.claimed("Tg.Lan"), "Tg.Lan (tư vấn viên): Chị đây, em ở Bavet à?"]
        long_reply = ("Em nghe chị nói nhé. " * 500).strip()  # ~10 000 characters
        await console.call("POST", f"/api/conversations/{cid}/messages", {"text": long_reply[:3999]})
        parts_before = len(bot_api.sent)
        await console.call("POST", f"/api/conversations/{cid}/close", {"outcomes": ["referral_rescue"]})
        # a rescue referral: the case stays open, no survey to a person who may still be confined
        assert bot_api.to(chat)[-1] == Directory.load().render(texts.referral_in_progress(may_contact=True))
        assert len(bot_api.sent) == parts_before + 1
    finally:
        await console.close()


async def test_a_provider_outage_is_retried_then_shown_to_the_counsellor(http, tg_gateway, bot_api, store):
    chat = new_chat()
    await post_update(http, tg_gateway, text_update(51, chat, "họ giữ hộ chiếu của em, không cho về"))
    ensure_user(store, "tg.minh")
    console = Console(tg_gateway)
    try:
        await console.login("tg.minh")
        cid = await head_of_queue(console)
        await console.call("POST", f"/api/conversations/{cid}/claim")
        bot_api.fail_next = 2  # down twice, then back: the third attempt goes through
        status, _ = await console.call("POST", f"/api/conversations/{cid}/messages", {"text": "Em còn đó không?"})
        assert status == 200 and bot_api.to(chat)[-1] == "Tg.Minh (tư vấn viên): Em còn đó không?"
        bot_api.fail_next = 10  # down for longer than the retries
        status, body = await console.call("POST", f"/api/conversations/{cid}/messages", {"text": "Em ơi?"})
        assert status == 502 and body["error"] == "delivery_failed"
        _, conversation = await console.call("GET", f"/api/conversations/{cid}")
        assert conversation["messages"][-1]["role"] == "system"
        assert "Không gửi được tin nhắn" in conversation["messages"][-1]["text"]
        assert conversation["messages"][-2]["text"] == "Em ơi?"  # kept, not lost
    finally:
        await console.close()


def test_long_texts_are_split_within_telegrams_limit():
    from bot.channels.base import split_text

    text = ("Một đoạn dài có dấu tiếng Việt 😢 " * 400).strip()
    parts = split_text(text, 4096)
    assert len(parts) == 4 and all(len(p.encode("utf-16-le")) // 2 <= 4096 for p in parts)
    assert " ".join(parts) == text


async def test_polling_mode_for_a_laptop_without_a_public_url(bot_api, redis, store):
    runner, _gateway = await start_gateway(f"http://127.0.0.1:{free_port()}", redis, store,
                                           **telegram_settings(bot_api, mode="polling"))
    try:
        chat = new_chat()
        bot_api.push(text_update(61, chat, "cứu em, em bị nhốt"))
        for _ in range(100):
            if bot_api.to(chat):
                break
            await asyncio.sleep(0.1)
        assert any(t.startswith("Mình đã nhận được tin") for t in bot_api.to(chat))
    finally:
        await runner.cleanup()


async def test_supervisors_chat_hears_of_a_critical_case_nobody_claimed(http, bot_api, redis, store):
    supervisors = -1001234567890
    runner, gateway = await start_gateway(
        f"http://127.0.0.1:{free_port()}", redis, store, critical_alert_s=0.3, watchdog_interval_s=0.1,
        telegram_supervisor_chat=str(supervisors), **telegram_settings(bot_api))
    try:
        chat = new_chat()
        await post_update(http, gateway, text_update(71, chat, "cứu em, họ nhốt em"))
        for _ in range(50):
            if bot_api.to(supervisors):
                break
            await asyncio.sleep(0.1)
        [alert] = bot_api.to(supervisors)
        assert "KHẨN CẤP" in alert and "Telegram" in alert
        assert "nhốt" not in alert and str(chat) not in alert  # nothing of the person in it
        assert Directory.load().render(texts.still_waiting_critical()) in bot_api.to(chat)
    finally:
        await runner.cleanup()
