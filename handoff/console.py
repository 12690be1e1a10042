"""The counsellor console: the JSON API under /api/ and the page under /console/.

Every route is wrapped by ``requires`` (handoff/auth.py) with the action it performs; the
roles allowed each action are data (data/permissions.yml), and a route without one is
refused. A counsellor may open a conversation that is waiting, that they hold, or that
they handled before; any other answers 404, so ids cannot be probed. Each transcript
read is written to the audit log.
"""
from __future__ import annotations

import collections
import json
import logging
import re
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml
from aiohttp import web

from directory import default_directory
from directory.review import rows
from handoff.auth import COOKIE, Sessions, api_error, requires
from handoff.signin import Refusal
from handoff.service import OUTCOMES, VICTIM_STATUS, Handoff, HandoffError, public_message
from shared.config import ROOT
from shared.payload import NotAnObject, json_object

STATIC = Path(__file__).resolve().parent / "static"
QUICK_REPLIES = ROOT / "data" / "quick_replies.yml"
CHAT = ("counsellor", "supervisor")
MAX_REPLY_CHARS = 4000
logger = logging.getLogger(__name__)


def mask(sender: str) -> str:
    """Channel user ids and phone numbers are shown masked: the last 3 characters."""
    return "•••" + sender[-3:] if len(sender) > 3 else "•••"


async def read_json(request: web.Request) -> Dict[str, Any]:
    try:
        return json_object(await request.read())
    except NotAnObject as error:
        message = "Cần một đối tượng JSON." if error.code == "invalid_body" else "Dữ liệu gửi lên không hợp lệ."
        code = "invalid_body" if error.code == "invalid_body" else "invalid_json"
        raise web.HTTPBadRequest(text=json.dumps({"error": code, "message": message}), content_type="application/json")


def handoff_error(error: HandoffError) -> web.Response:
    return api_error(error.status, error.code, error.message)


# --- sign-in ----------------------------------------------------------------------
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
    response = web.json_response(_me(session))
    secure = request.app["config"].cookie_secure
    response.set_cookie(COOKIE, session.token, httponly=True, samesite="Strict", path="/",
                        secure=request.secure if secure == "auto" else secure == "true",
                        max_age=request.app["config"].session_ttl_s)
    await request.app["handoff"].presence.heartbeat(session.username, "online")
    return response


def _me(session) -> Dict[str, Any]:
    return {"username": session.username, "display_name": session.display_name, "role": session.role,
            "capacity": session.capacity, "csrf": session.csrf}


@requires("session.logout")
async def logout(request: web.Request) -> web.Response:
    await request.app["sessions"].logout(request["session"].token)
    response = web.json_response({"ok": True})
    response.del_cookie(COOKIE, path="/")
    return response


@requires("session.me")
async def me(request: web.Request) -> web.Response:
    return web.json_response(_me(request["session"]))


@requires("burst.dismiss")
async def dismiss_burst(request: web.Request) -> web.Response:
    burst = request.match_info["bid"]
    if not re.fullmatch(r"[ac][0-9a-f]{12}", burst):
        return api_error(404, "not_found", "Không tìm thấy nhóm này.")
    handoff: Handoff = request.app["handoff"]
    supervisor = request["session"].username
    closed = await handoff.claims.dismiss_burst(burst, supervisor)
    await handoff.store.run(handoff.store.audit, supervisor, "burst.dismiss", burst)
    return web.json_response({"closed": closed})


# --- the queue and the counsellors ------------------------------------------------
@requires("queue.read")
async def queue(request: web.Request) -> web.Response:
    handoff: Handoff = request.app["handoff"]
    session = request["session"]
    now = time.time()
    waiting = []
    for entry in await handoff.queue.ordered(now):
        waiting.append(await _summary(handoff, entry.conversation_id, now,
                                      effective=entry.effective_priority(now, handoff.config.queue_ageing)))
    mine = [await _summary(handoff, cid, now) for cid in await handoff.claims.held_by(session.username)]
    body: Dict[str, Any] = {"waiting": waiting, "mine": mine, "presence": await handoff.presence.statuses()}
    if session.role == "supervisor":
        body["alerts"] = await handoff.watchdog.alerts()
        # Waiting cases by burst (handoff/bursts.py), and whether the circuit is open.
        body["bursts"] = dict(collections.Counter(c["burst"] for c in waiting if c["burst"]))
        body["circuit"] = await request.app["bursts"].circuit()
        body["assigned"] = [await _summary(handoff, cid, now) for cid in await handoff.claims.assigned()]
    return web.json_response(body)


async def _summary(handoff: Handoff, cid: str, now: float, effective: Optional[str] = None) -> Dict[str, Any]:
    state = await handoff.conversations.state(cid)
    earlier = await handoff.store.run(handoff.store.contacts_of, cid)
    contact = next((c for c in earlier if c["id"] == int(state.get("contact") or 0)), None)
    trigger = None
    if contact and contact["trigger_message_id"]:
        message = await handoff.store.run(handoff.store.message, contact["trigger_message_id"])
        trigger = message["text"] if message else None
    queued_at = float(state.get("queued_at") or now)
    return {
        "contacts": earlier, "contacts_so_far": len(earlier), "blocked_until": await handoff.blocking.blocked_until(cid),
        "id": cid, "state": state["state"], "priority": state.get("priority", "normal"),
        "effective_priority": effective or state.get("priority", "normal"),
        "channel": state.get("channel", ""), "sender": mask(state.get("sender", "")),
        "counsellor": state.get("counsellor", ""), "trigger": state.get("trigger", ""),
        "reasons": contact["reasons"] if contact else [], "trigger_text": trigger,
        "queued_at": queued_at, "wait_s": round(now - queued_at), "returned": state.get("returned") == "1",
        "acked": state.get("acked") == "1", "burst": state.get("burst", ""),
        "intake": {"location": state.get("intake_location", ""), "safe_now": state.get("intake_safe_now", ""),
                   "contact": state.get("intake_contact", ""), "do_not_contact": state.get("do_not_contact") == "1"},
    }


@requires("team.read")
async def counsellors(request: web.Request) -> web.Response:
    handoff: Handoff = request.app["handoff"]
    presence = await handoff.presence.statuses()
    users = await handoff.store.run(handoff.store.users)
    out = []
    for user in users:
        if user["role"] not in CHAT or not user["active"]:
            continue
        out.append({"username": user["username"], "display_name": user["display_name"], "role": user["role"],
                    "presence": presence.get(user["username"], "offline"), "capacity": user["capacity"],
                    "load": len(await handoff.claims.held_by(user["username"]))})
    return web.json_response({"counsellors": out})


@requires("presence.set")
async def presence(request: web.Request) -> web.Response:
    body = await read_json(request)
    if body.get("status") not in ("online", "away"):
        return api_error(400, "invalid_status", "Trạng thái phải là online hoặc away.")
    await request.app["handoff"].presence.heartbeat(request["session"].username, body["status"])
    return web.json_response({"status": body["status"]})


@requires("quick_replies.read")
async def quick_replies(request: web.Request) -> web.Response:
    from handoff.referrals import partners

    return web.json_response({"quick_replies": request.app["quick_replies"], "outcomes": OUTCOMES,
                              "victim_status": VICTIM_STATUS, "partners": partners(request.app["directory"])})


# --- one conversation -------------------------------------------------------------
async def _may_read(handoff: Handoff, session, cid: str) -> Optional[Dict[str, str]]:
    """The conversation's live state if this user may see it, else None (answered as 404)."""
    if not _valid_id(cid):
        return None
    conversation = await handoff.store.run(handoff.store.conversation, cid)
    if conversation is None:
        return None
    state = await handoff.conversations.state(cid)
    if session.role in ("supervisor", "admin") or state["state"] == "queued" \
            or state.get("counsellor") == session.username:
        return state
    handled = await handoff.store.run(handoff.store.contacts_of, cid)
    return state if any(c["counsellor"] == session.username for c in handled) else None


def _valid_id(cid: str) -> bool:
    return len(cid) == 32 and all(c in "0123456789abcdef" for c in cid)


def _not_found() -> web.Response:
    return api_error(404, "not_found", "Không tìm thấy cuộc trò chuyện.")


@requires("conversation.read")
async def conversation(request: web.Request) -> web.Response:
    handoff: Handoff = request.app["handoff"]
    session, cid = request["session"], request.match_info["id"]
    state = await _may_read(handoff, session, cid)
    if state is None:
        return _not_found()
    try:
        after = int(request.query.get("after", "0"))
    except ValueError:
        after = 0
    await handoff.store.run(handoff.store.audit, session.username, "read_transcript", cid)
    messages = await handoff.store.run(handoff.store.messages, cid, after)
    summary = await _summary(handoff, cid, time.time())
    return web.json_response({
        **summary, "messages": [public_message(m) for m in messages],
        "events": await handoff.store.run(handoff.store.events, cid),
        "reviews": await handoff.store.run(handoff.store.reviews_of, cid),
        "referrals": await handoff.store.run(handoff.store.referrals_of, cid),
    })


def _handler(action):
    """Run one handoff step for a conversation the user may see; refusals become API errors.

    Claiming only needs the conversation to exist: the loser of a race must hear
    "already taken", not "not found".
    """

    async def handle(request: web.Request) -> web.Response:
        handoff: Handoff = request.app["handoff"]
        cid = request.match_info["id"]
        if action is _claim:
            visible = _valid_id(cid) and await handoff.store.run(handoff.store.conversation, cid) is not None
        else:
            visible = await _may_read(handoff, request["session"], cid) is not None
        if not visible:
            return _not_found()
        try:
            return web.json_response(await action(request, handoff, cid) or {"ok": True})
        except HandoffError as error:
            return handoff_error(error)

    return handle


async def _claim(request, handoff: Handoff, cid: str):
    session = request["session"]
    await handoff.claims.claim(cid, session.username, session.capacity)


async def _ack(request, handoff: Handoff, cid: str):
    if not await handoff.claims.acknowledge(cid, request["session"].username):
        raise HandoffError("not_yours", "Cuộc trò chuyện này không do bạn phụ trách.", status=403)


async def _message(request, handoff: Handoff, cid: str):
    body = await read_json(request)
    text, kind = body.get("text"), body.get("kind", "reply")
    if not isinstance(text, str) or not text.strip():
        return _raise(400, "empty_text", "Tin nhắn đang trống.")
    if len(text) > MAX_REPLY_CHARS:
        return _raise(413, "text_too_long", f"Tin nhắn dài quá {MAX_REPLY_CHARS} ký tự.")
    if kind not in ("reply", "note"):
        return _raise(400, "invalid_kind", "Loại tin nhắn phải là reply hoặc note.")
    username = request["session"].username
    if kind == "note":
        message = await handoff.replies.note(cid, username, text.strip())
    else:
        message = await handoff.replies.reply(cid, username, text.strip(), bool(body.get("confirmed_safe_contact")))
    return {"message": public_message(message)}


async def _transfer(request, handoff: Handoff, cid: str):
    body = await read_json(request)
    target, note = body.get("to"), body.get("note") or ""
    if not isinstance(note, str) or len(note) > MAX_REPLY_CHARS:
        return _raise(400, "invalid_note", "Ghi chú không hợp lệ.")
    capacity = None
    if target is not None:
        user = await handoff.store.run(handoff.store.user, str(target))
        if not user or user["role"] not in CHAT or not user["active"] or target == request["session"].username:
            return _raise(400, "invalid_target", "Không chuyển được cho người này.")
        if (await handoff.presence.statuses()).get(target) != "online":
            return _raise(409, "target_offline", "Tư vấn viên này đang không trực tuyến.")
        capacity = user["capacity"]
    await handoff.transfers.transfer(cid, request["session"].username, target, note, capacity)


async def _close(request, handoff: Handoff, cid: str):
    body = await read_json(request)
    outcomes, victim = body.get("outcomes"), body.get("victim", "unknown")
    if not isinstance(outcomes, list) or not all(isinstance(o, str) for o in outcomes):
        return _raise(400, "invalid_outcome", "Hãy chọn ít nhất một kết quả trong danh sách.")
    await handoff.claims.close(cid, request["session"].username, outcomes, str(victim))


async def _contact(request, handoff: Handoff, cid: str):
    """The unmasked channel id or phone number, for a counsellor who needs to call back; audited."""
    session = request["session"]
    state = await handoff.conversations.state(cid)
    if session.role != "supervisor" and state.get("counsellor") != session.username:
        raise HandoffError("not_yours", "Chỉ tư vấn viên đang phụ trách mới xem được thông tin liên hệ.", status=403)
    conversation = await handoff.store.run(handoff.store.conversation, cid)
    await handoff.store.run(handoff.store.audit, session.username, "reveal_contact", cid)
    return {"channel": conversation["channel"], "sender": conversation["sender"]}


async def _take_over(request, handoff: Handoff, cid: str):
    await handoff.claims.assign(cid, request["session"].username, request["session"].username)


async def _reassign(request, handoff: Handoff, cid: str):
    body = await read_json(request)
    target = body.get("to")
    user = await handoff.store.run(handoff.store.user, str(target)) if isinstance(target, str) else None
    if not user or user["role"] not in CHAT or not user["active"]:
        return _raise(400, "invalid_target", "Không phân công được cho người này.")
    if (await handoff.presence.statuses()).get(target) != "online":
        return _raise(409, "target_offline", "Tư vấn viên này đang không trực tuyến.")
    await handoff.claims.assign(cid, request["session"].username, target)


def _raise(status: int, code: str, message: str):
    raise HandoffError(code, message, status)


@requires("conversation.search")
async def search(request: web.Request) -> web.Response:
    """Closed and open contacts by period, channel, urgency, outcome, counsellor, reason and place."""
    store = request.app["handoff"].store
    start, end, channel = _period(request)
    q = request.query
    found = await store.run(store.search, start, end, channel, q.get("urgency") or None, q.get("outcome") or None,
                            q.get("counsellor") or None, q.get("reason") or None, (q.get("place") or "")[:80] or None)
    await store.run(store.audit, request["session"].username, "search", f"{len(found)} results")
    return web.json_response({"results": [
        {"conversation": c["conversation_id"], "contact": c["id"], "channel": c["channel"], "priority": c["priority"],
         "queued_at": c["queued_at"], "closed_at": c["closed_at"], "counsellor": c["counsellor"],
         "outcomes": c["outcomes"], "victim": c["victim"], "reasons": c["reasons"]} for c in found]})


async def _block(request, handoff: Handoff, cid: str):
    body = await read_json(request)
    hours, reason = body.get("hours"), str(body.get("reason") or "").strip()[:200]
    if body.get("unblock"):
        await handoff.blocking.unblock(cid, request["session"].username)
        return {"blocked_until": None}
    if not isinstance(hours, (int, float)) or not 0 < hours <= 24 * 30 or not reason:
        return _raise(400, "invalid_block", "Cần số giờ (tối đa 30 ngày) và lý do.")
    return {"blocked_until": await handoff.blocking.block(cid, request["session"].username, float(hours), reason)}


async def _refer(request, handoff: Handoff, cid: str):
    from handoff.referrals import ReferralError, partners, summary, summary_text

    body = await read_json(request)
    known = partners(request.app["directory"])
    partner = known.get(str(body.get("partner")))
    if partner is None:
        return _raise(400, "invalid_partner", "Hãy chọn đơn vị trong danh bạ.")
    contacts = await handoff.store.run(handoff.store.contacts_of, cid)
    if not contacts:
        return _raise(409, "no_contact", "Cuộc trò chuyện chưa có lần tiếp nhận nào.")
    try:
        data = summary(body)
    except ReferralError as error:
        return _raise(400, "invalid_summary", str(error))
    rid = await handoff.store.run(handoff.store.add_referral, cid, contacts[-1]["id"], str(body["partner"]),
                                  partner["kind"], data, request["session"].username)
    await handoff.store.run(handoff.store.add_event, cid, "referral_opened", None, None,
                            request["session"].username, contacts[-1]["id"], time.time(),
                            referral=rid, partner=str(body["partner"]))
    return {"referral": rid, "kind": partner["kind"], "text": summary_text(partner["name"], data, f"{cid[:8]}-{rid}")}


@requires("referral.update")
async def update_referral(request: web.Request) -> web.Response:
    from handoff.referrals import STATUSES

    handoff: Handoff = request.app["handoff"]
    try:
        referral = await handoff.store.run(handoff.store.referral, int(request.match_info["rid"]))
    except ValueError:
        referral = None
    if referral is None or await _may_read(handoff, request["session"], referral["conversation_id"]) is None:
        return _not_found()
    body = await read_json(request)
    status, outcome = body.get("status"), str(body.get("outcome") or "")[:1000]
    if status not in STATUSES:
        return api_error(400, "invalid_status", "Trạng thái: open, sent, accepted hoặc closed.")
    if status == "closed" and not outcome.strip():
        return api_error(400, "outcome_required", "Hãy ghi kết quả khi đóng chuyển tuyến.")
    await handoff.store.run(handoff.store.update_referral, referral["id"], status=status, outcome=outcome)
    await handoff.store.run(handoff.store.add_event, referral["conversation_id"], "referral_updated", None, None,
                            request["session"].username, referral["contact_id"], time.time(),
                            referral=referral["id"], status=status)
    return web.json_response({"ok": True})


async def _review(request, handoff: Handoff, cid: str):
    body = await read_json(request)
    contact_id, score, tags = body.get("contact"), body.get("score"), body.get("tags") or []
    contacts = {c["id"] for c in await handoff.store.run(handoff.store.contacts_of, cid)}
    if contact_id not in contacts:
        return _raise(400, "invalid_contact", "Hãy chọn một lần tiếp nhận của cuộc trò chuyện này.")
    if score is not None and (not isinstance(score, int) or not 1 <= score <= 5):
        return _raise(400, "invalid_score", "Điểm chất lượng từ 1 đến 5.")
    if not isinstance(tags, list) or not all(isinstance(t, str) and len(t) <= 40 for t in tags) or len(tags) > 10:
        return _raise(400, "invalid_tags", "Nhãn không hợp lệ.")
    note = str(body.get("note") or "")[:MAX_REPLY_CHARS]
    await handoff.store.run(handoff.store.add_review, contact_id, request["session"].username, score, tags,
                            bool(body.get("follow_up")), note)


AUDIT_PAGE, AUDIT_PAGE_MAX = 100, 500


@requires("audit.read")
async def audit_log(request: web.Request) -> web.Response:
    """The audit log, newest first, a page at a time: ``?limit=`` (100, at most 500) and
    ``?before=<id>`` (the ``next`` of the previous page; null on the last one)."""
    store = request.app["handoff"].store
    try:
        limit = min(max(int(request.query.get("limit", AUDIT_PAGE)), 1), AUDIT_PAGE_MAX)
        before = int(request.query["before"]) if "before" in request.query else None
    except ValueError:
        return api_error(400, "invalid_query", "Tham số phân trang không hợp lệ.")
    page = await store.run(store.audit_page, before, limit)
    return web.json_response({"audit": page, "next": page[-1]["id"] if len(page) == limit else None})


async def _export(request, handoff: Handoff, cid: str):
    """Everything kept about one conversation, for a data subject's request; audited."""
    store = handoff.store
    await store.run(store.audit, request["session"].username, "export_case", cid)
    return {"conversation": await store.run(store.conversation, cid),
            "contacts": await store.run(store.contacts_of, cid),
            "messages": await store.run(store.messages, cid), "events": await store.run(store.events, cid),
            "reviews": await store.run(store.reviews_of, cid)}


async def _erase(request, handoff: Handoff, cid: str):
    """A data subject's erasure: words, ids and free-text answers gone, the statistics kept; audited."""
    from handoff.retention import erase_conversation

    state = await handoff.conversations.state(cid)
    if state["state"] != "bot":
        return _raise(409, "case_open", "Hãy kết thúc cuộc trò chuyện trước khi xóa dữ liệu.")
    conversation = await handoff.store.run(handoff.store.conversation, cid)
    await handoff.store.run(erase_conversation, handoff.store, cid)
    await handoff.redis.delete(handoff.keys.conversation(cid),
                               handoff.keys.pointer(conversation["channel"], conversation["sender"]))
    await handoff.store.run(handoff.store.audit, request["session"].username, "erase_case", cid)


HOTLINE_TZ = "Asia/Ho_Chi_Minh"  # periods are the hotline's own days


def _period(request: web.Request):
    """[from, to) in epoch seconds from ?from=YYYY-MM-DD&to=YYYY-MM-DD (both days included)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(HOTLINE_TZ)
    try:
        first = dt.date.fromisoformat(request.query["from"])
        last = dt.date.fromisoformat(request.query["to"])
    except (KeyError, ValueError):
        raise web.HTTPBadRequest(text=json.dumps({"error": "invalid_period",
                                                  "message": "Cần from và to dạng YYYY-MM-DD."}),
                                 content_type="application/json")
    start = dt.datetime.combine(first, dt.time(), zone).timestamp()
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), zone).timestamp()
    return start, end, request.query.get("channel") or None


@requires("stats.read")
async def stats(request: web.Request) -> web.Response:
    from handoff.stats import statistics

    store = request.app["handoff"].store
    return web.json_response(await store.run(statistics, store, *_period(request)))


@requires("facts.read")
async def facts(request: web.Request) -> web.Response:
    """The directory's entries with sources and review dates, as `python -m bot facts` lists them."""
    listed = rows(request.app["directory"])
    return web.json_response({"profile": request.app["directory"].profile.id, "entries": listed,
                              "past_review": sum(r["past_review"] for r in listed)})


@requires("stats.export")
async def stats_csv(request: web.Request) -> web.Response:
    from handoff.stats import statistics, to_csv

    store = request.app["handoff"].store
    start, end, channel = _period(request)
    figures = await store.run(statistics, store, start, end, channel)
    await store.run(store.audit, request["session"].username, "export_stats",
                    f"{request.query['from']}..{request.query['to']}")
    name = f"thong-ke-{request.query['from']}-{request.query['to']}.csv"
    return web.Response(body=to_csv(figures).encode("utf-8-sig"), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})


async def to_console(request: web.Request) -> web.Response:
    raise web.HTTPFound("/console/")


async def console_page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "console.html")


def load_quick_replies(path: Path = QUICK_REPLIES) -> List[Dict[str, str]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["quick_replies"]


def setup(app: web.Application) -> None:
    from handoff import live

    if "directory" not in app:
        app["directory"] = default_directory(app["config"].profile if "config" in app else "national")
    # Written with directory placeholders; a counsellor sees (and sends) this profile's numbers.
    app["quick_replies"] = [{**q, "text": app["directory"].render(q["text"])} for q in load_quick_replies()]
    r = app.router
    r.add_get("/console", to_console)
    r.add_get("/console/", console_page)
    r.add_static("/console/static/", STATIC)
    r.add_post("/api/login", login)
    r.add_post("/api/logout", logout)
    r.add_get("/api/me", me)
    r.add_get("/api/queue", queue)
    r.add_get("/api/counsellors", counsellors)
    r.add_post("/api/presence", presence)
    r.add_get("/api/quick-replies", quick_replies)
    r.add_get("/api/ws", live.websocket)
    r.add_get("/api/stats", stats)
    r.add_get("/api/conversations", search)
    r.add_get("/api/audit", audit_log)
    r.add_post("/api/referrals/{rid}", update_referral)
    r.add_post("/api/bursts/{bid}/dismiss", dismiss_burst)
    r.add_get("/api/stats.csv", stats_csv)
    r.add_get("/api/facts", facts)
    r.add_get("/api/conversations/{id}", conversation)
    for name, permission, action in (
            ("claim", "conversation.claim", _claim), ("ack", "conversation.ack", _ack),
            ("messages", "conversation.message", _message), ("transfer", "conversation.transfer", _transfer),
            ("close", "conversation.close", _close), ("contact", "conversation.contact", _contact),
            ("takeover", "conversation.take_over", _take_over), ("reassign", "conversation.reassign", _reassign),
            ("review", "conversation.review", _review), ("export", "conversation.export", _export),
            ("erase", "conversation.erase", _erase), ("block", "conversation.block", _block),
            ("referrals", "conversation.refer", _refer)):
        r.add_post(f"/api/conversations/{{id}}/{name}", requires(permission)(_handler(action)))
