"""A person's rights over what is kept, for admins: the audit log, the export of one case and
its erasure. Each export and erasure is written to the audit log."""
from __future__ import annotations

import functools
from typing import Any, Dict, List, Optional

from aiohttp import web

from handoff.auth import api_error, requires
from handoff.cases import view
from handoff.console.guard import Found
from handoff.console.http import days, refuse
from handoff.console.vocabulary import AUDIT_ACTIONS
from handoff.local_time import local_time
from handoff.retention import erase_conversation
from handoff.service import Handoff
from handoff.store import Store

AUDIT_PAGE, AUDIT_PAGE_MAX = 100, 500


def readable(entry: Dict[str, Any]) -> Dict[str, Any]:
    """An entry with what the admin page shows: its Vietnam time and its action in words."""
    return {**entry, "time": local_time(entry["at"]), "action_name": AUDIT_ACTIONS.get(entry["action"], entry["action"])}


async def audit_page(store: Store, before: Optional[int], limit: int, **only: Any) -> Dict[str, Any]:
    page: List[Dict[str, Any]] = await store.run(functools.partial(store.audit.page, before, limit, **only))
    return {"audit": [readable(e) for e in page], "next": page[-1]["id"] if len(page) == limit else None}


@requires("audit.read")
async def audit_log(request: web.Request) -> web.Response:
    """The audit log, newest first, a page at a time: ``?limit=`` (100, at most 500) and
    ``?before=<id>`` (the ``next`` of the previous page; null on the last one); only one user's
    (``?actor=``), one action's (``?action=``), and Vietnam days ``?from=``/``?to=`` (YYYY-MM-DD,
    both included) when given. ``actors`` and ``actions`` are the choices of the page's filters."""
    try:
        limit = min(max(int(request.query.get("limit", AUDIT_PAGE)), 1), AUDIT_PAGE_MAX)
        before = int(request.query["before"]) if "before" in request.query else None
    except ValueError:
        return api_error(400, "invalid_query", "Tham số phân trang không hợp lệ.")
    start, end = days(request)
    store = request.app["handoff"].store
    page = await audit_page(store, before, limit, actor=request.query.get("actor") or None,
                            action=request.query.get("action") or None, start=start, end=end)
    return web.json_response({**page, "actors": await store.run(store.audit.actors), "actions": AUDIT_ACTIONS})


def cases_of_conversation(store: Store, cid: str) -> List[Dict[str, Any]]:
    """The cases holding one of the conversation's contacts, whole (a data subject's export)."""
    ids = sorted({c["case_id"] for c in store.contacts_of(cid) if c.get("case_id")})
    return [view(store, case_id, []) for case_id in ids]


async def export_case(store: Store, cid: str, actor: str) -> Dict[str, Any]:
    """Everything kept about one conversation, for a data subject's request; audited."""
    await store.run(store.audit.record, actor, "export_case", cid)
    return {"conversation": await store.run(store.conversation, cid),
            "contacts": await store.run(store.contacts_of, cid),
            "messages": await store.run(store.messages, cid), "events": await store.run(store.events, cid),
            "reviews": await store.run(store.reviews.of_conversation, cid),
            "cases": await store.run(cases_of_conversation, store, cid)}


async def erase_case(handoff: Handoff, found: Found, actor: str) -> None:
    """A data subject's erasure: words, ids and free-text answers gone, the statistics kept; audited."""
    cid = found.id
    if found.state["state"] != "bot":
        refuse(409, "case_open", "Hãy kết thúc cuộc trò chuyện trước khi xóa dữ liệu.")
    conversation = await handoff.store.run(handoff.store.conversation, cid)
    await handoff.store.run(erase_conversation, handoff.store, cid)
    await handoff.redis.delete(handoff.keys.conversation(cid),
                               handoff.keys.pointer(conversation["channel"], conversation["sender"]))
    await handoff.store.run(handoff.store.audit.record, actor, "erase_case", cid)


async def _export(request, handoff: Handoff, found: Found):
    return await export_case(handoff.store, found.id, request["session"].username)


async def _erase(request, handoff: Handoff, found: Found):
    await erase_case(handoff, found, request["session"].username)


STEPS = (("export", "conversation.export", _export), ("erase", "conversation.erase", _erase))
