"""SMS with a real Kannel (bearerbox + smsbox) and its fake SMSC on loopback."""
import asyncio
import time

import pytest

from bot.channels.sms import gsm_fold
from tools.launcher import free_port
from handoff import texts
from tests.conftest import start_gateway
from tests.fakes import kannel as kannel_fake
from tests.handoff.conftest import Console, ensure_user

KEY = "kannel-shared-KEY"
pytestmark = pytest.mark.skipif(kannel_fake.available() is not None, reason=str(kannel_fake.available()))


@pytest.fixture
async def sms(tmp_path, redis, store):
    """(gateway url, Kannel) wired both ways; Rasa is down, so the gateway's safety net answers."""
    port = free_port()
    kannel = kannel_fake.Kannel(tmp_path, port, KEY)
    settings = dict(kannel_sendsms_url=kannel.sendsms_url, kannel_username="hotline", kannel_password=KEY,
                    sms_from="18001769", sms_key=KEY, sms_dlr_url=f"http://127.0.0.1:{port}/webhooks/sms/dlr",
                    send_attempts=3, send_backoff_s=0.05)
    runner, url = await start_gateway(f"http://127.0.0.1:{free_port()}", redis, store, **settings, port=port)
    # Kannel starts once the gateway holds its port: Kannel's own connections take ephemeral
    # ports, and one of them could be the port chosen for the gateway.
    kannel.start()
    yield url, kannel
    await runner.cleanup()
    kannel.stop()


async def until(condition, timeout_s=20.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        await asyncio.sleep(0.2)
    raise AssertionError("timed out")


def texts_to(kannel, number):
    return [m["text"] for m in kannel.received() if m["to"] == number]


async def test_an_urgent_sms_is_answered_escalated_and_the_counsellor_replies_by_sms(sms, store):
    gateway, kannel = sms
    phone = "0912345678"
    kannel.phone(phone, "cuu em voi, em bi nhot o cty ben cam, ko cho ve")
    answer = await until(lambda: texts_to(kannel, phone))
    assert "113" in answer[0] and "Minh da nhan duoc tin" in answer[0]  # folded to GSM-7
    assert answer[0].isascii()

    ensure_user(store, "sms.lan")
    console = Console(gateway)
    try:
        await console.login("sms.lan")
        _, queue = await console.call("GET", "/api/queue")
        [case] = queue["waiting"]
        assert case["channel"] == "sms" and case["sender"] == "•••678"  # the number is masked
        await console.call("POST", f"/api/conversations/{case['id']}/claim")
        long_reply = ("Chị đã báo cho công an cửa khẩu, em cố gắng giữ điện thoại bên mình nhé. " * 6).strip()
        status, _ = await console.call("POST", f"/api/conversations/{case['id']}/messages", {"text": long_reply})
        assert status == 200
        # signed short on SMS ("TVV Lan: …"), where every character counts
        got = await until(lambda: [m for m in kannel.received() if m["text"] == gsm_fold("TVV Sms.Lan: " + long_reply)])
        # 450 characters folded: three concatenated parts of 153 (in UCS-2 it would take seven of 67)
        assert got[0]["to"] == phone and got[0]["parts"] == "3"
        assert gsm_fold(texts.claimed("Sms.Lan")) in texts_to(kannel, phone)

        # delivery reports come back from Kannel and are kept with the conversation
        async def delivered():
            _, conversation = await console.call("GET", f"/api/conversations/{case['id']}")
            return [e for e in conversation["events"] if e["kind"] == "delivery_report"]
        reports = []
        for _ in range(50):
            reports = await delivered()
            if any(r["detail"]["status"] == "delivered" for r in reports):
                break
            await asyncio.sleep(0.2)
        assert any(r["detail"]["status"] == "delivered" for r in reports)
    finally:
        await console.close()


async def test_vietnamese_in_ucs2_both_ways(tmp_path, redis, store):
    port = free_port()
    kannel = kannel_fake.Kannel(tmp_path, port, KEY)
    runner, gateway = await start_gateway(
        f"http://127.0.0.1:{free_port()}", redis, store, port=port, kannel_sendsms_url=kannel.sendsms_url,
        kannel_username="hotline", kannel_password=KEY, sms_key=KEY, sms_coding="ucs2", sms_from="18001769")
    # Kannel starts once the gateway holds its port: Kannel's own connections take ephemeral
    # ports, and one of them could be the port chosen for the gateway.
    kannel.start()
    try:
        phone = "+84987654321"
        kannel.phone(phone, "Cứu em, họ giữ hộ chiếu của em", ucs2=True)
        answer = await until(lambda: [m for m in kannel.received() if m["to"] == phone])
        assert answer[0]["coding"] == "ucs2" and "Mình đã nhận được tin" in answer[0]["text"]
    finally:
        await runner.cleanup()
        kannel.stop()


async def test_forged_requests_are_refused(sms, http):
    gateway, _kannel = sms
    async with http.get(f"{gateway}/webhooks/sms", params={"key": "wrong", "from": "0911", "text": "cuu em"}) as r:
        assert r.status == 403
    async with http.get(f"{gateway}/webhooks/sms/dlr", params={"key": "wrong", "ref": "x", "status": "2"}) as r:
        assert r.status == 403
    async with http.get(f"{gateway}/webhooks/sms?key={KEY}&from=0911&text=%FF%FE&charset=UTF-8") as r:
        assert r.status == 400  # not UTF-8: a clear error, nothing stored


def test_folding_keeps_gsm_7_only():
    assert gsm_fold("Cứu Đồng, “xin chào” — gọi 113…") == 'Cuu Dong, "xin chao" - goi 113...'
    assert gsm_fold("😢").isascii()


async def test_the_bot_answers_a_question_by_sms(tmp_path, redis, store, backend):
    port = free_port()
    kannel = kannel_fake.Kannel(tmp_path, port, KEY)
    runner, _gateway = await start_gateway(
        backend.rasa_url, redis, store, backend.token, port=port, kannel_sendsms_url=kannel.sendsms_url,
        kannel_username="hotline", kannel_password=KEY, sms_key=KEY, sms_from="18001769")
    # Kannel starts once the gateway holds its port: Kannel's own connections take ephemeral
    # ports, and one of them could be the port chosen for the gateway.
    kannel.start()
    try:
        phone = "0987000111"
        kannel.phone(phone, "goi 111 co mat tien khong")
        answer = await until(lambda: texts_to(kannel, phone), timeout_s=30)
        assert "mien phi" in answer[0]
    finally:
        await runner.cleanup()
        kannel.stop()


async def test_no_phone_number_or_text_reaches_the_logs(sms, http, caplog):
    import logging

    gateway, _kannel = sms
    caplog.set_level(logging.DEBUG, logger="aiohttp.access")
    caplog.set_level(logging.INFO)
    phone, words = "0911222333", "em bi nhot o Bavet"
    async with http.get(f"{gateway}/webhooks/sms", params={"key": KEY, "from": phone, "text": words,
                                                          "charset": "UTF-8", "id": "log-test"}) as r:
        assert r.status == 200
    async with http.get(f"{gateway}/webhooks/sms", params={"key": "forged", "from": phone, "text": words}) as r:
        assert r.status == 403
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert phone not in logged and "Bavet" not in logged and "nhot" not in logged
