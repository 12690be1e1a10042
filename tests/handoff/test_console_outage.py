"""A counsellor's shift through a database outage, in the browser: the case open in the console
keeps showing what the person writes while PostgreSQL is away, the counsellor's reply goes out,
and once the store is back the transcript holds every message once, in order, live and after a
reload (handoff/spool.py, handoff/static/console/conversation.js)."""
import json
import time
import urllib.request
import uuid

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from tests.conftest import page_texts, serve_gateway_in_a_thread
from tests.handoff.conftest import ensure_user
from tests.handoff.test_console_page import open_case, sign_in, wait
from tools.launcher import free_port

URGENT = "cuu e, e bi nhot o cty ben cam, ko cho ve"
DURING = "em vẫn ở đây, tầng 3, họ vừa đi ra ngoài"
REPLY = "Chị đang ở đây với em. Em có gọi được 113 không?"
AFTER = "em không gọi được, họ lấy điện thoại rồi"


def person_writes(gateway, sender, text):
    request = urllib.request.Request(f"{gateway}/webhooks/web", json.dumps({"sender": sender, "text": text}).encode(),
                                     {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as r:
        assert r.status == 200


def spooled(gateway):
    with urllib.request.urlopen(f"{gateway}/readyz", timeout=10) as r:
        return json.loads(r.read())["spooled"]


def user_lines(browser):
    """The person's messages in the open transcript, their words only (each line's last node)."""
    return browser.execute_script(
        "return [...document.querySelectorAll('#transcript .msg.user')].map(li => li.lastChild.textContent)")


def test_the_open_case_goes_on_through_a_database_outage(browser, relayed_store):
    store, relay = relayed_store
    ensure_user(store, "lan.outage")
    serving = serve_gateway_in_a_thread(f"http://127.0.0.1:{free_port()}", store)
    gateway, person = next(serving), uuid.uuid4().hex
    try:
        browser.set_window_size(1366, 860)
        person_writes(gateway, person, URGENT)
        browser.get(gateway + "/console/")
        sign_in(browser, "lan.outage")
        open_case(browser, "#queue .case")
        wait(browser).until(EC.element_to_be_clickable((By.ID, "claim-btn"))).click()
        wait(browser).until(EC.visibility_of_element_located((By.ID, "reply-text")))
        wait(browser).until(lambda b: user_lines(b) == [URGENT])

        relay.cut()
        person_writes(gateway, person, DURING)
        wait(browser).until(lambda b: user_lines(b) == [URGENT, DURING])  # live, the store away
        wait(browser).until(EC.visibility_of_element_located((By.ID, "reply-text"))).send_keys(REPLY)
        browser.find_element(By.ID, "send-btn").click()
        wait(browser).until(lambda b: any(REPLY in t for t in page_texts(b, "#transcript .msg.counsellor")))
        assert spooled(gateway) > 0

        relay.restore()
        deadline = time.time() + 30
        while spooled(gateway) and time.time() < deadline:
            time.sleep(0.2)
        assert spooled(gateway) == 0
        person_writes(gateway, person, AFTER)  # live again, after the buffered ones
        wait(browser).until(lambda b: user_lines(b) == [URGENT, DURING, AFTER])

        browser.refresh()  # the page reads the transcript from SQL again
        open_case(browser, "#mine .case")
        wait(browser).until(lambda b: user_lines(b) == [URGENT, DURING, AFTER])
        replies = [t for t in page_texts(browser, "#transcript .msg.counsellor") if REPLY in t]
        assert len(replies) == 1
        browser.save_screenshot("/tmp/console-after-outage.png")
    finally:
        next(serving, None)
