"""A counsellor's replies and notes (handoff/replies.py, transcript.py) against a real Redis and a real SQL store."""
import asyncio

import pytest

from handoff.errors import HandoffError
from handoff.service import Handoff
from tests.handoff.conftest import ensure_user, new_conversation


async def test_message_order_is_kept_under_concurrent_senders(handoff, store):
    ensure_user(store, "dung")
    cid = await new_conversation(handoff)
    await handoff.queue.escalate(cid, "high", "urgency")
    await handoff.presence.heartbeat("dung")
    await handoff.claims.claim(cid, "dung")

    async def user(n):
        for i in range(n):
            await handoff.transcript.record(cid, "user", f"u{i}")

    async def counsellor(n):
        for i in range(n):
            await handoff.replies.reply(cid, "dung", f"c{i}")

    async def notes(n):
        for i in range(n):
            await handoff.replies.note(cid, "dung", f"n{i}")

    await asyncio.gather(user(40), counsellor(40), notes(20))
    messages = store.messages(cid)
    for prefix, n in (("u", 40), ("c", 40), ("n", 20)):
        mine = [m["text"] for m in messages if m["text"][0] == prefix and m["role"] != "system"]
        assert mine == [f"{prefix}{i}" for i in range(n)]
    ids = [m["id"] for m in messages]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)


async def test_follow_ups_show_the_safe_contact_answer_and_respect_a_no(redis, store):
    from shared.config import Config

    handoff = Handoff(redis, store, Config(follow_up_after_s=1.5))
    ensure_user(store, "ngoc")
    cid = await new_conversation(handoff)
    await handoff.transcript.record(cid, "user", "em bị giữ giấy tờ")
    await handoff.queue.escalate(cid, "high", "urgency")
    await handoff.claims.claim(cid, "ngoc")
    await handoff.replies.reply(cid, "ngoc", "Chị đây")  # the user just wrote: no question asked
    await handoff.intake.set_intake(cid, "Móng Cái", "có", "nhắn sau 9 giờ tối, nếu có người thì em không trả lời")
    await asyncio.sleep(1.6)
    with pytest.raises(HandoffError) as check:
        await handoff.replies.reply(cid, "ngoc", "Em ổn không?")
    assert check.value.code == "confirm_safe_contact" and "sau 9 giờ tối" in check.value.message
    await handoff.replies.reply(cid, "ngoc", "Em ổn không?", confirmed_safe_contact=True)
    await handoff.intake.set_intake(cid, "Móng Cái", "không", "không, đừng liên hệ lại")
    assert (await handoff.conversations.state(cid))["do_not_contact"] == "1"
    with pytest.raises(HandoffError) as blocked:
        await handoff.replies.reply(cid, "ngoc", "Em ơi?", confirmed_safe_contact=True)
    assert blocked.value.code == "do_not_contact"
    await handoff.transcript.record(cid, "user", "chị ơi em đây")  # the user writes again: answering is fine
    await handoff.replies.reply(cid, "ngoc", "Chị đây")
