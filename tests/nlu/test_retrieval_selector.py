"""The ResponseSelector is asked only for retrieval intents (nlu/retrieval_selector.py)."""
from nlu.parse import response_key
import pytest

# Rasa in this process: Rasa's runtime only (tests/conftest.py).
pytestmark = pytest.mark.rasa_runtime


async def test_a_retrieval_intent_gets_its_answer_and_another_intent_none(nlu):
    faq = await nlu.parse("Cho em hỏi vay vốn ngân hàng chính sách sau khi về nước thế nào ạ")
    assert faq["intent"]["name"] == "faq_support"
    assert response_key(faq, "faq_support") == "faq_support/loan"

    greeting = await nlu.parse("chào bạn")
    assert greeting["intent"]["name"] == "greet"
    # The shape Rasa gives, with no choice in it: the selector did not run.
    assert set(greeting["response_selector"]) == {"all_retrieval_intents"}
    assert set(greeting["response_selector"]["all_retrieval_intents"]) == {"faq_migration", "faq_support",
                                                                          "faq_hotline"}
