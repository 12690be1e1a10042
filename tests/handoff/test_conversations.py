"""Conversations (handoff/conversations.py) against a real Redis and a real SQL store."""
import asyncio
import uuid

import sqlalchemy as sa

from handoff.store.tables import conversations
from tests.handoff.conftest import new_conversation


async def test_after_redis_loses_its_data_the_transcript_goes_on_in_the_same_conversation(handoff, redis):
    cid = await new_conversation(handoff, sender="user-6")
    await handoff.transcript.record(cid, "user", "xin chào")
    await redis.flushdb()
    assert await handoff.conversations.conversation_for("web", "user-6") == cid


async def test_first_messages_at_once_make_one_conversation_and_leave_no_empty_one(handoff, store):
    sender = uuid.uuid4().hex
    found = await asyncio.gather(*(handoff.conversations.conversation_for("zalo", sender, pointer_missing=True) for _ in range(8)))
    assert len(set(found)) == 1
    with store.engine.connect() as db:
        rows = db.execute(sa.select(conversations.c.id).where(conversations.c.sender == sender)).all()
    assert [r[0] for r in rows] == found[:1]  # the losers removed the rows they had made
    assert (await handoff.conversations.state(found[0]))["channel"] == "zalo"


def test_a_conversation_is_removed_only_while_it_has_no_message(store):
    cid, created = store.find_or_create_conversation("web", uuid.uuid4().hex, uuid.uuid4().hex)
    assert created and store.find_or_create_conversation("web", store.conversation(cid)["sender"], "other") == (
        cid, False)
    store.add_message(cid, "user", "xin chào")
    store.delete_empty_conversation(cid)
    assert store.conversation(cid) is not None
