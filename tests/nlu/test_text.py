from nlu.text import fold, folded_view, plain_words


def test_fold_removes_every_vietnamese_diacritic():
    assert fold("Cứu Tôi, Đừng Để Họ Giữ Hộ Chiếu") == "cuu toi, dung de ho giu ho chieu"
    assert fold("Ðồng") == "dong"  # U+00D0, the look-alike of Đ that some keyboards type


def test_teencode_and_accents_meet_in_the_folded_view():
    assert folded_view("cứu em, em bị nhốt, không cho về") == folded_view("cuu e, e bi nhot, ko cho ve")
    assert folded_view("mik dc cty giu hc") == "minh duoc cong ty giu ho chieu"


def test_ambiguous_abbreviation_expands_only_in_context():
    assert plain_words(["ben", "cam"]) == ["ben", "campuchia"]
    assert plain_words(["bi", "cam"]) == ["bi", "cam"]  # "bị cấm", not Cambodia


def test_clause_punctuation_becomes_a_boundary():
    assert folded_view("không, họ nhốt em") == "khong | ho nhot em"


def test_common_chat_forms_are_expanded():
    assert folded_view("t bị giữ, m đừng gọi lại") == "toi bi giu | may dung goi lai"
    assert folded_view("h e phải lm sao ak") == "gio em phai lam sao a"
    assert folded_view("ck e ms về, vk a thì chưa") == "chong em moi ve | vo anh thi chua"
    assert folded_view("e bít r, hok sao đâu") == "em biet roi | khong sao dau"


def test_two_readings_are_told_apart_by_the_neighbouring_word():
    assert folded_view("bn ơi cho mình hỏi") == "ban oi cho minh hoi"
    assert folded_view("phí bn tiền vậy") == "phi bao nhieu tien vay"
    assert folded_view("đi nc ngoài") == "di nuoc ngoai"
    assert folded_view("a ơi giúp e") == "anh oi giup em"
    assert folded_view("dạ, được ạ") == "da | duoc a"  # the particle stays a particle


def test_stretched_letters_and_laughter():
    assert folded_view("cứuuu em vớiii") == "cuu em voi"
    assert folded_view("xoong nồi") == "xoong noi"  # two of a letter is spelling
    assert folded_view("bị vợ nhốt ở nhà 😂") == "bi vo nhot o nha haha"
    assert folded_view("cứu tui =))") == "cuu tui haha"
