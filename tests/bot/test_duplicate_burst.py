"""A burst of duplicate provider deliveries (a provider retrying after a timeout, or
delivering twice), spread over two gateways that share Redis: one message stored, one
set of answers sent, every delivery acknowledged."""
import asyncio
import json

import pytest

from directory.messages import SAFETY_OPENING
from bot.channels.telegram import SECRET_HEADER
from tools.launcher import free_port
from tests.bot.channels.test_telegram import SECRET, TOKEN, new_chat, telegram_settings
from tests.bot.channels.test_zalo import APP_ID, APP_SECRET, OA_SECRET, new_user, zalo_settings
from tests.conftest import start_gateway, stop_gateway
from tests.fakes.telegram_api import FakeBotAPI, text_update
from tests.fakes.zalo_api import FakeZalo

COPIES = 60


@pytest.fixture
async def providers():
    telegram = FakeBotAPI(TOKEN)
    zalo = FakeZalo(APP_ID, APP_SECRET, access="access-0", refresh="refresh-0")
    runners = [await telegram.start(free_port()), await zalo.start(free_port())]
    yield telegram, zalo
    for runner in runners:
        await runner.cleanup()


@pytest.fixture
async def two_gateways(providers, redis, store):
    telegram, zalo = providers
    settings = {**telegram_settings(telegram), **zalo_settings(zalo)}
    started = [await start_gateway(f"http://127.0.0.1:{free_port()}", redis, store, **settings) for _ in range(2)]
    yield [url for _runner, url in started]
    for runner, _url in started:
        await stop_gateway(runner)


async def post(http, url, body, headers):
    async with http.post(url, data=body, headers=headers) as response:
        return response.status


def stored_user_messages(store, channel, sender):
    cid = store.find_conversation(channel, sender)
    return [m["text"] for m in store.messages(cid) if m["role"] == "user"]


async def test_duplicate_bursts_over_two_gateways_are_answered_once(two_gateways, providers, http, store):
    telegram, zalo = providers
    chat, user = new_chat(), new_user()
    text = "cứu em, họ nhốt em trong nhà kho"
    update = json.dumps(text_update(424242, chat, text)).encode()
    event, zalo_headers = zalo.event(OA_SECRET, "user_send_text", user, text, msg_id="burst-1")
    deliveries = []
    for i in range(COPIES):
        gateway = two_gateways[i % 2]
        deliveries.append(post(http, f"{gateway}/webhooks/telegram", update, {SECRET_HEADER: SECRET}))
        deliveries.append(post(http, f"{gateway}/webhooks/zalo", event, zalo_headers))
    statuses = await asyncio.gather(*deliveries)
    assert statuses == [200] * (2 * COPIES)

    assert stored_user_messages(store, "telegram", str(chat)) == [text]
    assert stored_user_messages(store, "zalo", user) == [text]
    for answers in (telegram.to(chat), zalo.to(user)):
        assert answers and len(answers) == len(set(answers))
        assert sum(a.startswith(SAFETY_OPENING) for a in answers) == 1
