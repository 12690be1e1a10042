"""The Rasa process's schema check: each schema checked once, every instance still validated."""
import pytest
from jsonschema import ValidationError, SchemaError
from rasa.core.actions.action import RemoteAction

from bot import rasa_server


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
