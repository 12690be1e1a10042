"""Records are per contact and start clean (issue 16), in a real headless Chromium with Rasa down:
what a counsellor ticked or typed in a dialog for one case is never offered again on the next, and
a supervisor's review is saved on the contact it was opened for, with a form that starts empty."""
import time
import uuid

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC

from tests.handoff.conftest import ensure_user
from tests.handoff.test_console_buttons import URGENT, post, sign_in_by_keyboard
from tests.handoff.test_console_page import open_case, wait


def claim_next(browser, held):
    """Open the head of the queue, claim it, wait until ``held`` cases are mine; its id."""
    open_case(browser, "#queue .case")
    wait(browser).until(EC.element_to_be_clickable((By.ID, "claim-btn"))).click()
    wait(browser).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#mine .case")) == held)
    wait(browser).until(EC.visibility_of_element_located((By.ID, "reply-text")))
    return browser.execute_script("return document.querySelector('#mine .case.selected').dataset.id")


def ticked(browser):
    return browser.execute_script(
        "return [...document.querySelectorAll('#close-dialog input:checked')].map(i => i.name + '=' + i.value)")


def test_what_is_ticked_or_typed_for_one_case_is_not_offered_on_the_next(browser, console_in_thread, store):
    gateway = console_in_thread
    ensure_user(store, "ghi.lan")
    for _ in range(2):
        post(gateway + "/webhooks/web", {"sender": uuid.uuid4().hex, "text": URGENT})
    browser.set_window_size(1366, 768)
    sign_in_by_keyboard(browser, gateway, "ghi.lan")
    wait(browser).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#queue .case")) == 2)

    first = claim_next(browser, 1)
    # Close dialog: outcomes and a victim status ticked, then cancelled (Escape).
    browser.find_element(By.ID, "close-btn").click()
    wait(browser).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "input[value=referral_rescue]"))).click()
    browser.find_element(By.CSS_SELECTOR, "input[value=information]").click()
    browser.find_element(By.CSS_SELECTOR, "input[name=victim][value=suspected]").click()
    assert sorted(ticked(browser)) == ["outcome=information", "outcome=referral_rescue", "victim=suspected"]
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait(browser).until(EC.invisibility_of_element_located((By.ID, "close-dialog")))
    # Referral dialog: a situation and an age typed, then closed.
    browser.find_element(By.ID, "refer-btn").click()
    wait(browser).until(EC.visibility_of_element_located((By.ID, "refer-situation"))).send_keys("bị giữ ở Bavet")
    browser.find_element(By.ID, "refer-age").send_keys("17")
    browser.find_element(By.CSS_SELECTOR, "input[name=refer-consent][value=emergency]").click()
    browser.find_element(By.ID, "refer-cancel").click()
    wait(browser).until(EC.invisibility_of_element_located((By.ID, "refer-dialog")))

    second = claim_next(browser, 2)
    assert second != first
    browser.find_element(By.ID, "close-btn").click()
    wait(browser).until(EC.visibility_of_element_located((By.ID, "close-dialog")))
    assert ticked(browser) == ["victim=unknown"]  # nothing of the first case
    browser.find_element(By.ID, "close-cancel").click()
    browser.find_element(By.ID, "refer-btn").click()
    wait(browser).until(EC.visibility_of_element_located((By.ID, "refer-situation")))
    assert browser.find_element(By.ID, "refer-situation").get_attribute("value") == ""
    assert browser.find_element(By.ID, "refer-age").get_attribute("value") == ""
    assert browser.find_element(By.CSS_SELECTOR, "input[name=refer-consent][value=yes]").is_selected()
    browser.find_element(By.ID, "refer-cancel").click()

    # The second case closed with what was ticked for it alone.
    browser.find_element(By.ID, "close-btn").click()
    wait(browser).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "input[value=information]"))).click()
    browser.find_element(By.ID, "close-confirm").click()
    wait(browser).until(EC.invisibility_of_element_located((By.ID, "reply-form")))
    [closed] = [c for c in store.contacts_of(second) if c["closed_at"]]
    assert closed["outcomes"] == ["information"] and closed["victim"] == "unknown"
    assert not [c for c in store.contacts_of(first) if c["closed_at"]]  # the first is still open


def seeded_conversation(store, text, contacts):
    """A conversation in the stored history with one contact per (minutes ago, closed?) given."""
    cid, now = uuid.uuid4().hex, time.time()
    store.find_or_create_conversation("zalo", uuid.uuid4().hex[:14], cid)
    ids = []
    for minutes, closed in contacts:
        first = store.add_message(cid, "user", text, at=now - 60 * minutes)
        contact = store.open_contact(cid, "critical", "urgency", ["sold_or_moved"], first["id"], now - 60 * minutes)
        if closed:
            store.update_contact(contact, claimed_at=now - 60 * minutes + 20, closed_at=now - 60 * minutes + 120,
                                 counsellor="seed.tv", outcomes=["referral_rescue"], victim="confirmed")
        ids.append(contact)
    return cid, ids


def open_result(browser, contact):
    open_case(browser, f'#search-results .case[data-contact="{contact}"]')
    wait(browser).until(lambda b: b.find_element(By.ID, "review-contact").get_attribute("value") == str(contact))


def test_a_review_is_saved_on_the_contact_it_was_opened_for_and_the_next_starts_empty(
        browser, console_in_thread, store):
    gateway = console_in_thread
    # One person escalated twice: a closed contact 12 minutes ago, a newer one still open.
    # A place named by these two people only: the search finds them among the session's other cases.
    place = "bản " + uuid.uuid4().hex[:8]
    twice, (old, newest) = seeded_conversation(store, f"cứu em, em bị bán sang Trung Quốc, nhà ở {place}",
                                               [(12, True), (6, False)])
    other, (other_contact,) = seeded_conversation(store, f"họ giữ giấy tờ của em, em ở {place}", [(9, True)])
    ensure_user(store, "ghi.gs", "supervisor")
    browser.set_window_size(1366, 1000)
    sign_in_by_keyboard(browser, gateway, "ghi.gs")
    wait(browser).until(EC.visibility_of_element_located((By.ID, "search-place"))).send_keys(place)
    browser.find_element(By.ID, "search-btn").click()
    wait(browser).until(lambda b: b.find_elements(By.CSS_SELECTOR, f'#search-results .case[data-contact="{old}"]'))

    open_result(browser, old)
    assert browser.find_element(By.ID, "review-score").get_attribute("value") == ""
    browser.find_element(By.CSS_SELECTOR, "#review-score option[value='4']").click()
    browser.find_element(By.ID, "review-tags").send_keys("giải cứu kịp thời, cần đào tạo")
    browser.find_element(By.ID, "review-follow-up").click()
    browser.find_element(By.ID, "review-note").send_keys("Hỏi vị trí sớm hơn.")
    browser.find_element(By.ID, "review-save").click()
    wait(browser).until(lambda b: b.find_element(By.ID, "review-status").text == "Đã lưu đánh giá.")
    [review] = store.reviews.of_conversation(twice)
    assert review["contact_id"] == old != newest  # the contact of the search result, not the newest
    assert (review["score"], review["tags"], review["note"]) == (4, ["giải cứu kịp thời", "cần đào tạo"],
                                                                 "Hỏi vị trí sớm hơn.")
    assert bool(review["follow_up"]) is True

    # Another case: the form is empty, whatever was typed for the one before.
    open_result(browser, other_contact)
    assert [browser.find_element(By.ID, f).get_attribute("value") for f in ("review-score", "review-tags", "review-note")] \
        == ["", "", ""]
    assert not browser.find_element(By.ID, "review-follow-up").is_selected()
    # The same person's newest contact, from its own result: empty too, and saved on it.
    open_result(browser, newest)
    assert browser.find_element(By.ID, "review-tags").get_attribute("value") == ""
    assert browser.find_element(By.ID, "review-status").text == ""  # the review was on the other contact
    browser.find_element(By.CSS_SELECTOR, "#review-score option[value='2']").click()
    browser.find_element(By.ID, "review-save").click()
    wait(browser).until(lambda b: b.find_element(By.ID, "review-status").text == "Đã lưu đánh giá.")
    assert sorted((r["contact_id"], r["score"]) for r in store.reviews.of_conversation(twice)) == [(old, 4), (newest, 2)]


def test_a_referrals_outcome_is_asked_in_a_dialog_and_cancelling_keeps_its_status(browser, console_in_thread, store):
    """No window.prompt for how a referral ended: a labelled dialog; Escape leaves the status as it was."""
    from selenium.webdriver.support.ui import Select

    gateway = console_in_thread
    ensure_user(store, "ghi.ref")
    post(gateway + "/webhooks/web", {"sender": uuid.uuid4().hex, "text": URGENT})
    browser.set_window_size(1366, 768)
    sign_in_by_keyboard(browser, gateway, "ghi.ref")
    case = claim_next(browser, 1)
    browser.find_element(By.ID, "refer-btn").click()
    wait(browser).until(EC.visibility_of_element_located((By.ID, "refer-situation"))).send_keys("bị nhốt, cần giải cứu")
    browser.find_element(By.ID, "refer-confirm").click()
    wait(browser).until(lambda b: b.find_element(By.ID, "refer-text").text)
    browser.find_element(By.ID, "refer-cancel").click()
    status = wait(browser).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#chat-referrals select")))
    assert status.get_attribute("aria-label").startswith("Trạng thái chuyển tuyến tới")

    Select(status).select_by_value("closed")
    wait(browser).until(lambda b: b.switch_to.active_element.get_attribute("id") == "referral-outcome")
    browser.switch_to.active_element.send_keys("chưa rõ", Keys.ESCAPE)
    wait(browser).until(EC.invisibility_of_element_located((By.ID, "referral-outcome-dialog")))
    # read in the page: the cancel draws the list again
    wait(browser).until(lambda b: b.execute_script(
        "var s = document.querySelector('#chat-referrals select'); return s && s.value !== 'closed'"))
    [referral] = store.referrals.of_conversation(case)
    assert referral["status"] != "closed"

    Select(browser.find_element(By.CSS_SELECTOR, "#chat-referrals select")).select_by_value("closed")
    box = wait(browser).until(EC.visibility_of_element_located((By.ID, "referral-outcome")))
    assert box.get_attribute("value") == ""  # nothing of the cancelled try
    box.send_keys("Đã giải cứu, đưa về nơi tạm lánh")
    browser.find_element(By.ID, "referral-outcome-confirm").click()
    wait(browser).until(lambda b: "Đã giải cứu" in b.find_element(By.ID, "chat-referrals").text)
    [referral] = store.referrals.of_conversation(case)
    assert (referral["status"], referral["outcome"]) == ("closed", "Đã giải cứu, đưa về nơi tạm lánh")
