"""The handoff library against a real Redis and a real SQL store."""
import asyncio
import time
import uuid

import pytest
import sqlalchemy as sa
from redis.asyncio import Redis

from directory import Directory
from handoff import texts
from handoff.errors import HandoffError
from handoff.service import Handoff
from handoff.store import conversations
from shared.config import Config
from tests.conftest import TEST_REDIS_URL
from tests.handoff.conftest import ensure_user, new_conversation


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


async def test_concurrent_escalations_open_one_contact(handoff, store):
    cid = await new_conversation(handoff)
    results = await asyncio.gather(*(handoff.queue.escalate(cid, "critical", "urgency") for _ in range(10)))
    assert sorted(r.status for r in results).count("queued") == 1
    assert len(store.contacts_of(cid)) == 1
    assert len({r.contact_id for r in results}) == 1


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


async def test_a_counsellor_who_vanishes_loses_the_case_to_another_without_losing_messages(handoff, store, outbox):
    ensure_user(store, "an")
    ensure_user(store, "binh")
    cid = await new_conversation(handoff, sender="user-1")
    first = await handoff.transcript.record(cid, "user", "cứu em, em bị nhốt")
    await handoff.queue.escalate(cid, "critical", "urgency", ["confinement"], first["id"])
    await handoff.presence.heartbeat("an")
    await handoff.claims.claim(cid, "an")
    await handoff.replies.reply(cid, "an", "Mình đây, bạn đang ở đâu?")
    await handoff.transcript.record(cid, "user", "em ở Bavet")  # written while an's laptop is dying
    # an's console stops sending heartbeats; binh's keeps going
    await redis_age_presence(handoff, "an", seconds=handoff.config.heartbeat_timeout_s + 1)
    await handoff.presence.heartbeat("binh")
    assert await handoff.watchdog.sweep() == {"requeued": 1, "alerted": 0}
    state = await handoff.conversations.state(cid)
    assert state["state"] == "queued" and state["returned"] == "1"
    assert [w.conversation_id for w in await handoff.queue.ordered()][0] == cid
    await handoff.transcript.record(cid, "user", "có ai không")
    await handoff.claims.claim(cid, "binh")
    transcript = [m["text"] for m in store.messages(cid)]
    assert transcript[-3:] == ["Mình đây, bạn đang ở đâu?", "em ở Bavet", "có ai không"]
    # the user was greeted once, not again by the second counsellor
    assert outbox.to("user-1").count(texts.claimed()) == 1
    assert [e["kind"] for e in store.events(cid)] == ["queued", "claimed", "counsellor_lost", "claimed"]


async def redis_age_presence(handoff, username, seconds):
    import json

    raw = json.loads(await handoff.redis.hget(handoff.keys.presence, username))
    raw["seen"] -= seconds
    await handoff.redis.hset(handoff.keys.presence, username, json.dumps(raw))


async def test_an_unacknowledged_claim_goes_back_to_the_queue(handoff, store):
    ensure_user(store, "chi")
    cid = await new_conversation(handoff)
    await handoff.queue.escalate(cid, "high", "urgency")
    await handoff.presence.heartbeat("chi")
    await handoff.claims.claim(cid, "chi")
    assert await handoff.watchdog.sweep() == {"requeued": 0, "alerted": 0}
    assert (await handoff.watchdog.sweep(now=time.time() + handoff.config.ack_timeout_s + 1))["requeued"] == 1
    assert (await handoff.conversations.state(cid))["state"] == "queued"
    # a reply acknowledges: no requeue after that
    await handoff.claims.claim(cid, "chi")
    await handoff.replies.reply(cid, "chi", "Chào bạn")
    assert (await handoff.watchdog.sweep(now=time.time() + handoff.config.ack_timeout_s + 1))["requeued"] == 0


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


async def test_warm_transfer_keeps_the_note_and_does_not_greet_twice(handoff, store, outbox):
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
    assert outbox.to("user-2") == [texts.claimed(), "Chào em, chị là Hà"]
    # cold transfer back to the queue: head of its priority
    await handoff.transfers.transfer(cid, "ha", None)
    assert (await handoff.conversations.state(cid))["returned"] == "1"


async def test_close_sends_the_survey_and_stores_the_answers(handoff, store, outbox):
    ensure_user(store, "khanh")
    cid = await new_conversation(handoff, sender="user-3")
    esc = await handoff.queue.escalate(cid, "normal", "human_request")
    await handoff.claims.claim(cid, "khanh")
    with pytest.raises(HandoffError):
        await handoff.claims.close(cid, "khanh", [], "unknown")
    await handoff.claims.close(cid, "khanh", ["counselling_policy"], "not_victim")
    assert texts.SURVEY["satisfied"] in outbox.to("user-3")[-1]
    assert await handoff.intake.survey_reply(cid, "1") == texts.SURVEY["helped"]
    assert await handoff.intake.survey_reply(cid, "khong") == texts.survey_thanks()
    assert await handoff.intake.survey_reply(cid, "1") is None  # survey over
    contact = store.contact(esc.contact_id)
    assert contact["survey_satisfied"] is True and contact["survey_helped"] is False


async def test_an_unclaimed_critical_case_alerts_once_and_resends_safety(handoff, outbox):
    cid = await new_conversation(handoff, sender="user-4")
    await handoff.queue.escalate(cid, "critical", "urgency", ["confinement"])
    assert (await handoff.watchdog.sweep())["alerted"] == 0
    later = time.time() + handoff.config.critical_alert_s + 1
    assert (await handoff.watchdog.sweep(now=later))["alerted"] == 1
    assert (await handoff.watchdog.sweep(now=later + 5))["alerted"] == 0
    assert outbox.to("user-4") == [Directory.load().render(texts.still_waiting_critical())]
    assert [a["conversation"] for a in await handoff.watchdog.alerts()] == [cid]


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


async def test_follow_ups_show_the_safe_contact_answer_and_respect_a_no(redis, store):
    from shared.config import Config

    handoff = Handoff(redis, store, Config(follow_up_after_s=0.3))
    ensure_user(store, "ngoc")
    cid = await new_conversation(handoff)
    await handoff.transcript.record(cid, "user", "em bị giữ giấy tờ")
    await handoff.queue.escalate(cid, "high", "urgency")
    await handoff.claims.claim(cid, "ngoc")
    await handoff.replies.reply(cid, "ngoc", "Chị đây")  # the user just wrote: no question asked
    await handoff.intake.set_intake(cid, "Móng Cái", "có", "nhắn sau 9 giờ tối, nếu có người thì em không trả lời")
    await asyncio.sleep(0.4)
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


def test_refusals_of_contact_are_recognised():
    from handoff.texts import refuses_contact

    for answer in ("không", "ko", "Đừng liên hệ lại", "khong goi lai", "dung nhan tin"):
        assert refuses_contact(answer), answer
    for answer in ("nhắn zalo sau 9 giờ tối", "gọi số này buổi sáng", "bỏ qua"):
        assert not refuses_contact(answer), answer


async def test_the_province_named_is_kept_for_the_statistics(handoff, store):
    cid = await new_conversation(handoff)
    esc = await handoff.queue.escalate(cid, "critical", "urgency", ["confinement"], None, "cuu em, em o quang ninh")
    places = [e["detail"] for e in store.events(cid) if e["kind"] == "place"]
    assert places == [{"province": "Quảng Ninh"}] and esc.status == "queued"
