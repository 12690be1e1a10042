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
