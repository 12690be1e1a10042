"""Console routes on one conversation: read its transcript, claim it, acknowledge, reply or
note, transfer, close, reveal the contact details; for supervisors take over, reassign and
restrict the sender. Access is decided by ``can`` before each step (handoff/console/guard.py);
the Lua scripts of the claims and transfers (handoff/claims.py, transfers.py, handoff/lua/) decide
each state change."""
from __future__ import annotations

import time
from typing import Any, Dict, Optional

from aiohttp import web

from handoff.auth import requires
from handoff.closing import record
from handoff.console import cases
from handoff.console.guard import NOT_YOURS, Found, find, on_conversation
from handoff.console.http import MAX_REPLY_CHARS, not_found, read_json, refuse
from handoff.console.queue import summary
from handoff.errors import HandoffError
from handoff.permissions import can, holds_conversations
from handoff.service import Handoff
from handoff.errors import StoreUnavailable
from handoff.transcript import public_message


async def transcript(handoff: Handoff, session: Any, found: Found, after: int) -> Dict[str, Any]:
    """The case with its messages after ``after``, events, reviews and referrals; audited once per
    opening, not at each refresh of an open chat (handoff/reads.py)."""
    cid = found.id
    opened = await handoff.reads.opened(session.username, cid)
    try:
        if opened:
            await handoff.store.run(handoff.store.audit.record, session.username, "read_transcript", cid)
        messages = await handoff.store.run(handoff.store.messages, cid, after)
        record = {"events": await handoff.store.run(handoff.store.events, cid),
                  "reviews": await handoff.store.run(handoff.store.reviews.of_conversation, cid),
                  "referrals": await handoff.store.run(handoff.store.referrals.of_conversation, cid)}
    except StoreUnavailable:
        # The store away (handoff/spool.py): the live case, with the messages written since, so
        # the counsellor can go on; the opening is audited when the store takes it.
        if opened:
            await handoff.spool.buffer("add_audit", {"actor": session.username, "action": "read_transcript",
                                                     "obj": cid, "at": time.time()})
        messages = await handoff.spool.buffered_messages(cid)  # all new: provisional ids, no cursor yet
        record = {"events": [], "reviews": [], "referrals": [], "on_record": False}
    return {
        **await summary(handoff, session, cid, time.time(), state=found.state, contacts=found.contacts),
        "messages": [public_message(m) for m in messages], **record,
    }


@requires("conversation.read")
async def conversation(request: web.Request) -> web.Response:
    handoff: Handoff = request.app["handoff"]
    session = request["session"]
    found = await find(handoff, request.match_info["id"])
    if found is None or not can(session, "conversation.read", found.target):
        return not_found()
    try:
        after = int(request.query.get("after", "0"))
    except ValueError:
        after = 0
    return web.json_response(await transcript(handoff, session, found, after))


async def _claim(request, handoff: Handoff, found: Found):
    session = request["session"]
    await handoff.claims.claim(found.id, session.username, session.capacity)


async def _ack(request, handoff: Handoff, found: Found):
    if not await handoff.claims.acknowledge(found.id, request["session"].username):
        raise HandoffError("not_yours", NOT_YOURS, status=403)


async def _message(request, handoff: Handoff, found: Found):
    body = await read_json(request)
    text, kind = body.get("text"), body.get("kind", "reply")
    if not isinstance(text, str) or not text.strip():
        refuse(400, "empty_text", "Tin nhắn đang trống.")
    if len(text) > MAX_REPLY_CHARS:
        refuse(413, "text_too_long", f"Tin nhắn dài quá {MAX_REPLY_CHARS} ký tự.")
    if kind not in ("reply", "note"):
        refuse(400, "invalid_kind", "Loại tin nhắn phải là reply hoặc note.")
    username = request["session"].username
    if kind == "note":
        message = await handoff.replies.note(found.id, username, text.strip())
    else:
        message = await handoff.replies.reply(found.id, username, text.strip(), bool(body.get("confirmed_safe_contact")))
    return {"message": public_message(message)}


async def colleague(handoff: Handoff, target: Any, wrong: str, name: Optional[str] = None) -> Dict[str, Any]:
    """The account ``target`` (looked up as ``name``) if it is active, takes conversations and is
    online; else a refusal (``wrong``: why not)."""
    name = name if name is not None else (target if isinstance(target, str) else None)
    user = await handoff.store.run(handoff.store.accounts.get, name) if name is not None else None
    if not user or not holds_conversations(user["role"]) or not user["active"]:
        refuse(400, "invalid_target", wrong)
    if (await handoff.presence.statuses()).get(target) != "online":
        refuse(409, "target_offline", "Tư vấn viên này đang không trực tuyến.")
    return user


async def _transfer(request, handoff: Handoff, found: Found):
    body = await read_json(request)
    target, note = body.get("to"), body.get("note") or ""
    if not isinstance(note, str) or len(note) > MAX_REPLY_CHARS:
        refuse(400, "invalid_note", "Ghi chú không hợp lệ.")
    capacity: Optional[int] = None
    if target is not None:
        wrong = "Không chuyển được cho người này."
        if target == request["session"].username:
            refuse(400, "invalid_target", wrong)
        capacity = (await colleague(handoff, target, wrong, name=str(target)))["capacity"]
    await handoff.transfers.transfer(found.id, request["session"].username, target, note, capacity)


async def _close(request, handoff: Handoff, found: Found):
    """The close form (handoff/closing.py); with ``case_id``, the contact joins that case."""
    body = await read_json(request)
    columns = record(body)
    if body.get("case_id"):  # joined before the closing, which may mark the case referred (handoff/cases.py)
        case = await cases.writable(handoff, request["session"], body["case_id"])
        held = handoff.conversations.contact_of(found.state)
        if held:
            await handoff.store.run(handoff.store.cases.attach, case.id, held, request["session"].username)
    await handoff.claims.close(found.id, request["session"].username, [], columns=columns)


async def _contact(request, handoff: Handoff, found: Found):
    """The unmasked channel id or phone number, for a counsellor who needs to call back; audited."""
    conversation = await handoff.store.run(handoff.store.conversation, found.id)
    await handoff.store.run(handoff.store.audit.record, request["session"].username, "reveal_contact", found.id)
    return {"channel": conversation["channel"], "sender": conversation["sender"]}


async def _take_over(request, handoff: Handoff, found: Found):
    await handoff.claims.assign(found.id, request["session"].username, request["session"].username)


async def _reassign(request, handoff: Handoff, found: Found):
    body = await read_json(request)
    target = body.get("to")
    await colleague(handoff, target, "Không phân công được cho người này.")
    await handoff.claims.assign(found.id, request["session"].username, target)


async def _block(request, handoff: Handoff, found: Found):
    body = await read_json(request)
    hours, reason = body.get("hours"), str(body.get("reason") or "").strip()[:200]
    if body.get("unblock"):
        await handoff.blocking.unblock(found.id, request["session"].username)
        return {"blocked_until": None}
    if not isinstance(hours, (int, float)) or not 0 < hours <= 24 * 30 or not reason:
        refuse(400, "invalid_block", "Cần số giờ (tối đa 30 ngày) và lý do.")
    return {"blocked_until": await handoff.blocking.block(found.id, request["session"].username, float(hours), reason)}


# (path under /api/conversations/{id}/, action, step)
STEPS = (("claim", "conversation.claim", _claim), ("ack", "conversation.ack", _ack),
         ("messages", "conversation.message", _message), ("transfer", "conversation.transfer", _transfer),
         ("close", "conversation.close", _close), ("contact", "conversation.contact", _contact),
         ("takeover", "conversation.take_over", _take_over), ("reassign", "conversation.reassign", _reassign),
         ("block", "conversation.block", _block))


def routes(router: web.UrlDispatcher, steps=STEPS) -> None:
    for name, action, step in steps:
        router.add_post(f"/api/conversations/{{id}}/{name}", requires(action)(on_conversation(action, step)))
