import unicodedata

import pytest
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.training_data.message import Message

from nlu.vietnamese_tokenizer import VietnameseTokenizer, segment

# Rasa in this process: Rasa's runtime only (tests/conftest.py).
pytestmark = pytest.mark.rasa_runtime


@pytest.fixture
def tokenizer():
    return VietnameseTokenizer(VietnameseTokenizer.get_default_config())


def tokens(tokenizer, text):
    return tokenizer.tokenize(Message(data={"text": text}), "text")


def test_is_registered_as_a_rasa_tokenizer():
    registered = DefaultV1Recipe._registered_components["VietnameseTokenizer"]
    assert registered.clazz is VietnameseTokenizer
    assert DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER in registered.types


@pytest.mark.parametrize("text", [
    "Làm ơn cứu tôi, tôi bị giữ trong một khu nhà ở Campuchia, họ lấy hết giấy tờ",
    "Đi xuất khẩu lao động Nhật Bản qua công ty nào thì an toàn?",
    unicodedata.normalize("NFD", "Hộ chiếu của tôi bị giữ ở Trung Quốc"),  # combining marks
    "Ðã hoà giải",  # underthesea rewrites Ð and the tone position of "hoà"
    "cuu e, e bi nhot o cty ben cam, ko cho ve",
    "  khoảng   trắng \n và\txuống dòng  ",
    "số 0912345678, 15 tuổi!!!",
])
def test_offsets_point_at_the_text_rasa_holds(tokenizer, text):
    result = tokens(tokenizer, text)
    assert result, text
    for token in result:
        assert text[token.start:token.end] == token.text
    assert [t.start for t in result] == sorted(t.start for t in result)


def test_underthesea_groups_words_of_accented_text(tokenizer):
    texts = [t.text for t in tokens(tokenizer, "Họ lấy hết giấy tờ của tôi")]
    assert "giấy tờ" in texts


def test_accented_unaccented_and_teencode_share_lemmas(tokenizer):
    def syllables(text):
        return " ".join(t.lemma for t in tokens(tokenizer, text)).split()

    proper = syllables("Cứu em, em bị nhốt ở công ty bên Campuchia, không cho về")
    assert syllables("cuu em, em bi nhot o cong ty ben campuchia, khong cho ve") == proper
    assert syllables("cuu e, e bi nhot o cty ben cam, ko cho ve") == proper


def test_unaccented_text_is_split_into_syllables_so_entities_align():
    spans = segment("em dang bi giu o mot khu o myanma")
    assert ("myanma" in [parts[0] for _, _, parts in spans]) and all(len(p) == 1 for _, _, p in spans)


def test_emoji_only_and_symbols_give_one_token(tokenizer):
    result = tokens(tokenizer, " 😢😢 ")
    assert [(t.text, t.start, t.end) for t in result] == [("😢😢", 1, 3)]


def test_empty_text_gives_no_tokens(tokenizer):
    assert tokens(tokenizer, "   ") == []


def test_plain_mode_keeps_words_whole_and_accented():
    plain = VietnameseTokenizer({**VietnameseTokenizer.get_default_config(), "fold": False, "join": "_"})
    assert "giấy_tờ" in [t.lemma for t in tokens(plain, "Họ lấy hết giấy tờ")]
