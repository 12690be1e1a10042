"""The handoff with the real Rasa server and action server: escalations the dialogue
makes, the intake form while waiting, the pause while a counsellor holds the chat."""
import uuid

import aiohttp

from directory.messages import SAFETY_OPENING
from directory import Directory
from handoff import texts
from nlu.urgency import default_detector
from tests.conftest import rasa_tracker
from tests.handoff.conftest import Console, ensure_user, user_receives, user_says


async def console_for(gateway, store, username):
    ensure_user(store, username)
    console = Console(gateway)
    assert (await console.login(username))[0] == 200
    return console


async def rasa_paused(backend, sender_key):
    async with aiohttp.ClientSession() as http:
        return (await rasa_tracker(http, backend.rasa_url, backend.token, sender_key))["paused"]


async def test_asking_for_a_person_queues_starts_intake_and_pauses_rasa_while_held(
        http, gateway, backend, store, redis):
    sender = uuid.uuid4().hex
    replies = await user_says(http, gateway, sender, "cho mình gặp nhân viên tư vấn với")
    joined = "\n".join(replies)
    assert "vị trí số 1" in joined and "bạn đang ở đâu" in joined  # place in line, then the intake form
    assert await redis.zcard("hl:queue") == 1
    replies = await user_says(http, gateway, sender, "em ở Móng Cái, Quảng Ninh")
    assert any("Lúc này có ai đang xem điện thoại của bạn không?" in r for r in replies)
    replies = await user_says(http, gateway, sender, "không")
    assert any("liên hệ lại" in r for r in replies)
    replies = await user_says(http, gateway, sender, "nhắn zalo sau 9 giờ tối")
    assert any("Cảm ơn bạn" in r for r in replies)

    lan = await console_for(gateway, store, "rasa.lan")
    try:
        _, queue = await lan.call("GET", "/api/queue")
        [case] = queue["waiting"]
        assert case["priority"] == "normal" and case["trigger"] == "human_request"
        _, conversation = await lan.call("GET", f"/api/conversations/{case['id']}")
        said = [m["text"] for m in conversation["messages"] if m["role"] == "user"]
        assert said[1:] == ["em ở Móng Cái, Quảng Ninh", "không", "nhắn zalo sau 9 giờ tối"]
        # stored as what it means: "không" to "is anyone watching?" is nobody watching
        assert conversation["intake"] == {"location": "em ở Móng Cái, Quảng Ninh", "safe_now": "không có ai đang xem điện thoại",
                                          "contact": "nhắn zalo sau 9 giờ tối", "do_not_contact": False}

        await lan.call("POST", f"/api/conversations/{case['id']}/claim")
        assert await rasa_paused(backend, f"web:{sender}") is True
        assert await user_says(http, gateway, sender, "chị ơi em sợ lắm") == []  # the bot stays silent
        await lan.call("POST", f"/api/conversations/{case['id']}/messages", {"text": "Chị đây, em cứ kể."})
        await lan.call("POST", f"/api/conversations/{case['id']}/close",
                       {"outcomes": ["counselling_psychological"], "victim": "unknown"})
        assert await rasa_paused(backend, f"web:{sender}") is False
        got, _ = await user_receives(http, gateway, sender)
        assert got[-1].startswith(Directory.load().render(texts.closed()))
        # back with the bot, which answers afresh (no form left half-open)
        replies = await user_says(http, gateway, sender, "số tổng đài hỗ trợ nạn nhân là gì")
        assert any("111" in r for r in replies)
    finally:
        await lan.close()


async def test_a_returnee_asking_about_support_gets_the_answer_and_is_not_queued(http, gateway, redis):
    text = "Em từng bị bán sang Trung Quốc năm 2018, giờ về quê rồi, cho em hỏi có được hỗ trợ học nghề không ạ"
    replies = await user_says(http, gateway, uuid.uuid4().hex, text)
    assert await redis.zcard("hl:queue") == 0
    assert any("học nghề" in r for r in replies), replies
    assert not any(r.startswith(SAFETY_OPENING) for r in replies)  # no "call 113 now"


async def test_a_person_moved_across_the_border_tonight_is_queued_critical_with_the_safety_answer(
        http, gateway, redis):
    text = "tối nay bọn nó đưa cả nhóm bọn em qua sông sang bên kia, em sợ lắm"
    replies = await user_says(http, gateway, uuid.uuid4().hex, text)
    [cid] = [c.decode() for c in await redis.zrange("hl:queue", 0, -1)]
    assert (await redis.hget(f"hl:conv:{cid}", "priority")) == b"critical"
    assert sum(r.startswith(SAFETY_OPENING) for r in replies) == 1 and any("vị trí số 1" in r for r in replies)


async def test_an_urgent_message_the_first_check_misses_is_escalated_by_the_nlu(http, gateway, redis):
    # The gateway's first check (the text alone) rates this message normal; Rasa's urgent_rescue
    # intent sends it to the rescue action, whose check with the intent escalates it.
    text = "em muon ve que ma ho bat o lai"
    assert default_detector().assess(text).level == "normal"
    assert default_detector().assess(text, {"urgent_rescue": 0.95}).is_urgent
    await user_says(http, gateway, uuid.uuid4().hex, text)
    [cid] = [c.decode() for c in await redis.zrange("hl:queue", 0, -1)]
    assert (await redis.hget(f"hl:conv:{cid}", "trigger")) == b"nlu"
