"""The queue (handoff/queue.py): order (priority, ageing, cases given back, then age), the wait
estimate, and escalation against a real Redis and a real SQL store."""
import asyncio

from handoff.queue import Waiting, estimate_wait_s, order
from handoff.service import Handoff
from shared.config import Config
from tests.handoff.conftest import ensure_user, new_conversation

AGEING = {"normal": 300, "high": 900}


def ids(entries):
    return [w.conversation_id for w in entries]


def test_priority_first_then_oldest_first():
    now = 10_000
    waiting = [Waiting("n-old", "normal", now - 200), Waiting("c-new", "critical", now - 5),
               Waiting("h-new", "high", now - 10), Waiting("c-old", "critical", now - 50),
               Waiting("h-old", "high", now - 100)]
    assert ids(order(waiting, now, AGEING)) == ["c-old", "c-new", "h-old", "h-new", "n-old"]


def test_a_long_wait_raises_priority_one_step_at_a_time():
    now = 10_000
    normal = Waiting("n", "normal", now - 301)
    assert normal.effective_priority(now, AGEING) == "high"
    assert normal.effective_priority(now - 2, AGEING) == "normal"
    # normal -> high after 300 s, then high -> critical after 900 s more
    assert Waiting("n", "normal", now - 1201).effective_priority(now, AGEING) == "critical"
    assert Waiting("h", "high", now - 901).effective_priority(now, AGEING) == "critical"
    assert Waiting("n", "normal", now - 10_000).effective_priority(now, {}) == "normal"
    # the aged normal case now goes before a fresh high one: nobody starves
    fresh_high = Waiting("h", "high", now - 1)
    assert ids(order([fresh_high, normal], now, AGEING)) == ["n", "h"]


def test_a_case_given_back_goes_to_the_head_of_its_priority():
    now = 10_000
    waiting = [Waiting("older", "high", now - 100), Waiting("back", "high", now - 20, returned=True),
               Waiting("crit", "critical", now - 1)]
    assert ids(order(waiting, now, AGEING)) == ["crit", "back", "older"]


def test_wait_estimate_is_honest():
    assert estimate_wait_s(1, 0, [60, 60]) is None  # nobody online: no promise
    assert estimate_wait_s(1, 2, []) is None  # no history: no guess
    assert estimate_wait_s(1, 1, [60, 120, 600]) == 120  # the median, not the mean
    assert estimate_wait_s(3, 1, [120]) == 360
    assert estimate_wait_s(3, 2, [120]) == 240
    assert estimate_wait_s(1, 1, [2]) == 30  # never "0 minutes"


async def test_queue_orders_by_priority_then_age(handoff):
    normal = await new_conversation(handoff)
    high = await new_conversation(handoff)
    critical_old = await new_conversation(handoff)
    critical_new = await new_conversation(handoff)
    for cid, priority in ((normal, "normal"), (critical_old, "critical"), (high, "high"), (critical_new, "critical")):
        await handoff.queue.escalate(cid, priority, "urgency", ["confinement"])
        await asyncio.sleep(0.01)
    assert [w.conversation_id for w in await handoff.queue.ordered()] == [critical_old, critical_new, high, normal]
    assert await handoff.queue.position(normal) == (4, 4)


async def test_concurrent_escalations_open_one_contact(handoff, store):
    cid = await new_conversation(handoff)
    results = await asyncio.gather(*(handoff.queue.escalate(cid, "critical", "urgency") for _ in range(10)))
    assert sorted(r.status for r in results).count("queued") == 1
    assert len(store.contacts_of(cid)) == 1
    assert len({r.contact_id for r in results}) == 1


async def test_queued_message_tells_place_and_offers_the_phone_when_crowded(redis, store, outbox):
    handoff = Handoff(redis, store, Config(queue_overflow=2), deliver=outbox)
    cids = [await new_conversation(handoff) for _ in range(4)]
    for cid in cids:
        await handoff.queue.escalate(cid, "normal", "human_request")
    text = await handoff.queue.queued_message(cids[-1])
    assert "vị trí số 4" in text and "111" in text and "gọi lại" in text
    assert "chưa có tư vấn viên nào đang trực tuyến" in text
    ensure_user(store, "long")
    await handoff.presence.heartbeat("long")
    await handoff.queue.record_wait(240)
    assert "khoảng 16 phút" in await handoff.queue.queued_message(cids[-1])  # 4 min x 4 places / 1 online


async def test_the_province_named_is_kept_for_the_statistics(handoff, store):
    cid = await new_conversation(handoff)
    esc = await handoff.queue.escalate(cid, "critical", "urgency", ["confinement"], None, "cuu em, em o quang ninh")
    places = [e["detail"] for e in store.events(cid) if e["kind"] == "place"]
    assert places == [{"province": "Quảng Ninh"}] and esc.status == "queued"
