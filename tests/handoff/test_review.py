"""Transcript review for supervisors, the audit log for admins, and a person's export or erasure."""
import time
import uuid

from handoff.retention import MARKER_ERASED
from tests.handoff.conftest import head_of_queue, signed_in, user_says

TODAY = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 7 * 3600))  # the hotline's day (UTC+7)
PERIOD = f"from={TODAY}&to={TODAY}"


async def closed_case(consoles, store, http, gateway, text, outcome, counsellor="ret.lan"):
    lan = await signed_in(consoles, store, counsellor)
    sender = uuid.uuid4().hex
    await user_says(http, gateway, sender, text)
    cid = await head_of_queue(lan)
    await lan.call("POST", f"/api/conversations/{cid}/claim")
    await lan.call("POST", f"/api/conversations/{cid}/messages", {"text": "Chị đây."})
    await lan.call("POST", f"/api/conversations/{cid}/close", {"outcomes": [outcome], "victim": "suspected"})
    return cid, sender


async def test_supervisors_find_closed_cases_by_filters_and_review_them(consoles, store, http, gateway_without_rasa):
    rescue, _ = await closed_case(consoles, store, http, gateway_without_rasa,
                                  "cứu em, họ nhốt em ở Campuchia", "referral_rescue")
    info, _ = await closed_case(consoles, store, http, gateway_without_rasa,
                                "họ giữ hộ chiếu của em ở Đài Loan", "information", counsellor="ret.minh")
    supervisor = await signed_in(consoles, store, "ret.gs", "supervisor")
    _, found = await supervisor.call("GET", f"/api/conversations?{PERIOD}&outcome=referral_rescue")
    ids = [r["conversation"] for r in found["results"]]
    assert rescue in ids and info not in ids
    _, found = await supervisor.call("GET", f"/api/conversations?{PERIOD}&place=campuchia&urgency=critical")
    assert [r["conversation"] for r in found["results"]] == [rescue]
    _, found = await supervisor.call("GET", f"/api/conversations?{PERIOD}&counsellor=ret.minh&reason=documents_taken")
    assert [r["conversation"] for r in found["results"]] == [info]
    # injection attempts are only text to match
    for hostile in ("' OR '1'='1", "%", "_", "\\", "'); DROP TABLE messages; --"):
        status, found = await supervisor.call("GET", f"/api/conversations?{PERIOD}&place={hostile}")
        assert status == 200 and found["results"] == []
    assert store.messages(rescue)  # still there

    _, conversation = await supervisor.call("GET", f"/api/conversations/{rescue}")
    contact = conversation["contacts"][-1]["id"]
    status, _ = await supervisor.call("POST", f"/api/conversations/{rescue}/review",
                                      {"contact": contact, "score": 5, "tags": ["giải cứu kịp thời"],
                                       "follow_up": True, "note": "Theo dõi sau hồi hương"})
    assert status == 200
    status, body = await supervisor.call("POST", f"/api/conversations/{rescue}/review", {"contact": contact,
                                                                                         "score": 9})
    assert status == 400 and body["error"] == "invalid_score"
    _, conversation = await supervisor.call("GET", f"/api/conversations/{rescue}")
    [review] = conversation["reviews"]
    assert review["score"] == 5 and review["follow_up"] is True and review["tags"] == ["giải cứu kịp thời"]
    assert ("ret.gs", "read_transcript", rescue) in [(a["actor"], a["action"], a["object"]) for a in store.audit.all()]


async def test_admins_read_the_audit_log_export_and_erase_a_case(consoles, store, http, gateway_without_rasa, redis):
    cid, sender = await closed_case(consoles, store, http, gateway_without_rasa,
                                    "cứu em, số em 0912345678, họ nhốt em", "referral_rescue", counsellor="ret.an")
    admin = await signed_in(consoles, store, "ret.admin", "admin")
    supervisor = await signed_in(consoles, store, "ret.gs2", "supervisor")
    assert (await supervisor.call("GET", "/api/audit"))[0] == 403
    status, exported = await admin.call("POST", f"/api/conversations/{cid}/export")
    assert status == 200 and exported["conversation"]["sender"] == sender
    assert any("0912345678" in m["text"] for m in exported["messages"])
    status, _ = await admin.call("POST", f"/api/conversations/{cid}/erase")
    assert status == 200
    assert {m["text"] for m in store.messages(cid)} == {MARKER_ERASED}
    assert store.conversation(cid)["sender"].startswith("erased:")
    assert store.contacts_of(cid)[0]["outcomes"] == ["referral_rescue"]  # the statistics keep it
    assert await redis.get(f"hl:sender:web:{sender}") is None  # a new message starts afresh
    _, log = await admin.call("GET", "/api/audit")
    actions = [(a["actor"], a["action"], a["object"]) for a in log["audit"]]
    assert ("ret.admin", "export_case", cid) in actions and ("ret.admin", "erase_case", cid) in actions


async def test_a_counsellor_refers_a_case_with_only_what_the_partner_needs_and_tracks_it(
        consoles, store, http, gateway_without_rasa):
    lan = await signed_in(consoles, store, "ref.lan")
    other = await signed_in(consoles, store, "ref.khac")
    sender = uuid.uuid4().hex
    await user_says(http, gateway_without_rasa, sender, "cứu em, em bị bán sang Campuchia, số em 0912345678")
    cid = await head_of_queue(lan)
    await lan.call("POST", f"/api/conversations/{cid}/claim")
    _, options = await lan.call("GET", "/api/quick-replies")
    assert options["partners"]["border_guard"]["kind"] == "rescue"
    assert options["partners"]["legal_aid_centre"]["kind"] == "support"
    base = f"/api/conversations/{cid}/referrals"
    assert (await lan.call("POST", base, {"partner": "no-such", "situation": "x", "consent": True}))[0] == 400
    status, body = await lan.call("POST", base, {"partner": "border_guard", "situation": "Bị bán qua biên giới"})
    assert status == 400 and body["error"] == "invalid_summary"  # no consent recorded
    status, referral = await lan.call("POST", base, {
        "partner": "border_guard", "situation": "Nữ 17 tuổi bị đưa qua biên giới, đang bị giữ ở Bavet",
        "location": "Bavet, Campuchia", "age": 17, "contact": "nhắn Zalo sau 21 giờ", "consent": True,
        "transcript": "không được gửi kèm", "phone": "0912345678"})
    assert status == 200 and referral["kind"] == "rescue"
    assert "CHUYỂN TUYẾN" in referral["text"] and "Bavet" in referral["text"]
    assert "0912345678" not in referral["text"] and "không được gửi kèm" not in referral["text"]
    rid = referral["referral"]
    assert (await other.call("POST", f"/api/referrals/{rid}", {"status": "sent"}))[0] == 404  # not their case
    assert (await lan.call("POST", f"/api/referrals/{rid}", {"status": "accepted"}))[0] == 200
    status, body = await lan.call("POST", f"/api/referrals/{rid}", {"status": "closed"})
    assert status == 400 and body["error"] == "outcome_required"
    assert (await lan.call("POST", f"/api/referrals/{rid}", {"status": "closed",
                                                             "outcome": "Đã giải cứu, đang ở nhà tạm lánh"}))[0] == 200
    _, conversation = await lan.call("GET", f"/api/conversations/{cid}")
    [kept] = conversation["referrals"]
    assert kept["status"] == "closed" and set(kept["summary"]) == {"situation", "location", "age", "contact",
                                                                   "consent"}
    kinds = [e["kind"] for e in conversation["events"]]
    assert kinds.count("referral_updated") == 2 and "referral_opened" in kinds


async def test_the_audit_log_comes_a_page_at_a_time_newest_first(consoles, store, gateway_without_rasa):
    admin = await signed_in(consoles, store, "ret.admin2", "admin")
    for i in range(7):
        store.audit.record("ret.admin2", "test_entry", f"page-{i}")
    seen, before = [], None
    while True:
        status, page = await admin.call("GET", "/api/audit?limit=3" + (f"&before={before}" if before else ""))
        assert status == 200 and len(page["audit"]) <= 3
        seen += page["audit"]
        before = page["next"]
        if before is None:
            break
    ids = [a["id"] for a in seen]
    assert ids == sorted(ids, reverse=True) and len(ids) == len(set(ids)) == len(store.audit.all())
    assert [a["object"] for a in seen if a["action"] == "test_entry"][:3] == ["page-6", "page-5", "page-4"]
    assert (await admin.call("GET", "/api/audit?limit=zero"))[0] == 400
    assert len((await admin.call("GET", "/api/audit?limit=100000"))[1]["audit"]) <= 500
