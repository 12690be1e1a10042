"""The main flows of the console by keyboard alone (issue 16), in a real headless Chromium with Rasa
down: every step is a key pressed (Tab, Shift+Tab, Enter, Space, arrows, Escape, typing), never a
click, and each place Tab reaches on the way shows where focus is."""
import uuid

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC

from tests.conftest import page_texts
from tests.handoff.conftest import PASSWORD, ensure_user
from tests.handoff.test_console_buttons import URGENT, post
from tests.handoff.test_console_page import _online, wait

REPLY = "Chị là tư vấn viên đây, em đang ở đâu?"
NOTE = "Người dùng có thể đang bị theo dõi điện thoại."


def press(browser, *keys):
    ActionChains(browser).send_keys(*keys).perform()


def shift_tab(browser):
    ActionChains(browser).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()


def focused(browser, css):
    return browser.execute_script("return !!document.activeElement && document.activeElement.matches(arguments[0])", css)


def tab_to(browser, css, back=False, limit=150):
    """Tab (or Shift+Tab) until focus is on ``css``; there, the focus ring must show."""
    for _ in range(limit):
        if focused(browser, css):
            style, width = browser.execute_script(
                "var s = getComputedStyle(document.activeElement); return [s.outlineStyle, parseFloat(s.outlineWidth)]")
            assert style != "none" and width >= 2, (css, style, width)
            return
        shift_tab(browser) if back else press(browser, Keys.TAB)
    raise AssertionError(f"{'Shift+' if back else ''}Tab never reaches {css}")


def sign_in(browser, username):
    wait(browser).until(lambda b: focused(b, "#login-username"))  # the page puts focus there
    press(browser, username, Keys.TAB, PASSWORD, Keys.ENTER)
    wait(browser).until(EC.visibility_of_element_located((By.ID, "app-view")))


def choose_and_claim(browser):
    """The head of the queue, chosen and claimed; the case's id."""
    wait(browser).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#queue .case")))
    tab_to(browser, "#queue button.case")
    press(browser, Keys.ENTER)
    wait(browser).until(EC.visibility_of_element_located((By.ID, "claim-btn")))
    wait(browser).until(lambda b: focused(b, "#chat-title"))  # the chosen case has focus
    tab_to(browser, "#claim-btn")
    press(browser, Keys.SPACE)
    wait(browser).until(lambda b: focused(b, "#reply-text"))  # claimed: straight to the reply box
    return browser.execute_script("return document.querySelector('#mine .case.selected').dataset.id")


def test_a_counsellor_and_a_supervisor_work_by_keyboard_alone(browser, console_in_thread, store):
    gateway = console_in_thread
    ensure_user(store, "phim.lan")
    ensure_user(store, "phim.to")
    ensure_user(store, "phim.gs", "supervisor")
    for _ in range(2):
        post(gateway + "/webhooks/web", {"sender": uuid.uuid4().hex, "text": URGENT})
    _online(gateway, "phim.to")
    browser.set_window_size(1366, 768)
    browser.get(gateway + "/console/")
    sign_in(browser, "phim.lan")
    wait(browser).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#queue button.case")) == 2)

    # Choose a case, claim it, reply (Enter sends).
    first = choose_and_claim(browser)
    press(browser, REPLY, Keys.ENTER)
    wait(browser).until(lambda b: any(REPLY in t for t in page_texts(b, "#transcript .msg.counsellor")))

    # A quick reply: back to its list, the arrow picks the first, it goes into the box.
    tab_to(browser, "#quick", back=True)
    quick = browser.execute_script("return document.querySelector('#quick').options[1].value")
    press(browser, Keys.ARROW_DOWN)
    wait(browser).until(lambda b: focused(b, "#reply-text"))
    assert browser.find_element(By.ID, "reply-text").get_attribute("value") == quick
    press(browser, Keys.ENTER)
    wait(browser).until(lambda b: any(quick in t for t in page_texts(b, "#transcript .msg.counsellor")))

    # Note mode with Space, a note saved with Enter.
    tab_to(browser, "#as-note")
    press(browser, Keys.SPACE)
    assert browser.find_element(By.ID, "send-btn").text == "Lưu ghi chú"
    tab_to(browser, "#reply-text", back=True)
    press(browser, NOTE, Keys.ENTER)
    wait(browser).until(lambda b: any(NOTE in t for t in page_texts(b, "#transcript .msg.note")))
    assert browser.find_element(By.ID, "send-btn").text == "Gửi"

    # The transcript is a stop of its own (it scrolls by keyboard), labelled.
    tab_to(browser, "#transcript", back=True)
    assert browser.find_element(By.ID, "transcript").get_attribute("aria-label")

    # Transfer: the dialog takes focus, Escape cancels and gives focus back; then done for real.
    tab_to(browser, "#transfer-btn", back=True)
    press(browser, Keys.ENTER)
    wait(browser).until(lambda b: focused(b, "#transfer-target"))
    press(browser, Keys.ESCAPE)
    wait(browser).until(EC.invisibility_of_element_located((By.ID, "transfer-dialog")))
    wait(browser).until(lambda b: focused(b, "#transfer-btn"))
    press(browser, Keys.ENTER)
    wait(browser).until(lambda b: focused(b, "#transfer-target"))
    assert browser.find_element(By.ID, "transfer-target").get_attribute("value") == "phim.to"
    tab_to(browser, "#transfer-confirm")
    press(browser, Keys.ENTER)
    wait(browser).until(lambda b: "Đã chuyển cuộc trò chuyện cho" in b.find_element(By.ID, "empty").text)
    wait(browser).until(lambda b: not b.find_elements(By.CSS_SELECTOR, "#mine .case"))

    # The other case: claimed, answered, closed with an outcome ticked by Space.
    second = choose_and_claim(browser)
    assert second != first
    press(browser, REPLY, Keys.ENTER)
    wait(browser).until(lambda b: any(REPLY in t for t in page_texts(b, "#transcript .msg.counsellor")))
    tab_to(browser, "#close-btn", back=True)
    press(browser, Keys.ENTER)
    wait(browser).until(lambda b: focused(b, "#close-type"))  # into the dialog: its first field, the contact's type
    tab_to(browser, "input[name=outcome][value=information]")
    press(browser, Keys.SPACE)
    tab_to(browser, "#close-confirm")
    press(browser, Keys.ENTER)
    wait(browser).until(EC.invisibility_of_element_located((By.ID, "reply-form")))
    [closed] = [c for c in store.contacts_of(second) if c["closed_at"]]
    assert closed["outcomes"] == ["information"] and closed["counsellor"] == "phim.lan"
    assert store.contacts_of(first)[-1]["counsellor"] == "phim.to"

    # Sign out; the supervisor signs in, searches, opens the closed contact and reviews it.
    tab_to(browser, "#logout")
    press(browser, Keys.ENTER)
    sign_in(browser, "phim.gs")
    tab_to(browser, "#search-btn")
    press(browser, Keys.ENTER)
    result = f'#search-results button.case[data-contact="{closed["id"]}"]'
    wait(browser).until(lambda b: b.find_elements(By.CSS_SELECTOR, result))
    tab_to(browser, result)
    press(browser, Keys.ENTER)
    wait(browser).until(lambda b: b.find_element(By.ID, "review-contact").get_attribute("value") == str(closed["id"]))
    tab_to(browser, "#review-score")
    press(browser, Keys.ARROW_DOWN, Keys.ARROW_DOWN, Keys.ARROW_DOWN, Keys.ARROW_DOWN)
    tab_to(browser, "#review-tags")
    press(browser, "trả lời nhanh")
    tab_to(browser, "#review-save")
    press(browser, Keys.ENTER)
    wait(browser).until(lambda b: b.find_element(By.ID, "review-status").text == "Đã lưu đánh giá.")
    [review] = store.reviews.of_conversation(second)
    assert (review["contact_id"], review["score"], review["tags"]) == (closed["id"], 4, ["trả lời nhanh"])


def test_restricting_a_sender_asks_in_a_dialog_that_escape_cancels(browser, console_in_thread, store):
    """No window.prompt: the reason and the hours in a labelled dialog that starts clean, says the
    server's answer, and gives focus back on Escape."""
    gateway = console_in_thread
    ensure_user(store, "phim.gs2", "supervisor")
    post(gateway + "/webhooks/web", {"sender": uuid.uuid4().hex, "text": URGENT})
    browser.set_window_size(1366, 768)
    browser.get(gateway + "/console/")
    sign_in(browser, "phim.gs2")
    wait(browser).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#queue .case")))
    tab_to(browser, "#queue button.case")
    press(browser, Keys.ENTER)
    wait(browser).until(EC.visibility_of_element_located((By.ID, "block-btn")))
    tab_to(browser, "#block-btn")
    press(browser, Keys.ENTER)
    wait(browser).until(lambda b: focused(b, "#block-reason"))
    assert browser.find_element(By.ID, "block-dialog").get_attribute("aria-labelledby") == "block-title"
    press(browser, "gửi tin quấy rối")
    press(browser, Keys.ESCAPE)
    wait(browser).until(lambda b: focused(b, "#block-btn"))
    assert "hạn chế" not in browser.find_element(By.ID, "chat-meta").text

    press(browser, Keys.ENTER)  # again: the dialog starts clean
    wait(browser).until(lambda b: focused(b, "#block-reason"))
    assert browser.find_element(By.ID, "block-reason").get_attribute("value") == ""
    press(browser, "gửi tin quấy rối", Keys.TAB)
    wait(browser).until(lambda b: focused(b, "#block-hours"))
    press(browser, Keys.CONTROL + "a", "2")
    tab_to(browser, "#block-confirm")
    press(browser, Keys.ENTER)
    # Someone who wrote of danger is never restricted: the server says so, in the dialog, which stays open.
    wait(browser).until(lambda b: "Không thể hạn chế" in b.find_element(By.ID, "block-error").text)
    assert browser.find_element(By.ID, "block-dialog").get_attribute("open") is not None
    press(browser, Keys.ESCAPE)
    wait(browser).until(lambda b: focused(b, "#block-btn"))
    assert browser.find_element(By.ID, "block-btn").text == "Hạn chế người gửi"
