"""An explicit request for a person reaches one, whatever else the message asks (nlu/person_request.py)."""
import pytest

from nlu.person_request import asks_for_a_person


@pytest.mark.parametrize("text", [
    "em bị công ty giữ hộ chiếu, muốn gặp tư vấn viên ạ",
    "e muon gap tu van vien, cong ty giu ho chieu cua e",
    "cho em nói chuyện với người thật",
    "cho e gap tvv",
    "I want to talk to a human",
])
def test_a_request_for_a_person_is_seen(text):
    assert asks_for_a_person(text)


@pytest.mark.parametrize("text", [
    "tư vấn viên làm việc mấy giờ",
    "có tư vấn viên không ạ",
    "em muốn hỏi về hộ chiếu",
    "số tổng đài là gì",
    "xin chào",
])
def test_a_question_about_the_line_is_not_a_request(text):
    assert not asks_for_a_person(text)
