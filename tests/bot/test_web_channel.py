"""The web chat endpoint through the real gateway, Rasa server and action server."""
import uuid

import pytest

from directory.messages import SAFETY_OPENING


async def say(http, gateway, text, sender=None):
    async with http.post(f"{gateway}/webhooks/web", json={"sender": sender or uuid.uuid4().hex, "text": text}) as r:
        return r.status, await r.json()


def texts(body):
    return " ".join(m["text"] for m in body["messages"])


async def test_hotline_question_gets_the_number_from_the_seeds(http, gateway):
    status, body = await say(http, gateway, "Số tổng đài hỗ trợ nạn nhân mua bán người là gì?")
    assert status == 200 and "111" in texts(body)


async def test_urgent_message_gets_the_safety_answer_once(http, gateway):
    status, body = await say(http, gateway, "cuu e, e bi nhot o cty ben cam, ko cho ve")
    assert status == 200
    answer = texts(body)
    assert answer.count(SAFETY_OPENING) == 1
    for number in ("113", "111"):
        assert number in answer


async def test_urgent_message_mid_faq_still_gets_the_safety_answer(http, gateway):
    sender = uuid.uuid4().hex
    _, body = await say(http, gateway, "nạn nhân có được vay vốn không", sender)
    assert "vay" in texts(body)
    _, body = await say(http, gateway, "họ đang đánh em, em bị nhốt trong kho", sender)
    assert SAFETY_OPENING in texts(body)


async def test_two_misunderstandings_bring_a_counsellor(http, gateway, redis):
    sender = uuid.uuid4().hex
    _, first = await say(http, gateway, "qwerty uiop zxcv", sender)
    assert "chỉ hỗ trợ" in texts(first) and await redis.zcard("hl:queue") == 0
    _, second = await say(http, gateway, "hjkl asdfgh lkjhg", sender)
    assert "tư vấn viên" in texts(second) and "vị trí số 1" in texts(second)
    assert await redis.zcard("hl:queue") == 1


async def test_support_answer_lists_matching_services(http, gateway):
    _, body = await say(http, gateway, "nan nhan co duoc vay von lam an ko")
    assert "Ngân hàng Chính sách xã hội" in texts(body)


@pytest.mark.parametrize("text", ["😢😢😢", "Привет 你好 xin chào", "a" * 10_000])
async def test_odd_but_valid_messages_get_an_answer(http, gateway, text):
    status, body = await say(http, gateway, text)
    assert status == 200 and body["messages"]


async def test_long_urgent_message_is_read_to_the_end(http, gateway):
    status, body = await say(http, gateway, "chuyện dài " * 1500 + "cứu em, họ nhốt em")
    assert status == 200 and SAFETY_OPENING in texts(body)


@pytest.mark.parametrize("body, status, code", [
    (b"{not json", 400, "invalid_json"),
    ("{\"sender\": \"a\", \"text\": \"xin chào\"}".encode("utf-16"), 400, "invalid_encoding"),
    (b"[1, 2]", 400, "invalid_body"),
    (b'{"text": "hi"}', 400, "invalid_sender"),
    (b'{"sender": "a"}', 400, "invalid_text"),
    (b'{"sender": "a", "text": "   "}', 422, "empty_text"),
    (b'{"sender": "a", "text": "' + b"x" * 30_000 + b'"}', 413, "text_too_long"),
])
async def test_bad_requests_get_a_clear_error(http, gateway, body, status, code):
    async with http.post(f"{gateway}/webhooks/web", data=body) as response:
        assert response.status == status
        answer = await response.json()
    assert answer["error"] == code and answer["message"]


async def test_oversized_body_is_refused(http, gateway):
    async with http.post(f"{gateway}/webhooks/web", data=b"x" * 100_000) as response:
        assert response.status == 413
    status, _ = await say(http, gateway, "xin chào")  # and it keeps serving
    assert status == 200


async def test_when_rasa_is_down_urgent_gets_safety_and_others_the_hotline(http, gateway_without_rasa):
    status, body = await say(http, gateway_without_rasa, "cứu em, em bị bán sang Trung Quốc")
    assert status == 200 and texts(body).startswith(SAFETY_OPENING)
    status, body = await say(http, gateway_without_rasa, "cho hỏi về học nghề")
    assert status == 200 and "111" in texts(body) and "113" in texts(body)


async def test_page_and_headers(http, gateway):
    async with http.get(f"{gateway}/") as response:
        page = await response.text()
        assert response.status == 200
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"
    assert 'lang="vi"' in page and "width=device-width" in page and "Thoát nhanh" in page
