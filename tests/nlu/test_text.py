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
