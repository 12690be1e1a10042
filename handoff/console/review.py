"""Transcript review for supervisors: find contacts by period and filters, and mark one."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from aiohttp import web

from handoff.auth import requires
from handoff.console.guard import Found
from handoff.console.http import MAX_REPLY_CHARS, period, read_json, refuse
from handoff.service import Handoff
from handoff.store import Store


def found_contact(contact: Dict[str, Any]) -> Dict[str, Any]:
    return {"conversation": contact["conversation_id"], "contact": contact["id"], "channel": contact["channel"],
            "priority": contact["priority"], "queued_at": contact["queued_at"], "closed_at": contact["closed_at"],
            "counsellor": contact["counsellor"], "outcomes": contact["outcomes"], "victim": contact["victim"],
            "reasons": contact["reasons"]}


async def find_contacts(store: Store, reviewer: str, start: float, end: float, channel: Optional[str],
                        urgency: Optional[str], outcome: Optional[str], counsellor: Optional[str],
                        reason: Optional[str], place: Optional[str]) -> List[Dict[str, Any]]:
    """Closed and open contacts matching every filter given (bound parameters); the search is audited."""
    found = await store.run(store.reviews.search, start, end, channel, urgency, outcome, counsellor, reason, place)
    await store.run(store.audit.record, reviewer, "search", f"{len(found)} results")
    return [found_contact(c) for c in found]


@requires("conversation.search")
async def search(request: web.Request) -> web.Response:
    """Closed and open contacts by period, channel, urgency, outcome, counsellor, reason and place."""
    start, end, channel = period(request)
    q = request.query
    results = await find_contacts(request.app["handoff"].store, request["session"].username, start, end, channel,
                                  q.get("urgency") or None, q.get("outcome") or None, q.get("counsellor") or None,
                                  q.get("reason") or None, (q.get("place") or "")[:80] or None)
    return web.json_response({"results": results})


def checked_review(body: Dict[str, Any], contact_ids) -> Dict[str, Any]:
    """The review's fields, checked: a contact of this conversation, a score 1-5, short tags, a note."""
    contact_id, score, tags = body.get("contact"), body.get("score"), body.get("tags") or []
    if contact_id not in contact_ids:
        refuse(400, "invalid_contact", "Hãy chọn một lần tiếp nhận của cuộc trò chuyện này.")
    if score is not None and (not isinstance(score, int) or not 1 <= score <= 5):
        refuse(400, "invalid_score", "Điểm chất lượng từ 1 đến 5.")
    if not isinstance(tags, list) or not all(isinstance(t, str) and len(t) <= 40 for t in tags) or len(tags) > 10:
        refuse(400, "invalid_tags", "Nhãn không hợp lệ.")
    return {"contact_id": contact_id, "score": score, "tags": tags, "follow_up": bool(body.get("follow_up")),
            "note": str(body.get("note") or "")[:MAX_REPLY_CHARS]}


async def _review(request, handoff: Handoff, found: Found):
    review = checked_review(await read_json(request), {c["id"] for c in found.contacts})
    await handoff.store.run(handoff.store.reviews.add, review["contact_id"], request["session"].username,
                            review["score"], review["tags"], review["follow_up"], review["note"])


STEPS = (("review", "conversation.review", _review),)
