"""Console accounts for admins, from their page (handoff/static/admin.html): list, create,
disable or enable, set a new password. The same rules as `python -m handoff users`
(handoff/accounts.py); each change is written to the audit log.

A disabled account, or one given a new password, is signed out at once: every request checks
the account and the password it signed in with (handoff/auth.py). The conversations a disabled
counsellor held go back to the queue when their console's heartbeat stops (handoff/watchdog.py):
their live line closes at its next heartbeat (handoff/live.py).
"""
from __future__ import annotations

from typing import Any, Dict

from aiohttp import web

from directory.languages import languages
from handoff.accounts import MAX_NAME, password_problem, username_problem
from handoff.auth import ROLES, api_error, hash_password, requires
from handoff.console.http import read_json
from handoff.console.vocabulary import role_name
from handoff.local_time import local_time
from handoff.signin import HashPoolBusy

MAX_CAPACITY = 20


def shown(user: Dict[str, Any]) -> Dict[str, Any]:
    """An account as the page shows it; never its password hash."""
    return {"username": user["username"], "display_name": user["display_name"], "role": user["role"],
            "role_name": role_name(user["role"]), "capacity": user["capacity"], "active": bool(user["active"]),
            "languages": (user.get("languages") or "").split(),
            "created": local_time(user["created_at"]) if user.get("created_at") else ""}


async def hashed(request: web.Request, password: str):
    """The argon2 hash, made in sign-in's small pool off the event loop; None when it is full."""
    try:
        return await request.app["sessions"].hashes.run(hash_password, password)
    except HashPoolBusy:
        return None


def busy() -> web.Response:
    return api_error(503, "busy", "Hệ thống đang bận, hãy thử lại sau giây lát.")


@requires("accounts.read")
async def accounts(request: web.Request) -> web.Response:
    store = request.app["handoff"].store
    return web.json_response({"accounts": [shown(u) for u in await store.run(store.accounts.all)],
                              "roles": {role: role_name(role) for role in ROLES},
                              "languages": {code: language.name for code, language in languages().items()}})


@requires("accounts.manage")
async def create(request: web.Request) -> web.Response:
    body = await read_json(request)
    username = str(body.get("username") or "").strip()
    name = str(body.get("display_name") or "").strip() or username
    role, password, capacity = body.get("role"), body.get("password"), body.get("capacity")
    problem = username_problem(username) or (None if isinstance(password, str) else "Hãy nhập mật khẩu.")
    problem = problem or password_problem(password)
    if problem:
        return api_error(400, "invalid_account", problem)
    if role not in ROLES:
        return api_error(400, "invalid_role", "Hãy chọn vai trò trong danh sách.")
    if len(name) > MAX_NAME:
        return api_error(400, "invalid_name", f"Tên hiển thị tối đa {MAX_NAME} ký tự.")
    if capacity in (None, ""):
        capacity = request.app["handoff"].config.counsellor_capacity
    if not isinstance(capacity, int) or isinstance(capacity, bool) or not 1 <= capacity <= MAX_CAPACITY:
        return api_error(400, "invalid_capacity", f"Số cuộc cùng lúc phải từ 1 đến {MAX_CAPACITY}.")
    store = request.app["handoff"].store
    if await store.run(store.accounts.get, username):
        return api_error(409, "account_exists", "Tên đăng nhập này đã có.")
    password_hash = await hashed(request, password)
    if password_hash is None:
        return busy()
    await store.run(store.accounts.add, username, name, role, password_hash, capacity)
    await store.run(store.audit.record, request["session"].username, "create_account", username)
    return web.json_response({"account": shown(await store.run(store.accounts.get, username))}, status=201)


@requires("accounts.manage")
async def set_active(request: web.Request) -> web.Response:
    body = await read_json(request)
    username, active = request.match_info["username"], body.get("active")
    if not isinstance(active, bool):
        return api_error(400, "invalid_body", "Cần active là true hoặc false.")
    if username == request["session"].username and not active:
        # The admin who locks themself out leaves the line without anyone to undo it.
        return api_error(400, "own_account", "Không thể tự khóa tài khoản của chính mình.")
    store = request.app["handoff"].store
    if not await store.run(store.accounts.update, username, active=active):
        return api_error(404, "no_account", "Không có tài khoản này.")
    await store.run(store.audit.record, request["session"].username,
                    "enable_account" if active else "disable_account", username)
    return web.json_response({"account": shown(await store.run(store.accounts.get, username))})


@requires("accounts.manage")
async def reset_password(request: web.Request) -> web.Response:
    body = await read_json(request)
    username, password = request.match_info["username"], body.get("password")
    problem = password_problem(password) if isinstance(password, str) else "Hãy nhập mật khẩu mới."
    if problem:
        return api_error(400, "invalid_password", problem)
    store = request.app["handoff"].store
    if await store.run(store.accounts.get, username) is None:
        return api_error(404, "no_account", "Không có tài khoản này.")
    password_hash = await hashed(request, password)
    if password_hash is None:
        return busy()
    await store.run(store.accounts.update, username, password_hash=password_hash)
    await store.run(store.audit.record, request["session"].username, "reset_password", username)
    return web.json_response({"ok": True})


@requires("accounts.manage")
async def set_languages(request: web.Request) -> web.Response:
    """The languages besides Vietnamese a counsellor speaks: cases in them are offered to them first."""
    body = await read_json(request)
    username, codes = request.match_info["username"], body.get("languages")
    if not isinstance(codes, list) or not all(isinstance(c, str) and c in languages() for c in codes):
        return api_error(400, "invalid_languages", "Hãy chọn ngôn ngữ trong danh sách.")
    store = request.app["handoff"].store
    if not await store.run(store.accounts.update, username, languages=" ".join(sorted(set(codes))) or None):
        return api_error(404, "no_account", "Không có tài khoản này.")
    await store.run(store.audit.record, request["session"].username, "set_languages", username)
    return web.json_response({"account": shown(await store.run(store.accounts.get, username))})


def routes(router: web.UrlDispatcher) -> None:
    router.add_get("/api/accounts", accounts)
    router.add_post("/api/accounts", create)
    router.add_post("/api/accounts/{username}/active", set_active)
    router.add_post("/api/accounts/{username}/password", reset_password)
    router.add_post("/api/accounts/{username}/languages", set_languages)
