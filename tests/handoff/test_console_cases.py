"""Issue 17 in a real headless Chromium, with Rasa down (the urgency detector alone escalates the
chat): a counsellor opens a case from a chat, logs the mother's phone call through the button and
adds it to that case, confirms two indicators the chat's words proposed, adds follow-ups in "Việc
cần làm" and marks one done there, and closes the chat with the same form as a call; then a
supervisor reads the month's statistics (calls beside chats) and the CHI report, and the figures
are those seeded."""
import csv
import datetime as dt
import io
import os
import uuid
from zoneinfo import ZoneInfo

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from handoff.chi_report import chi_report
from handoff.stats import statistics
from tests.conftest import page_texts
from tests.handoff.conftest import ensure_user
from tests.handoff.test_console_buttons import post, sign_in_by_keyboard
from tests.handoff.test_console_page import open_case, wait

# Confinement and a passport held (two indicators proposed), and the province she is from.
CHAT = "cuu e, e bi nhot o cty ben cam, ko cho ve, ho giu ho chieu cua e. nha e o quang ninh"
TITLE = "Chị H., Quảng Ninh, bị giữ ở Bavet"
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR", "/tmp")
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
# The figures of the statistics' split that this test adds (docs/cases.md, "Reports").
ADDED = {"calls": {"contacts_received": 1, "counselling_policy": 1, "referral_support": 1},
         "chats": {"contacts_received": 1, "counselling_psychological": 1, "information": 1}}


def this_month():
    """The statistics' default period (the first of this month to today, Vietnam days) as
    timestamps, and as the page's query."""
    today = dt.datetime.now(ZONE).date()
    start = dt.datetime.combine(today.replace(day=1), dt.time(), ZONE).timestamp()
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), ZONE).timestamp()
    return start, end, f"from={today.replace(day=1).isoformat()}&to={today.isoformat()}"


def click(browser, css):
    """Click in the page whatever matches ``css`` now (a redrawn list never leaves a stale element)."""
    open_case(browser, css)


def choose(browser, element_id, value):
    Select(browser.find_element(By.ID, element_id)).select_by_value(value)


def indicator_state(browser, indicator):
    return browser.execute_script(
        "var n = document.querySelector('#case-indicators [data-indicator=\"' + arguments[0] + '\"] .state');"
        "return n ? n.textContent : ''", indicator)


def case_page_shows(browser, title):
    wait(browser).until(EC.visibility_of_element_located((By.ID, "case-page")))
    wait(browser).until(lambda b: b.find_element(By.ID, "case-title").text == title)
    assert not browser.find_element(By.ID, "chat").is_displayed()


def test_a_counsellor_logs_a_call_works_a_case_and_a_supervisor_reads_the_month(browser, console_in_thread, store):
    gateway = console_in_thread
    ensure_user(store, "hoso.lan")
    ensure_user(store, "hoso.gs", "supervisor")
    start, end, period = this_month()
    before, chi_before = statistics(store, start, end), chi_report(store, start, end)
    post(gateway + "/webhooks/web", {"sender": uuid.uuid4().hex, "text": CHAT})
    browser.set_window_size(1366, 768)
    sign_in_by_keyboard(browser, gateway, "hoso.lan")

    # She claims the chat and opens a case from it.
    open_case(browser, "#queue .case")
    wait(browser).until(EC.element_to_be_clickable((By.ID, "claim-btn"))).click()
    wait(browser).until(EC.visibility_of_element_located((By.ID, "reply-text")))
    cid = browser.execute_script("return document.querySelector('#mine .case.selected').dataset.id")
    wait(browser).until(EC.element_to_be_clickable((By.ID, "case-new-btn"))).click()
    wait(browser).until(EC.visibility_of_element_located((By.ID, "case-link-name"))).send_keys(TITLE)
    browser.find_element(By.ID, "case-link-confirm").click()
    case_page_shows(browser, TITLE)
    [case] = [c for c in store.cases.search("hoso.lan") if c["title"] == TITLE]
    assert [k["conversation_id"] for k in store.cases.contacts(case["id"])] == [cid]
    # the chat's words propose two indicators; nothing is decided yet
    for indicator in ("restricts_movement", "withholds_documents"):
        assert indicator_state(browser, indicator).startswith("Đề xuất từ tin nhắn")
    assert store.cases.decisions(case["id"]) == {}
    wait(browser).until(lambda b: any(TITLE in t for t in page_texts(b, "#cases .item")))

    # Her mother calls: logged with the button, on the line's one number, and added to the case.
    # A counselling call without an outcome is refused, in words, and nothing typed is lost.
    browser.find_element(By.ID, "log-call-btn").click()
    wait(browser).until(EC.visibility_of_element_located((By.ID, "call-dialog")))
    assert browser.find_element(By.ID, "call-line").get_attribute("value") == "111"
    browser.find_element(By.ID, "call-duration").send_keys("12")
    choose(browser, "call-type", "counselling")
    browser.find_element(By.CSS_SELECTOR, "input[name=call-victim][value=suspected]").click()
    choose(browser, "call-category", "labour_trafficking")
    choose(browser, "call-age", "26+")
    choose(browser, "call-sex", "female")
    choose(browser, "call-province", "Quảng Ninh")
    browser.find_element(By.ID, "call-note").send_keys("Mẹ chị H. gọi, lo con bị giữ ở Bavet.")
    wait(browser).until(lambda b: b.find_elements(By.CSS_SELECTOR, f'#call-case option[value="{case["id"]}"]'))
    choose(browser, "call-case", str(case["id"]))
    browser.find_element(By.ID, "call-save").click()
    wait(browser).until(lambda b: "ít nhất một kết quả" in b.find_element(By.ID, "call-error").text)
    assert browser.find_element(By.ID, "call-dialog").get_attribute("open") is not None
    assert browser.find_element(By.ID, "call-duration").get_attribute("value") == "12"
    assert browser.find_element(By.ID, "call-case").get_attribute("value") == str(case["id"])
    for outcome in ("counselling_policy", "referral_support"):
        browser.find_element(By.CSS_SELECTOR, f"input[name=call-outcome][value={outcome}]").click()
    browser.find_element(By.ID, "call-save").click()
    wait(browser).until(EC.invisibility_of_element_located((By.ID, "call-dialog")))
    case_page_shows(browser, TITLE)
    wait(browser).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#case-contacts .contact")) == 2)
    contacts = page_texts(browser, "#case-contacts .contact")
    assert contacts[0].startswith("Điện thoại") and "12 phút" in contacts[0] and "Tư vấn chính sách" in contacts[0]
    assert contacts[1].startswith("Web") and "Xem cuộc trò chuyện" in contacts[1]
    [call] = [k for k in store.cases.contacts(case["id"]) if k["channel"] == "phone"]
    assert (call["duration_s"], call["line"], call["contact_type"], call["province"]) == (720, "111", "counselling",
                                                                                          "Quảng Ninh")
    assert sorted(call["outcomes"]) == ["counselling_policy", "referral_support"]

    # She confirms the two indicators on the case page; who decided shows.
    for indicator in ("restricts_movement", "withholds_documents"):
        click(browser, f'#case-indicators button[data-key="ind-confirmed-{indicator}"]')
        wait(browser).until(lambda b: indicator_state(b, indicator).startswith("Đã xác nhận · Hoso.Lan"))
    assert store.cases.confirmed([case["id"]]) == {case["id"]: {"restricts_movement", "withholds_documents"}}
    assert browser.find_element(By.CSS_SELECTOR, '[data-key="ind-confirmed-withholds_documents"]'
                                ).get_attribute("aria-pressed") == "true"

    # Two follow-ups: one for tomorrow (the form's default), one already late. "Việc cần làm"
    # lists the late one first, marked; she marks it done there.
    tomorrow = (dt.datetime.now(ZONE).date() + dt.timedelta(days=1)).isoformat()
    yesterday = (dt.datetime.now(ZONE).date() - dt.timedelta(days=1)).isoformat()
    assert browser.find_element(By.ID, "case-task-due").get_attribute("value") == tomorrow
    browser.find_element(By.ID, "case-task-title").send_keys("Gọi lại cho mẹ chị H.")
    browser.find_element(By.ID, "case-task-add").click()
    wait(browser).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#case-tasks .task")) == 1)
    browser.find_element(By.ID, "case-task-title").send_keys("Hỏi trung tâm hỗ trợ đã liên hệ chưa")
    browser.execute_script("document.getElementById('case-task-due').value = arguments[0]", yesterday)
    browser.find_element(By.ID, "case-task-add").click()
    wait(browser).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#tasks .task")) == 2)
    todo = page_texts(browser, "#tasks .task .item")
    assert todo[0].startswith("Quá hạn") and "Hỏi trung tâm hỗ trợ" in todo[0] and TITLE in todo[0]
    assert "Gọi lại cho mẹ chị H." in todo[1]
    assert browser.find_element(By.ID, "tasks-count").text == "2"
    click(browser, "#tasks .task:first-child button[aria-label^='Đánh dấu đã xong']")
    wait(browser).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#tasks .task")) == 1)
    wait(browser).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#case-tasks .task.done")) == 1)
    assert [(t["title"], t["status"], t["done_by"]) for t in store.cases.tasks(case["id"])] == [
        ("Hỏi trung tâm hỗ trợ đã liên hệ chưa", "done", "hoso.lan"), ("Gọi lại cho mẹ chị H.", "open", None)]

    # Who called, a note; the timeline has every step in order.
    choose(browser, "case-person-role", "caller")
    browser.find_element(By.ID, "case-person-description").send_keys("mẹ của chị H.")
    choose(browser, "case-person-age", "26+")
    browser.find_element(By.ID, "case-person-add").click()
    wait(browser).until(lambda b: page_texts(b, "#case-people li") == ["Người gọi, người báo tin: mẹ của chị H. · Trên 25 tuổi"])
    browser.find_element(By.ID, "case-note-text").send_keys("Hẹn gọi lại khi chị H. an toàn.")
    browser.find_element(By.ID, "case-note-add").click()
    wait(browser).until(lambda b: any("Hẹn gọi lại khi chị H. an toàn." in t for t in page_texts(b, "#case-timeline li")))
    steps = [t.split("\n")[-1].split(":")[0] for t in page_texts(browser, "#case-timeline li")]
    assert steps == ["mở hồ sơ", "thêm lần liên hệ", "thêm lần liên hệ", "cập nhật dấu hiệu", "cập nhật dấu hiệu",
                     "thêm việc cần làm", "thêm việc cần làm", "hoàn thành việc", "thêm người liên quan", "ghi chú"], steps
    browser.execute_script("document.querySelector('.case-body').scrollTop = 0")
    case_screenshots(browser)
    choose(browser, "case-status", "referred")  # her case is with the support centre now
    browser.find_element(By.ID, "case-status-save").click()
    wait(browser).until(lambda b: b.find_element(By.ID, "case-status-badge").text == "Đã chuyển tuyến")
    assert store.cases.get(case["id"])["status"] == "referred"

    # Found by the words of its title.
    browser.find_element(By.ID, "cases-q").send_keys("bavet")
    browser.find_element(By.ID, "cases-search-btn").click()
    wait(browser).until(lambda b: "Tìm thấy 1 hồ sơ." == b.find_element(By.ID, "cases-summary").text)

    # Back to the chat; she closes it with the call's form: the province she named is chosen
    # already, and the contact is in the case.
    browser.find_element(By.ID, "case-back").click()
    wait(browser).until(EC.visibility_of_element_located((By.ID, "reply-text")))
    assert browser.find_element(By.ID, "case-show-btn").is_displayed()
    assert not browser.find_element(By.ID, "case-new-btn").is_displayed()
    browser.find_element(By.ID, "close-btn").click()
    wait(browser).until(EC.visibility_of_element_located((By.ID, "close-dialog")))
    assert browser.find_element(By.ID, "close-province").get_attribute("value") == "Quảng Ninh"
    wait(browser).until(lambda b: b.find_element(By.ID, "close-case").get_attribute("value") == str(case["id"]))
    choose(browser, "close-type", "counselling")
    for outcome in ("counselling_psychological", "information"):
        browser.find_element(By.CSS_SELECTOR, f"input[name=outcome][value={outcome}]").click()
    browser.find_element(By.CSS_SELECTOR, "input[name=victim][value=suspected]").click()
    choose(browser, "close-category", "labour_trafficking")
    choose(browser, "close-age", "18-25")
    choose(browser, "close-sex", "female")
    browser.find_element(By.ID, "close-confirm").click()
    wait(browser).until(EC.invisibility_of_element_located((By.ID, "reply-form")))
    [chat] = [k for k in store.cases.contacts(case["id"]) if k["channel"] == "web"]
    assert (chat["contact_type"], chat["province"], chat["age_group"], chat["victim"]) == (
        "counselling", "Quảng Ninh", "18-25", "suspected")
    assert sorted(chat["outcomes"]) == ["counselling_psychological", "information"]

    # The supervisor reads the month: the calls and chats shown are the store's, and this test's
    # call and chat are in them.
    browser.find_element(By.ID, "logout").click()
    wait(browser).until(EC.visibility_of_element_located((By.ID, "login-username")))
    assert browser.execute_script(  # a shared laptop: nothing of her case is left in the page
        "return ['case-timeline', 'case-contacts', 'cases', 'tasks'].map(id => document.getElementById(id).children.length)"
    ) == [0, 0, 0, 0]
    sign_in_by_keyboard(browser, gateway, "hoso.gs")
    wait(browser).until(EC.element_to_be_clickable((By.ID, "stats-show"))).click()
    wait(browser).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#stats .row"))
    expected = statistics(store, start, end)
    assert page_texts(browser, "#stats .row")[0].split()[-1] == str(expected["contacts_received"])
    assert expected["contacts_received"] == before["contacts_received"] + 2
    wait(browser).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#split-table tbody tr"))
    shown = browser.execute_script(
        "return [...document.querySelectorAll('#split-table tbody tr')].map(r => [r.dataset.key,"
        " [...r.querySelectorAll('td')].map(td => Number(td.textContent))])")
    assert shown, "no row in the split table"
    split, was = expected["calls_and_chats"], before["calls_and_chats"]
    for key, (calls, chats, total) in shown:
        assert (calls, chats, total) == (split["calls"][key], split["chats"][key],
                                         split["calls"][key] + split["chats"][key]), key
    for kind, added in ADDED.items():
        for key, n in added.items():
            assert split[kind][key] == was[kind][key] + n, (kind, key)
    assert {key for key, _ in shown} >= set(ADDED["calls"]) | set(ADDED["chats"])
    types = browser.execute_script(
        "return Object.fromEntries([...document.querySelectorAll('#stats-split dd')].map(d => [d.dataset.key, Number(d.textContent)]))")
    assert types["counselling"] == expected["counselling_contacts"] == before["counselling_contacts"] + 2

    # The CHI report, fetched from the page's link with the supervisor's session.
    href = browser.find_element(By.ID, "chi-csv").get_attribute("href")
    assert href.endswith("/api/reports/chi.csv?" + period)
    status, text = browser.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "fetch(arguments[0]).then(function (r) { return r.text().then(function (t) { done([r.status, t]); }); });", href)
    assert status == 200, text
    # rows of section, CHI's name, our words, count: the call is one more voice contact, and both
    # are counselling contacts
    rows = {(r[0], r[1]): r[3] for r in csv.reader(io.StringIO(text.lstrip("\ufeff")))}
    chi = chi_report(store, start, end)
    assert rows[("Hình thức liên hệ", "Voice")] == str(chi["methods"]["Voice"]) == str(chi_before["methods"]["Voice"] + 1)
    assert rows[("Loại liên hệ", "Counselling contact")] == str(chi["counselling"]) == str(chi_before["counselling"] + 2)
    assert rows[("Tổng số", "Contacts")] == str(expected["contacts_received"])


def case_screenshots(browser):
    """docs/screenshots/cases.png (SCREENSHOT_DIR=docs/screenshots): the case page at 1366×768, and
    at a phone's width."""
    from tests.test_accessibility import screenshot

    screenshot(browser, "cases.png")
    metrics = {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    try:
        browser.save_screenshot(os.path.join(SCREENSHOTS, "cases-phone.png"))
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
