"""Transfers (handoff/transfers.py) against a real Redis and a real SQL store."""
import pytest

from handoff import texts
from handoff.errors import HandoffError
from tests.handoff.conftest import ensure_user, new_conversation


async def test_warm_transfer_keeps_the_note_and_tells_the_person_who_continues(handoff, store, outbox):
    ensure_user(store, "giang")
    ensure_user(store, "ha")
    cid = await new_conversation(handoff, sender="user-2")
    await handoff.queue.escalate(cid, "high", "urgency")
    await handoff.claims.claim(cid, "giang")
    await handoff.transfers.transfer(cid, "giang", "ha", note="Em 16 tuổi, đang ở Bavet, nói được lúc tối")
    state = await handoff.conversations.state(cid)
    assert state["counsellor"] == "ha" and state["acked"] == "0"
    notes = [m for m in store.messages(cid) if m["role"] == "note"]
    assert notes[-1]["text"].startswith("Em 16 tuổi") and notes[-1]["author"] == "giang"
    with pytest.raises(HandoffError):
        await handoff.replies.reply(cid, "giang", "tôi vẫn ở đây")  # no longer theirs
    await handoff.replies.reply(cid, "ha", "Chào em, chị là Hà")
    # not greeted twice as if new: told who writes from now on, and Hà's reply comes signed
    assert outbox.to("user-2") == [texts.claimed("Giang"), texts.handed_over("Ha"), "Chào em, chị là Hà"]
    assert outbox.authored("user-2")[-1] == ("counsellor", "Ha", "Chào em, chị là Hà")
    # cold transfer back to the queue: head of its priority
    await handoff.transfers.transfer(cid, "ha", None)
    assert (await handoff.conversations.state(cid))["returned"] == "1"
