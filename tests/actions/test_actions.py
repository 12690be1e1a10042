"""Custom actions run against real rasa-sdk trackers (and the real Redis and store when they escalate)."""
import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.handoff as action_handoff
from actions.fallback import ActionFallback, misses_in_a_row
from actions.handoff import ActionHandoff
from actions.services import ActionFindServices
from actions.urgent import ActionUrgentSafety
from handoff.service import Handoff
from shared.config import Config


def user(intent, **extra):
    return {"event": "user", "parse_data": {"intent": {"name": intent, "confidence": 0.3}, **extra}}


def tracker(events, slots=None, latest=None, sender="s1"):
    return Tracker(sender, slots or {}, latest or {}, events, False, None, {}, "action_listen")


def run(action, t):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, t, {})
    return dispatcher.messages, events


@pytest.fixture
def service(redis, store, monkeypatch):
    """The actions' handoff, on the test Redis and store."""
    handoff = Handoff(redis, store, Config())
    monkeypatch.setattr(action_handoff, "_handoff", handoff)
    return handoff


async def run_async(action, t):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, {})
    return dispatcher.messages, events


def test_misses_are_counted_in_a_row_only():
    bot = {"event": "bot", "text": "..."}
    assert misses_in_a_row([user("nlu_fallback"), bot, user("nlu_fallback")]) == 2
    assert misses_in_a_row([user("nlu_fallback"), user("greet"), user("nlu_fallback")]) == 1
    assert misses_in_a_row([user("greet")]) == 0
    assert misses_in_a_row([user("out_of_scope"), user("nlu_fallback")]) == 2


async def test_first_miss_asks_to_rephrase_second_hands_over(service):
    latest = {"intent": {"name": "nlu_fallback"}}
    messages, events = await run_async(ActionFallback(), tracker([user("nlu_fallback")], latest=latest,
                                                                 sender="web:u1"))
    assert messages[0]["response"] == "utter_ask_rephrase" and events == []
    latest = {"intent": {"name": "out_of_scope"}}
    messages, _ = await run_async(ActionFallback(), tracker([user("out_of_scope")], latest=latest, sender="web:u1"))
    assert messages[0]["response"] == "utter_out_of_scope"
    assert await service.queue.ordered() == []
    messages, _ = await run_async(ActionFallback(), tracker([user("nlu_fallback"), user("nlu_fallback")],
                                                            sender="web:u1"))
    assert messages[0]["response"] == "utter_handoff_misunderstood"
    [waiting] = await service.queue.ordered()
    assert waiting.priority == "normal"
    assert (await service.conversations.state(waiting.conversation_id))["trigger"] == "misunderstood"


async def test_without_the_handoff_store_the_user_still_gets_the_numbers(monkeypatch):
    monkeypatch.setattr(action_handoff, "_handoff", Handoff(_DeadRedis(), None, Config()))
    messages, _ = await run_async(ActionFallback(), tracker([user("nlu_fallback"), user("nlu_fallback")],
                                                            sender="web:u2"))
    assert messages[0]["response"] == "utter_offer_counsellor"
    latest = {"intent": {"name": "human_request", "confidence": 0.9}}
    messages, _ = await run_async(ActionHandoff(), tracker([], latest=latest, sender="web:u2"))
    assert messages[0]["response"] == "utter_human_request"


class _DeadRedis:
    """A Redis that is down."""

    def register_script(self, _script):
        return None

    def __getattr__(self, name):
        async def refuse(*args, **kwargs):
            raise ConnectionError("redis is down")
        return refuse


async def test_handoff_priority_follows_the_intent(service):
    for sender, intent, priority in (("web:a", "human_request", "normal"), ("web:b", "report_missing", "high"),
                                     ("web:c", "urgent_rescue", "critical")):
        latest = {"intent": {"name": intent, "confidence": 0.9}}
        messages, _ = await run_async(ActionHandoff(), tracker([], latest=latest, sender=sender))
        cid = await service.conversations.conversation_for("web", sender[4:])
        assert (await service.conversations.state(cid))["priority"] == priority
        assert bool(messages) == (intent == "human_request")


def rescue(text, ranking=(), selector=None, confidence=0.9):
    """What Rasa hands the rescue action: the message, its intent and ranking, the selector's choice."""
    latest = {"text": text, "intent": {"name": "urgent_rescue", "confidence": confidence},
              "intent_ranking": [{"name": "urgent_rescue", "confidence": confidence},
                                 *({"name": n, "confidence": c} for n, c in ranking)]}
    if selector:
        latest["response_selector"] = {"default": {"response": {"intent_response_key": selector}}}
    return latest


async def test_urgent_safety_mentions_the_embassy_only_abroad_and_escalates(service):
    held = rescue("cứu em, họ nhốt em trong phòng, không cho về")
    abroad, _ = await run_async(ActionUrgentSafety(), tracker([], {"country": "Campuchia"}, held, sender="web:d"))
    home, _ = await run_async(ActionUrgentSafety(), tracker([], {"country": None}, held, sender="web:e"))
    assert [w.priority for w in await service.queue.ordered()] == ["critical", "critical"]
    assert "Đại sứ quán" in abroad[0]["text"] and "Đại sứ quán" not in home[0]["text"]
    assert "113" in home[0]["text"]


RETURNEE = "Em từng bị bán sang Trung Quốc năm 2018, giờ về quê rồi, em muốn học nghề may thì đăng ký ở đâu ạ"


async def test_a_returnee_the_nlu_took_for_a_rescue_gets_the_answer_and_is_not_queued(service):
    # the NLU hesitated (its rescue intent just above the fallback threshold); the context says past
    latest = rescue(RETURNEE, ranking=[("faq_support", 0.44)], selector="faq_support/vocational", confidence=0.46)
    messages, _ = await run_async(ActionUrgentSafety(), tracker([], {}, latest, sender="web:f"))
    assert [m["response"] for m in messages] == ["utter_faq_support/vocational"]
    assert await service.queue.ordered() == []


async def test_when_in_doubt_the_person_gets_the_answer_and_a_counsellor_sees_it_soon(service):
    # the NLU is sure of a rescue, the detector's context says past: high, never the emergency script
    latest = rescue(RETURNEE, ranking=[("faq_support", 0.05)], selector="faq_support/vocational", confidence=0.95)
    messages, _ = await run_async(ActionUrgentSafety(), tracker([], {}, latest, sender="web:g"))
    assert [m["response"] for m in messages] == ["utter_faq_support/vocational"]
    assert [w.priority for w in await service.queue.ordered()] == ["high"]


def test_services_follow_the_answer_the_response_selector_chose():
    latest = {
        "intent": {"name": "faq_support", "confidence": 0.99},
        "response_selector": {"default": {"response": {"intent_response_key": "faq_support/loan"}}},
    }
    messages, _ = run(ActionFindServices(), tracker([], {"province": None}, latest))
    assert "Ngân hàng Chính sách xã hội" in messages[0]["text"]
    messages, _ = run(ActionFindServices(), tracker([], {}, {"intent": {"name": "greet"}}))
    assert messages == []
