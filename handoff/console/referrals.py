"""Referrals ("chuyển tuyến") from the console: open one for a held case, track its status.
What a summary may hold and its text: handoff/referrals.py."""
from __future__ import annotations

from typing import Any, Dict

from aiohttp import web

from directory import Directory
from handoff.auth import api_error, requires
from handoff.console.guard import Found, find
from handoff.console.http import not_found, read_json, refuse
from handoff.events import Event
from handoff.permissions import can
from handoff.referrals import STATUSES, ReferralError, partners, summary, summary_text
from handoff.service import Handoff


async def open_referral(handoff: Handoff, directory: Directory, found: Found, body: Dict[str, Any],
                        author: str) -> Dict[str, Any]:
    """A referral of the conversation's latest contact to a directory partner; recorded as an event."""
    cid = found.id
    partner = partners(directory).get(str(body.get("partner")))
    if partner is None:
        refuse(400, "invalid_partner", "Hãy chọn đơn vị trong danh bạ.")
    contacts = found.contacts
    if not contacts:
        refuse(409, "no_contact", "Cuộc trò chuyện chưa có lần tiếp nhận nào.")
    try:
        data = summary(body)
    except ReferralError as error:
        refuse(400, "invalid_summary", str(error))
    rid = await handoff.store.run(handoff.store.referrals.add, cid, contacts[-1]["id"], str(body["partner"]),
                                  partner["kind"], data, author)
    await handoff.events.record_event(Event("referral_opened", cid, author, contact=contacts[-1]["id"],
                                            detail={"referral": rid, "partner": str(body["partner"])}))
    return {"referral": rid, "kind": partner["kind"], "text": summary_text(partner["name"], data, f"{cid[:8]}-{rid}")}


async def _refer(request, handoff: Handoff, found: Found):
    return await open_referral(handoff, request.app["directory"], found, await read_json(request),
                               request["session"].username)


async def set_status(handoff: Handoff, referral: Dict[str, Any], status: str, outcome: str, author: str) -> None:
    """A referral's new status (and outcome, when closed); recorded as an event."""
    await handoff.store.run(handoff.store.referrals.update, referral["id"], status=status, outcome=outcome)
    await handoff.events.record_event(Event("referral_updated", referral["conversation_id"], author,
                                            contact=referral["contact_id"],
                                            detail={"referral": referral["id"], "status": status}))


@requires("referral.update")
async def update_referral(request: web.Request) -> web.Response:
    handoff: Handoff = request.app["handoff"]
    try:
        referral = await handoff.store.run(handoff.store.referrals.get, int(request.match_info["rid"]))
    except ValueError:
        referral = None
    found = await find(handoff, referral["conversation_id"]) if referral else None
    if found is None or not can(request["session"], "referral.update", found.target):
        return not_found()
    body = await read_json(request)
    status, outcome = body.get("status"), str(body.get("outcome") or "")[:1000]
    if status not in STATUSES:
        return api_error(400, "invalid_status", "Trạng thái: open, sent, accepted hoặc closed.")
    if status == "closed" and not outcome.strip():
        return api_error(400, "outcome_required", "Hãy ghi kết quả khi đóng chuyển tuyến.")
    await set_status(handoff, referral, status, outcome, request["session"].username)
    return web.json_response({"ok": True})


STEPS = (("referrals", "conversation.refer", _refer),)
