"""Issue 19, admission control: past the bound of messages in flight to Rasa, a question is
acknowledged at once and its answer follows through the channel's push; an urgent message still
gets its safety answer at once; a slow answer never holds the request open.

Rasa is the real server behind the holding proxy of tests/bot/test_urgent_lane.py: the backlog is
made by the test, so no assertion depends on the machine's speed.
"""
import asyncio
import uuid

from directory import default_directory
from directory.messages import SAFETY_OPENING
from bot.router import BUSY
from tests.bot.test_urgent_lane import URGENT, held_rasa  # noqa: F401 (the fixture)
from tests.conftest import start_gateway, stop_gateway
from tests.handoff.conftest import user_receives

BUSY_TEXT = default_directory("national").render(BUSY)


async def says(http, gateway, sender, text):
    async with http.post(f"{gateway}/webhooks/web", json={"sender": sender, "text": text}) as r:
        assert r.status == 200
        return [m["text"] for m in (await r.json())["messages"]]


async def pushed(http, gateway, sender, at_least=1):
    """What the person's long poll receives, until it holds ``at_least`` texts other than BUSY."""
    got, cursor = [], "0"
    for _ in range(30):
        more, cursor = await user_receives(http, gateway, sender, cursor)
        got += more
        if len([t for t in got if t != BUSY_TEXT]) >= at_least:
            return got
    raise AssertionError("the answer never came")


async def test_past_the_bound_a_question_is_told_to_wait_and_answered_after(http, held_rasa, backend, redis, store):
    runner, gateway = await start_gateway(f"http://127.0.0.1:{held_rasa.port}", redis, store, backend.token,
                                          rasa_max_in_flight=1)
    first, second, urgent = (uuid.uuid4().hex for _ in range(3))
    try:
        # The first question takes Rasa's one place, and waits for its answer.
        asking = asyncio.ensure_future(says(http, gateway, first, "cho hỏi số tổng đài"))
        await held_rasa.asked()
        # The next one is acknowledged at once, before Rasa could answer anything.
        assert await says(http, gateway, second, "đi Nhật làm việc cần giấy tờ gì") == [BUSY_TEXT]
        assert "113" in BUSY_TEXT and "111" in BUSY_TEXT  # the numbers to call in danger, even so
        # A person in danger is not told to wait: the safety answer and their place in line.
        reply = await says(http, gateway, urgent, URGENT)
        assert sum(t.startswith(SAFETY_OPENING) for t in reply) == 1 and BUSY_TEXT not in reply
        assert await redis.zcard("hl:queue") == 1
        assert not asking.done() and held_rasa.holding == 1  # the second question did not reach Rasa

        held_rasa.gate.set()
        assert any("111" in t for t in await asking)
        answers = [t for t in await pushed(http, gateway, second) if t != BUSY_TEXT]
        assert answers and not any(t.startswith(SAFETY_OPENING) for t in answers)
        # Rasa's answer (and the privacy notice of a first message), stored like any other and
        # pushed in the order stored.
        cid = store.find_conversation("web", second)
        stored = [m["text"] for m in store.messages(cid) if m["role"] == "bot"]
        answers = [t for t in await pushed(http, gateway, second, len(stored)) if t != BUSY_TEXT]
        assert stored == answers and any("giấy tờ" in t or "hộ chiếu" in t for t in answers)
    finally:
        await stop_gateway(runner)


async def test_a_slow_answer_does_not_hold_the_request_open(http, held_rasa, backend, redis, store):
    runner, gateway = await start_gateway(f"http://127.0.0.1:{held_rasa.port}", redis, store, backend.token,
                                          reply_wait_s=1.0)
    sender = uuid.uuid4().hex
    try:
        # Rasa holds every answer; the request is answered after a second anyway.
        assert await asyncio.wait_for(says(http, gateway, sender, "cho hỏi số tổng đài"), 10) == [BUSY_TEXT]
        held_rasa.gate.set()
        later = await pushed(http, gateway, sender)
        assert any("111" in t for t in later if t != BUSY_TEXT)
    finally:
        await stop_gateway(runner)


async def test_in_a_spike_an_urgent_message_takes_no_place_in_line(http, held_rasa, backend, redis, store):
    """One non-urgent message at a time (max_active_turns=1): the next question waits for its place
    (told to wait after reply_wait_s), a person in danger does not wait at all."""
    runner, gateway = await start_gateway(f"http://127.0.0.1:{held_rasa.port}", redis, store, backend.token,
                                          max_active_turns=1, reply_wait_s=1.0)
    first, second, urgent = (uuid.uuid4().hex for _ in range(3))
    try:
        asking = asyncio.ensure_future(says(http, gateway, first, "cho hỏi số tổng đài"))
        await held_rasa.asked()  # the one place is taken, by a turn waiting for Rasa
        assert await says(http, gateway, second, "đi Nhật làm việc cần giấy tờ gì") == [BUSY_TEXT]
        reply = await says(http, gateway, urgent, URGENT)
        assert sum(t.startswith(SAFETY_OPENING) for t in reply) == 1
        assert await redis.zcard("hl:queue") == 1
        held_rasa.gate.set()
        assert any("111" in t for t in await asking)
        assert [t for t in await pushed(http, gateway, second) if t != BUSY_TEXT]
    finally:
        await stop_gateway(runner)
