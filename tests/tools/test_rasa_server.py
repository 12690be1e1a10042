"""The Rasa process's schema check: each schema checked once, every instance still validated."""
import pytest
from jsonschema import ValidationError, SchemaError
from rasa.core.actions.action import RemoteAction

from tools import rasa_server

# Rasa in this process: Rasa's runtime only (tests/conftest.py).
pytestmark = pytest.mark.rasa_runtime


def test_an_action_answer_is_validated_every_time_and_its_schema_checked_once(monkeypatch):
    checks = []
    spec = RemoteAction.action_response_format_spec()
    cls = rasa_server.validators.validator_for(spec)
    original = cls.check_schema
    monkeypatch.setattr(cls, "check_schema", classmethod(lambda c, s: checks.append(1) or original(s)))
    monkeypatch.setattr(rasa_server, "_checked", set())
    good = {"events": [{"event": "slot", "name": "x", "value": 1}], "responses": [{"text": "Chào bạn"}]}
    for _ in range(3):
        rasa_server.validate(good, RemoteAction.action_response_format_spec())
        with pytest.raises(ValidationError):
            rasa_server.validate({"events": "không phải danh sách"}, RemoteAction.action_response_format_spec())
    assert len(checks) == 1


def test_a_bad_schema_is_still_refused():
    with pytest.raises(SchemaError):
        rasa_server.validate({}, {"type": 12})


TEXTS = [
    "cuu e, e bi nhot o cty ben cam",
    "Cho em hỏi vay vốn ngân hàng chính sách sau khi về nước thế nào ạ",
    "lam sao biet cty xkld co phep hay ko",
    "chào bạn",
    "tổng đài có mất phí không",
    "",
]


async def test_the_traced_graphs_give_what_rasas_own_calls_give(nlu, monkeypatch):
    from rasa.utils.tensorflow.models import RasaModel

    fast = [await nlu.parse(text) for text in TEXTS]
    # DIET and the ResponseSelector both went through the flat call.
    assert {type(model).__name__ for model in rasa_server._graphs} == {"DIET", "DIET2BOW"}
    monkeypatch.setattr(RasaModel, "_rasa_predict", rasa_server._original_predict)
    for text, ours in zip(TEXTS, fast):
        theirs = await nlu.parse(text)
        assert ours["intent"]["name"] == theirs["intent"]["name"]
        assert ours["intent"]["confidence"] == pytest.approx(theirs["intent"]["confidence"], abs=1e-6)
        assert [i["name"] for i in ours["intent_ranking"]] == [i["name"] for i in theirs["intent_ranking"]]
        for key, selector in theirs["response_selector"].items():
            if key == "all_retrieval_intents":
                continue
            mine = ours["response_selector"][key]["response"]
            assert mine["intent_response_key"] == selector["response"]["intent_response_key"]
            assert mine["confidence"] == pytest.approx(selector["response"]["confidence"], abs=1e-6)
