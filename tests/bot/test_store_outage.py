"""PostgreSQL going away mid-conversation (a relay in front of it is cut, as a network or a failover
does): every message is kept in Redis and reaches SQL when it is back, in order and once; an
urgent message still gets the safety answer and still reaches the counsellor, who takes it and
answers the person meanwhile; /readyz says so; and the case closes afterwards on its real contact."""
import asyncio
import json
import uuid

import pytest
import sqlalchemy as sa

from directory.messages import SAFETY_OPENING
from handoff.store.tables import audit, contacts, events, messages
from tests.conftest import start_gateway, stop_gateway
from tests.handoff.conftest import Console, ensure_user, user_receives, user_says
from tests.services import postgres_reachable
from tools.launcher import free_port

pytestmark = pytest.mark.skipif(not postgres_reachable(), reason="PostgreSQL is not reachable on 127.0.0.1:5432")


async def readiness(http, gateway):
    async with http.get(f"{gateway}/readyz") as r:
        return r.status, await r.json()


async def next_queued(ws, timeout=10):
    while True:
        message = await ws.receive(timeout=timeout)
        event = json.loads(message.data)
        if event.get("type") == "queue":
            return event


async def test_postgres_away_for_a_while_loses_nothing_and_the_urgent_lane_holds(relayed_store, redis, http):
    store, relay = relayed_store
    ensure_user(store, "hoa")
    runner, gateway = await start_gateway(f"http://127.0.0.1:{free_port()}", redis, store)  # Rasa down too
    lan = Console(gateway)
    person, other = uuid.uuid4().hex, uuid.uuid4().hex
    try:
        assert (await lan.login("hoa"))[0] == 200  # the session lives in Redis
        await user_says(http, gateway, person, "chào bạn, cho mình hỏi về xuất khẩu lao động")
        ws = await lan.http.ws_connect(gateway.replace("http", "ws") + "/api/ws")

        relay.cut()
        with pytest.raises(sa.exc.OperationalError):  # really away: no connection gets through
            store.ping()
        critical = await user_says(http, gateway, person, "cứu em, họ nhốt em trong phòng và lấy hộ chiếu rồi")
        assert critical[0].startswith(SAFETY_OPENING)  # the safety answer, with the store away
        # The counsellor's console hears of the case at once (the queue is in Redis).
        assert (await asyncio.wait_for(next_queued(ws), 10))["conversation"]
        later = await user_says(http, gateway, person, "em ở tầng 3, gần chợ")
        first_of_other = await user_says(http, gateway, other, "mình muốn hỏi học nghề miễn phí")
        assert later is not None and first_of_other  # answered (the gateway's own answer: Rasa is down)
        # The console still lists the case (the line is in Redis), without what only SQL holds.
        status, queue = await lan.call("GET", "/api/queue")
        assert status == 200
        waiting_case = next(c for c in queue["waiting"] if c["priority"] == "critical")
        assert waiting_case["on_record"] is False and "conversation.claim" in waiting_case["allowed"]
        # Opened, the case shows what was written since the store went away; the opening is audited later.
        status, body = await lan.call("GET", f"/api/conversations/{waiting_case['id']}?after=0")
        assert status == 200 and body["on_record"] is False
        assert [m["text"] for m in body["messages"] if m["role"] == "user"][0].startswith("cứu em")
        assert all(m["id"] < 0 for m in body["messages"])
        # What needs the record alone still says so clearly, not with a stack trace.
        status, body = await lan.call("GET", "/api/audit")
        assert status in (403, 503)
        # The counsellor takes the case and answers the person, the store still away.
        assert (await lan.call("POST", f"/api/conversations/{waiting_case['id']}/claim"))[0] == 200
        assert (await lan.call("POST", f"/api/conversations/{waiting_case['id']}/messages",
                               {"text": "Chị ở đây rồi. Em có an toàn để nhắn tiếp không?"}))[0] == 200
        heard, _ = await user_receives(http, gateway, person, wait_ms=3000)
        assert any("Chị ở đây rồi" in t for t in heard)  # delivered on the person's own channel
        status, ready = await readiness(http, gateway)
        assert status == 200 and ready["status"] == "degraded" and ready["spooled"] > 0
        assert ready["checks"]["store"].startswith("buffered_in_redis")
        waiting = await redis.xlen("hl:spool:entries")
        assert waiting >= 6  # two conversations' messages and answers, the contact, its events

        relay.restore()
        for _ in range(100):
            status, ready = await readiness(http, gateway)
            if ready["spooled"] == 0 and ready["checks"]["store"] == "ok":
                break
            await asyncio.sleep(0.2)
        assert ready["status"] == "degraded" and ready["checks"]["rasa"] == "unreachable"  # only Rasa now

        # Every message is in SQL, once, in the order it was written.
        with store.engine.connect() as db:
            rows = db.execute(sa.select(messages.c.conversation_id, messages.c.role, messages.c.text)
                              .order_by(messages.c.id)).all()
            texts = [r.text for r in rows if r.role == "user"]
            assert texts == ["chào bạn, cho mình hỏi về xuất khẩu lao động",
                             "cứu em, họ nhốt em trong phòng và lấy hộ chiếu rồi", "em ở tầng 3, gần chợ",
                             "mình muốn hỏi học nghề miễn phí"]
            assert len({r.conversation_id for r in rows}) == 2
            # Each message's answers follow it; the critical one's begin with the safety answer.
            roles = [r.role for r in rows if r.conversation_id == rows[0].conversation_id]
            assert roles[:2] == ["user", "bot"] and roles.count("user") == 3 and roles[-1] == "counsellor"
            after_critical = next(i for i, r in enumerate(rows) if r.text.startswith("cứu em")) + 1
            assert rows[after_critical].text.startswith(SAFETY_OPENING)
            contact = db.execute(sa.select(contacts)).one()
            assert contact.priority == "critical" and contact.id > 0
            trigger = db.execute(sa.select(messages.c.text).where(messages.c.id == contact.trigger_message_id)).scalar()
            assert trigger.startswith("cứu em")
            kinds = [e.kind for e in db.execute(sa.select(events).where(events.c.contact_id == contact.id))]
            assert "queued" in kinds
            read = db.execute(sa.select(audit.c.actor, audit.c.object).where(audit.c.action == "read_transcript")).all()
            assert read == [("hoa", waiting_case["id"])]  # the opening during the outage, once
        # The counsellor's steps during the outage reached the record; the case closes on its contact.
        with store.engine.connect() as db:
            reply = db.execute(sa.select(messages.c.role, messages.c.author).where(
                messages.c.text == "Chị ở đây rồi. Em có an toàn để nhắn tiếp không?")).one()
            assert reply == ("counsellor", "hoa")
            assert db.execute(sa.select(contacts.c.claimed_at, contacts.c.counsellor)).one()[1] == "hoa"
        case = waiting_case
        status, _ = await lan.call("POST", f"/api/conversations/{case['id']}/close",
                                   {"outcomes": ["referral_rescue"], "victim": "suspected"})
        assert status == 200
        with store.engine.connect() as db:
            closed = db.execute(sa.select(contacts)).one()
            assert closed.id == contact.id and closed.closed_at and closed.counsellor == "hoa"
        assert await redis.exists("hl:spool:active") == 0
        await ws.close()
    finally:
        await lan.close()
        await stop_gateway(runner)
