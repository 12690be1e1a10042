"""The watchdog and presence (handoff/watchdog.py, presence.py) against a real Redis and a real SQL store."""
import time

from directory import Directory
from handoff import texts
from tests.handoff.conftest import ensure_user, new_conversation


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
    transcript = [m["text"] for m in store.messages(cid) if m["role"] in ("user", "counsellor")]
    assert transcript[-3:] == ["Mình đây, bạn đang ở đâu?", "em ở Bavet", "có ai không"]
    # the person hears the truth at each step: An joined, An had to step away (with the safety
    # steps: the case is critical), Binh continues; never "still looking" as if nobody had come
    render = Directory.load().render
    assert outbox.to("user-1") == [texts.claimed("An"), "Mình đây, bạn đang ở đâu?", render(texts.stepped_away(True)),
                                   texts.continued("Binh")]
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


async def test_an_unclaimed_critical_case_alerts_once_and_resends_safety(handoff, outbox):
    cid = await new_conversation(handoff, sender="user-4")
    await handoff.queue.escalate(cid, "critical", "urgency", ["confinement"])
    assert (await handoff.watchdog.sweep())["alerted"] == 0
    later = time.time() + handoff.config.critical_alert_s + 1
    assert (await handoff.watchdog.sweep(now=later))["alerted"] == 1
    assert (await handoff.watchdog.sweep(now=later + 5))["alerted"] == 0
    assert outbox.to("user-4") == [Directory.load().render(texts.still_waiting_critical())]
    assert [a["conversation"] for a in await handoff.watchdog.alerts()] == [cid]
    # the banner tells how long it has waited by now, not when the alert fired
    [alert] = await handoff.watchdog.alerts(now=later + 8 * 60)
    assert alert["waited_s"] >= handoff.config.critical_alert_s + 8 * 60


async def test_a_critical_case_whose_counsellor_never_answered_is_never_told_still_looking(handoff, store, outbox):
    """Issue 16: "a counsellor has joined" must not be followed by "still looking for a counsellor"
    when the claim times out; the person hears that the counsellor stepped away and who continues."""
    ensure_user(store, "dung")
    ensure_user(store, "em.khoa")
    cid = await new_conversation(handoff, sender="user-5")
    await handoff.queue.escalate(cid, "critical", "urgency", ["confinement"])
    await handoff.presence.heartbeat("dung")
    await handoff.claims.claim(cid, "dung")  # claimed at once, never answered
    later = time.time() + handoff.config.ack_timeout_s + 1  # also past critical_alert_s since queued
    assert await handoff.watchdog.sweep(now=later) == {"requeued": 1, "alerted": 1}  # supervisors still alerted
    render = Directory.load().render
    told = outbox.to("user-5")
    assert told == [texts.claimed("Dung"), render(texts.stepped_away(True))]
    assert not any(t.startswith("Mình vẫn đang tìm") for t in told)
    await handoff.claims.claim(cid, "em.khoa")
    assert outbox.to("user-5")[-1] == texts.continued("Em.Khoa")
    # a cold transfer back to the queue reads the same way to the person
    await handoff.transfers.transfer(cid, "em.khoa", None)
    assert outbox.to("user-5")[-1] == render(texts.stepped_away(True))


async def test_the_second_safety_message_asks_only_for_what_is_not_known(handoff, store, outbox):
    render = Directory.load().render
    later = time.time() + handoff.config.critical_alert_s + 1

    async def second_message(sender, intake=None, message="cứu em, họ nhốt em"):
        cid = await new_conversation(handoff, sender=sender)
        await handoff.transcript.record(cid, "user", message)
        await handoff.queue.escalate(cid, "critical", "urgency", ["confinement"])
        if intake:
            await handoff.intake.set_intake(cid, *intake)
        assert (await handoff.watchdog.sweep(now=later))["alerted"] == 1
        [told] = outbox.to(sender)
        return told

    assert await second_message("user-7") == render(texts.still_waiting_critical())
    assert "bạn đang ở đâu" in await second_message("user-7b")
    # the intake has the place: not asked again
    told = await second_message("user-8", intake=("xưởng may ở Bavet, gần cửa khẩu", "không", ""))
    assert told == render(texts.still_waiting_critical(location_known=True)) and "đang ở đâu" not in told
    # a place the person named in the message that escalated counts too
    told = await second_message("user-9", message="cứu em, họ nhốt em ở Móng Cái, Quảng Ninh")
    assert "đang ở đâu" not in told
    # "bỏ qua" tells nothing: still asked
    assert "đang ở đâu" in await second_message("user-10", intake=("bỏ qua", "không", ""))
    # someone watches the phone: nothing asked, and told they need not answer
    told = await second_message("user-11", intake=("bỏ qua", "có", ""))
    assert told == render(texts.still_waiting_critical(watched=True)) and "nhắn cho mình" not in told
