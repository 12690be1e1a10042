"""The urgency detector: its lexicon alone (the floor, and what is left without a trained model),
then the whole detector with its context markers and trained model."""
import pytest

from nlu.urgency import CRITICAL, HIGH, NORMAL, Evidence, Thresholds, Urgency, UrgencyDetector, decide, default_detector


@pytest.fixture(scope="module")
def detector():
    return UrgencyDetector()


@pytest.mark.parametrize("text, reason", [
    ("cuu e, e bi nhot o cty ben cam, ko cho ve", "confinement"),
    ("Làm ơn cứu tôi, họ lấy hết giấy tờ", "distress_call"),
    ("em bị bán sang TQ rồi", "sold_or_moved"),
    ("họ đòi gia đình gửi 200 triệu thì mới thả em", "ransom"),
    ("em bị ép tiếp khách", "forced_sex"),
    ("bị ép làm lừa đảo online, ai trốn là bị đánh", "forced_work"),
    ("bon no danh dap e hang ngay", "violence"),
    ("please help, my passport was taken and I cannot leave the factory", "confinement"),
    ("SOS", "distress_call"),
    ("Cháu tôi 15 tuổi đang bị người lạ giữ ở nhà nghỉ", "confinement"),
])
def test_danger_now_is_critical(detector, text, reason):
    result = detector.assess(text)
    assert result.level == CRITICAL
    assert reason in result.reasons


@pytest.mark.parametrize("text, reason", [
    ("Chị gái tôi sang Lào làm việc từ tháng trước, giờ không gọi được nữa", "lost_contact"),
    ("Có người rủ em đi Campuchia làm việc, bảo em đi luôn tối nay", "departure_soon"),
    ("công ty giữ hộ chiếu của em", "documents_taken"),
    ("nó dọa giết cả nhà em nếu em nói ra", "threat"),
    ("từ khi về em chỉ muốn chết", "acute_distress"),
])
def test_serious_risk_is_high(detector, text, reason):
    result = detector.assess(text)
    assert result.level == HIGH
    assert reason in result.reasons


@pytest.mark.parametrize("text", [
    "em không bị nhốt, chỉ muốn hỏi thôi",
    "tôi chưa bị ai giữ giấy tờ",
    "Có nên đưa hộ chiếu cho người môi giới giữ không?",
    "nếu bị giữ hộ chiếu thì làm sao",
    "dấu hiệu nhận biết người bị mua bán là gì",
    "Người bị mua bán trở về được hỗ trợ học nghề không?",
    "tôi gọi 111 không được",
    "em không dám về nhà vì sợ bị dị nghị",
    "giải cứu nạn nhân mất bao lâu",
    "Giá xăng hôm nay bao nhiêu?",
])
def test_questions_negations_and_ordinary_talk_stay_normal(detector, text):
    assert detector.assess(text).level == NORMAL


@pytest.mark.parametrize("text, reason", [
    ("tối nay bọn nó chở cả nhóm em sang Myawaddy", "moved_now"),
    ("sang mai ho dua e qua bavet, e ko muon di", "moved_now"),
    ("toi nay chung no se den bat em ve", "hunted"),
    ("nhắn xong là em phải xoá hết, họ kiểm tra máy", "secret_phone"),
    ("mỗi tối chỉ được cầm điện thoại 10 phút", "secret_phone"),
    ("bị lấy máy rồi, mỗi ngày họ chỉ cho dùng 15 phút", "secret_phone"),
])
def test_imminent_crossings_raids_and_watched_phones_are_critical(detector, text, reason):
    result = detector.assess(text)
    assert result.level == CRITICAL and reason in result.reasons


def test_a_parents_screen_time_is_not_a_watched_phone(detector):
    assert detector.assess("mẹ chỉ cho em dùng điện thoại 1 tiếng mỗi ngày, chán quá").level == NORMAL


def test_a_crossing_tonight_is_not_a_question_even_beside_question_words(detector):
    text = "làm sao để biết họ đưa đi đâu, tối nay họ chở em qua biên giới rồi"
    result = detector.assess(text)
    assert result.level == CRITICAL and "hypothetical" not in result.reasons


def test_months_of_it_until_now_are_not_the_past(detector):
    assert "past" not in detector.evidence("em bị nhốt ở đây 3 tháng rồi").context
    assert "past" not in detector.evidence("bi giu o cty nay 2 thang nay roi").context
    assert "past" in detector.evidence("em bị nhốt ở đó 3 năm trước, giờ về rồi").context


def test_no_figure_of_speech_explains_a_hidden_phone_or_a_crossing():
    assert _evidence({"secret_phone": CRITICAL}, {"figurative"}).lowering == []
    assert _evidence({"moved_now": CRITICAL}, {"figurative", "past"}).lowering == ["past"]
    assert _evidence({"confinement": CRITICAL}, {"figurative"}).lowering == ["figurative"]


def test_negation_does_not_reach_across_a_clause(detector):
    assert detector.assess("em không biết làm sao, họ nhốt em trong phòng").level == CRITICAL
    assert detector.assess("em không chịu thì bị đánh").level == CRITICAL


def test_someone_in_danger_now_overrides_question_wording(detector):
    assert detector.assess("em là nạn nhân, đang bị nhốt, có được giúp không").level == CRITICAL


def test_a_minor_raises_high_signals_to_critical(detector):
    result = detector.assess("con gái tôi 16 tuổi mất liên lạc sau khi sang Lào")
    assert result.level == CRITICAL and "minor" in result.reasons
    assert detector.assess("con gái tôi 25 tuổi mất liên lạc sau khi sang Lào").level == HIGH


def test_nlu_intent_escalates_what_the_lexicon_misses(detector):
    text = "làm ơn giúp, tụi nó không cho ai trong khu này liên lạc ra ngoài"
    assert detector.assess(text, {"urgent_rescue": 0.95}).level == CRITICAL
    assert detector.assess("xin chào", {"urgent_rescue": 0.5}).level == HIGH
    assert detector.assess("xin chào", {"greet": 0.99}).level == NORMAL
    assert "nlu_lost_contact" in detector.assess("anh tôi đi xa", {"report_missing": 0.9}).reasons


def test_hypothetical_rescue_intent_is_not_escalated(detector):
    assert detector.assess("nếu bị nhốt thì phải làm gì", {"urgent_rescue": 0.9}).level == NORMAL


def test_folded_pronouns_are_not_mistaken_for_negations(detector):
    # "nó" folds to "no" and "cha" (father) to the negation "chả"
    assert detector.assess("nó dọa giết em").level == HIGH
    assert detector.assess("cha tôi bị đánh, bị nhốt ở bên kia").level == CRITICAL


def test_locked_door_is_confinement_but_everyday_cannot_is_not(detector):
    assert detector.assess("chi oi e so lam, ho khoa cua phong roi, e ko ra dc").level == CRITICAL
    assert detector.assess("em không trốn được, họ canh suốt").level == CRITICAL
    assert detector.assess("em không ra ngoài được vì trời mưa").level == NORMAL
    assert detector.assess("khóa học này không ra được kết quả").level == NORMAL


# ---- the whole detector: lexicon, context markers and the trained model (nlu/urgency.py) ----

@pytest.fixture(scope="module")
def trained():
    return default_detector()


@pytest.mark.parametrize("text", [
    "cứu với, bài tập khó quá",
    "cuu e voi, mai thi hoa ma chua hoc chu nao",
    "cứu tôi với, sếp bắt làm báo cáo xuyên đêm",
    "hqua bị nhốt trong thang máy 15 phút, sợ muốn xỉu",
    "cứu với, con mèo nhà em bị kẹt trên mái nhà",
])
def test_casual_rescue_words_are_normal(trained, detector, text):
    assert detector.assess(text).level == CRITICAL  # the lexicon alone cries wolf
    assert trained.assess(text).level == NORMAL


@pytest.mark.parametrize("text", [
    "Em từng bị bán sang Trung Quốc năm 2018, giờ về quê rồi, cho em hỏi có được hỗ trợ học nghề không ạ",
    "hồi trước e bị nhốt ở bên cpc 1 năm, về đc 3 năm r, h muốn vay vốn chăn nuôi thì hỏi ở đâu",
])
def test_a_returnee_asking_about_services_is_normal(trained, detector, text):
    assert detector.assess(text).level == CRITICAL
    result = trained.assess(text)
    assert result.level == NORMAL and "past" in result.reasons  # the counsellor sees why


@pytest.mark.parametrize("text", [
    "tối nay bọn nó đưa cả nhóm bọn em qua sông sang bên kia, em sợ lắm",
    "e đang ở trên xe với 5 đứa nữa, tài xế bảo đêm nay qua biên giới, ko ai dc xuống",
    "they are taking us across the border tonight, please help",
])
def test_being_moved_across_a_border_tonight_is_critical(trained, text):
    assert trained.assess(text).level == CRITICAL


def test_danger_now_stays_critical_when_the_message_also_asks_a_question(trained):
    text = "em đang bị nhốt trong khu ở Campuchia, họ lấy hộ chiếu rồi, gọi 111 có mất tiền không ạ"
    assert trained.assess(text).level == CRITICAL


def _evidence(signals, context=()):
    return Evidence("", dict(signals), frozenset(context), False)


def test_a_signal_is_a_floor_the_model_lowers_only_with_a_reason():
    th = Thresholds(signal_critical=0.3, critical=0.6, urgent=0.4, lower=0.7, dismiss=0.98)
    floor = Urgency(CRITICAL, ("confinement",))
    sure = {CRITICAL: 0.05, HIGH: 0.05, NORMAL: 0.9}
    # a marker that explains it (a story of the past) and a model that agrees: normal, and why
    lowered = decide(floor, _evidence({"confinement": CRITICAL}, {"past"}), sure, th)
    assert lowered.level == NORMAL and lowered.reasons == ("confinement", "past")
    # no marker: in doubt between critical and normal, high
    doubted = decide(floor, _evidence({"confinement": CRITICAL}), sure, th)
    assert doubted.level == HIGH and "doubt" in doubted.reasons
    confirmed = decide(floor, _evidence({"confinement": CRITICAL}, {"past"}),
                       {CRITICAL: 0.5, HIGH: 0.1, NORMAL: 0.4}, th)
    assert confirmed.level == CRITICAL


def test_the_model_raises_what_no_signal_caught():
    th = Thresholds(signal_critical=0.3, critical=0.6, urgent=0.4, lower=0.7, dismiss=0.98)
    nothing = Urgency(NORMAL, ())
    assert decide(nothing, _evidence({}), {CRITICAL: 0.7, HIGH: 0.1, NORMAL: 0.2}, th) == \
        Urgency(CRITICAL, ("model_critical",))
    assert decide(nothing, _evidence({}), {CRITICAL: 0.2, HIGH: 0.3, NORMAL: 0.5}, th) == \
        Urgency(HIGH, ("model_high",))
    assert decide(nothing, _evidence({}), {CRITICAL: 0.1, HIGH: 0.1, NORMAL: 0.8}, th).level == NORMAL


def test_danger_in_the_middle_of_a_long_message_is_not_diluted(trained):
    story = "Em quê ở Nghệ An, nhà nghèo, bố mẹ làm ruộng, em học hết lớp 9 thì nghỉ đi làm thuê. " * 5
    text = story + "Bây giờ họ nhốt em trong khu, lấy hết điện thoại, ai trốn là bị đánh. " + story
    assert trained.assess(text).level == CRITICAL
    # reading in windows makes no harmless story critical (a migrant's backstory may still be high:
    # many real rescue messages begin that way, docs/triage.md "Known limits")
    assert trained.assess(story + story).level != CRITICAL
