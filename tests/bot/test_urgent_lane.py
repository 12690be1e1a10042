"""Issue 19: an urgent message is answered before Rasa is asked, and what Rasa adds comes after.

Rasa is the real server, behind a proxy on loopback that holds every user message until the test
lets it through: a backlog the test can see, with no timing in the assertions.
"""
import asyncio
import uuid

import aiohttp
import pytest
from aiohttp import web

from directory.messages import SAFETY_OPENING
from tools.launcher import free_port
from tests.bot.channels.test_telegram import new_chat, post_update, telegram_settings
from tests.conftest import start_gateway, stop_gateway
from tests.fakes.telegram_api import FakeBotAPI, text_update
from tests.handoff.conftest import Console, ensure_user, user_receives

URGENT = "tối nay bọn nó chở cả nhóm em qua biên giới, em đang bị nhốt trong kho, cứu em"
ASKS_WHERE = "Trong lúc chờ, bạn cho mình biết bạn đang ở đâu"  # the intake form's first question (Rasa, once queued)


class HeldRasa:
    """Forwards to the real Rasa server; user messages wait at ``gate`` until it is opened."""

    def __init__(self, target: str) -> None:
        self.target, self.gate, self.holding = target, asyncio.Event(), 0

    async def forward(self, request: web.Request) -> web.Response:
        body = await request.read()
        if request.path == "/webhooks/rest/webhook":
            self.holding += 1
            await self.gate.wait()
            self.holding -= 1
        headers = {k: v for k, v in request.headers.items() if k in ("Authorization", "Content-Type")}
        async with aiohttp.ClientSession() as http:
            async with http.request(request.method, self.target + request.path_qs, data=body, headers=headers) as r:
                return web.Response(status=r.status, body=await r.read(), content_type=r.content_type)

    async def asked(self) -> None:
        """Until a user message waits at the gate (the gate is shut: nothing can have passed)."""
        for _ in range(200):
            if self.holding:
                return
            await asyncio.sleep(0.05)
        raise AssertionError("Rasa was never asked")

    async def start(self) -> web.AppRunner:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.forward)
        runner = web.AppRunner(app)
        await runner.setup()
        self.port = free_port()
        await web.TCPSite(runner, "127.0.0.1", self.port).start()
        return runner


@pytest.fixture
async def held_rasa(backend):
    rasa = HeldRasa(backend.rasa_url)
    runner = await rasa.start()
    yield rasa
    rasa.gate.set()
    await runner.cleanup()


async def test_the_safety_answer_and_the_case_do_not_wait_for_rasa(http, held_rasa, backend, redis, store):
    runner, gateway = await start_gateway(f"http://127.0.0.1:{held_rasa.port}", redis, store, backend.token)
    sender = uuid.uuid4().hex
    ensure_user(store, "lane.lan")
    lan = Console(gateway)
    try:
        async with http.post(f"{gateway}/webhooks/web", json={"sender": sender, "text": URGENT}) as r:
            assert r.status == 200
            reply = [m["text"] for m in (await r.json())["messages"]]
        await held_rasa.asked()  # the turn goes on: Rasa is asked now, and cannot answer yet
        assert sum(t.startswith(SAFETY_OPENING) for t in reply) == 1 and any("vị trí số 1" in t for t in reply)

        # The counsellor sees the case and the message now, not after Rasa.
        assert (await lan.login("lane.lan"))[0] == 200
        _, queue = await lan.call("GET", "/api/queue")
        [case] = queue["waiting"]
        assert case["priority"] == "critical"
        _, conversation = await lan.call("GET", f"/api/conversations/{case['id']}")
        assert [m["text"] for m in conversation["messages"] if m["role"] == "user"] == [URGENT]

        # Rasa answers: its intake question follows, and the safety answer is not sent twice.
        held_rasa.gate.set()
        later, cursor = await user_receives(http, gateway, sender)
        while not any(ASKS_WHERE in t for t in later):
            more, cursor = await user_receives(http, gateway, sender, cursor)
            assert more, "Rasa's answer never came"
            later += more
        assert not any(t.startswith(SAFETY_OPENING) for t in later)
        _, conversation = await lan.call("GET", f"/api/conversations/{case['id']}")
        bot = [m["text"] for m in conversation["messages"] if m["role"] == "bot"]
        assert bot[:len(reply)] == reply and any(ASKS_WHERE in t for t in bot)  # the transcript in the order sent
    finally:
        await lan.close()
        await stop_gateway(runner)


async def test_a_question_still_waits_for_its_answer(http, held_rasa, backend, redis, store):
    runner, gateway = await start_gateway(f"http://127.0.0.1:{held_rasa.port}", redis, store, backend.token)
    try:
        asking = asyncio.ensure_future(http.post(f"{gateway}/webhooks/web",
                                                 json={"sender": uuid.uuid4().hex, "text": "cho hỏi số tổng đài"}))
        while not held_rasa.holding:  # the question reached Rasa, and its reply waits for it
            await asyncio.sleep(0.05)
        assert not asking.done()
        held_rasa.gate.set()
        async with await asking as r:
            assert any("111" in m["text"] for m in (await r.json())["messages"])
        assert await redis.zcard("hl:queue") == 0
    finally:
        await stop_gateway(runner)


async def test_on_telegram_rasas_answer_comes_after_the_safety_answer(http, held_rasa, backend, redis, store):
    api = FakeBotAPI("123456:TEST-token")
    api_runner = await api.start(free_port())
    runner, gateway = await start_gateway(f"http://127.0.0.1:{held_rasa.port}", redis, store, backend.token,
                                          **telegram_settings(api))
    chat = new_chat()
    try:
        assert await post_update(http, gateway, text_update(51, chat, URGENT)) == 200
        first = api.to(chat)
        await held_rasa.asked()
        assert first[0].startswith(SAFETY_OPENING) and "vị trí số 1" in first[1]
        held_rasa.gate.set()
        for _ in range(600):  # Rasa's first answer after a start can take seconds
            if any(ASKS_WHERE in t for t in api.to(chat)):
                break
            await asyncio.sleep(0.1)
        sent = api.to(chat)
        assert sent[:len(first)] == first and any(ASKS_WHERE in t for t in sent[len(first):])
        assert sum(t.startswith(SAFETY_OPENING) for t in sent) == 1
    finally:
        await stop_gateway(runner)
        await api_runner.cleanup()
