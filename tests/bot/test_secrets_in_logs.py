"""Every channel started at once with test secrets, used, and its failures provoked, with every
logger at DEBUG: no token, key, password or secret appears in any log line."""
import logging
import uuid
from urllib.parse import quote

import pytest
from aiohttp import web

from tools.launcher import free_port
from tests.bot.channels.test_telegram import SECRET, TOKEN, new_chat, post_update, text_update
from tests.bot.channels.test_messenger import APP_SECRET as MESSENGER_APP_SECRET
from tests.bot.channels.test_messenger import PAGE_TOKEN, VERIFY_TOKEN, messenger_settings, new_psid
from tests.bot.channels.test_messenger import deliver as deliver_messenger
from tests.bot.channels.test_zalo import APP_ID, APP_SECRET, OA_SECRET, deliver, new_user, zalo_settings
from tests.conftest import start_gateway, stop_gateway
from tests.fakes.messenger_api import UNAVAILABLE, FakeMessenger
from tests.fakes.telegram_api import FakeBotAPI
from tests.fakes.zalo_api import FakeZalo

KANNEL_PASSWORD, SMS_KEY, RASA_TOKEN = "kannel-PASS-word-7", "sms-KEY-4242", "rasa-TOKEN-9191"


@pytest.fixture
async def sendsms():
    """Kannel's sendsms interface as far as the gateway sees it: it answers "Accepted"."""
    got = []

    async def handle(request):
        got.append(dict(request.query))
        return web.Response(text="0: Accepted for delivery", status=202)

    app = web.Application()
    app.router.add_get("/cgi-bin/sendsms", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}/cgi-bin/sendsms", got
    await runner.cleanup()


async def test_no_secret_of_any_channel_reaches_a_log(http, redis, store, sendsms, caplog):
    caplog.set_level(logging.DEBUG)
    bot_api = FakeBotAPI(TOKEN)
    bot_runner = await bot_api.start(free_port())
    zalo_api = FakeZalo(APP_ID, APP_SECRET, access="access-0", refresh="refresh-0")
    zalo_runner = await zalo_api.start(free_port())
    messenger_api = FakeMessenger(PAGE_TOKEN, MESSENGER_APP_SECRET)
    messenger_runner = await messenger_api.start(free_port())
    sendsms_url, sent_sms = sendsms
    settings = {
        "telegram_token": TOKEN, "telegram_secret": SECRET, "telegram_mode": "webhook",
        "telegram_api_url": bot_api.url,
        **{k: v for k, v in zalo_settings(zalo_api).items() if k not in ("send_attempts", "send_backoff_s")},
        **{k: v for k, v in messenger_settings(messenger_api).items() if k not in ("send_attempts", "send_backoff_s")},
        "kannel_sendsms_url": sendsms_url, "kannel_username": "hotline", "kannel_password": KANNEL_PASSWORD,
        "sms_key": SMS_KEY, "sms_from": "18001769", "sms_dlr_url": "http://127.0.0.1:1/webhooks/sms/dlr",
        "send_attempts": 2, "send_backoff_s": 0.01,
    }
    # Rasa is down (its token is still sent with every try) so the safety net answers.
    runner, gateway = await start_gateway(f"http://127.0.0.1:{free_port()}", redis, store, RASA_TOKEN, **settings)
    try:
        chat = new_chat()
        assert await post_update(http, gateway, text_update(7, chat, "cứu em, họ nhốt em")) == 200
        assert await post_update(http, gateway, text_update(8, chat, "x"), secret="wrong-" + SECRET) in (401, 403)
        user = new_user()
        body, headers = zalo_api.event(OA_SECRET, "user_send_text", user, "cho em hỏi học nghề")
        assert await deliver(http, gateway, body, headers) == 200
        assert await deliver(http, gateway, body, {**headers, "X-ZEvent-Signature": "mac=" + "0" * 64}) == 403
        psid = new_psid()
        body, headers = messenger_api.event(messenger_api.messaging(psid, "cho em hỏi học nghề"))
        assert await deliver_messenger(http, gateway, body, headers) == 200
        assert await deliver_messenger(http, gateway, body, {**headers, "X-Hub-Signature-256": "sha256=0"}) == 403
        async with http.get(f"{gateway}/webhooks/messenger", params={"hub.mode": "subscribe",
                                                                     "hub.verify_token": "wrong"}) as r:
            assert r.status == 403
        messenger_api.fail_next = [(400, UNAVAILABLE)]  # a refused send is logged: by its code only
        body, headers = messenger_api.event(messenger_api.messaging(psid, "em muốn gặp tư vấn viên"))
        assert await deliver_messenger(http, gateway, body, headers) == 200
        phone = "0912345678"
        async with http.get(f"{gateway}/webhooks/sms?key={quote(SMS_KEY)}&from={phone}&text=cuu+em&id=m1") as r:
            assert r.status == 200
        async with http.get(f"{gateway}/webhooks/sms?key=wrong&from={phone}&text=x&id=m2") as r:
            assert r.status in (401, 403)
        async with http.post(f"{gateway}/api/login", json={"username": "ai-do", "password": "mật-khẩu-sai"}) as r:
            assert r.status == 401
    finally:
        await stop_gateway(runner)
        await bot_runner.cleanup()
        await zalo_runner.cleanup()
        await messenger_runner.cleanup()
    assert bot_api.to(chat) and zalo_api.to(user) and messenger_api.to(psid) and sent_sms  # every channel really answered
    # The fakes' own access logs (outside services, whose URLs carry the token) are not ours.
    ours = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records if r.name != "aiohttp.access")
    assert len(ours) > 100
    for secret in (TOKEN.split(":")[1], SECRET, OA_SECRET, APP_SECRET, "access-0", "refresh-0", KANNEL_PASSWORD,
                   SMS_KEY, RASA_TOKEN, "mật-khẩu-sai", phone, str(chat), user,
                   PAGE_TOKEN, MESSENGER_APP_SECRET, VERIFY_TOKEN, psid):
        assert secret not in ours, secret
