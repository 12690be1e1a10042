"""The console API through a real gateway on loopback, with a real Redis and SQL store.

Rasa is not running here (nothing listens on its port): the handoff must work without it.
"""
import asyncio
import json
import uuid

import aiohttp
import pytest

from directory import Directory
from directory.messages import SAFETY_OPENING
from handoff import texts
from handoff.auth import COOKIE
from tests.handoff.conftest import Console, ensure_user, head_of_queue, signed_in, user_receives, user_says


async def test_sign_in_refuses_bad_passwords_and_unknown_users(consoles, store):
    ensure_user(store, "lan")
    console = await consoles("lan")
    assert (await console.login("lan", "sai-mat-khau"))[0] == 401
    status, body = await console.login("không-có-ai")
    assert status == 401 and body["error"] == "bad_credentials"
    status, me = await console.login("lan")
    assert status == 200 and me["role"] == "counsellor" and me["csrf"]
    assert (await console.call("GET", "/api/me"))[1]["username"] == "lan"


async def test_every_api_route_needs_a_session_and_the_right_role(consoles, store, gateway_without_rasa, http):
    cid = uuid.uuid4().hex
    routes = [("GET", "/api/me"), ("GET", "/api/queue"), ("GET", "/api/counsellors"), ("GET", "/api/quick-replies"),
              ("POST", "/api/presence"), ("GET", f"/api/conversations/{cid}")] + [
        ("POST", f"/api/conversations/{cid}/{a}") for a in ("claim", "ack", "messages", "transfer", "close",
                                                            "contact", "takeover", "reassign")] + [
        ("POST", "/api/logout")]  # last: it ends the session
    for method, path in routes + [("GET", "/api/ws")]:
        async with http.request(method, gateway_without_rasa + path, json={}) as r:
            assert r.status == 401, (method, path)
    admin = await signed_in(consoles, store, "quantri", role="admin")
    for method, path in routes:
        status, _ = await admin.call(method, path, {})
        expected = 200 if path in ("/api/me", "/api/logout") else 403
        assert status == expected, (method, path, status)


async def test_state_changes_need_the_csrf_token_and_our_origin(consoles, store, gateway_without_rasa):
    console = await signed_in(consoles, store, "minh")
    assert (await console.call("POST", "/api/presence", {"status": "away"}, csrf=False))[0] == 403
    status, body = await console.call("POST", "/api/presence", {"status": "away"},
                                      headers={"Origin": "https://evil.example"})
    assert status == 403 and body["error"] == "csrf"
    assert (await console.call("POST", "/api/presence", {"status": "away"}))[0] == 200


async def test_a_new_session_at_every_sign_in_and_none_after_sign_out(consoles, store, gateway_without_rasa):
    console = await signed_in(consoles, store, "nga")
    before = console.http.cookie_jar.filter_cookies(gateway_without_rasa)[COOKIE].value
    await console.login("nga")
    after = console.http.cookie_jar.filter_cookies(gateway_without_rasa)[COOKIE].value
    assert before != after
    stale = await consoles("nga")
    stale.http.cookie_jar.update_cookies({COOKIE: before})
    assert (await stale.call("GET", "/api/me"))[0] == 401  # the old token died at the new sign-in
    assert (await console.call("POST", "/api/logout"))[0] == 200
    console.http.cookie_jar.update_cookies({COOKIE: after})
    assert (await console.call("GET", "/api/me"))[0] == 401


async def test_rasa_down_a_critical_message_is_queued_answered_and_handled_end_to_end(
        consoles, store, http, gateway_without_rasa, redis):
    gateway, sender = gateway_without_rasa, uuid.uuid4().hex
    replies = await user_says(http, gateway, sender, "cuu e, e bi nhot o cty ben cam, ko cho ve")
    answer = "\n".join(replies)
    assert answer.count(SAFETY_OPENING) == 1 and "vị trí số 1" in answer and "113" in answer

    lan = await signed_in(consoles, store, "lan")
    _, queue = await lan.call("GET", "/api/queue")
    [case] = queue["waiting"]
    assert case["priority"] == "critical" and case["channel"] == "web"
    assert case["trigger_text"].startswith("cuu e") and "confinement" in case["reasons"]
    assert sender not in json.dumps(queue)  # the channel id is masked
    cid = case["id"]

    assert (await lan.call("POST", f"/api/conversations/{cid}/claim"))[0] == 200
    got, cursor = await user_receives(http, gateway, sender)
    assert got == [texts.claimed("Lan")]
    status, sent = await lan.call("POST", f"/api/conversations/{cid}/messages", {"text": "Chị đây, em ở đâu?"})
    assert status == 200 and sent["message"]["role"] == "counsellor"
    got, cursor = await user_receives(http, gateway, sender, cursor)
    assert got == ["Chị đây, em ở đâu?"]
    # while a counsellor holds it, the bot is silent and the counsellor gets the message
    assert await user_says(http, gateway, sender, "em o bavet") == []
    status, conversation = await lan.call("GET", f"/api/conversations/{cid}")
    roles = [(m["role"], m["text"]) for m in conversation["messages"]]
    assert roles[0] == ("user", "cuu e, e bi nhot o cty ben cam, ko cho ve")
    assert ("bot", replies[0]) in roles and roles[-1] == ("user", "em o bavet")

    status, body = await lan.call("POST", f"/api/conversations/{cid}/close", {"outcomes": ["nonsense"]})
    assert status == 400 and body["error"] == "invalid_outcome"
    status, _ = await lan.call("POST", f"/api/conversations/{cid}/close",
                               {"outcomes": ["referral_rescue"], "victim": "suspected"})
    assert status == 200
    # a rescue referral keeps the case open: no "ended", no survey to a person who may be confined
    got, cursor = await user_receives(http, gateway, sender, cursor)
    assert got == [Directory.load().render(texts.referral_in_progress(may_contact=True))]
    assert texts.closed()[:30] not in got[0] and texts.SURVEY["satisfied"] not in got[0]
    # the person's next message goes to a counsellor, not to the bot's answers or the survey
    assert await user_says(http, gateway, sender, "1") == [texts.follow_up_received()]
    _, queue = await lan.call("GET", "/api/queue")
    [case] = queue["waiting"]
    assert case["id"] == cid and case["trigger"] == "follow_up" and case["priority"] == "high"
    assert await user_says(http, gateway, sender, "em vẫn ở đây") == []  # waits for the counsellor, no FAQ
    assert (await lan.call("POST", f"/api/conversations/{cid}/claim"))[0] == 200
    await lan.call("POST", f"/api/conversations/{cid}/messages", {"text": "Chị đây, đội hỗ trợ đã tới chưa em?"})
    # the follow-up ends with an outcome that is not a referral: only now the survey
    status, _ = await lan.call("POST", f"/api/conversations/{cid}/close",
                               {"outcomes": ["counselling_services"], "victim": "confirmed"})
    assert status == 200
    got, cursor = await user_receives(http, gateway, sender, cursor)
    assert Directory.load().render(texts.closed()) in got[-1] and texts.SURVEY["satisfied"] in got[-1]
    assert await user_says(http, gateway, sender, "1") == [texts.SURVEY["helped"]]
    assert await user_says(http, gateway, sender, "co") == [texts.survey_thanks()]
    first, follow_up = store.contacts_of(cid)
    assert first["outcomes"] == ["referral_rescue"] and first["survey_satisfied"] is None
    assert follow_up["outcomes"] == ["counselling_services"] and follow_up["survey_satisfied"] and follow_up["survey_helped"]
    assert ("lan", "read_transcript", cid) in [(a["actor"], a["action"], a["object"]) for a in store.audit.all()]


async def test_two_counsellors_claiming_at_once_get_one_winner_and_a_clear_refusal(
        consoles, store, http, gateway_without_rasa):
    first, second = await signed_in(consoles, store, "oanh"), await signed_in(consoles, store, "phuc")
    for _ in range(10):
        await user_says(http, gateway_without_rasa, uuid.uuid4().hex, "họ giữ hộ chiếu của em rồi, không cho về")
        cid = await head_of_queue(first)
        results = await asyncio.gather(first.call("POST", f"/api/conversations/{cid}/claim"),
                                       second.call("POST", f"/api/conversations/{cid}/claim"))
        statuses = sorted(status for status, _ in results)
        assert statuses == [200, 409]
        refusal = next(body for status, body in results if status == 409)
        assert refusal["error"] == "already_taken" and "đã có tư vấn viên khác nhận" in refusal["message"]
        winner = first if results[0][0] == 200 else second
        await winner.call("POST", f"/api/conversations/{cid}/close", {"outcomes": ["information"]})


async def test_a_counsellor_cannot_open_someone_elses_case(consoles, store, http, gateway_without_rasa):
    owner, other = await signed_in(consoles, store, "quang"), await signed_in(consoles, store, "son")
    supervisor = await signed_in(consoles, store, "giamsat", role="supervisor")
    await user_says(http, gateway_without_rasa, uuid.uuid4().hex, "cứu em với, em bị đánh")
    cid = await head_of_queue(owner)
    assert (await other.call("GET", f"/api/conversations/{cid}"))[0] == 200  # waiting: anyone may look
    await owner.call("POST", f"/api/conversations/{cid}/claim")
    assert (await other.call("GET", f"/api/conversations/{cid}"))[0] == 404
    assert (await other.call("POST", f"/api/conversations/{cid}/messages", {"text": "xin chào"}))[0] == 404
    assert (await other.call("GET", "/api/conversations/" + "0" * 32))[0] == 404
    assert (await supervisor.call("GET", f"/api/conversations/{cid}"))[0] == 200


async def test_the_console_websocket_shows_user_messages_live(consoles, store, http, gateway_without_rasa):
    lan = await signed_in(consoles, store, "tam")
    sender = uuid.uuid4().hex
    await user_says(http, gateway_without_rasa, sender, "em bị nhốt, cứu em")
    cid = await head_of_queue(lan)
    await lan.call("POST", f"/api/conversations/{cid}/claim")
    async with lan.http.ws_connect(gateway_without_rasa.replace("http", "ws") + "/api/ws") as ws:
        assert json.loads((await ws.receive(timeout=5)).data)["type"] == "hello"
        await user_says(http, gateway_without_rasa, sender, "em đang ở tầng 3")
        while True:
            event = json.loads((await ws.receive(timeout=5)).data)
            if event["type"] == "message":
                break
        assert event["conversation"] == cid and event["message"]["text"] == "em đang ở tầng 3"


async def test_websocket_from_another_origin_is_refused(consoles, store, gateway_without_rasa):
    lan = await signed_in(consoles, store, "uyen")
    with pytest.raises(aiohttp.WSServerHandshakeError):
        await lan.http.ws_connect(gateway_without_rasa.replace("http", "ws") + "/api/ws",
                                  headers={"Origin": "https://evil.example"})


async def test_a_disabled_account_is_signed_out_at_once(consoles, store):
    console = await signed_in(consoles, store, "tamthoi")
    store.accounts.update("tamthoi", active=False)
    try:
        assert (await console.call("GET", "/api/me"))[0] == 401
        assert (await console.login("tamthoi"))[0] == 401
    finally:
        store.accounts.update("tamthoi", active=True)


async def test_warm_transfer_to_an_online_colleague_through_the_api(consoles, store, http, gateway_without_rasa):
    giver, taker = await signed_in(consoles, store, "viet"), await signed_in(consoles, store, "xuan")
    sender = uuid.uuid4().hex
    await user_says(http, gateway_without_rasa, sender, "em bị đánh, cứu em")
    cid = await head_of_queue(giver)
    await giver.call("POST", f"/api/conversations/{cid}/claim")
    await taker.call("POST", "/api/presence", {"status": "away"})
    status, body = await giver.call("POST", f"/api/conversations/{cid}/transfer", {"to": "xuan", "note": "x"})
    assert status == 409 and body["error"] == "target_offline"
    await taker.call("POST", "/api/presence", {"status": "online"})
    status, _ = await giver.call("POST", f"/api/conversations/{cid}/transfer",
                                 {"to": "xuan", "note": "Em 15 tuổi, đang ở nhà trọ"})
    assert status == 200
    _, mine = await taker.call("GET", "/api/queue")
    assert [c["id"] for c in mine["mine"]] == [cid]
    _, conversation = await taker.call("GET", f"/api/conversations/{cid}")
    note, told = conversation["messages"][-2:]  # the handover note, then what the person was told
    assert note["role"] == "note" and "15 tuổi" in note["text"]
    assert told["role"] == "system" and told["text"] == texts.handed_over("Xuan")
    assert [e["kind"] for e in conversation["events"]][-1] == "transferred"
    got, _ = await user_receives(http, gateway_without_rasa, sender)
    assert got == [texts.claimed("Viet"), texts.handed_over("Xuan")]  # not greeted as new: told who continues


async def test_an_unclaimed_critical_case_alerts_supervisors_and_the_user_hears_again(store, http, redis):
    from tests.conftest import free_port, start_gateway

    runner, gateway = await start_gateway(f"http://127.0.0.1:{free_port()}", redis, store,
                                          critical_alert_s=0.5, watchdog_interval_s=0.2)
    try:
        ensure_user(store, "truong.ca", "supervisor")
        supervisor = Console(gateway)
        await supervisor.login("truong.ca")
        sender = uuid.uuid4().hex
        await user_says(http, gateway, sender, "cứu em, họ nhốt em trong phòng")
        got, _ = await user_receives(http, gateway, sender, wait_ms=5000)
        assert got == [Directory.load().render(texts.still_waiting_critical())]
        _, queue = await supervisor.call("GET", "/api/queue")
        assert [a["kind"] for a in queue["alerts"]] == ["critical_unclaimed"]
        await supervisor.close()
    finally:
        await runner.cleanup()


async def test_contact_details_are_masked_until_asked_for_and_each_look_is_audited(
        consoles, store, http, gateway_without_rasa):
    owner, other = await signed_in(consoles, store, "yen"), await signed_in(consoles, store, "anh.khac")
    sender = uuid.uuid4().hex
    await user_says(http, gateway_without_rasa, sender, "cứu em, họ đánh em")
    cid = await head_of_queue(owner)
    assert sender not in json.dumps(await owner.call("GET", f"/api/conversations/{cid}"))
    assert (await owner.call("POST", f"/api/conversations/{cid}/contact"))[0] == 403  # not claimed yet
    await owner.call("POST", f"/api/conversations/{cid}/claim")
    status, details = await owner.call("POST", f"/api/conversations/{cid}/contact")
    assert status == 200 and details == {"channel": "web", "sender": sender}
    assert (await other.call("POST", f"/api/conversations/{cid}/contact"))[0] == 404
    assert ("yen", "reveal_contact", cid) in [(a["actor"], a["action"], a["object"]) for a in store.audit.all()]


async def test_a_flooding_sender_is_slowed_down_but_urgent_messages_still_escalate(store, http, redis):
    from bot.router import SLOW_DOWN
    from directory import Directory
    from tests.conftest import free_port, start_gateway

    runner, gateway = await start_gateway(f"http://127.0.0.1:{free_port()}", redis, store, rate_limit_per_min=3)
    try:
        sender = uuid.uuid4().hex
        answers = [await user_says(http, gateway, sender, f"hỏi linh tinh {i}") for i in range(6)]
        assert all(a for a in answers[:3]) and answers[3] == [Directory.load().render(SLOW_DOWN)] and answers[4:] == [[], []]
        urgent = await user_says(http, gateway, sender, "cứu em, họ nhốt em trong phòng")
        assert any("113" in a for a in urgent) and await redis.zcard("hl:queue") == 1
        cid = await redis.get(f"hl:sender:web:{sender}")
        assert len(store.messages(cid.decode())) >= 7  # nothing lost: every message is in the transcript
    finally:
        await runner.cleanup()


async def test_a_supervisor_takes_over_and_reassigns_live_cases(consoles, store, http, gateway_without_rasa):
    supervisor = await signed_in(consoles, store, "gs.hoa", role="supervisor")
    holder, other = await signed_in(consoles, store, "tv.binh"), await signed_in(consoles, store, "tv.cuc")
    sender = uuid.uuid4().hex
    await user_says(http, gateway_without_rasa, sender, "cứu em, họ nhốt em")
    cid = await head_of_queue(supervisor)
    # straight from the queue to a counsellor
    assert (await supervisor.call("POST", f"/api/conversations/{cid}/reassign", {"to": "tv.binh"}))[0] == 200
    _, mine = await holder.call("GET", "/api/queue")
    assert [c["id"] for c in mine["mine"]] == [cid]
    # counsellors cannot do this
    assert (await other.call("POST", f"/api/conversations/{cid}/takeover"))[0] == 403
    assert (await other.call("POST", f"/api/conversations/{cid}/reassign", {"to": "tv.cuc"}))[0] == 403
    # the supervisor takes it over, then hands it to another counsellor
    assert (await supervisor.call("POST", f"/api/conversations/{cid}/takeover"))[0] == 200
    assert (await holder.call("POST", f"/api/conversations/{cid}/messages", {"text": "còn đó không"}))[0] == 404
    status, _ = await supervisor.call("POST", f"/api/conversations/{cid}/messages", {"text": "Chị là trưởng ca."})
    assert status == 200
    assert (await supervisor.call("POST", f"/api/conversations/{cid}/reassign", {"to": "tv.cuc"}))[0] == 200
    _, conversation = await other.call("GET", f"/api/conversations/{cid}")
    assert conversation["counsellor"] == "tv.cuc"
    kinds = [e["kind"] for e in conversation["events"]]
    assert kinds[-3:] == ["reassigned", "taken_over", "reassigned"]
    got, _ = await user_receives(http, gateway_without_rasa, sender)
    # each hand-over names who writes now; the supervisor's own reply arrives as theirs
    assert got == [texts.claimed("Tv.Binh"), texts.handed_over("Gs.Hoa"), "Chị là trưởng ca.",
                   texts.handed_over("Tv.Cuc")]


async def test_privacy_notice_at_first_contact_and_the_legal_basis_recorded(http, gateway_without_rasa, redis, store):
    from directory import Directory
    from handoff.texts import PRIVACY_NOTICE as TEMPLATE

    PRIVACY_NOTICE = Directory.load().render(TEMPLATE)
    sender = uuid.uuid4().hex
    first = await user_says(http, gateway_without_rasa, sender, "cho em hỏi về đi xuất khẩu lao động")
    second = await user_says(http, gateway_without_rasa, sender, "đi Nhật có mất phí không")
    assert first[-1] == PRIVACY_NOTICE and PRIVACY_NOTICE not in second
    cid = (await redis.get(f"hl:sender:web:{sender}")).decode()
    await user_says(http, gateway_without_rasa, sender, "cứu em, họ nhốt em rồi")
    await user_says(http, gateway_without_rasa, sender, "em hỏi thêm được không")
    bases = [e["detail"]["basis"] for e in store.events(cid) if e["kind"] == "legal_basis"]
    assert bases == ["consent", "vital_interest"]  # and it stays vital_interest after the danger


async def test_an_abusive_sender_is_restricted_openly_and_danger_still_gets_through(
        consoles, store, http, gateway_without_rasa, redis):
    from handoff.texts import restricted

    supervisor = await signed_in(consoles, store, "gs.block", "supervisor")
    sender = uuid.uuid4().hex
    await user_says(http, gateway_without_rasa, sender, "mày là đồ vô dụng")
    cid = (await redis.get(f"hl:sender:web:{sender}")).decode()
    status, body = await supervisor.call("POST", f"/api/conversations/{cid}/block", {"hours": 24, "reason": "quấy rối"})
    assert status == 200 and body["blocked_until"]
    told = await user_says(http, gateway_without_rasa, sender, "mày là đồ vô dụng")
    assert len(told) == 1 and told[0].startswith(restricted("")[:30])  # told, not silently dropped
    assert await user_says(http, gateway_without_rasa, sender, "vô dụng") == []  # told once in a while
    assert [m["text"] for m in store.messages(cid) if m["role"] == "user"][-1] == "vô dụng"  # still stored
    urgent = await user_says(http, gateway_without_rasa, sender, "cứu em, họ nhốt em")
    assert any("113" in r for r in urgent) and await redis.zcard("hl:queue") == 1  # danger goes through
    status, body = await supervisor.call("POST", f"/api/conversations/{cid}/block", {"hours": 1, "reason": "x"})
    assert status == 409 and body["error"] == "urgent_sender"  # never someone who wrote of danger
    kinds = [e["kind"] for e in store.events(cid)]
    assert "blocked" in kinds


async def test_supervisors_see_the_directory_facts_with_those_past_review_first(consoles, store):
    counsellor = await signed_in(consoles, store, "tuvan_facts")
    status, _ = await counsellor.call("GET", "/api/facts")
    assert status == 403
    supervisor = await signed_in(consoles, store, "giamsat_facts", role="supervisor")
    status, body = await supervisor.call("GET", "/api/facts")
    assert status == 200 and body["profile"] == "national" and body["past_review"] >= 1
    first = body["entries"][0]
    assert first["past_review"] and first["source"] and first["verified"] and first["review_due"]
    assert {"law", "decree", "line_111", "police_113"} <= {e["id"] for e in body["entries"]}


async def test_a_fresh_sender_flood_is_one_group_and_a_real_person_still_gets_through(
        consoles, store, redis, gateway_without_rasa):
    """30 fresh sender ids from one machine crying danger, as a flood script would; meanwhile a
    real person on the same network writes. Everyone gets the safety answer; the supervisor sees
    one group, not 30 cases to triage one by one, and closes it in one step."""
    gateway = gateway_without_rasa
    supervisor = await signed_in(consoles, store, "gs.lan", role="supervisor")
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=("127.0.0.7", 0))) as dorm:
        flood = [await user_says(dorm, gateway, uuid.uuid4().hex, "cứu tôi với, tôi bị nhốt") for _ in range(30)]
        real = uuid.uuid4().hex
        answer = await user_says(dorm, gateway, real, "em bị chủ giữ trong xưởng, không cho về, cứu em")
    assert all(any("113" in text for text in replies) for replies in flood + [answer])
    assert await redis.zcard("hl:queue") == 31  # nobody dropped: every case is in line
    _, queue = await supervisor.call("GET", "/api/queue")
    grouped = [c for c in queue["waiting"] if c["burst"]]
    assert len(queue["bursts"]) == 1 and list(queue["bursts"].values()) == [len(grouped)]
    assert 30 - 6 <= len(grouped) <= 31 - 6  # the first six a minute from one address are not grouped
    # The real person, whatever their place, is a case a counsellor can open and claim.
    cid = (await redis.get(f"hl:sender:web:{real}")).decode()
    assert any(c["id"] == cid and c["priority"] == "critical" for c in queue["waiting"])
    # One action closes the group as abuse; the ungrouped cases stay in line.
    [burst] = queue["bursts"]
    counsellor = await signed_in(consoles, store, "tv.minh")
    assert (await counsellor.call("POST", f"/api/bursts/{burst}/dismiss", {}))[0] == 403
    status, body = await supervisor.call("POST", f"/api/bursts/{burst}/dismiss", {})
    assert status == 200 and body["closed"] == len(grouped)
    _, after = await supervisor.call("GET", "/api/queue")
    assert len(after["waiting"]) == 31 - len(grouped) and not after["bursts"]
    contacts = [c for g in grouped for c in store.contacts_of(g["id"])]
    assert contacts and all(c["outcomes"] == ["abusive"] for c in contacts)


async def test_a_global_surge_opens_the_circuit_that_supervisors_see(consoles, store, redis, gateway_without_rasa):
    from handoff.bursts import BurstGuard

    guard = BurstGuard(redis, per_address=100, total=5)
    groups = [await guard.group_for("web", f"10.1.0.{i}") for i in range(8)]
    assert groups[:5] == [""] * 5 and len(set(groups[5:])) == 1 and groups[5].startswith("c")
    assert (await guard.circuit())["burst"] == groups[5]
    supervisor = await signed_in(consoles, store, "gs.tuan", role="supervisor")
    _, queue = await supervisor.call("GET", "/api/queue")
    assert queue["circuit"]["burst"] == groups[5]
    counsellor = await signed_in(consoles, store, "tv.hung")
    assert "circuit" not in (await counsellor.call("GET", "/api/queue"))[1]
