"""The Rasa server killed (-9) and restarted, and the action server down, mid-conversation:
urgent messages are escalated meanwhile, others get a safe answer with the hotline
numbers, and the conversation goes on afterwards (Rasa's tracker is in an SQL store)."""
import uuid

import pytest

from directory.messages import SAFETY_OPENING
from tools.launcher import running_backend
from tests.conftest import TEST_REDIS_URL, rasa_tracker, start_gateway, stop_gateway
from tests.handoff.conftest import user_says

UNAVAILABLE = "trợ lý tự động đang tạm gián đoạn"


@pytest.fixture(scope="module")
def own_backend(model, tmp_path_factory, database_url):
    """A backend of its own (this test kills it), with trackers in SQLite so they outlive Rasa."""
    tmp = tmp_path_factory.mktemp("crash")
    env = {"REDIS_URL": TEST_REDIS_URL, "DATABASE_URL": database_url}
    with running_backend(model, log_dir=tmp, env=env, tracker_url=f"sqlite:///{tmp / 'tracker.db'}") as backend:
        yield backend


@pytest.fixture
async def crash_gateway(own_backend, redis, store):
    runner, url = await start_gateway(own_backend.gateway_rasa_url, redis, store, own_backend.token)
    yield url
    await stop_gateway(runner)


async def tracker_texts(http, backend, sender):
    tracker = await rasa_tracker(http, backend.rasa_url, backend.token, f"web:{sender}")
    return [e.get("text") for e in tracker["events"] if e["event"] == "user"]


def answered_by_the_bot(replies):
    return replies and not any(UNAVAILABLE in r for r in replies)


async def test_rasa_killed_and_restarted(own_backend, crash_gateway, http, store, redis):
    gateway, person, endangered = crash_gateway, uuid.uuid4().hex, uuid.uuid4().hex
    assert answered_by_the_bot(await user_says(http, gateway, person, "số điện thoại đường dây nóng là gì"))

    own_backend.kill(own_backend.rasas[0])
    replies = await user_says(http, gateway, person, "đi xuất khẩu lao động cần giấy tờ gì")
    assert len(replies) == 1 and UNAVAILABLE in replies[0] and "111" in replies[0] and "113" in replies[0]
    # Urgent messages are escalated by the gateway itself, with the safety message.
    replies = await user_says(http, gateway, endangered, "cứu em, họ nhốt em trong nhà, không cho ra ngoài")
    assert "\n".join(replies).count(SAFETY_OPENING) == 1
    cid = store.find_conversation("web", endangered)
    assert (await redis.hget(f"hl:conv:{cid}", "priority")) == b"critical"
    assert await redis.zscore("hl:queue", cid) is not None

    own_backend.start_rasa(0)
    own_backend.wait()
    replies = await user_says(http, gateway, person, "đi xuất khẩu lao động cần giấy tờ gì")
    assert answered_by_the_bot(replies)
    # The same conversation: Rasa's tracker kept what was said before the crash.
    said = await tracker_texts(http, own_backend, person)
    assert said[0] == "số điện thoại đường dây nóng là gì" and said[-1] == "đi xuất khẩu lao động cần giấy tờ gì"
    # Everything is in the transcript, in order, including what Rasa never saw.
    users = [m["text"] for m in store.messages(store.find_conversation("web", person)) if m["role"] == "user"]
    assert users == ["số điện thoại đường dây nóng là gì", "đi xuất khẩu lao động cần giấy tờ gì",
                     "đi xuất khẩu lao động cần giấy tờ gì"]


async def test_action_server_down(own_backend, crash_gateway, http, store, redis):
    gateway, person = crash_gateway, uuid.uuid4().hex
    own_backend.kill(own_backend.actions)
    try:
        # A request for a person is queued by the gateway itself (nlu/person_request.py), not by the
        # custom action that is down: the person hears their place in line and the numbers.
        replies = await user_says(http, gateway, person, "cho mình gặp nhân viên tư vấn với")
        assert any("vị trí số 1" in r and "111" in r for r in replies)
        assert (await redis.hget(f"hl:conv:{store.find_conversation('web', person)}", "trigger")) == b"human_request"
        # A message whose answer needs a custom action (the fallback): the numbers, not silence.
        replies = await user_says(http, gateway, uuid.uuid4().hex, "qwerty uiop zxcv")
        assert replies and UNAVAILABLE in replies[0] and "111" in replies[0]
        # Answers that need no action still come from the bot.
        assert answered_by_the_bot(await user_says(http, gateway, person, "số điện thoại đường dây nóng là gì"))
        # An urgent message still escalates: the gateway does it, not the action server.
        await user_says(http, gateway, person, "họ đánh em, em bị nhốt, cứu em")
        cid = store.find_conversation("web", person)
        assert (await redis.hget(f"hl:conv:{cid}", "state")) == b"queued"
    finally:
        own_backend.start_actions()
        own_backend.wait()
    other = uuid.uuid4().hex
    replies = await user_says(http, gateway, other, "cho em nói chuyện với tư vấn viên")
    cid = store.find_conversation("web", other)
    assert (await redis.hget(f"hl:conv:{cid}", "state")) == b"queued" and answered_by_the_bot(replies)
