"""Console routes about the people: signing in and out, who am I, the team and its presence,
the canned replies and the page's vocabulary."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, List

import yaml
from aiohttp import web

from handoff.auth import COOKIE, Session, Sessions, api_error, requires
from handoff.console.http import read_json
from handoff.console.vocabulary import role_name, vocabulary
from handoff.permissions import allowed_actions, can, holds_conversations
from handoff.service import Handoff
from handoff.signin import Refusal
from shared.config import ROOT

QUICK_REPLIES = ROOT / "data" / "quick_replies.yml"
logger = logging.getLogger(__name__)


CONSOLE_PAGE, ADMIN_PAGE = "/console/", "/console/admin/"


def home_of(session: Session) -> str:
    """The page this user works in, by what their role may do: whoever manages accounts has the
    admin page (accounts, audit log); the others work the line in the console."""
    return ADMIN_PAGE if can(session, "accounts.read") else CONSOLE_PAGE


def me_of(session: Session) -> Dict[str, Any]:
    """The signed-in user as the page knows them: with the actions their role may take and the
    page they work in (``home``: a page that is not it sends them there before doing anything)."""
    return {"username": session.username, "display_name": session.display_name, "role": session.role,
            "role_name": role_name(session.role), "capacity": session.capacity, "csrf": session.csrf,
            "allowed": allowed_actions(session), "home": home_of(session)}


async def login(request: web.Request) -> web.Response:
    origin = request.headers.get("Origin")
    if origin and origin != f"{request.scheme}://{request.host}":  # no sign-in from other sites' forms
        return api_error(403, "csrf", "Nguồn yêu cầu không hợp lệ.")
    body = await read_json(request)
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str) or len(password) > 1024:
        return api_error(400, "invalid_body", "Hãy nhập tên đăng nhập và mật khẩu.")
    sessions: Sessions = request.app["sessions"]
    session = await sessions.login(username.strip(), password, request.remote or "")
    if isinstance(session, Refusal):
        logger.info("console sign-in throttled (%s)", session.reason)
        message = ("Hệ thống đang bận, hãy thử lại sau giây lát." if session.reason == "busy" else
                   f"Đăng nhập sai nhiều lần: hãy thử lại sau {session.retry_after_s} giây.")
        response = api_error(429, "throttled", message)
        response.headers["Retry-After"] = str(session.retry_after_s)
        return response
    if session is None:
        logger.info("console sign-in refused")
        return api_error(401, "bad_credentials", "Sai tên đăng nhập hoặc mật khẩu.")
    old = request.cookies.get(COOKIE)
    if old:
        await sessions.logout(old)
    response = web.json_response(me_of(session))
    secure = request.app["config"].cookie_secure
    response.set_cookie(COOKIE, session.token, httponly=True, samesite="Strict", path="/",
                        secure=request.secure if secure == "auto" else secure == "true",
                        max_age=request.app["config"].session_ttl_s)
    await request.app["handoff"].presence.heartbeat(session.username, "online")
    return response


@requires("session.logout")
async def logout(request: web.Request) -> web.Response:
    await request.app["sessions"].logout(request["session"].token)
    await request.app["handoff"].reads.closed(request["session"].username)  # a new opening after sign-in
    response = web.json_response({"ok": True})
    response.del_cookie(COOKIE, path="/")
    return response


@requires("session.me")
async def me(request: web.Request) -> web.Response:
    return web.json_response(me_of(request["session"]))


async def team(handoff: Handoff) -> List[Dict[str, Any]]:
    """Active accounts that take conversations, with their presence and how many they hold."""
    presence = await handoff.presence.statuses()
    out = []
    for user in await handoff.store.run(handoff.store.accounts.all):
        if not holds_conversations(user["role"]) or not user["active"]:
            continue
        out.append({"username": user["username"], "display_name": user["display_name"], "role": user["role"],
                    "presence": presence.get(user["username"], "offline"), "capacity": user["capacity"],
                    "load": len(await handoff.claims.held_by(user["username"]))})
    return out


@requires("team.read")
async def counsellors(request: web.Request) -> web.Response:
    return web.json_response({"counsellors": await team(request.app["handoff"])})


@requires("presence.set")
async def presence(request: web.Request) -> web.Response:
    body = await read_json(request)
    if body.get("status") not in ("online", "away"):
        return api_error(400, "invalid_status", "Trạng thái phải là online hoặc away.")
    await request.app["handoff"].presence.heartbeat(request["session"].username, body["status"])
    return web.json_response({"status": body["status"]})


@requires("quick_replies.read")
async def quick_replies(request: web.Request) -> web.Response:
    """The canned replies and every word the page shows for a code (handoff/console/vocabulary.py)."""
    return web.json_response({"quick_replies": request.app["quick_replies"],
                              **vocabulary(request.app["directory"])})


def load_quick_replies(path: Path = QUICK_REPLIES) -> List[Dict[str, str]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["quick_replies"]
