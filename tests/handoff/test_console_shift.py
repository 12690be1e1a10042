"""Issue 16: a counsellor's shift in a real headless Chromium, against the real gateway, Rasa and
action server. Three people write at once; Lan holds two chats, a supervisor gives her a third, she
hands one to a colleague and closes another with a rescue referral. At each step the test reads
Lan's console and each person's phone, and at the end the durable record."""
import http.cookiejar
import json
import re
import urllib.request

import sqlalchemy as sa
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from directory import Directory
from handoff import texts
from handoff.auth import hash_password
from handoff.store.tables import messages
from tests.conftest import page_texts
from tests.handoff.conftest import PASSWORD
from tests.handoff.test_console_page import open_case, say, sign_in, transcript, wait

PEOPLE = {  # what each person writes first: all three are urgent, so all three are queued
    "mai": "cuu e, e bi nhot o cty ben cam, ko cho ve",
    "hung": "em bị công ty giữ hộ chiếu, họ không cho em về, có người canh, cứu em",
    "thao": "tối nay bọn nó chở cả nhóm em qua biên giới, em đang bị nhốt trong kho",
}
render = Directory.load().render


class ApiUser:
    """A colleague signed in over the API (their own cookie jar), as their console would be."""

    def __init__(self, gateway: str, username: str) -> None:
        self.gateway = gateway
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.headers = {"Content-Type": "application/json", "Origin": gateway}
        self.csrf = self.call("POST", "/api/login", {"username": username, "password": PASSWORD})["csrf"]
        self.headers["X-CSRF-Token"] = self.csrf
        self.call("POST", "/api/presence", {"status": "online"})

    def call(self, method: str, path: str, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.gateway + path, data, method=method, headers=self.headers)
        return json.loads(self.opener.open(request).read() or b"{}")


def add_user(store, username, display_name, role="counsellor"):
    if store.accounts.get(username) is None:
        store.accounts.add(username, display_name, role, hash_password(PASSWORD), 3)


def phone(browser, kind):
    """What a person's phone shows from ``kind`` (bot, counsellor, system), with its labels."""
    return page_texts(browser, f"#log .msg.{kind}")


def user_messages(store, cid):
    with store.engine.connect() as db:
        return [r[0] for r in db.execute(sa.select(messages.c.text).where(
            (messages.c.conversation_id == cid) & (messages.c.role == "user")).order_by(messages.c.id))]


def test_a_counsellors_shift(browser, gateway_in_thread, store):
    import redis

    from tests.conftest import TEST_REDIS_URL

    live = redis.Redis.from_url(TEST_REDIS_URL)
    gateway = gateway_in_thread
    add_user(store, "lan.shift", "Nguyễn Thị Lan")
    add_user(store, "hoa.shift", "Trần Thị Hoa")
    add_user(store, "thu.shift", "Lê Thu", role="supervisor")
    browser.set_window_size(1366, 768)

    # Three people write at once, each on a phone of their own.
    tabs = {}
    for name, text in PEOPLE.items():
        browser.switch_to.new_window("tab")
        browser.set_window_size(390, 844)
        browser.get(gateway + "/")
        say(browser, text)
        tabs[name] = browser.current_window_handle
    for name in PEOPLE:
        browser.switch_to.window(tabs[name])
        wait(browser).until(lambda b: any("vị trí số" in t for t in phone(b, "system") + phone(b, "bot")))

    hoa = ApiUser(gateway, "hoa.shift")
    thu = ApiUser(gateway, "thu.shift")
    browser.switch_to.new_window("tab")
    console = browser.current_window_handle
    browser.set_window_size(1366, 768)
    browser.get(gateway + "/console/")
    sign_in(browser, "lan.shift")
    wait(browser).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#queue .case")) == 3)
    ids = {name: next(c["id"] for c in thu.call("GET", "/api/queue")["waiting"] if c["trigger_text"] == text)
           for name, text in PEOPLE.items()}

    # Lan claims Mai's and Hùng's chats: two held chats, "my chats" above the queue.
    for name in ("mai", "hung"):
        open_case(browser, f'#queue .case[data-id="{ids[name]}"]')
        wait(browser).until(EC.element_to_be_clickable((By.ID, "claim-btn"))).click()
        wait(browser).until(lambda b: b.find_elements(By.CSS_SELECTOR, f'#mine .case[data-id="{ids[name]}"]'))
    assert browser.execute_script(
        "return document.getElementById('mine').getBoundingClientRect().top"
        " < document.getElementById('queue').getBoundingClientRect().top")
    for name in ("mai", "hung"):  # each person is told who joined, once
        browser.switch_to.window(tabs[name])
        wait(browser).until(lambda b: any(texts.claimed("Lan") in t for t in phone(b, "system")))
        assert sum(texts.claimed("Lan") in t for t in phone(browser, "system")) == 1

    # Lan is reading Hùng's chat; Mai writes: her chat and the title show it.
    browser.switch_to.window(tabs["mai"])
    say(browser, "chị ơi họ vừa khóa cửa phòng lại")
    browser.switch_to.window(console)
    wait(browser).until(lambda b: page_texts(b, f'#mine .case[data-id="{ids["mai"]}"] .unread') == ["1 tin mới"])
    assert browser.title.startswith("(1) ") or "KHẨN CẤP" in browser.title

    # The supervisor gives Thảo's case to Lan: a notice asks for it, with its clock.
    thu.call("POST", f"/api/conversations/{ids['thao']}/reassign", {"to": "lan.shift"})
    notice = wait(browser).until(EC.visibility_of_element_located((By.ID, "ack-notice")))
    assert "Bạn vừa được giao một cuộc trò chuyện" in notice.text and re.search(r"Hãy mở trong [12]:\d\d", notice.text)
    browser.find_element(By.ID, "ack-open").click()
    wait(browser).until(EC.invisibility_of_element_located((By.ID, "ack-notice")))
    wait(browser).until(lambda b: any(PEOPLE["thao"] in t for t in transcript(b, "user")))
    assert live.hget(f"hl:conv:{ids['thao']}", "acked") == b"1"  # it stays hers
    browser.find_element(By.ID, "reply-text").send_keys("Chị là Lan, chị đang ở đây với em.")
    browser.find_element(By.ID, "send-btn").click()
    browser.switch_to.window(tabs["thao"])
    wait(browser).until(lambda b: any("Chị là Lan" in t for t in phone(b, "counsellor")))
    assert any(t.startswith("Tư vấn viên Lan") for t in phone(browser, "counsellor"))

    # Lan hands Hùng's chat to Hoa: it leaves her list, and Hùng hears who continues.
    browser.switch_to.window(console)
    open_case(browser, f'#mine .case[data-id="{ids["hung"]}"]')
    wait(browser).until(EC.element_to_be_clickable((By.ID, "transfer-btn"))).click()
    wait(browser).until(EC.visibility_of_element_located((By.ID, "transfer-target")))
    browser.find_element(By.ID, "transfer-confirm").click()
    wait(browser).until(lambda b: "Đã chuyển cuộc trò chuyện cho" in b.find_element(By.ID, "empty").text)
    wait(browser).until(lambda b: not b.find_elements(By.CSS_SELECTOR, f'#mine .case[data-id="{ids["hung"]}"]'))
    assert [c["id"] for c in hoa.call("GET", "/api/queue")["mine"]] == [ids["hung"]]
    browser.switch_to.window(tabs["hung"])
    wait(browser).until(lambda b: any(texts.handed_over("Hoa") in t for t in phone(b, "system")))

    # Lan closes Mai's chat with a rescue referral: Mai is not told it ended, nor surveyed.
    browser.switch_to.window(console)
    open_case(browser, f'#mine .case[data-id="{ids["mai"]}"]')
    wait(browser).until(lambda b: not b.find_elements(By.CSS_SELECTOR, "#mine .unread"))
    wait(browser).until(EC.element_to_be_clickable((By.ID, "close-btn"))).click()
    wait(browser).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "input[value=referral_rescue]"))).click()
    browser.find_element(By.CSS_SELECTOR, "input[name=victim][value=suspected]").click()
    browser.find_element(By.ID, "close-confirm").click()
    wait(browser).until(lambda b: not b.find_elements(By.CSS_SELECTOR, f'#mine .case[data-id="{ids["mai"]}"]'))
    browser.switch_to.window(tabs["mai"])
    wait(browser).until(lambda b: any("đang kết nối trường hợp của bạn" in t for t in phone(b, "system")))
    seen = " ".join(phone(browser, "system") + phone(browser, "counsellor") + phone(browser, "bot"))
    assert "đã kết thúc" not in seen and texts.SURVEY["satisfied"] not in seen

    # The next case's close dialog starts clean: nothing ticked for Mai comes back for Thảo.
    browser.switch_to.window(console)
    open_case(browser, f'#mine .case[data-id="{ids["thao"]}"]')
    wait(browser).until(EC.element_to_be_clickable((By.ID, "close-btn"))).click()
    wait(browser).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "input[value=referral_rescue]")))
    assert not [b.get_attribute("value") for b in browser.find_elements(By.CSS_SELECTOR, "input[name=outcome]")
                if b.is_selected()]
    assert browser.find_element(By.CSS_SELECTOR, "input[name=victim][value=unknown]").is_selected()
    browser.find_element(By.ID, "close-cancel").click()

    # Nothing lost or duplicated: each person's words are in the record once, in order; the one
    # reply reached Thảo once; Mai's contact carries its outcome and Thảo's none.
    assert user_messages(store, ids["mai"]) == [PEOPLE["mai"], "chị ơi họ vừa khóa cửa phòng lại"]
    for name in ("hung", "thao"):
        assert user_messages(store, ids[name]) == [PEOPLE[name]]
    browser.switch_to.window(tabs["thao"])
    assert sum("Chị là Lan" in t for t in phone(browser, "counsellor")) == 1
    [mai] = [c for c in store.contacts_of(ids["mai"]) if c["closed_at"]]
    assert mai["outcomes"] == ["referral_rescue"] and mai["counsellor"] == "lan.shift"
    assert not any(c["closed_at"] for c in store.contacts_of(ids["thao"]))
