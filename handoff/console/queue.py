"""Console routes about the queue: what waits, what I hold, the whole line for supervisors
(alerts, bursts, every case in progress), and dismissing a burst as abuse. Each case comes
with ``allowed``: what this user may do with it (handoff/permissions.py)."""
from __future__ import annotations

import collections
import re
import time
from typing import Any, Dict, List, Optional

from aiohttp import web

from handoff.auth import api_error, requires
from directory.languages import name as language_name
from handoff.console.http import mask
from handoff.language_offer import LanguageOffer
from handoff.errors import StoreUnavailable
from handoff.permissions import Conversation, allowed_on, can
from handoff.service import Handoff


async def summary(handoff: Handoff, session: Any, cid: str, now: float, effective: Optional[str] = None,
                  state: Optional[Dict[str, str]] = None,
                  contacts: Optional[List[Dict[str, Any]]] = None) -> Dict[str, Any]:
    """One case as the lists and the case view show it (``state`` and ``contacts`` when known)."""
    state = state if state is not None else await handoff.conversations.state(cid)
    trigger, on_record = None, True
    try:
        earlier = contacts if contacts is not None else await handoff.store.run(handoff.store.contacts_of, cid)
        contact = next((c for c in earlier if c["id"] == int(state.get("contact") or 0)), None)
        if contact and contact["trigger_message_id"]:
            message = await handoff.store.run(handoff.store.message, contact["trigger_message_id"])
            trigger = message["text"] if message else None
    except StoreUnavailable:
        # The line is in Redis: with the store away a case still shows, claimable, without what
        # only the record holds (its reasons, earlier contacts, the words that raised it).
        earlier, contact, on_record = [], None, False
    queued_at = float(state.get("queued_at") or now)
    language = state.get("language", "") if state.get("language") != "vi" else ""  # not Vietnamese
    return {
        "contacts": earlier, "contacts_so_far": len(earlier), "blocked_until": await handoff.blocking.blocked_until(cid),
        "id": cid, "state": state["state"], "priority": state.get("priority", "normal"),
        "effective_priority": effective or state.get("priority", "normal"),
        "channel": state.get("channel", ""), "sender": mask(state.get("sender", "")),
        "counsellor": state.get("counsellor", ""), "trigger": state.get("trigger", ""),
        "reasons": contact["reasons"] if contact else [], "trigger_text": trigger,
        "queued_at": queued_at, "wait_s": round(now - queued_at), "returned": state.get("returned") == "1",
        "acked": state.get("acked") == "1", "burst": state.get("burst", ""),
        # until when its counsellor has to open it (handoff/watchdog.py gives it back after that)
        "ack_deadline": (float(state.get("ack_deadline") or 0) or None)
        if state["state"] == "assigned" and state.get("acked") != "1" else None,
        "intake": {"location": state.get("intake_location", ""), "safe_now": state.get("intake_safe_now", ""),
                   "contact": state.get("intake_contact", ""), "do_not_contact": state.get("do_not_contact") == "1"},
        "allowed": allowed_on(session, Conversation.of(cid, state, earlier)),
        "on_record": on_record,  # False: the transcript store is away (handoff/spool.py)
        # The language the person writes in, when not Vietnamese (nlu/language.py), in Vietnamese words.
        "language": language, "language_name": language_name(language) if language else "",
    }


async def line(handoff: Handoff, session: Any, bursts) -> Dict[str, Any]:
    """The queue as this user sees it; the whole line when their role may see it."""
    now = time.time()
    waiting = []
    for entry in await handoff.queue.ordered(now):
        waiting.append(await summary(handoff, session, entry.conversation_id, now,
                                     effective=entry.effective_priority(now, handoff.config.queue_ageing)))
    if not can(session, "queue.line") and any(c["language"] for c in waiting):
        # Offered first to the counsellors online who speak its language (handoff/language_offer.py).
        offer = LanguageOffer(handoff.store, handoff.presence, handoff.config)
        speakers = await offer.speakers_online()
        waiting = [c for c in waiting if not offer.held_back(session, c, now, speakers)]
    mine = [await summary(handoff, session, cid, now) for cid in await handoff.claims.held_by(session.username)]
    body: Dict[str, Any] = {"waiting": waiting, "mine": mine, "presence": await handoff.presence.statuses()}
    if can(session, "queue.line"):
        body["alerts"] = await handoff.watchdog.alerts()
        # Waiting cases by burst (handoff/bursts.py), and whether the circuit is open.
        body["bursts"] = dict(collections.Counter(c["burst"] for c in waiting if c["burst"]))
        body["circuit"] = await bursts.circuit()
        body["assigned"] = [await summary(handoff, session, cid, now) for cid in await handoff.claims.assigned()]
    return body


@requires("queue.read")
async def queue(request: web.Request) -> web.Response:
    return web.json_response(await line(request.app["handoff"], request["session"], request.app["bursts"]))


@requires("burst.dismiss")
async def dismiss_burst(request: web.Request) -> web.Response:
    burst = request.match_info["bid"]
    if not re.fullmatch(r"[ac][0-9a-f]{12}", burst):
        return api_error(404, "not_found", "Không tìm thấy nhóm này.")
    handoff: Handoff = request.app["handoff"]
    supervisor = request["session"].username
    closed = await handoff.claims.dismiss_burst(burst, supervisor)
    await handoff.store.run(handoff.store.audit.record, supervisor, "burst.dismiss", burst)
    return web.json_response({"closed": closed})
