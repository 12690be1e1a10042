"""Claims and the events they record (handoff/claims.py, events.py, bot_pause.py) against a real Redis and a real SQL store."""
import asyncio

import pytest
from redis.asyncio import Redis

from handoff.errors import HandoffError
from handoff.service import Handoff
from tests.conftest import TEST_REDIS_URL
from tests.handoff.conftest import ensure_user, new_conversation


async def test_each_state_change_is_recorded_once_in_sql_and_published_once(handoff, store):
    cid = await new_conversation(handoff)
    published = []

    async def listener(event):
        published.append(event.kind)

    handoff.events.listen(listener)
    ensure_user(store, "lan")
    esc = await handoff.queue.escalate(cid, "high", "urgency", ["documents_taken"])
    assert esc.status == "queued"
    assert (await handoff.queue.escalate(cid, "normal", "human_request")).status == "unchanged"
    assert (await handoff.queue.escalate(cid, "critical", "urgency", ["confinement"])).status == "raised"
    await handoff.presence.heartbeat("lan")
    await handoff.claims.claim(cid, "lan")
    await handoff.replies.reply(cid, "lan", "Chào bạn")
    await handoff.claims.close(cid, "lan", ["counselling_psychological", "referral_rescue"], "suspected")
    kinds = ["queued", "priority_raised", "claimed", "closed"]
    assert published == kinds
    assert [e["kind"] for e in store.events(cid)] == kinds
    contact = store.contact(esc.contact_id)
    assert contact["priority"] == "critical" and contact["counsellor"] == "lan"
    assert contact["queued_at"] <= contact["claimed_at"] <= contact["first_response_at"] <= contact["closed_at"]
    assert contact["outcomes"] == ["counselling_psychological", "referral_rescue"] and contact["victim"] == "suspected"
    assert (await handoff.conversations.state(cid))["state"] == "bot"


async def test_simultaneous_claims_have_exactly_one_winner(redis, store, config):
    """Five counsellors, each with their own connection, press claim together, 200 times."""
    names = [ensure_user(store, f"race{i}", capacity=1000) for i in range(5)]
    clients = [Redis.from_url(TEST_REDIS_URL) for _ in names]
    services = [Handoff(client, store, config) for client in clients]
    try:
        for _trial in range(200):
            cid = await new_conversation(services[0])
            await services[0].queue.escalate(cid, "critical", "urgency")

            async def claim(service, name):
                try:
                    await service.claims.claim(cid, name, capacity=1000)
                    return "won"
                except HandoffError as error:
                    return error.code

            outcome = await asyncio.gather(*(claim(s, n) for s, n in zip(services, names)))
            assert outcome.count("won") == 1, outcome
            assert outcome.count("already_taken") == 4, outcome
            assert (await services[0].conversations.state(cid))["counsellor"] == names[outcome.index("won")]
    finally:
        for client in clients:
            await client.close()


async def test_capacity_limits_chats_at_once(handoff, store):
    ensure_user(store, "em", capacity=1)
    first, second = await new_conversation(handoff), await new_conversation(handoff)
    for cid in (first, second):
        await handoff.queue.escalate(cid, "normal", "human_request")
    await handoff.claims.claim(first, "em", capacity=1)
    with pytest.raises(HandoffError) as refused:
        await handoff.claims.claim(second, "em", capacity=1)
    assert refused.value.code == "capacity"
    await handoff.claims.close(first, "em", ["information"], "not_victim")
    await handoff.claims.claim(second, "em", capacity=1)


class FlakyBot:
    """Rasa's pause/resume, down for the first ``failures`` calls."""

    def __init__(self, failures):
        self.failures, self.calls = failures, []

    async def pause(self, key):
        self.calls.append(("pause", key))

    async def resume(self, key):
        self.calls.append(("resume", key))
        if self.failures:
            self.failures -= 1
            raise ConnectionError("rasa is down")


async def test_a_resume_that_failed_is_retried_before_rasa_hears_the_user_again(redis, store, config):
    bot = FlakyBot(failures=1)
    handoff = Handoff(redis, store, config, bot=bot)
    ensure_user(store, "mai")
    cid = await new_conversation(handoff, sender="user-5")
    await handoff.queue.escalate(cid, "high", "urgency")
    await handoff.claims.claim(cid, "mai")
    await handoff.claims.close(cid, "mai", ["information"], "unknown")
    assert (await handoff.conversations.state(cid))["resume_pending"] == "1"
    await handoff.bot_pause.resume_if_pending(cid)
    assert (await handoff.conversations.state(cid))["resume_pending"] == ""
    assert bot.calls == [("pause", "web:user-5"), ("resume", "web:user-5"), ("resume", "web:user-5")]


async def test_a_referral_is_recorded_once_and_heard_by_the_listeners_with_nothing_for_the_consoles(
        handoff, store):
    from handoff.console.guard import find
    from handoff.console.referrals import open_referral, set_status
    from handoff.listeners import Consoles

    cid = await new_conversation(handoff)
    heard = []

    async def listener(event):
        heard.append(event)

    esc = await handoff.queue.escalate(cid, "critical", "urgency", ["confinement"])
    handoff.events.listen(listener)
    found = await find(handoff, cid)
    opened = await open_referral(handoff, handoff.directory, found, {
        "partner": "border_guard", "situation": "Bị giữ ở Bavet", "consent": True}, "lan")
    [referral] = store.referrals.of_conversation(cid)
    await set_status(handoff, referral, "sent", "", "lan")
    assert [e.kind for e in heard] == ["referral_opened", "referral_updated"]
    assert all(Consoles.payloads(e) == [] for e in heard)  # consoles saw nothing of a referral, before or now
    stored = [e for e in store.events(cid) if e["kind"].startswith("referral_")]
    rid = opened["referral"]
    assert [(e["kind"], e["actor"], e["contact_id"], e["from_state"], e["to_state"], e["detail"]) for e in stored] == [
        ("referral_opened", "lan", esc.contact_id, None, None, {"referral": rid, "partner": "border_guard"}),
        ("referral_updated", "lan", esc.contact_id, None, None, {"referral": rid, "status": "sent"})]
    assert store.referrals.get(rid)["status"] == "sent"
