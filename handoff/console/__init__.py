"""The counsellor console: the JSON API under /api/ and the page under /console/, one module
per domain object:

- ``team``: signing in and out, who am I, the team and its presence, canned replies and the
  page's vocabulary (``vocabulary``);
- ``queue``: the queue, the whole line for supervisors, bursts;
- ``conversations``: one conversation's transcript and the steps on it (claim, reply, transfer,
  close, contact details, take over, reassign, restrict);
- ``cases``: cases, their follow-up tasks and checklist, and logged calls (docs/cases.md);
- ``review``: finding contacts and reviewing them; ``referrals``: referrals and their status;
- ``records``: the audit log, a person's export and erasure; ``reports``: statistics and facts;
- ``accounts``: console accounts, for admins' page (``/console/admin/``).

Every route is wrapped by ``requires`` (handoff/auth.py) with the action it performs; who may do
which action, on which conversation, is ``can`` (handoff/permissions.py), and a route without an
action is refused. Steps on one conversation go through ``guard.on_conversation``: a
conversation the user may not see answers 404, so ids cannot be probed. Each opening of a
transcript is written to the audit log (handoff/reads.py). Each role has its page: the pages
send a signed-in user to theirs (``team.home_of``).
"""
from __future__ import annotations

from aiohttp import web

from directory import default_directory
from handoff.auth import COOKIE
from handoff.console import accounts, cases, conversations, queue, records, referrals, reports, review, team
from handoff.console.http import STATIC_DIR, mask  # noqa: F401 (mask: re-exported)
from handoff.console.team import ADMIN_PAGE, CONSOLE_PAGE, home_of, load_quick_replies


async def to_console(request: web.Request) -> web.Response:
    raise web.HTTPFound(CONSOLE_PAGE)


async def to_admin(request: web.Request) -> web.Response:
    raise web.HTTPFound(ADMIN_PAGE)


async def page(request: web.Request, here: str, file: str) -> web.FileResponse:
    """A page for the signed-in user's role, else a redirect to theirs (``home_of``, decided by
    ``can``); signed out, the page itself, which shows its sign-in form."""
    session = await request.app["sessions"].get(request.cookies.get(COOKIE, ""))
    if session is not None and home_of(session) != here:
        raise web.HTTPFound(home_of(session))
    return web.FileResponse(STATIC_DIR / file)


async def console_page(request: web.Request) -> web.FileResponse:
    return await page(request, CONSOLE_PAGE, "console.html")


async def admin_page(request: web.Request) -> web.FileResponse:
    """Admins' own page: they hold no conversations and open no live line (no WebSocket)."""
    return await page(request, ADMIN_PAGE, "admin.html")


def setup(app: web.Application) -> None:
    from handoff import live

    if "directory" not in app:
        app["directory"] = default_directory(app["config"].profile if "config" in app else "national")
    # Written with directory placeholders; a counsellor sees (and sends) this profile's numbers.
    app["quick_replies"] = [{**q, "text": app["directory"].render(q["text"])} for q in load_quick_replies()]
    r = app.router
    r.add_get("/console", to_console)
    r.add_get("/console/", console_page)
    r.add_get("/console/admin", to_admin)
    r.add_get("/console/admin/", admin_page)
    r.add_static("/console/static/", STATIC_DIR)
    r.add_post("/api/login", team.login)
    r.add_post("/api/logout", team.logout)
    r.add_get("/api/me", team.me)
    r.add_get("/api/queue", queue.queue)
    r.add_get("/api/counsellors", team.counsellors)
    r.add_post("/api/presence", team.presence)
    r.add_get("/api/quick-replies", team.quick_replies)
    r.add_get("/api/ws", live.websocket)
    r.add_get("/api/stats", reports.stats)
    r.add_get("/api/conversations", review.search)
    r.add_get("/api/audit", records.audit_log)
    accounts.routes(r)
    cases.routes(r)
    r.add_post("/api/referrals/{rid}", referrals.update_referral)
    r.add_post("/api/bursts/{bid}/dismiss", queue.dismiss_burst)
    r.add_get("/api/stats.csv", reports.stats_csv)
    r.add_get("/api/facts", reports.facts)
    reports.routes(r)
    r.add_get("/api/conversations/{id}", conversations.conversation)
    conversations.routes(r, conversations.STEPS + review.STEPS + records.STEPS + referrals.STEPS)
