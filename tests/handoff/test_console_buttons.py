"""The console page in a real headless Chromium offers on each case exactly the actions the API
allows (``allowed``, handoff/permissions.py), and shows the API's words. Rasa is down here (as
in test_console_api.py): the case comes from the urgency detector alone."""
import json
import os
import urllib.request
import uuid

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from handoff.console.vocabulary import CHANNELS
from tests.conftest import free_port, page_texts, serve_gateway_in_a_thread
from tests.handoff.conftest import PASSWORD, ensure_user

URGENT = "cứu em, họ nhốt em trong phòng, không cho về"
BUTTONS = ("claim-btn", "contact-btn", "transfer-btn", "takeover-btn", "reassign-btn", "block-btn", "refer-btn",
           "close-btn", "reply-form", "review-form")


@pytest.fixture
def console_in_thread(store):
    """The gateway, Rasa down, on its own event loop in a thread, for Selenium."""
    yield from serve_gateway_in_a_thread(f"http://127.0.0.1:{free_port()}", store)


def post(url, body):
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def wait(browser, seconds=20):
    return WebDriverWait(browser, seconds)


def sign_in_by_keyboard(browser, gateway, username):
    browser.get(gateway + "/console/")
    wait(browser).until(EC.visibility_of_element_located((By.ID, "login-username"))).send_keys(username)
    browser.switch_to.active_element.send_keys(Keys.TAB, PASSWORD, Keys.ENTER)
    wait(browser).until(EC.visibility_of_element_located((By.ID, "app-view")))


def shown(browser):
    """The case view's action buttons (and forms) on screen."""
    return {b for b in BUTTONS if browser.find_element(By.ID, b).is_displayed()}


def screenshot(browser, name):
    browser.save_screenshot(os.path.join(os.environ.get("SCREENSHOT_DIR", "/tmp"), name))


def test_a_counsellor_sees_only_what_they_may_do_at_each_step(browser, console_in_thread, store):
    gateway = console_in_thread
    ensure_user(store, "nut.lan")
    browser.set_window_size(1366, 860)
    post(gateway + "/webhooks/web", {"sender": uuid.uuid4().hex, "text": URGENT})
    sign_in_by_keyboard(browser, gateway, "nut.lan")
    assert not browser.find_element(By.ID, "supervisor-panel").is_displayed()
    case = wait(browser).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#queue .case.critical")))
    assert "Khẩn cấp" in case.text and "Web" in case.text  # the API's words
    case.send_keys(Keys.ENTER)  # a case opens from the keyboard too
    wait(browser).until(EC.visibility_of_element_located((By.ID, "claim-btn")))
    assert shown(browser) == {"claim-btn"}  # waiting: read and claim, nothing else
    reasons = browser.find_element(By.ID, "chat-reasons").text
    assert "bị giam giữ" in reasons and "confinement" not in reasons  # words, not tags (issue 16)
    screenshot(browser, "buttons_counsellor_waiting.png")

    browser.find_element(By.ID, "claim-btn").send_keys(Keys.ENTER)  # buttons work from the keyboard
    wait(browser).until(EC.visibility_of_element_located((By.ID, "reply-text")))
    assert shown(browser) == {"contact-btn", "transfer-btn", "refer-btn", "close-btn", "reply-form"}
    browser.find_element(By.ID, "reply-text").send_keys("Chị đây, em đang ở đâu?", Keys.ENTER)  # Enter sends
    wait(browser).until(lambda b: any("Chị đây" in t for t in page_texts(b, "#transcript .msg.counsellor")))
    assert any(t.startswith("Tư vấn viên") for t in page_texts(browser, "#transcript .msg.counsellor"))
    screenshot(browser, "buttons_counsellor_holding.png")

    browser.find_element(By.ID, "close-btn").click()
    wait(browser).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "input[value=information]"))).click()
    browser.find_element(By.ID, "close-confirm").click()
    wait(browser).until(EC.invisibility_of_element_located((By.ID, "reply-form")))
    wait(browser).until(lambda b: "bot" in b.find_element(By.ID, "chat-meta").text)
    assert shown(browser) == set()  # handled before: they may read it, nothing more
    screenshot(browser, "buttons_counsellor_closed.png")


def test_a_supervisor_sees_the_whole_lines_buttons(browser, console_in_thread, store):
    gateway = console_in_thread
    ensure_user(store, "nut.binh")
    ensure_user(store, "nut.gs", "supervisor")
    post(gateway + "/webhooks/web", {"sender": uuid.uuid4().hex, "text": URGENT})
    browser.set_window_size(1366, 1000)
    sign_in_by_keyboard(browser, gateway, "nut.gs")
    assert browser.find_element(By.ID, "supervisor-panel").is_displayed()
    assert "giám sát viên" in browser.find_element(By.ID, "me").text
    wait(browser).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#search-urgency option")) == 4)
    # every channel by its words, logged calls and walk-ins included
    assert page_texts(browser, "#stats-channel option") == ["Tất cả", *CHANNELS.values()]
    assert {"Messenger", "Điện thoại", "Gặp trực tiếp"} <= set(CHANNELS.values())
    wait(browser).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#queue .case.critical"))).click()
    wait(browser).until(EC.visibility_of_element_located((By.ID, "takeover-btn")))
    assert shown(browser) == {"claim-btn", "contact-btn", "takeover-btn", "reassign-btn", "block-btn",
                              "review-form"}
    screenshot(browser, "buttons_supervisor_waiting.png")
    browser.find_element(By.ID, "takeover-btn").click()
    wait(browser).until(EC.visibility_of_element_located((By.ID, "reply-text")))
    assert shown(browser) == {"contact-btn", "transfer-btn", "reassign-btn", "block-btn", "refer-btn", "close-btn",
                              "reply-form", "review-form"}  # theirs now: no taking over from themselves
    screenshot(browser, "buttons_supervisor_holding.png")
