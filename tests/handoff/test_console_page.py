"""The console in a real headless Chromium: a counsellor takes an urgent case from the
web chat, from sign-in to close, with the person's side open in another tab."""
import os

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from handoff import texts
from tests.conftest import page_texts
from tests.handoff.conftest import ensure_user

URGENT = "cuu e, e bi nhot o cty ben cam, ko cho ve"
REPLY = "Chị là tư vấn viên đây. Em có đang an toàn để nhắn tin không?"


def wait(browser, seconds=30):
    return WebDriverWait(browser, seconds)


def chat_texts(browser, kind):
    return page_texts(browser, f"#log .msg.{kind}")


def transcript(browser, role):
    return page_texts(browser, f"#transcript .msg.{role}")


def sign_in(browser, username):
    """On the console page just opened."""
    wait(browser).until(EC.visibility_of_element_located((By.ID, "login-username"))).send_keys(username)
    browser.find_element(By.ID, "login-password").send_keys("mật-khẩu-dài-1")
    browser.find_element(By.ID, "login-submit").click()


def say(browser, text):
    box = browser.find_element(By.ID, "text")
    box.send_keys(text)
    browser.find_element(By.ID, "send").click()


def test_counsellor_signs_in_claims_an_urgent_case_replies_and_closes_it(browser, gateway_in_thread, store):
    gateway = gateway_in_thread
    ensure_user(store, "lan.console")
    browser.set_window_size(1366, 860)  # a laptop

    # The person at risk writes on the web chat.
    browser.get(gateway + "/")
    person = browser.current_window_handle
    say(browser, URGENT)
    wait(browser).until(lambda b: any("vị trí số 1" in t for t in chat_texts(b, "bot")))

    # The counsellor signs in and sees the case at the top of the queue.
    browser.switch_to.new_window("tab")
    counsellor = browser.current_window_handle
    browser.get(gateway + "/console/")
    sign_in(browser, "lan.console")
    case = wait(browser).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#queue .case.critical")))
    assert URGENT in case.text and "Khẩn cấp" in case.text and "Web" in case.text
    case.click()
    wait(browser).until(EC.visibility_of_element_located((By.ID, "claim-btn"))).click()
    wait(browser).until(EC.visibility_of_element_located((By.ID, "reply-text")))
    # the whole transcript, bot part included, and why it was escalated
    assert URGENT in transcript(browser, "user")[0]
    assert any("113" in t for t in transcript(browser, "bot"))
    assert "confinement" in browser.find_element(By.ID, "chat-reasons").text

    browser.find_element(By.ID, "reply-text").send_keys(REPLY)
    browser.find_element(By.ID, "send-btn").click()
    wait(browser).until(lambda b: any(REPLY in t for t in transcript(b, "counsellor")))

    # The reply reaches the person's chat; their answer reaches the console live.
    browser.switch_to.window(person)
    wait(browser).until(lambda b: any(REPLY in t for t in chat_texts(b, "agent")))
    say(browser, "em o bavet, dang an toan")
    browser.switch_to.window(counsellor)
    wait(browser).until(lambda b: any("em o bavet" in t for t in transcript(b, "user")))
    if os.environ.get("CONSOLE_SCREENSHOT"):  # docs/console.png is made this way
        browser.save_screenshot(os.environ["CONSOLE_SCREENSHOT"])

    # Close with an outcome.
    browser.find_element(By.ID, "close-btn").click()
    wait(browser).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "input[value=referral_rescue]"))).click()
    browser.find_element(By.CSS_SELECTOR, "input[name=victim][value=suspected]").click()
    browser.find_element(By.ID, "close-confirm").click()
    wait(browser).until(EC.invisibility_of_element_located((By.ID, "reply-form")))
    [contact] = [c for c in store.contacts_of(_conversation_of(store, URGENT)) if c["closed_at"]]
    assert contact["outcomes"] == ["referral_rescue"] and contact["victim"] == "suspected"
    assert contact["counsellor"] == "lan.console"

    # The person is told and asked the two survey questions.
    browser.switch_to.window(person)
    wait(browser).until(lambda b: any(texts.SURVEY["satisfied"] in t for t in chat_texts(b, "agent")))


def _conversation_of(store, text):
    import sqlalchemy as sa

    from handoff.store.tables import messages

    with store.engine.connect() as db:
        return db.execute(sa.select(messages.c.conversation_id).where(messages.c.text == text)
                          .order_by(messages.c.id.desc())).first()[0]


def test_a_supervisor_sees_this_months_statistics(browser, gateway_in_thread, store):
    import datetime as dt
    from zoneinfo import ZoneInfo

    from handoff.stats import statistics

    ensure_user(store, "truong.ca.page", "supervisor")
    browser.set_window_size(1366, 900)
    browser.get(gateway_in_thread + "/console/")
    sign_in(browser, "truong.ca.page")
    wait(browser).until(EC.visibility_of_element_located((By.ID, "stats-show"))).click()
    wait(browser).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#stats .row"))
    first_row = browser.find_elements(By.CSS_SELECTOR, "#stats .row")[0].text
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    today = dt.datetime.now(zone).date()
    start = dt.datetime.combine(today.replace(day=1), dt.time(), zone).timestamp()
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), zone).timestamp()
    assert first_row.startswith("Số cuộc tiếp nhận")
    assert first_row.split()[-1] == str(statistics(store, start, end)["contacts_received"])
    assert len(browser.find_elements(By.CSS_SELECTOR, "#stats .bar")) == 9


def test_a_supervisor_sees_the_facts_to_check_again_with_their_sources(browser, gateway_in_thread, store):
    ensure_user(store, "truong.ca.facts", "supervisor")
    browser.set_window_size(1366, 900)
    browser.get(gateway_in_thread + "/console/")
    sign_in(browser, "truong.ca.facts")
    wait(browser).until(EC.visibility_of_element_located((By.ID, "facts-show"))).click()
    wait(browser).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#facts .fact"))
    facts = page_texts(browser, "#facts .fact")
    assert "quá hạn kiểm tra lại" in browser.find_element(By.ID, "facts-summary").text
    assert "QUÁ HẠN KIỂM TRA" in facts[0] and "Nguồn: seed 001" in facts[0]  # the 2023 entries come first
    assert any("53/2024/QH15" in f and "Kiểm tra ngày 2026-12-02" in f for f in facts)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#facts .late")) >= 1
    browser.save_screenshot(os.path.join(os.environ.get("SCREENSHOT_DIR", "/tmp"), "console_facts.png"))


def test_a_supervisor_finds_a_closed_case_opens_it_and_exports_the_month(browser, gateway_in_thread, store):
    import csv
    import datetime as dt
    import io
    import time
    import uuid
    from zoneinfo import ZoneInfo

    from handoff.stats import statistics

    # A closed case in the stored history: a rescue referral from Lai Châu.
    cid, now = uuid.uuid4().hex, time.time()
    store.find_or_create_conversation("zalo", "58412345678901", cid)
    first = store.add_message(cid, "user", "cứu em, em bị bán sang Trung Quốc, nhà em ở Lai Châu", at=now - 600)
    contact = store.open_contact(cid, "critical", "urgency", ["sold_or_moved"], first["id"], now - 600)
    store.update_contact(contact, claimed_at=now - 580, first_response_at=now - 560, closed_at=now - 60,
                         counsellor="seed.tv", outcomes=["referral_rescue"], victim="confirmed")
    ensure_user(store, "truong.ca.review", "supervisor")

    browser.set_window_size(1366, 1000)
    browser.get(gateway_in_thread + "/console/")
    sign_in(browser, "truong.ca.review")
    wait(browser).until(EC.visibility_of_element_located((By.ID, "search-place"))).send_keys("lai châu")
    wait(browser).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#search-outcome option")) > 1)
    from selenium.webdriver.support.ui import Select

    Select(browser.find_element(By.ID, "search-outcome")).select_by_value("referral_rescue")
    browser.find_element(By.ID, "search-btn").click()
    result = wait(browser).until(EC.visibility_of_element_located(
        (By.CSS_SELECTOR, f'#search-results .case[data-id="{cid}"]')))
    assert "Chuyển tuyến giải cứu" in result.text and "seed.tv" in result.text
    result.click()
    wait(browser).until(lambda b: any("Lai Châu" in t for t in transcript(b, "user")))
    assert ("truong.ca.review", "read_transcript", cid) in [(a["actor"], a["action"], a["object"])
                                                            for a in store.audit.all()]

    # The month's statistics as CSV, fetched by the page as the download link does.
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    today = dt.datetime.now(zone).date()
    period = f"from={today.replace(day=1).isoformat()}&to={today.isoformat()}"
    text = browser.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "fetch('/api/stats.csv?" + period + "').then(function (r) { return r.text(); }).then(done);")
    rows = {row[1]: row[2] for row in csv.reader(io.StringIO(text.lstrip("\ufeff")))}
    expected = statistics(store, dt.datetime.combine(today.replace(day=1), dt.time(), zone).timestamp(),
                          dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), zone).timestamp())
    for key in ("contacts_received", "referral_rescue", "victims_supported", "unanswered_critical"):
        assert rows[key] == str(expected[key]), key
    assert int(rows["referral_rescue"]) >= 1
    assert ("truong.ca.review", "export_stats") in [(a["actor"], a["action"]) for a in store.audit.all()]
