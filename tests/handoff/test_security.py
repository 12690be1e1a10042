"""Every console route, walked with no session and with each role: the refusals expected
from data/permissions.yml, CSRF on every state change, security headers on pages."""
import re
import uuid

import pytest
from aiohttp import web

from handoff.auth import allowed, permissions
from tests.conftest import free_port, start_gateway, stop_gateway
from tests.handoff.conftest import Console, ensure_user, user_says

ROLES = ("counsellor", "supervisor", "admin")


@pytest.fixture
async def site(redis, store, http):
    runner, url = await start_gateway(f"http://127.0.0.1:{free_port()}", redis, store)
    await user_says(http, url, uuid.uuid4().hex, "cứu em, họ nhốt em")  # one real conversation to aim at
    cid = (await redis.zrange("hl:queue", 0, 0))[0].decode()
    yield runner.app, url, cid
    await stop_gateway(runner)


def concrete(path: str, cid: str) -> str:
    """A route's path with every {parameter} filled in (the conversation id does for all: the
    refusals come before any lookup)."""
    return re.sub(r"\{[^}]+\}", cid, path)


def api_routes(app):
    for route in app.router.routes():
        path = route.resource.canonical if route.resource else ""
        if path.startswith("/api/") and route.method != "HEAD" and path != "/api/login":
            yield route.method, path, route.handler


def test_every_api_route_declares_a_listed_action(site):
    app, _url, _cid = site
    for method, path, handler in api_routes(app):
        action = getattr(handler, "action", None)
        assert action in permissions(), (method, path, action)


async def test_no_session_is_refused_everywhere(site, http):
    app, url, cid = site
    for method, path, _handler in api_routes(app):
        async with http.request(method, url + concrete(path, cid), json={}) as r:
            assert r.status == 401, (method, path, r.status)


@pytest.mark.parametrize("role", ROLES)
async def test_each_role_gets_exactly_what_the_permissions_say(site, store, role):
    app, url, cid = site
    username = f"walk.{role}"
    ensure_user(store, username, role)
    console = Console(url)
    try:
        assert (await console.login(username))[0] == 200
        for method, path, handler in sorted(api_routes(app), key=lambda r: r[1].endswith("logout")):
            target = concrete(path, cid)
            if path.endswith("/ws"):
                continue  # a WebSocket route, checked below
            if method == "GET":
                status, body = await console.call(method, target + ("?from=2026-11-01&to=2026-11-30"
                                                                    if "stats" in path else ""))
            else:
                status, body = await console.call(method, target, {})
            # A role refusal is 403 "forbidden"; an allowed role may still hear about the case itself
            # (not theirs, not waiting...), never "forbidden".
            code = body.get("error") if isinstance(body, dict) else None
            if role in allowed(handler.action):
                assert status != 401 and code != "forbidden", (role, method, path, status, code)
            else:
                assert status == 403 and code == "forbidden", (role, method, path, status, code)
    finally:
        await console.close()


async def test_state_changes_without_the_csrf_token_are_refused(site, store):
    app, url, cid = site
    ensure_user(store, "walk.csrf", "supervisor")
    console = Console(url)
    try:
        await console.login("walk.csrf")
        for method, path, handler in api_routes(app):
            if method == "POST" and "supervisor" in allowed(handler.action):
                status, body = await console.call(method, concrete(path, cid), {}, csrf=False)
                assert status == 403 and body["error"] == "csrf", (path, status)
    finally:
        await console.close()


async def test_a_route_without_an_action_is_refused(redis, store):
    from bot.app import create_app
    from shared.config import Config

    app = create_app(Config(), redis=redis, store=store, watchdog=False)

    async def forgotten(request):
        return web.json_response({"secret": "data"})

    app.router.add_get("/api/forgotten", forgotten)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        import aiohttp

        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/api/forgotten") as r:
                assert r.status == 403
    finally:
        await runner.cleanup()


async def test_pages_carry_security_headers(site, http):
    _app, url, _cid = site
    for page in ("/", "/console/", "/console/admin/"):
        async with http.get(url + page) as r:
            assert r.status == 200
            assert "default-src 'self'" in r.headers["Content-Security-Policy"]
            assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
            assert r.headers["X-Frame-Options"] == "DENY" and r.headers["X-Content-Type-Options"] == "nosniff"
            assert r.headers["Referrer-Policy"] == "no-referrer"
