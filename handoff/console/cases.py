"""Console routes on cases, their follow-up tasks, and logged calls (docs/cases.md).

A case the user may not see answers 404, as a conversation does (``can`` with a ``Case``
target: supervisors see every case, counsellors those they work on). Each opening of a case page
is audited once (handoff/reads.py); every change writes a timeline event (handoff/store/cases.py).
"""
from __future__ import annotations

import datetime as dt
import functools
from typing import Any, Dict, Optional

from aiohttp import web

from handoff import cases as case_views
from handoff.auth import api_error, requires
from handoff.calls import call_lines, log_call
from handoff.console.guard import find
from handoff.console.http import read_json, refuse
from handoff.errors import HandoffError
from handoff.framework import CASE_ROLES, CASE_STATUSES, codes, indicators
from handoff.local_time import ZONE
from handoff.permissions import Case, allowed_on, can
from handoff.service import Handoff


def not_found() -> web.Response:
    return api_error(404, "not_found", "Không tìm thấy hồ sơ.")


def _id(raw: Any) -> Optional[int]:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if 0 < value < 2 ** 31 else None


def _text(body: Dict[str, Any], name: str, limit: int, message: str, required: bool = True) -> str:
    value = body.get(name, "")
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > limit:
        refuse(400, f"invalid_{name}", message)
    return value.strip()


async def visible(handoff: Handoff, session: Any, raw_id: Any, action: str = "case.read") -> Case:
    """The case ``raw_id`` if this user may do ``action`` on it; else "not found"."""
    case_id = _id(raw_id)
    if case_id is None or await handoff.store.run(handoff.store.cases.get, case_id) is None:
        raise HandoffError("not_found", "Không tìm thấy hồ sơ.", 404)
    target = await handoff.store.run(case_views.target, handoff.store, case_id)
    if not can(session, action, target):
        raise HandoffError("not_found", "Không tìm thấy hồ sơ.", 404)
    return target


async def writable(handoff: Handoff, session: Any, raw_id: Any) -> Case:
    return await visible(handoff, session, raw_id, "case.update")


def answers_errors(handler):
    @functools.wraps(handler)
    async def wrapped(request: web.Request) -> web.Response:
        try:
            return await handler(request)
        except HandoffError as error:
            return api_error(error.status, error.code, error.message)
    return wrapped


async def case_answer(handoff: Handoff, session: Any, case_id: int) -> web.Response:
    target = await handoff.store.run(case_views.target, handoff.store, case_id)
    view = await handoff.store.run(case_views.view, handoff.store, case_id, allowed_on(session, target))
    return web.json_response({"case": view})


async def readable_contact(handoff: Handoff, session: Any, raw_contact: Any) -> int:
    """The id of a contact whose conversation the user may read; else "not found"."""
    contact_id = _id(raw_contact)
    contact = await handoff.store.run(handoff.store.contact, contact_id) if contact_id else None
    found = await find(handoff, contact["conversation_id"]) if contact else None
    if found is None or not can(session, "conversation.read", found.target):
        refuse(404, "contact_not_found", "Không tìm thấy lần liên hệ này.")
    return contact_id


# --- the list and a new case ---------------------------------------------------------------
@requires("case.read")
@answers_errors
async def list_cases(request: web.Request) -> web.Response:
    handoff: Handoff = request.app["handoff"]
    session = request["session"]
    status = request.query.get("status") or None
    if status is not None and status not in CASE_STATUSES:
        refuse(400, "invalid_status", "Trạng thái hồ sơ không hợp lệ.")
    everyone = session.role == "supervisor"
    found = await handoff.store.run(handoff.store.cases.search, None if everyone else session.username, status,
                                    (request.query.get("q") or "").strip()[:100] or None)
    # A counsellor's list holds only cases they work on (``Cases.search`` filters by the same rule in
    # SQL), so each one's access is known without reading its workers again.
    workers = frozenset() if everyone else frozenset({session.username})
    listed = [case_views.summary(case, case["contacts"], case["open_tasks"],
                                 allowed_on(session, Case(case["id"], workers))) for case in found]
    return web.json_response({"cases": listed})


@requires("case.create")
@answers_errors
async def create_case(request: web.Request) -> web.Response:
    handoff: Handoff = request.app["handoff"]
    session = request["session"]
    body = await read_json(request)
    title = _text(body, "title", case_views.MAX_TITLE, "Hãy đặt tên ngắn cho hồ sơ (tối đa 200 ký tự).")
    # the contact is checked before anything is written
    contact = await readable_contact(handoff, session, body["contact_id"]) if body.get("contact_id") is not None else None
    case_id = await handoff.store.run(handoff.store.cases.create, title, session.username)
    if contact is not None:
        await handoff.store.run(handoff.store.cases.attach, case_id, contact, session.username)
    return await case_answer(handoff, session, case_id)


# --- one case ---------------------------------------------------------------------------------
@requires("case.read")
@answers_errors
async def get_case(request: web.Request) -> web.Response:
    handoff: Handoff = request.app["handoff"]
    session = request["session"]
    case = await visible(handoff, session, request.match_info["id"])
    if await handoff.reads.opened(session.username, f"case:{case.id}"):
        await handoff.store.run(handoff.store.audit.record, session.username, "read_case", f"case:{case.id}")
    return await case_answer(handoff, session, case.id)


def _due(raw: Any) -> str:
    try:
        due = dt.date.fromisoformat(str(raw))
    except ValueError:
        refuse(400, "invalid_due", "Hãy chọn ngày hẹn (YYYY-MM-DD).")
    if due < dt.datetime.now(ZONE).date() - dt.timedelta(days=1):
        refuse(400, "invalid_due", "Ngày hẹn đã qua.")
    return due.isoformat()


async def _attach(handoff, session, case, body):
    contact = await readable_contact(handoff, session, body.get("contact_id"))
    await handoff.store.run(handoff.store.cases.attach, case.id, contact, session.username)


async def _note(handoff, session, case, body):
    text = _text(body, "text", case_views.MAX_TEXT, "Ghi chú đang trống hoặc quá dài.")
    await handoff.store.run(handoff.store.cases.add_note, case.id, text, session.username)


async def _person(handoff, session, case, body):
    role = body.get("role")
    if role not in CASE_ROLES:
        refuse(400, "invalid_role", "Hãy chọn vai trò của người này.")
    description = _text(body, "description", 1000, "Hãy mô tả ngắn người này (tối đa 1000 ký tự).")
    age_group, sex = body.get("age_group") or None, body.get("sex") or None
    if age_group is not None and age_group not in codes("age_groups"):
        refuse(400, "invalid_age_group", "Hãy chọn nhóm tuổi trong danh sách.")
    if sex is not None and sex not in codes("sexes"):
        refuse(400, "invalid_sex", "Hãy chọn giới tính trong danh sách.")
    await handoff.store.run(handoff.store.cases.add_person, case.id, role, description, age_group, sex,
                            session.username)


async def _status(handoff, session, case, body):
    if body.get("status") not in CASE_STATUSES:
        refuse(400, "invalid_status", "Trạng thái hồ sơ không hợp lệ.")
    await handoff.store.run(handoff.store.cases.set_status, case.id, body["status"], session.username)


async def _indicator(handoff, session, case, body):
    if body.get("indicator") not in {i.id for i in indicators()}:
        refuse(400, "invalid_indicator", "Dấu hiệu này không có trong danh sách.")
    decision = body.get("decision")
    if decision not in ("confirmed", "rejected", "clear"):
        refuse(400, "invalid_decision", "Hãy xác nhận hoặc bác bỏ dấu hiệu.")
    await handoff.store.run(handoff.store.cases.decide, case.id, body["indicator"],
                            None if decision == "clear" else decision, session.username)


async def _task(handoff, session, case, body):
    title = _text(body, "title", 300, "Hãy ghi việc cần làm (tối đa 300 ký tự).")
    due = _due(body.get("due"))
    assignee = body.get("assignee") or session.username
    user = await handoff.store.run(handoff.store.accounts.get, str(assignee))
    if not user or not user["active"] or user["role"] not in ("counsellor", "supervisor"):
        refuse(400, "invalid_assignee", "Không giao việc được cho người này.")
    await handoff.store.run(handoff.store.cases.add_task, case.id, title, due, str(assignee), session.username)


# (path under /api/cases/{id}/, step): each needs case.update on the case
CASE_STEPS = (("contacts", _attach), ("notes", _note), ("people", _person), ("status", _status),
              ("indicators", _indicator), ("tasks", _task))


def case_step(step):
    @requires("case.update")
    @answers_errors
    async def handle(request: web.Request) -> web.Response:
        handoff: Handoff = request.app["handoff"]
        session = request["session"]
        case = await writable(handoff, session, request.match_info["id"])
        await step(handoff, session, case, await read_json(request))
        return await case_answer(handoff, session, case.id)
    return handle


# --- follow-up tasks ("Việc cần làm") ------------------------------------------------------
@requires("task.read")
async def my_tasks(request: web.Request) -> web.Response:
    store = request.app["handoff"].store
    return web.json_response({"tasks": await store.run(store.cases.open_tasks_of, request["session"].username)})


@requires("task.update")
@answers_errors
async def update_task(request: web.Request) -> web.Response:
    """Mark a task done: its assignee, or anyone who may update its case."""
    handoff: Handoff = request.app["handoff"]
    session = request["session"]
    task_id = _id(request.match_info["tid"])
    task = await handoff.store.run(handoff.store.cases.task, task_id) if task_id else None
    if task is None:
        refuse(404, "not_found", "Không tìm thấy việc này.")
    if task["assignee"] != session.username:
        await writable(handoff, session, task["case_id"])
    body = await read_json(request)
    if body.get("done") is not True:
        refuse(400, "invalid_task", "Chỉ có thể đánh dấu việc đã xong.")
    if task["status"] != "done":
        await handoff.store.run(handoff.store.cases.complete, task_id, session.username)
    return web.json_response({"task": await handoff.store.run(handoff.store.cases.task, task_id)})


# --- logged calls and walk-ins ---------------------------------------------------------------
def _started_at(raw: Any) -> Optional[float]:
    if raw in (None, ""):
        return None
    try:
        return dt.datetime.fromisoformat(str(raw)).replace(tzinfo=ZONE).timestamp()
    except ValueError:
        refuse(400, "invalid_start", "Hãy nhập thời điểm bắt đầu (ngày và giờ).")


@requires("call.log")
@answers_errors
async def log(request: web.Request) -> web.Response:
    handoff: Handoff = request.app["handoff"]
    session = request["session"]
    body = await read_json(request)
    note = _text(body, "note", case_views.MAX_TEXT, "Ghi chú quá dài.", required=False)
    case = await writable(handoff, session, body["case_id"]) if body.get("case_id") else None
    contact = await handoff.store.run(log_call, handoff.store, body, session.username,
                                      call_lines(request.app["directory"]), _started_at(body.get("started_at")), note)
    if case is not None:
        await handoff.store.run(handoff.store.cases.attach, case.id, contact["id"], session.username)
        contact["case_id"] = case.id
    return web.json_response({"contact": contact, "conversation_id": contact["conversation_id"]})


def routes(router: web.UrlDispatcher) -> None:
    router.add_get("/api/cases", list_cases)
    router.add_post("/api/cases", create_case)
    router.add_get("/api/cases/{id}", get_case)
    for name, step in CASE_STEPS:
        router.add_post(f"/api/cases/{{id}}/{name}", case_step(step))
    router.add_get("/api/tasks", my_tasks)
    router.add_post("/api/tasks/{tid}", update_task)
    router.add_post("/api/calls", log)
