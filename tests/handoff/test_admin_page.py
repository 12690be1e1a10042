"""The admin's page in a real headless Chromium: an admin signs in on the console's page, lands on
their own (no live line: no WebSocket, no error in the console), creates an account, locks it
(that person can no longer sign in), gives it a new password, and filters the audit log, by
keyboard where a person would. Rasa is down here: no conversation is needed."""
import json
import os
import shutil

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.conftest import free_port, page_texts, serve_gateway_in_a_thread
from tests.handoff.conftest import PASSWORD, Console, ensure_user

NEW_PASSWORD = "mật-khẩu-mới-2026"


@pytest.fixture
def admin_in_thread(store):
    yield from serve_gateway_in_a_thread(f"http://127.0.0.1:{free_port()}", store)


@pytest.fixture
def logged_browser():
    """Debian's Chromium, headless, laptop-sized, keeping the page's console and network logs."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update", "--window-size=1366,768"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    browser = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    yield browser
    browser.quit()


def wait(browser, seconds=20):
    return WebDriverWait(browser, seconds)


def websockets_opened(browser):
    """Every WebSocket the page tried to open since the last call (Chromium's network log)."""
    return [json.loads(e["message"])["message"]["params"].get("url") for e in browser.get_log("performance")
            if json.loads(e["message"])["message"]["method"] == "Network.webSocketCreated"]


def errors(browser):
    return [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]


def row_text(browser, username):
    """An account's row, read in the page in one step (the table is redrawn after each change)."""
    return browser.execute_script("var r = document.querySelector('#accounts tr[data-username=\"' + arguments[0]"
                                  " + '\"]'); return r ? r.innerText : ''", username)


def click_in_row(browser, username, selector):
    wait(browser).until(lambda b: b.execute_script(
        "var r = document.querySelector('#accounts tr[data-username=\"' + arguments[0] + '\"]');"
        "var b = r && r.querySelector(arguments[1]); if (b) b.click(); return !!b", username, selector))


def can_sign_in(gateway, username, password):
    """A sign-in through the API, as the person's own browser would."""
    import asyncio

    async def attempt():
        console = Console(gateway)
        try:
            return (await console.login(username, password))[0] == 200
        finally:
            await console.close()

    return asyncio.run(attempt())


def test_an_admin_manages_accounts_and_reads_the_audit_log_on_their_own_page(logged_browser, admin_in_thread, store):
    browser, gateway = logged_browser, admin_in_thread
    ensure_user(store, "quantri.page", "admin")
    store.audit.record("gs.hoa", "export_stats", "01/11/2026–30/11/2026")  # someone else's step

    # Signed out, the console shows its sign-in form (its 401 on /api/me is how it knows).
    browser.get(gateway + "/console/")
    wait(browser).until(EC.visibility_of_element_located((By.ID, "login-username"))).send_keys("quantri.page")
    browser.get_log("browser"), browser.get_log("performance")  # from here on, nothing may go wrong
    browser.switch_to.active_element.send_keys(Keys.TAB, PASSWORD, Keys.ENTER)
    wait(browser).until(lambda b: b.current_url.endswith("/console/admin/"))
    wait(browser).until(lambda b: "quantri.page" in page_texts(b, "#accounts tbody td")[0:200])
    assert "Quản trị" in browser.title and "quản trị viên" in browser.find_element(By.ID, "me").text
    assert browser.find_element(By.ID, "accounts-title").is_displayed()
    # A reload goes straight to the admin's page, and the counsellors' page sends them back.
    browser.get(gateway + "/console/")
    wait(browser).until(lambda b: b.current_url.endswith("/console/admin/"))
    wait(browser).until(EC.visibility_of_element_located((By.ID, "create-form")))

    # Create an account by keyboard: the fields follow one another by Tab, Enter submits.
    browser.find_element(By.ID, "new-username").click()
    browser.switch_to.active_element.send_keys("lan.moi")
    for value in (Keys.TAB + "Nguyễn Thị Lan", Keys.TAB, Keys.TAB + Keys.BACKSPACE + "2", Keys.TAB + PASSWORD):
        browser.switch_to.active_element.send_keys(value)
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait(browser).until(lambda b: "Đã tạo tài khoản lan.moi" in b.find_element(By.ID, "accounts-status").text)
    cells = row_text(browser, "lan.moi")
    assert "Nguyễn Thị Lan" in cells and "tư vấn viên" in cells and "Hoạt động" in cells
    assert store.accounts.get("lan.moi")["capacity"] == 2
    assert can_sign_in(gateway, "lan.moi", PASSWORD)

    # Lock it: a dialog asks first, with the focus on "Hủy"; then Lan cannot sign in.
    click_in_row(browser, "lan.moi", "button.toggle")
    dialog = wait(browser).until(EC.visibility_of_element_located((By.ID, "disable-dialog")))
    assert "lan.moi" in dialog.text and browser.switch_to.active_element.get_attribute("id") == "disable-cancel"
    browser.find_element(By.ID, "disable-confirm").click()
    wait(browser).until(lambda b: "Đã khóa" in row_text(b, "lan.moi"))
    assert not store.accounts.get("lan.moi")["active"]
    assert not can_sign_in(gateway, "lan.moi", PASSWORD)
    assert browser.switch_to.active_element.text == "Mở khóa"  # focus stays on the row's button
    browser.switch_to.active_element.send_keys(Keys.ENTER)  # unlock by keyboard
    wait(browser).until(lambda b: "Hoạt động" in row_text(b, "lan.moi"))

    # A new password, typed in a dialog: the old one stops working, the new one works.
    click_in_row(browser, "lan.moi", "button.reset")
    wait(browser).until(EC.visibility_of_element_located((By.ID, "password-dialog")))
    assert browser.switch_to.active_element.get_attribute("id") == "reset-password"
    browser.switch_to.active_element.send_keys(NEW_PASSWORD, Keys.ENTER)
    wait(browser).until(lambda b: "Đã đặt lại mật khẩu cho lan.moi" in b.find_element(By.ID, "accounts-status").text)
    assert not browser.find_element(By.ID, "password-dialog").is_displayed()
    assert not can_sign_in(gateway, "lan.moi", PASSWORD) and can_sign_in(gateway, "lan.moi", NEW_PASSWORD)

    # The audit log: Vietnam times and Vietnamese words, filtered by user, then by action and day.
    wait(browser).until(lambda b: any("Đặt lại mật khẩu" in t for t in page_texts(b, "#audit tbody tr")))
    first = page_texts(browser, "#audit tbody tr")[0]
    assert "quantri.page" in first and "lan.moi" in first
    assert "{" not in " ".join(page_texts(browser, "#audit tbody tr"))  # no raw JSON
    Select(browser.find_element(By.ID, "audit-actor")).select_by_value("quantri.page")
    browser.find_element(By.ID, "audit-apply").click()
    wait(browser).until(lambda b: all("quantri.page" in t for t in page_texts(b, "#audit tbody tr")))
    shown = page_texts(browser, "#audit tbody tr")
    assert [next(w for w in ("Tạo tài khoản", "Mở khóa tài khoản", "Khóa tài khoản", "Đặt lại mật khẩu") if w in t)
            for t in shown] == ["Đặt lại mật khẩu", "Mở khóa tài khoản", "Khóa tài khoản", "Tạo tài khoản"]
    import re
    assert all(re.search(r"\b\d\d/\d\d/20\d\d \d\d:\d\d\b", t) for t in shown)
    Select(browser.find_element(By.ID, "audit-actor")).select_by_value("")
    Select(browser.find_element(By.ID, "audit-action")).select_by_visible_text("Tải thống kê (CSV)")
    browser.find_element(By.ID, "audit-apply").click()
    wait(browser).until(lambda b: any("gs.hoa" in t for t in page_texts(b, "#audit tbody tr")) and all(
        "Tải thống kê (CSV)" in t for t in page_texts(b, "#audit tbody tr")))
    browser.find_element(By.ID, "audit-from").send_keys("31/02/2020", Keys.ENTER)  # no such day
    wait(browser).until(lambda b: "ngày/tháng/năm" in b.find_element(By.ID, "audit-status").text)
    browser.find_element(By.ID, "audit-from").clear()
    browser.find_element(By.ID, "audit-from").send_keys("01/01/2020", Keys.TAB, "31/01/2020", Keys.ENTER)
    wait(browser).until(lambda b: "Không có mục nào" in b.find_element(By.ID, "audit-status").text)
    browser.find_element(By.ID, "audit-clear").click()
    wait(browser).until(lambda b: len(page_texts(b, "#audit tbody tr")) >= 5)

    if os.environ.get("ADMIN_SCREENSHOT"):  # docs/screenshots/admin.png is made this way
        browser.execute_script("window.scrollTo(0, 0)")
        browser.save_screenshot(os.environ["ADMIN_SCREENSHOT"])
    assert websockets_opened(browser) == []
    assert errors(browser) == []
