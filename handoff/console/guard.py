"""The console's routes on one conversation: find it, ask ``can`` (handoff/permissions.py), then act.

A conversation the user may not see answers 404 whatever the action, so ids cannot be probed;
a claim only needs the conversation to exist, so that the loser of a race hears "already taken",
not "not found". When the user may see the conversation but not do this to it, the answer is
the one the queue itself would give (not theirs, not waiting any more, ...).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Optional

from aiohttp import web

from handoff.console.http import handoff_error, not_found
from handoff.errors import HandoffError, StoreUnavailable
from handoff.permissions import Conversation, can, sees
from handoff.service import Handoff


@dataclass(frozen=True)
class Found:
    """One stored conversation, as the console's steps need it."""

    id: str
    state: Dict[str, str]  # the live state (Redis)
    contacts: List[Dict[str, Any]]  # its escalations, oldest first (SQL)
    target: Conversation  # what access depends on


def valid_id(cid: str) -> bool:
    return len(cid) == 32 and all(c in "0123456789abcdef" for c in cid)


async def find(handoff: Handoff, cid: str) -> Optional[Found]:
    """The conversation ``cid`` if it is stored, else None."""
    if not valid_id(cid):
        return None
    try:
        if await handoff.store.run(handoff.store.conversation, cid) is None:
            return None
        contacts = await handoff.store.run(handoff.store.contacts_of, cid)
    except StoreUnavailable:
        # The store away (handoff/spool.py): a conversation of the live line can still be taken
        # and answered. Without its earlier contacts, access rests on its live state alone.
        if not await handoff.redis.exists(handoff.keys.conversation(cid)):
            return None
        contacts = []
    state = await handoff.conversations.state(cid)
    return Found(cid, state, contacts, Conversation.of(cid, state, contacts))


NOT_YOURS = "Cuộc trò chuyện này không do bạn phụ trách."
NOT_LIVE = "Cuộc trò chuyện này không còn chờ hay đang được tư vấn."


def refusal(action: str, target: Conversation) -> HandoffError:
    """Why ``action`` is refused on a conversation the user may see, in the queue's own words."""
    if action == "conversation.claim":
        if target.state == "assigned":
            return HandoffError("already_taken", "Cuộc trò chuyện này đã có tư vấn viên khác nhận.")
        return HandoffError("not_queued", "Cuộc trò chuyện này không còn trong hàng chờ.")
    if action == "conversation.contact":
        return HandoffError("not_yours", "Chỉ tư vấn viên đang phụ trách mới xem được thông tin liên hệ.", 403)
    if action == "conversation.take_over" and target.state == "assigned":
        return HandoffError("already_assigned", "Cuộc trò chuyện đã do người này phụ trách.")
    if action in ("conversation.take_over", "conversation.reassign"):
        return HandoffError("not_queued", NOT_LIVE)
    if action == "conversation.review":
        return HandoffError("invalid_contact", "Hãy chọn một lần tiếp nhận của cuộc trò chuyện này.", 400)
    return HandoffError("not_yours", NOT_YOURS, 403)


def check(session: Any, action: str, found: Found) -> None:
    """Refuse ``action`` on a conversation the user may see (the 404 is decided before)."""
    if not can(session, action, found.target):
        raise refusal(action, found.target)


Step = Callable[[web.Request, Handoff, Found], Awaitable[Optional[Dict[str, Any]]]]


def on_conversation(action: str, step: Step) -> Callable[[web.Request], Awaitable[web.Response]]:
    """A route handler running ``step`` on /api/conversations/{id} once ``can`` allows ``action``;
    refusals become API errors. The role is checked before, by ``requires`` (handoff/auth.py)."""

    async def handle(request: web.Request) -> web.Response:
        handoff: Handoff = request.app["handoff"]
        session = request["session"]
        found = await find(handoff, request.match_info["id"])
        if found is None or (action != "conversation.claim" and not sees(session, found.target)):
            return not_found()
        try:
            check(session, action, found)
            return web.json_response(await step(request, handoff, found) or {"ok": True})
        except HandoffError as error:
            return handoff_error(error)

    return handle

