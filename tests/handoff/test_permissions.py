"""can(session, action, target): the one answer to who may do what on which conversation
(handoff/permissions.py). Each case below fails if a condition set were dropped from a rule or
a condition from a set; the API tests (test_console_api.py, test_security.py) check that the
routes ask it, and the page test that the buttons follow it."""
import asyncio
import uuid
from types import SimpleNamespace

import pytest

from handoff.permissions import (CONDITIONS, RULES, SEE, Case, Conversation, allowed, allowed_actions, allowed_on, can,
                                 permissions, satisfied, sees)
from tests.conftest import free_port, start_gateway, stop_gateway
from tests.handoff.conftest import Console, ensure_user, head_of_queue, signed_in, user_says


def user(name, role="counsellor"):
    return SimpleNamespace(username=name, role=role)


LAN, MINH = user("lan"), user("minh")  # two counsellors
HOA = user("hoa", "supervisor")
ADMIN = user("quantri", "admin")

WAITING = Conversation("c1", "queued", "", frozenset({"minh"}), 2)  # given back to the queue by minh
HELD_BY_LAN = Conversation("c2", "assigned", "lan", frozenset({"lan"}), 1)
HELD_BY_MINH = Conversation("c3", "assigned", "minh", frozenset({"minh"}), 1)  # minh's open contact
WITH_BOT = Conversation("c4", "bot", "", frozenset({"lan"}), 1)  # closed by lan, back with the bot
NEVER_ESCALATED = Conversation("c5", "bot", "", frozenset(), 0)
HELD_BY_HOA = Conversation("c6", "assigned", "hoa", frozenset({"hoa"}), 1)

ALL = [WAITING, HELD_BY_LAN, HELD_BY_MINH, WITH_BOT, NEVER_ESCALATED, HELD_BY_HOA]
LANS_CASE = Case(1, frozenset({"lan"}))  # lan leads it
SHARED_CASE = Case(2, frozenset({"lan", "minh"}))  # minh holds a task on it
CASES = [LANS_CASE, SHARED_CASE]
CASE_CONDITIONS = {"works_on"}  # conditions about a case, not a conversation
OWNER_ACTIONS = ("conversation.ack", "conversation.message", "conversation.transfer", "conversation.close",
                 "conversation.refer")


def test_a_counsellor_cannot_read_or_touch_another_counsellors_open_contact():
    for action in RULES:
        assert not can(LAN, action, HELD_BY_MINH), action
    assert not sees(LAN, HELD_BY_MINH)
    assert allowed_on(LAN, HELD_BY_MINH) == []
    assert can(MINH, "conversation.read", HELD_BY_MINH)  # the holder does


def test_a_counsellor_may_read_and_claim_a_waiting_conversation_but_not_act_on_it():
    assert allowed_on(LAN, WAITING) == ["conversation.read", "referral.update", "conversation.claim"]
    for action in OWNER_ACTIONS + ("conversation.contact", "conversation.take_over", "conversation.reassign",
                                   "conversation.block", "conversation.review"):
        assert not can(LAN, action, WAITING), action


def test_the_holder_acts_on_their_case():
    assert allowed_on(LAN, HELD_BY_LAN) == ["conversation.read", "referral.update", *OWNER_ACTIONS,
                                            "conversation.contact"]
    assert not can(LAN, "conversation.claim", HELD_BY_LAN)


def test_a_case_handled_before_can_be_read_and_nothing_more():
    assert allowed_on(LAN, WITH_BOT) == ["conversation.read", "referral.update"]
    assert not sees(MINH, WITH_BOT) and not can(MINH, "conversation.read", WITH_BOT)  # never his
    assert can(MINH, "conversation.read", WAITING)  # given back by him: waiting, and his before
    assert sees(MINH, Conversation("c7", "bot", "", frozenset({"minh"}), 1))  # handled before, alone


def test_a_supervisors_rights():
    assert allowed_on(HOA, WAITING) == ["conversation.read", "referral.update", "conversation.claim",
                                        "conversation.contact", "conversation.take_over", "conversation.reassign",
                                        "conversation.block", "conversation.review"]
    assert allowed_on(HOA, HELD_BY_MINH) == ["conversation.read", "referral.update", "conversation.contact",
                                             "conversation.take_over", "conversation.reassign", "conversation.block",
                                             "conversation.review"]
    # their own case: the holder's steps, no taking over from themselves
    held = allowed_on(HOA, HELD_BY_HOA)
    assert set(OWNER_ACTIONS) <= set(held) and "conversation.take_over" not in held
    assert "conversation.reassign" in held
    # a conversation with the bot: read, restrict; nothing to take over; a review needs a contact
    assert allowed_on(HOA, WITH_BOT) == ["conversation.read", "referral.update", "conversation.contact",
                                         "conversation.block", "conversation.review"]
    assert "conversation.review" not in allowed_on(HOA, NEVER_ESCALATED)
    for action in OWNER_ACTIONS:  # a supervisor replies only once the case is theirs
        assert not can(HOA, action, HELD_BY_MINH), action
    assert not can(HOA, "conversation.export", WITH_BOT) and not can(HOA, "conversation.erase", WITH_BOT)


def test_only_supervisors_take_over_reassign_restrict_and_review():
    for action in ("conversation.take_over", "conversation.reassign", "conversation.block", "conversation.review"):
        for conversation in ALL:
            assert not can(LAN, action, conversation) and not can(MINH, action, conversation), (action, conversation)
            # and so says the object rule alone, were data/permissions.yml ever to let counsellors in
            assert not satisfied(RULES[action], LAN, conversation), (action, conversation)
    assert not satisfied(RULES["conversation.export"], HOA, WITH_BOT)


def test_a_referral_is_tracked_by_whoever_may_read_its_conversation():
    assert RULES["referral.update"] == RULES["conversation.read"]
    just_claimed = Conversation("c8", "assigned", "lan", frozenset(), 1)  # the contact not yet updated
    assert can(LAN, "conversation.read", just_claimed) and can(LAN, "referral.update", just_claimed)


def test_an_admin_exports_and_erases_any_case_and_reads_none_in_the_console():
    for conversation in ALL:
        assert sees(ADMIN, conversation)  # found for export and erasure, never "not found"
        assert allowed_on(ADMIN, conversation) == ["conversation.export", "conversation.erase"]
    for counsellor in (LAN, MINH, HOA):
        assert not any(can(counsellor, a, c) for a in ("conversation.export", "conversation.erase") for c in ALL)


def test_the_live_line_rule_from_an_event():
    """The WebSocket knows only the state and the holder from the event (handoff/live.py)."""
    from handoff.live import _visible

    def message(state, counsellor=""):
        return {"type": "message", "conversation": "c", "state": state, "counsellor": counsellor, "message": {}}

    assert _visible(message("queued"), LAN) and _visible(message("assigned", "lan"), LAN)
    assert not _visible(message("assigned", "minh"), LAN) and not _visible(message("bot"), LAN)
    assert all(_visible(message(s, "minh"), HOA) for s in ("queued", "assigned", "bot"))
    assert _visible({"type": "alert"}, LAN) and _visible({"type": "queue", "conversation": "c"}, LAN)


def test_the_role_layer_comes_first_and_denies_by_default():
    nobody = user("x", "guest")
    assert not any(can(nobody, action, c) for action in RULES for c in ALL)
    assert not can(LAN, "no.such.action") and allowed("no.such.action") == ()
    assert can(HOA, "queue.line") and not can(LAN, "queue.line") and not can(ADMIN, "queue.line")
    assert "queue.line" in allowed_actions(HOA) and "conversation.search" not in allowed_actions(LAN)
    assert not can(None, "session.me")


def test_every_rule_names_listed_actions_and_known_conditions():
    for action, sets in RULES.items():
        assert action in permissions(), action
        assert sets and all(sets), action
        for conditions in sets:
            for name in conditions:
                assert name.removeprefix("not ") in CONDITIONS, (action, name)
    assert SEE == RULES["conversation.read"]
    # every route on one conversation has a rule: an action on a conversation without one is refused
    from handoff.console import conversations, records, referrals, review

    for _name, action, _step in conversations.STEPS + review.STEPS + records.STEPS + referrals.STEPS:
        assert action in RULES, action


async def test_the_api_hands_the_page_what_each_user_may_do(consoles, store, http, gateway_without_rasa):
    lan = await signed_in(consoles, store, "perm.lan")
    supervisor = await signed_in(consoles, store, "perm.gs", role="supervisor")
    await user_says(http, gateway_without_rasa, uuid.uuid4().hex, "cứu em, họ nhốt em")
    cid = await head_of_queue(lan)
    _, queue = await lan.call("GET", "/api/queue")
    assert queue["waiting"][0]["allowed"] == ["conversation.read", "referral.update", "conversation.claim"]
    assert (await lan.call("GET", f"/api/conversations/{cid}"))[1]["allowed"] == queue["waiting"][0]["allowed"]
    # acting on a waiting case without claiming it: refused as the queue would
    status, body = await lan.call("POST", f"/api/conversations/{cid}/messages", {"text": "chào em"})
    assert status == 403 and body["error"] == "not_yours"
    await lan.call("POST", f"/api/conversations/{cid}/claim")
    _, case = await lan.call("GET", f"/api/conversations/{cid}")
    assert "conversation.close" in case["allowed"] and "conversation.claim" not in case["allowed"]
    _, seen = await supervisor.call("GET", f"/api/conversations/{cid}")
    assert "conversation.take_over" in seen["allowed"] and "conversation.close" not in seen["allowed"]
    _, me = await supervisor.call("GET", "/api/me")
    assert "queue.line" in me["allowed"] and me["role_name"] == "giám sát viên"
    _, me = await lan.call("GET", "/api/me")
    assert "queue.line" not in me["allowed"] and me["role_name"] == "tư vấn viên"


async def test_the_page_gets_its_words_from_the_api(consoles, store):
    from handoff.referrals import STATUSES
    from handoff.outcomes import OUTCOMES

    lan = await signed_in(consoles, store, "perm.words")
    _, words = await lan.call("GET", "/api/quick-replies")
    assert words["outcomes"] == OUTCOMES and list(words["referral_statuses"]) == list(STATUSES)
    assert words["priorities"]["critical"] == "Khẩn cấp" and words["reasons"]["confinement"] == "bị giam giữ"
    assert words["channels"]["web"] == "Web" and [r[0] for r in words["statistics"]][0] == "contacts_received"


async def test_a_transcript_read_is_audited_once_per_opening_not_per_refresh(consoles, store, http,
                                                                            gateway_without_rasa):
    """The page reads an open chat again at each live event and step; one entry per opening:
    refreshes add none, another user, another chat in between, or a new sign-in open it anew."""
    lan = await signed_in(consoles, store, "perm.audit")
    minh = await signed_in(consoles, store, "perm.audit2")
    await user_says(http, gateway_without_rasa, uuid.uuid4().hex, "cứu em, họ nhốt em")
    cid = await head_of_queue(lan)
    await user_says(http, gateway_without_rasa, uuid.uuid4().hex, "cứu em, họ đánh em")
    _, queue = await lan.call("GET", "/api/queue")
    other = next(c["id"] for c in queue["waiting"] if c["id"] != cid)

    def reads(who, conversation=None):
        return [a for a in store.audit.all() if a["action"] == "read_transcript"
                and a["object"] == (conversation or cid) and a["actor"] == who]

    await lan.call("GET", "/api/queue")
    assert reads("perm.audit") == []  # the queue shows no transcript
    for after in (0, 0, 3):  # the opening, then the page's refreshes of the open chat
        assert (await lan.call("GET", f"/api/conversations/{cid}?after={after}"))[0] == 200
    assert len(reads("perm.audit")) == 1
    await minh.call("GET", f"/api/conversations/{cid}")  # another user: an opening of their own
    assert len(reads("perm.audit2")) == 1 and len(reads("perm.audit")) == 1
    await lan.call("POST", f"/api/conversations/{cid}/claim")
    await lan.call("GET", f"/api/conversations/{cid}")  # the page re-reads after the claim
    assert len(reads("perm.audit")) == 1
    # Another chat opened in the page closes this one: coming back is a new opening.
    await lan.call("GET", f"/api/conversations/{other}")
    await lan.call("GET", f"/api/conversations/{cid}")
    assert len(reads("perm.audit", other)) == 1 and len(reads("perm.audit")) == 2
    # Signing out ends every opening.
    await lan.call("POST", "/api/logout")
    await lan.login("perm.audit")
    await lan.call("GET", f"/api/conversations/{cid}")
    assert len(reads("perm.audit")) == 3


async def test_a_transcript_left_unread_past_the_window_is_opened_anew(redis, store, http):
    runner, url = await start_gateway(f"http://127.0.0.1:{free_port()}", redis, store, audit_read_window_s=1)
    lan = Console(url)
    try:
        ensure_user(store, "perm.window")
        assert (await lan.login("perm.window"))[0] == 200
        await user_says(http, url, uuid.uuid4().hex, "cứu em, họ nhốt em")
        cid = await head_of_queue(lan)

        def reads():
            return [a for a in store.audit.all() if a["action"] == "read_transcript"
                    and a["object"] == cid and a["actor"] == "perm.window"]

        await lan.call("GET", f"/api/conversations/{cid}")
        await asyncio.sleep(0.4)
        await lan.call("GET", f"/api/conversations/{cid}")  # within the window: each read restarts it
        await asyncio.sleep(0.7)
        await lan.call("GET", f"/api/conversations/{cid}")  # 1.1 s after the opening, 0.7 s after the last read
        assert len(reads()) == 1
        await asyncio.sleep(1.3)
        await lan.call("GET", f"/api/conversations/{cid}")  # unread longer than the window
        assert len(reads()) == 2
    finally:
        await lan.close()
        await stop_gateway(runner)


@pytest.mark.parametrize("name", sorted(CONDITIONS))
def test_each_condition_decides_some_case(name):
    """Dropping a condition would change an answer: each one is true and false somewhere."""
    targets = CASES if name in CASE_CONDITIONS else ALL
    results = {CONDITIONS[name](who, c) for who in (LAN, MINH, HOA, ADMIN) for c in targets}
    assert results == {True, False}


def test_a_case_is_seen_by_supervisors_and_those_who_work_on_it():
    assert can(LAN, "case.read", LANS_CASE) and can(LAN, "case.update", LANS_CASE)
    assert not can(MINH, "case.read", LANS_CASE) and can(MINH, "case.update", SHARED_CASE)
    assert all(can(HOA, action, case) for action in ("case.read", "case.update") for case in CASES)
    assert not any(can(ADMIN, "case.read", case) for case in CASES)  # admins' role holds no case
    assert allowed_on(MINH, LANS_CASE) == [] and allowed_on(LAN, LANS_CASE) == ["case.read", "case.update"]
