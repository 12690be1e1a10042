"""Issue 16: on the person's own phone, who writes is plain: the bot, the line's notices and the
counsellor each have a label and a style of their own (bot/static/chat.js, chat.css; the wire
format in bot/channels/web.py). Real headless Chromium at 390 × 844; Rasa is down here, so the
case comes from the urgency detector alone and the bot's answer from the gateway."""
import http.cookiejar
import json
import urllib.request

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from handoff import texts
from handoff.auth import hash_password
from tests.conftest import free_port, serve_gateway_in_a_thread
from tests.handoff.conftest import PASSWORD

URGENT = "cứu em, họ nhốt em trong phòng, không cho về"
REPLY = "Chị đây, em có đang an toàn để nhắn không?"

# The WCAG contrast of an element's text on its bubble, computed in the page.
CONTRAST = """
function rgb(c) { return c.match(/[\\d.]+/g).slice(0, 3).map(Number); }
function lum(c) { return rgb(c).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
  .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0); }
var el = arguments[0], bubble = el.closest('.msg');
var a = lum(getComputedStyle(el).color), b = lum(getComputedStyle(bubble).backgroundColor);
return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
"""


@pytest.fixture
def chat_in_thread(store):
    yield from serve_gateway_in_a_thread(f"http://127.0.0.1:{free_port()}", store)


class ConsoleApi:
    """A counsellor's console, as plain HTTP (the page itself is tested in tests/handoff)."""

    def __init__(self, base):
        self.base, self.csrf = base, ""
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def call(self, method, path, body=None):
        request = urllib.request.Request(self.base + path, json.dumps(body or {}).encode(), method=method,
                                         headers={"Content-Type": "application/json", "X-CSRF-Token": self.csrf})
        with self.opener.open(request, timeout=30) as response:
            return json.loads(response.read())


def by_kind(browser, kind):
    """(label, text) of each of the chat's messages of ``kind``."""
    return browser.execute_script(
        "return [...document.querySelectorAll('#log .msg.' + arguments[0])].map(m => "
        "[(m.querySelector('.from') || {}).textContent || '', m.querySelector('.text').textContent])", kind)


def test_the_phone_shows_who_writes_bot_line_and_counsellor(browser, chat_in_thread, store):
    gateway = chat_in_thread
    if store.accounts.get("author.lan") is None:
        store.accounts.add("author.lan", "Nguyễn Thị Lan", "counsellor", hash_password(PASSWORD), 3)
    browser.set_window_size(390, 844)
    browser.get(gateway + "/")
    browser.find_element(By.ID, "text").send_keys(URGENT)
    browser.find_element(By.ID, "send").click()
    wait = WebDriverWait(browser, 30)
    wait.until(lambda b: len(by_kind(b, "bot")) > 1)
    assert {label for label, _ in by_kind(browser, "bot")} == {texts.BOT_NAME}

    console = ConsoleApi(gateway)
    console.csrf = console.call("POST", "/api/login", {"username": "author.lan", "password": PASSWORD})["csrf"]
    [case] = console.call("GET", "/api/queue")["waiting"]
    console.call("POST", f"/api/conversations/{case['id']}/claim")
    console.call("POST", f"/api/conversations/{case['id']}/messages", {"text": REPLY})

    # the line's notice is "Hệ thống" and names the counsellor by their given name only
    wait.until(lambda b: by_kind(b, "counsellor"))
    assert by_kind(browser, "system") == [[texts.SYSTEM_NAME, texts.claimed("Lan")]]
    assert by_kind(browser, "counsellor") == [["Tư vấn viên Lan", REPLY]]
    assert "Nguyễn" not in browser.find_element(By.ID, "log").text

    # three looks: each kind has its own background, and every label reads at 4.5:1 or better
    backgrounds = browser.execute_script(
        "return ['bot', 'system', 'counsellor', 'user'].map(k => "
        "getComputedStyle(document.querySelector('#log .msg.' + k)).backgroundColor)")
    assert len(set(backgrounds)) == 4, backgrounds
    for label in browser.find_elements(By.CSS_SELECTOR, "#log .msg .from"):
        assert label.is_displayed()
        assert browser.execute_script(CONTRAST, label) >= 4.5, label.text
        rect = label.rect
        assert rect["x"] >= 0 and rect["x"] + rect["width"] <= 390
    for body in browser.find_elements(By.CSS_SELECTOR, "#log .msg .text"):
        assert browser.execute_script(CONTRAST, body) >= 4.5, body.text[:40]

    # a reload keeps who wrote each message
    browser.refresh()
    wait.until(lambda b: by_kind(b, "counsellor"))
    assert by_kind(browser, "counsellor") == [["Tư vấn viên Lan", REPLY]]
    assert by_kind(browser, "system") == [[texts.SYSTEM_NAME, texts.claimed("Lan")]]
