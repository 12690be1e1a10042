"""Cases and logged calls through the console API on a real gateway, Redis and SQL store
(docs/cases.md). Rasa is not running: the urgency detector alone escalates the chat."""
import uuid

from tests.handoff.conftest import head_of_queue, signed_in, user_says

CALL = {"channel": "phone", "line": "111", "duration_min": 12, "contact_type": "counselling",
        "outcomes": ["counselling_policy", "referral_support"], "victim": "suspected",
        "category": "labour_trafficking", "age_group": "16-17", "sex": "female", "province": "Quảng Ninh"}


async def escalated_chat(http, gateway, console, text="cuu e, e bi nhot o cty ben cam, ko cho ve, ho giu ho chieu"):
    """A chat escalated by the detector and claimed by ``console``; its conversation and contact ids."""
    await user_says(http, gateway, uuid.uuid4().hex, text)
    cid = await head_of_queue(console)
    assert (await console.call("POST", f"/api/conversations/{cid}/claim"))[0] == 200
    status, conversation = await console.call("GET", f"/api/conversations/{cid}")
    assert status == 200
    return cid, conversation["contacts"][-1]["id"]


async def test_a_logged_call_is_a_contact_its_counsellor_can_read(consoles, store, gateway_without_rasa):
    lan = await signed_in(consoles, store, "lan-calls")
    other = await signed_in(consoles, store, "hoa-calls")
    status, body = await lan.call("POST", "/api/calls", {**CALL, "started_at": "2026-11-03T09:30",
                                                         "note": "Mẹ gọi hỏi về con gái đi Cam."})
    assert status == 200, body
    contact = body["contact"]
    assert contact["channel"] == "phone" and contact["line"] == "111" and contact["duration_s"] == 720
    assert contact["counsellor"] == "lan-calls" and contact["trigger"] == "logged"
    assert contact["closed_at"] - contact["queued_at"] == 720 and contact["contact_type"] == "counselling"
    conversation = store.conversation(body["conversation_id"])
    assert conversation["channel"] == "phone" and conversation["sender"].startswith("logged-")
    status, transcript = await lan.call("GET", f"/api/conversations/{body['conversation_id']}")
    assert status == 200 and [m["role"] for m in transcript["messages"]] == ["note"]
    assert (await other.call("GET", f"/api/conversations/{body['conversation_id']}"))[0] == 404


async def test_a_logged_call_refuses_what_the_form_does_not_offer(consoles, store, gateway_without_rasa):
    lan = await signed_in(consoles, store, "lan-calls")
    cases = [({"line": "0909"}, "invalid_line"), ({"duration_min": -1}, "invalid_duration"),
             ({"contact_type": "gossip"}, "invalid_contact_type"),
             ({"outcomes": []}, "invalid_outcome"),  # counselling without an outcome
             ({"province": "Atlantis"}, "invalid_province"), ({"channel": "sms"}, "invalid_channel"),
             ({"started_at": "2099-01-01T10:00"}, "invalid_start"), ({"age_group": "40"}, "invalid_age_group")]
    before = len(store.reviews.search(0, 2 ** 40, channel="phone", counsellor="lan-calls"))
    for change, error in cases:
        status, body = await lan.call("POST", "/api/calls", {**CALL, **change})
        assert (status, body["error"]) == (400, error), change
        assert "message" in body and body["message"]
    assert len(store.reviews.search(0, 2 ** 40, channel="phone", counsellor="lan-calls")) == before
    # a silent call needs no outcome, and keeps none; an abusive one is counted by its type, not
    # dropped from the figures like a dismissed burst
    status, body = await lan.call("POST", "/api/calls", {**CALL, "contact_type": "silent", "duration_min": 1})
    assert status == 200 and body["contact"]["outcomes"] == [] and body["contact"]["contact_type"] == "silent"
    status, body = await lan.call("POST", "/api/calls", {**CALL, "contact_type": "abusive", "outcomes": ["abusive"]})
    assert status == 200 and body["contact"]["outcomes"] == [] and body["contact"]["contact_type"] == "abusive"


async def test_a_case_groups_a_chat_and_a_call_with_its_checklist_and_tasks(consoles, store, gateway_without_rasa,
                                                                           http):
    lan = await signed_in(consoles, store, "lan-case")
    cid, chat_contact = await escalated_chat(http, gateway_without_rasa, lan)
    status, body = await lan.call("POST", "/api/cases", {"title": "Chị H., bị giữ ở Bavet", "contact_id": chat_contact})
    assert status == 200, body
    case_id = body["case"]["id"]
    assert body["case"]["status"] == "open" and body["case"]["contact_count"] == 1
    assert set(body["case"]["allowed"]) == {"case.read", "case.update"}

    # the chat's reason tags propose indicators; nothing is stored until the counsellor decides
    proposed = {i["id"]: i for i in body["case"]["indicators"] if i["state"] == "proposed"}
    assert {"restricts_movement", "withholds_documents"} <= set(proposed)
    assert "confinement" in proposed["restricts_movement"]["proposed_by"]
    assert store.cases.decisions(case_id) == {}

    # the mother calls: logged and attached to the same case
    status, call = await lan.call("POST", "/api/calls", {**CALL, "case_id": case_id})
    assert status == 200 and call["contact"]["case_id"] == case_id
    for indicator, decision in (("restricts_movement", "confirmed"), ("withholds_documents", "rejected")):
        status, body = await lan.call("POST", f"/api/cases/{case_id}/indicators",
                                      {"indicator": indicator, "decision": decision})
        assert status == 200
    states = {i["id"]: i["state"] for i in body["case"]["indicators"]}
    assert states["restricts_movement"] == "confirmed" and states["withholds_documents"] == "rejected"
    assert store.cases.confirmed([case_id]) == {case_id: {"restricts_movement"}}

    await lan.call("POST", f"/api/cases/{case_id}/people", {"role": "caller", "description": "mẹ của chị H."})
    await lan.call("POST", f"/api/cases/{case_id}/notes", {"text": "Hẹn gọi lại khi an toàn."})
    status, body = await lan.call("POST", f"/api/cases/{case_id}/tasks",
                                  {"title": "Gọi lại thứ Năm nếu an toàn", "due": "2099-12-03"})
    assert status == 200
    case = body["case"]
    # in the order they happened: the call, logged just now, began 12 minutes ago
    assert [c["channel"] for c in case["contacts"]] == ["phone", "web"]
    assert [p["role"] for p in case["people"]] == ["caller"] and case["open_tasks"] == 1
    assert [e["kind"] for e in case["timeline"]] == ["opened", "contact_added", "contact_added", "indicator",
                                                     "indicator", "person_added", "note", "task_added"]

    status, tasks = await lan.call("GET", "/api/tasks")
    mine = [t for t in tasks["tasks"] if t["case_id"] == case_id]
    assert [(t["title"], t["due"], t["case_title"]) for t in mine] == [
        ("Gọi lại thứ Năm nếu an toàn", "2099-12-03", "Chị H., bị giữ ở Bavet")]
    status, done = await lan.call("POST", f"/api/tasks/{mine[0]['id']}", {"done": True})
    assert status == 200 and done["task"]["status"] == "done" and done["task"]["done_by"] == "lan-case"
    assert not [t for t in (await lan.call("GET", "/api/tasks"))[1]["tasks"] if t["case_id"] == case_id]

    # the chat closes with the same form, and the case is found by its words
    status, _ = await lan.call("POST", f"/api/conversations/{cid}/close",
                               {**{k: CALL[k] for k in ("contact_type", "outcomes", "victim", "category", "age_group",
                                                        "sex", "province")}, "case_id": case_id})
    assert status == 200
    closed = store.contact(chat_contact)
    assert closed["contact_type"] == "counselling" and closed["province"] == "Quảng Ninh" and closed["case_id"] == case_id
    # closed with a support referral: the case is marked referred, on its timeline
    case = (await lan.call("GET", f"/api/cases/{case_id}"))[1]["case"]
    assert case["status"] == "referred" and [e["kind"] for e in case["timeline"][-2:]] == ["task_done", "status"]
    found = (await lan.call("GET", "/api/cases?q=bavet"))[1]["cases"]
    assert [c["id"] for c in found] == [case_id]
    assert [c["id"] for c in (await lan.call("GET", "/api/cases?q=gọi lại khi an toàn"))[1]["cases"]] == [case_id]


async def test_a_case_is_seen_by_who_works_on_it_and_each_opening_is_audited(consoles, store, gateway_without_rasa,
                                                                            http):
    lan = await signed_in(consoles, store, "lan-access")
    hoa = await signed_in(consoles, store, "hoa-access")
    boss = await signed_in(consoles, store, "giamsat-access", role="supervisor")
    _, contact = await escalated_chat(http, gateway_without_rasa, lan)
    case_id = (await lan.call("POST", "/api/cases", {"title": "Hồ sơ riêng", "contact_id": contact}))[1]["case"]["id"]

    for method, path, body in (("GET", f"/api/cases/{case_id}", None),
                               ("POST", f"/api/cases/{case_id}/notes", {"text": "x"}),
                               ("POST", "/api/calls", {**CALL, "case_id": case_id})):
        status, answer = await hoa.call(method, path, body)
        assert (status, answer["error"]) == (404, "not_found"), path
    assert case_id not in [c["id"] for c in (await hoa.call("GET", "/api/cases"))[1]["cases"]]
    # nor may she attach a contact she cannot read to a case of her own
    own = (await hoa.call("POST", "/api/cases", {"title": "Của Hoa"}))[1]["case"]["id"]
    status, answer = await hoa.call("POST", f"/api/cases/{own}/contacts", {"contact_id": contact})
    assert (status, answer["error"]) == (404, "contact_not_found")

    # a task given to her makes her one who works on it
    await lan.call("POST", f"/api/cases/{case_id}/tasks", {"title": "Hỗ trợ gọi lại", "due": "2099-01-01",
                                                           "assignee": "hoa-access"})
    assert (await hoa.call("GET", f"/api/cases/{case_id}"))[0] == 200
    assert case_id in [c["id"] for c in (await boss.call("GET", "/api/cases"))[1]["cases"]]

    def reads(actor):
        return [e for e in store.audit.page(None, 500, actor=actor) if e["object"] == f"case:{case_id}"]

    await boss.call("GET", f"/api/cases/{case_id}")
    await boss.call("GET", f"/api/cases/{case_id}")  # a refresh of the open page: the same opening
    assert [e["action"] for e in reads("giamsat-access")] == ["read_case"]
    # admins keep to their page: no cases
    admin = await signed_in(consoles, store, "quantri-cases", role="admin")
    assert (await admin.call("GET", f"/api/cases/{case_id}"))[0] == 403
    assert (await admin.call("POST", "/api/calls", CALL))[0] == 403
