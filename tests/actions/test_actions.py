"""Custom actions run against real rasa-sdk trackers."""
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionFallback, misses_in_a_row
from actions.services import ActionFindServices
from actions.urgent import ActionUrgentSafety


def user(intent, **extra):
    return {"event": "user", "parse_data": {"intent": {"name": intent, "confidence": 0.3}, **extra}}


def tracker(events, slots=None, latest=None):
    return Tracker("s1", slots or {}, latest or {}, events, False, None, {}, "action_listen")


def run(action, t):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, t, {})
    return dispatcher.messages, events


def test_misses_are_counted_in_a_row_only():
    bot = {"event": "bot", "text": "..."}
    assert misses_in_a_row([user("nlu_fallback"), bot, user("nlu_fallback")]) == 2
    assert misses_in_a_row([user("nlu_fallback"), user("greet"), user("nlu_fallback")]) == 1
    assert misses_in_a_row([user("greet")]) == 0
    assert misses_in_a_row([user("out_of_scope"), user("nlu_fallback")]) == 2


def test_first_miss_asks_to_rephrase_second_offers_a_counsellor():
    latest = {"intent": {"name": "nlu_fallback"}}
    messages, events = run(ActionFallback(), tracker([user("nlu_fallback")], latest=latest))
    assert messages[0]["response"] == "utter_ask_rephrase" and events == []
    latest = {"intent": {"name": "out_of_scope"}}
    messages, _ = run(ActionFallback(), tracker([user("out_of_scope")], latest=latest))
    assert messages[0]["response"] == "utter_out_of_scope"
    messages, events = run(ActionFallback(), tracker([user("nlu_fallback"), user("nlu_fallback")]))
    assert messages[0]["response"] == "utter_offer_counsellor"
    assert events == [{"event": "slot", "timestamp": None, "name": "counsellor_offered", "value": True}]


def test_urgent_safety_mentions_the_embassy_only_abroad():
    abroad, _ = run(ActionUrgentSafety(), tracker([], {"country": "Campuchia"}))
    home, _ = run(ActionUrgentSafety(), tracker([], {"country": None}))
    assert "Đại sứ quán" in abroad[0]["text"] and "Đại sứ quán" not in home[0]["text"]
    assert "113" in home[0]["text"]


def test_services_follow_the_answer_the_response_selector_chose():
    latest = {
        "intent": {"name": "faq_support", "confidence": 0.99},
        "response_selector": {"default": {"response": {"intent_response_key": "faq_support/loan"}}},
    }
    messages, _ = run(ActionFindServices(), tracker([], {"province": None}, latest))
    assert "Ngân hàng Chính sách xã hội" in messages[0]["text"]
    messages, _ = run(ActionFindServices(), tracker([], {}, {"intent": {"name": "greet"}}))
    assert messages == []
