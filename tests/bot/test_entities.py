"""Entities that route a case: country, province, age, phone, in the trained model."""
import pytest

# Rasa in this process: Rasa's runtime only (tests/conftest.py).
pytestmark = pytest.mark.rasa_runtime


def values(parse, entity):
    return {e["value"] for e in parse["entities"] if e["entity"] == entity}


@pytest.mark.parametrize("text", [
    "Con gái tôi 15 tuổi ở Lạng Sơn bị bán sang Trung Quốc, số của tôi 0912345678",
    "con gai toi 15 tuoi o lang son bi ban sang tq, so cua toi 0912345678",
])
async def test_routing_entities_with_and_without_diacritics(nlu, text):
    parse = await nlu.parse(text)
    assert "Trung Quốc" in values(parse, "country")
    assert "Lạng Sơn" in values(parse, "province")
    assert "0912345678" in values(parse, "phone")
    assert any("15" in v for v in values(parse, "age"))


async def test_teencode_country_is_normalised(nlu):
    parse = await nlu.parse("e dang o ben cpc, ho giu giay to")
    assert values(parse, "country") == {"Campuchia"}
    # Not "cam": as a bare word it is also "cấm" (forbidden); the tokenizer expands it only
    # in context, which Rasa's lookup and CRF extractors do not see. Known limitation.
