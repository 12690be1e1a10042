"""The category: the NLU's intents and the learned model together, and either alone."""
import pytest

from nlu import category_model, category_training
from nlu.text import folded_view


def test_the_intents_are_read_by_category_without_the_fallback():
    heard = category_model.from_intents({"faq_support": 0.5, "faq_migration": 0.1, "report_missing": 0.2,
                                         "report_suspicious": 0.1, "nlu_fallback": 0.9})
    assert heard["victim_support"] == pytest.approx(0.5 / 0.9)
    assert heard["report_suspicious"] == pytest.approx(0.3 / 0.9)  # missing person and suspicion: one category
    assert sum(heard.values()) == pytest.approx(1.0)


def test_either_source_may_be_missing():
    model = dict.fromkeys(category_model.CATEGORIES, 0.0) | {"safe_migration": 0.7, "report_suspicious": 0.3}
    assert category_model.scores(model, None) == model
    assert category_model.choose(category_model.scores(None, {"faq_hotline": 0.8}), rescue=False) == "hotline_info"
    assert category_model.choose(category_model.scores(None, None), rescue=False) == "out_of_scope"
    # averaged: the NLU's victim_support (0.6 * 0.5 = 0.3) against the model's safe_migration (0.7 * 0.5)
    mixed = category_model.scores(model, {"faq_support": 0.6, "faq_migration": 0.4}, weight=0.5)
    assert mixed["safe_migration"] == pytest.approx(0.5 * 0.7 + 0.5 * 0.4)
    assert category_model.choose(mixed, rescue=False) == "safe_migration"


def test_rescue_is_the_urgency_detectors_call():
    rescue_first = dict.fromkeys(category_model.CATEGORIES, 0.0) | {"urgent_rescue": 0.8, "victim_support": 0.2}
    assert category_model.choose(rescue_first, rescue=True) == "urgent_rescue"
    # the models read rescue, the detector finds no danger now: what the message asks
    assert category_model.choose(rescue_first, rescue=False) == "victim_support"


@pytest.mark.parametrize("text, category", [
    # a neighbour reports a recruiter (not a question about going abroad)
    ("nhà bên cạnh có ông môi giới hay rủ mấy đứa con gái trong xóm sang Trung Quốc làm, tôi thấy nghi lắm",
     "report_suspicious"),
    ("cho minh hoi muon di xuat khau lao dong Nhat thi can giay to gi a", "safe_migration"),
    # a returnee years later asks about support
    ("em về nước từ năm 2021 rồi, giờ muốn học nghề may thì có được hỗ trợ gì không ạ", "victim_support"),
    ("so tong dai nay goi co mat tien khong", "hotline_info"),
])
def test_the_trained_model_reads_what_a_message_is_about(text, category):
    model = category_training.ensure_model()
    assert category_model.choose(model.probabilities(folded_view(text)), rescue=False) == category
