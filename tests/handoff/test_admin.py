"""The admin's API: accounts (list, create, disable and enable, a new password) and the audit log
filtered by user, action and Vietnam days, in words and Vietnam times. Counsellors and
supervisors are refused every admin route."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tests.handoff.conftest import PASSWORD, signed_in

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NEW_PASSWORD = "mật-khẩu-mới-2026"
ADMIN_ROUTES = (("GET", "/api/accounts", None), ("POST", "/api/accounts", {"username": "x.y", "role": "admin",
                                                                         "password": PASSWORD}),
                ("POST", "/api/accounts/adm.lan/active", {"active": False}),
                ("POST", "/api/accounts/adm.lan/password", {"password": NEW_PASSWORD}),
                ("GET", "/api/audit", None))


@pytest.mark.parametrize("role", ("counsellor", "supervisor"))
async def test_counsellors_and_supervisors_are_refused_the_admin_routes(consoles, store, role):
    other = await signed_in(consoles, store, f"adm.not.{role}", role)
    for method, path, body in ADMIN_ROUTES:
        status, answer = await other.call(method, path, body)
        assert status == 403 and answer["error"] == "forbidden", (role, path)
    assert store.accounts.get("x.y") is None


async def test_an_admin_creates_disables_enables_and_resets_an_account(consoles, store):
    admin = await signed_in(consoles, store, "adm.root", "admin")
    status, created = await admin.call("POST", "/api/accounts", {
        "username": "adm.lan", "display_name": "Nguyễn Thị Lan", "role": "counsellor", "capacity": 2,
        "password": PASSWORD})
    assert status == 201 and created["account"]["role_name"] == "tư vấn viên" and created["account"]["active"]
    assert "password_hash" not in created["account"]
    assert (await admin.call("POST", "/api/accounts", {"username": "adm.lan", "role": "counsellor",
                                                        "password": PASSWORD}))[0] == 409
    for wrong in ({"username": "lan nguyễn", "role": "counsellor", "password": PASSWORD},
                  {"username": "adm.short", "role": "counsellor", "password": "ngắn"},
                  {"username": "adm.role", "role": "boss", "password": PASSWORD},
                  {"username": "adm.cap", "role": "counsellor", "password": PASSWORD, "capacity": 0}):
        status, body = await admin.call("POST", "/api/accounts", wrong)
        assert status == 400 and body["message"], wrong
    _, listed = await admin.call("GET", "/api/accounts")
    lan = next(a for a in listed["accounts"] if a["username"] == "adm.lan")
    assert lan["display_name"] == "Nguyễn Thị Lan" and lan["capacity"] == 2
    assert listed["roles"]["admin"] == "quản trị viên"

    # Lan works; disabled, her open session ends at once and she cannot sign in again.
    lan_console = await consoles("adm.lan")
    assert (await lan_console.login("adm.lan"))[0] == 200
    status, body = await admin.call("POST", "/api/accounts/adm.lan/active", {"active": False})
    assert status == 200 and body["account"]["active"] is False
    assert (await lan_console.call("GET", "/api/queue"))[0] == 401
    assert (await lan_console.login("adm.lan"))[0] == 401
    assert (await admin.call("POST", "/api/accounts/adm.root/active", {"active": False}))[0] == 400  # not oneself
    assert (await admin.call("POST", "/api/accounts/nobody.here/active", {"active": False}))[0] == 404
    await admin.call("POST", "/api/accounts/adm.lan/active", {"active": True})
    assert (await lan_console.login("adm.lan"))[0] == 200

    # A new password: the old one and the sessions signed in with it stop working.
    assert (await admin.call("POST", "/api/accounts/adm.lan/password", {"password": "ngắn"}))[0] == 400
    assert (await admin.call("POST", "/api/accounts/adm.lan/password", {"password": NEW_PASSWORD}))[0] == 200
    assert (await lan_console.call("GET", "/api/queue"))[0] == 401
    assert (await lan_console.login("adm.lan"))[0] == 401
    assert (await lan_console.login("adm.lan", NEW_PASSWORD))[0] == 200

    actions = [(a["actor"], a["action"], a["object"]) for a in store.audit.all()]
    for action in ("create_account", "disable_account", "enable_account", "reset_password"):
        assert ("adm.root", action, "adm.lan") in actions


async def test_the_audit_log_filters_by_user_action_and_vietnam_days(consoles, store):
    admin = await signed_in(consoles, store, "adm.audit", "admin")
    # 23:30 and 00:30 Vietnam time, either side of midnight: UTC would put both on the 14th.
    # Long ago, so that no entry written by the other tests today falls in these days.
    late = dt.datetime(2025, 6, 14, 23, 30, tzinfo=VN).timestamp()
    early = dt.datetime(2025, 6, 15, 0, 30, tzinfo=VN).timestamp()
    with store.engine.begin() as db:
        from handoff.store.tables import audit
        db.execute(audit.insert(), [
            {"actor": "adm.hoa", "action": "read_transcript", "object": "a" * 32, "at": late},
            {"actor": "adm.hoa", "action": "export_stats", "object": "2026-11-01..2026-11-30", "at": early},
            {"actor": "adm.minh", "action": "read_transcript", "object": "b" * 32, "at": early}])
    status, log = await admin.call("GET", "/api/audit?actor=adm.hoa")
    assert status == 200 and [e["action"] for e in log["audit"]] == ["export_stats", "read_transcript"]
    assert log["audit"][1]["time"] == "14/06/2025 23:30" and log["audit"][1]["action_name"] == "Mở xem cuộc trò chuyện"
    assert log["audit"][0]["action_name"] == "Tải thống kê (CSV)"
    assert {"adm.hoa", "adm.minh"} <= set(log["actors"]) and log["actions"]["reset_password"]
    _, log = await admin.call("GET", "/api/audit?action=read_transcript&from=2025-06-15&to=2025-06-15")
    assert [(e["actor"], e["object"]) for e in log["audit"]] == [("adm.minh", "b" * 32)]
    _, log = await admin.call("GET", "/api/audit?from=2025-06-01&to=2025-06-14&actor=adm.hoa")
    assert [e["time"] for e in log["audit"]] == ["14/06/2025 23:30"]
    assert (await admin.call("GET", "/api/audit?from=hôm-qua"))[0] == 400


async def test_each_role_is_sent_to_its_own_page(consoles, store, gateway_without_rasa):
    """The server sends a signed-in user to their role's page, so an admin never loads the console's
    script (whose live line they may not open) and a counsellor never loads the admin's."""
    admin = await signed_in(consoles, store, "adm.pages", "admin")
    counsellor = await signed_in(consoles, store, "adm.pages.tv", "counsellor")
    _, me = await admin.call("GET", "/api/me")
    assert me["home"] == "/console/admin/" and me["role_name"] == "quản trị viên"
    assert (await counsellor.call("GET", "/api/me"))[1]["home"] == "/console/"
    for console, page, lands in ((admin, "/console/", "/console/admin/"), (admin, "/console/admin/", None),
                                 (counsellor, "/console/admin/", "/console/"), (counsellor, "/console/", None)):
        async with console.http.get(gateway_without_rasa + page, allow_redirects=False) as r:
            assert (r.status, r.headers.get("Location")) == ((302, lands) if lands else (200, None)), page


async def test_a_disabled_counsellors_live_line_closes_at_its_next_heartbeat(consoles, store, gateway_without_rasa):
    import asyncio

    import aiohttp

    admin = await signed_in(consoles, store, "adm.ws", "admin")
    lan = await signed_in(consoles, store, "adm.ws.tv", "counsellor")
    async with lan.http.ws_connect(gateway_without_rasa + "/api/ws", origin=gateway_without_rasa) as ws:
        assert (await ws.receive_json(timeout=5))["type"] == "hello"
        await ws.send_json({"type": "heartbeat", "status": "online"})
        await asyncio.sleep(0.3)
        assert not ws.closed  # signed in: the line stays open
        assert (await admin.call("POST", "/api/accounts/adm.ws.tv/active", {"active": False}))[0] == 200
        await ws.send_json({"type": "heartbeat", "status": "online"})
        message = await ws.receive(timeout=5)
        while message.type == aiohttp.WSMsgType.TEXT:  # whatever was on its way before
            message = await ws.receive(timeout=5)
        assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
