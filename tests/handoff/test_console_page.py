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


def people_write(browser, gateway, *texts):
    """Each text from a person of its own, on the web chat in a tab of its own; their tabs."""
    people = []
    for text in texts:
        browser.switch_to.new_window("tab")
        browser.get(gateway + "/")
        say(browser, text)
        wait(browser).until(lambda b: chat_texts(b, "bot"))
        people.append(browser.current_window_handle)
    return people


def open_case(browser, selector):
    """Click a case in a list once it is there; the lists are redrawn on every change, so the
    click is done in the page on whatever element matches now (never a stale reference)."""
    wait(browser).until(lambda b: b.execute_script(
        "var c = document.querySelector(arguments[0]); if (c) c.click(); return !!c", selector))


def claim_a_case(browser, gateway, username):
    """A person writes URGENT; ``username``, on a laptop-sized console, opens and claims it."""
    browser.set_window_size(1366, 768)
    people_write(browser, gateway, URGENT)
    browser.switch_to.new_window("tab")
    browser.get(gateway + "/console/")
    sign_in(browser, username)
    open_case(browser, "#queue .case")
    wait(browser).until(EC.element_to_be_clickable((By.ID, "claim-btn"))).click()


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
    assert "bị giam giữ" in browser.find_element(By.ID, "chat-reasons").text  # in words, not tags
    # the case's steps are in its transcript, at their place: queued before the claim, both after the first message
    wait(browser).until(lambda b: any("lan.console nhận cuộc trò chuyện" in t for t in page_texts(b, "#transcript .msg.event")))
    kinds = browser.execute_script(
        "return [...document.querySelectorAll('#transcript .msg')].map(n => n.classList.contains('event') ? n.textContent : n.className)")
    steps = [i for i, k in enumerate(kinds) if "vào hàng chờ" in k or "nhận cuộc trò chuyện" in k]
    first_user = next(i for i, k in enumerate(kinds) if k.startswith("msg user"))
    assert len(steps) == 2 and first_user < steps[0] < steps[1], kinds

    browser.find_element(By.ID, "reply-text").send_keys(REPLY)
    browser.find_element(By.ID, "send-btn").click()
    wait(browser).until(lambda b: any(REPLY in t for t in transcript(b, "counsellor")))

    # The reply reaches the person's chat; their answer reaches the console live.
    browser.switch_to.window(person)
    wait(browser).until(lambda b: any(REPLY in t for t in chat_texts(b, "counsellor")))
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

    # A rescue referral keeps the case open: the person is told so, without "ended" or a survey.
    browser.switch_to.window(person)
    wait(browser).until(lambda b: any("kết nối trường hợp của bạn" in t for t in chat_texts(b, "system")))
    assert not any(texts.SURVEY["satisfied"] in t for t in chat_texts(browser, "system"))


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

    from handoff.stats import LABELS, statistics

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
    rows = dict(list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1:])  # "Chỉ số", "Giá trị"
    expected = statistics(store, dt.datetime.combine(today.replace(day=1), dt.time(), zone).timestamp(),
                          dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), zone).timestamp())
    for key in ("contacts_received", "referral_rescue", "victims_supported", "unanswered_critical"):
        assert rows[LABELS[key]] == str(expected[key]), key
    assert int(rows["Chuyển tuyến giải cứu"]) >= 1 and rows["Đến ngày"] == today.strftime("%d/%m/%Y")
    assert ("truong.ca.review", "export_stats") in [(a["actor"], a["action"]) for a in store.audit.all()]


CONTRAST_OF = """
function lum(rgb) {
  return rgb.map(function (v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
            .reduce(function (s, v, i) { return s + v * [0.2126, 0.7152, 0.0722][i]; }, 0);
}
function rgb(s) { return s.match(/\\d+/g).slice(0, 3).map(Number); }
var style = getComputedStyle(arguments[0]);
var a = lum(rgb(style.color)), b = lum(rgb(style.backgroundColor));
return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
"""


def test_drafts_quick_replies_and_notes_stay_with_their_case(browser, gateway_in_thread, store):
    """Issue 16: a quick reply never overwrites a draft, a draft never follows the counsellor into
    another person's chat, note mode says so, the badges are readable, the sidebar fits."""
    gateway = gateway_in_thread
    ensure_user(store, "lan.drafts")
    browser.set_window_size(1366, 768)
    people = people_write(browser, gateway, URGENT, "em bị công ty giữ hộ chiếu, muốn gặp tư vấn viên ạ")
    browser.switch_to.new_window("tab")
    browser.get(gateway + "/console/")
    sign_in(browser, "lan.drafts")
    wait(browser).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#queue .case")) >= 2)

    side = browser.find_element(By.CSS_SELECTOR, ".side")
    assert browser.execute_script("return arguments[0].scrollWidth <= arguments[0].clientWidth", side)
    for badge in browser.find_elements(By.CSS_SELECTOR, "#queue .badge, .team .badge"):
        assert browser.execute_script(CONTRAST_OF, badge) >= 4.5, badge.text

    open_case(browser, "#queue .case")
    wait(browser).until(EC.visibility_of_element_located((By.ID, "claim-btn"))).click()
    box = wait(browser).until(EC.visibility_of_element_located((By.ID, "reply-text")))
    box.send_keys("Chào em,")
    quick = browser.find_element(By.ID, "quick")
    option = quick.find_elements(By.TAG_NAME, "option")[1]
    quick_text = option.get_attribute("value")
    option.click()
    assert box.get_attribute("value") == "Chào em, " + quick_text

    browser.find_element(By.ID, "as-note").click()
    assert browser.find_element(By.ID, "send-btn").text == "Lưu ghi chú"
    assert "không gửi" in box.get_attribute("placeholder")

    # Another person's case: an empty box, not in note mode; back again: the draft is there.
    open_case(browser, "#queue .case")
    wait(browser).until(EC.visibility_of_element_located((By.ID, "claim-btn")))
    assert browser.find_element(By.ID, "reply-text").get_attribute("value") == ""
    assert not browser.find_element(By.ID, "as-note").is_selected()
    open_case(browser, "#mine .case")
    wait(browser).until(lambda b: b.find_element(By.ID, "reply-text").get_attribute("value") == "Chào em, " + quick_text)
    assert browser.find_element(By.ID, "send-btn").text == "Gửi"


def test_a_message_in_a_chat_not_open_is_counted_until_it_is_read(browser, gateway_in_thread, store):
    """Issue 16: while a counsellor reads one chat, a person in another writes: the other chat and
    the title show it, and opening that chat clears it."""
    gateway = gateway_in_thread
    ensure_user(store, "lan.unread")
    browser.set_window_size(1366, 768)
    people = people_write(browser, gateway, URGENT, "e muon gap tu van vien, cong ty giu ho chieu cua e")
    browser.switch_to.new_window("tab")
    console = browser.current_window_handle
    browser.get(gateway + "/console/")
    sign_in(browser, "lan.unread")
    for held in (1, 2):
        open_case(browser, "#queue .case")
        wait(browser).until(EC.element_to_be_clickable((By.ID, "claim-btn"))).click()
        wait(browser).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#mine .case")) == held)
    open_id = browser.execute_script("return document.querySelector('#mine .case.selected').dataset.id")
    other = [c for c in browser.find_elements(By.CSS_SELECTOR, "#mine .case") if c.get_attribute("data-id") != open_id][0]
    other_id = other.get_attribute("data-id")
    assert not browser.find_elements(By.CSS_SELECTOR, "#mine .unread")

    # the person whose chat is not open writes
    texts_by_id = {}
    for case in browser.find_elements(By.CSS_SELECTOR, "#mine .case"):
        texts_by_id[case.get_attribute("data-id")] = case.text
    writer = people[0] if "cuu e" in texts_by_id[other_id] else people[1]
    browser.switch_to.window(writer)
    say(browser, "a oi e van o day, ho sap quay lai")
    browser.switch_to.window(console)
    wait(browser).until(lambda b: page_texts(b, f'#mine .case[data-id="{other_id}"] .unread') == ["1 tin mới"])
    assert browser.title.startswith("(1) ") or "KHẨN CẤP" in browser.title
    assert not browser.find_elements(By.CSS_SELECTOR, f'#mine .case[data-id="{open_id}"] .unread')

    # the list is drawn again on every change: click whichever element is there now
    browser.execute_script(f"document.querySelector('#mine .case[data-id=\"{other_id}\"]').click()")
    wait(browser).until(lambda b: not b.find_elements(By.CSS_SELECTOR, "#mine .unread"))
    wait(browser).until(lambda b: not b.title.startswith("("))


def _online(gateway, username):
    """Another counsellor's console, signed in over the API (a cookie jar of its own)."""
    import http.cookiejar
    import json
    import urllib.request

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    headers = {"Content-Type": "application/json", "Origin": gateway}
    for path, body in (("/api/login", {"username": username, "password": "mật-khẩu-dài-1"}),
                       ("/api/presence", {"status": "online"})):
        request = urllib.request.Request(gateway + path, json.dumps(body).encode(), method="POST", headers=headers)
        answer = json.loads(opener.open(request).read())
        headers["X-CSRF-Token"] = answer.get("csrf", headers.get("X-CSRF-Token", ""))


def test_a_transfer_offers_counsellors_first_and_closes_the_senders_view(browser, gateway_in_thread, store):
    """Issue 16: the queue is not the default target, supervisors are not offered, and the sender
    sees the transfer done, not "not found" over a live-looking reply box."""
    gateway = gateway_in_thread
    for name, role in (("lan.from", "counsellor"), ("lan.to", "counsellor"), ("thu.sup", "supervisor")):
        ensure_user(store, name, role=role)
    _online(gateway, "lan.to")
    _online(gateway, "thu.sup")
    claim_a_case(browser, gateway, "lan.from")
    wait(browser).until(EC.element_to_be_clickable((By.ID, "transfer-btn"))).click()
    target = wait(browser).until(EC.visibility_of_element_located((By.ID, "transfer-target")))
    offered = [o.get_attribute("value") for o in target.find_elements(By.TAG_NAME, "option")]
    assert offered[0] == "lan.to" and offered[-1] == "" and "thu.sup" not in offered
    browser.find_element(By.ID, "transfer-confirm").click()
    wait(browser).until(EC.visibility_of_element_located((By.ID, "empty")))
    assert "Đã chuyển cuộc trò chuyện cho" in browser.find_element(By.ID, "empty").text
    assert not browser.find_element(By.ID, "chat").is_displayed()
    assert browser.find_element(By.ID, "chat-error").text == ""
    wait(browser).until(lambda b: not b.find_elements(By.CSS_SELECTOR, "#mine .case"))


def test_a_reload_keeps_the_open_chat_the_draft_and_the_status(browser, gateway_in_thread, store):
    """Issue 16: a reload mid-reply loses nothing, and "Tạm vắng" stays away."""
    from selenium.webdriver.support.ui import Select

    gateway = gateway_in_thread
    ensure_user(store, "lan.reload")
    claim_a_case(browser, gateway, "lan.reload")
    wait(browser).until(EC.visibility_of_element_located((By.ID, "reply-text"))).send_keys("Em ơi, chị đang")
    opened = browser.execute_script("return document.querySelector('#mine .case').dataset.id")
    Select(browser.find_element(By.ID, "presence")).select_by_value("away")
    wait(browser).until(lambda b: any("tạm vắng" in t for t in page_texts(b, ".team .badge")))

    browser.refresh()
    box = wait(browser).until(EC.visibility_of_element_located((By.ID, "reply-text")))
    wait(browser).until(lambda b: box.get_attribute("value") == "Em ơi, chị đang")
    assert browser.execute_script("return document.querySelector('#mine .case.selected').dataset.id") == opened
    wait(browser).until(lambda b: any("tạm vắng" in t for t in page_texts(b, ".team .badge")))
    assert browser.find_element(By.ID, "presence").get_attribute("value") == "away"
