"""Retention: transcripts older than RETENTION_DAYS are anonymised; the statistics stay.

Message texts become a fixed marker, the channel user id (phone number, chat id) of a
conversation with no recent message is replaced by a one-way hash (so statistics by
channel still add up, but nobody can be contacted or recognised from it), and the
free-text answers kept in events (intake: where, how to reach) are emptied. Contacts
(times, outcomes, victim status, survey) are not touched, so the figures do not
change. A case closed before the cutoff loses its words the same way: its title, the
descriptions of its people, its notes and its tasks' titles (docs/cases.md); its codes
(status, confirmed indicators, the contacts' records) stay for the case export. Open
cases are still being worked and keep theirs. Each run writes one audit entry.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from typing import Dict

import sqlalchemy as sa

from handoff.local_time import local_date
from handoff.store import Store
from handoff.store.tables import case_events, case_people, case_tasks, cases, contacts, conversations, events, messages

logger = logging.getLogger(__name__)

MARKER = "[đã xóa theo thời hạn lưu trữ]"
MARKER_ERASED = "[đã xóa theo yêu cầu]"
PRIVATE_EVENTS = ("intake",)


def anonymise(store: Store, older_than_s: float, now: float = 0.0) -> Dict[str, int]:
    cutoff = (now or time.time()) - older_than_s
    with store.engine.begin() as db:
        texts = db.execute(messages.update()
                           .where(messages.c.created_at < cutoff, messages.c.text != MARKER)
                           .values(text=MARKER)).rowcount
        details = db.execute(events.update()
                             .where(events.c.at < cutoff, events.c.kind.in_(PRIVATE_EVENTS), events.c.detail != "{}")
                             .values(detail="{}")).rowcount
        recent = sa.select(messages.c.conversation_id).where(messages.c.created_at >= cutoff)
        stale = db.execute(sa.select(conversations.c.id, conversations.c.sender).where(
            conversations.c.created_at < cutoff, conversations.c.id.not_in(recent),
            conversations.c.sender.not_like("anon:%"))).all()
        for cid, sender in stale:
            digest = hashlib.sha256(f"{cid}:{sender}".encode()).hexdigest()[:16]
            db.execute(conversations.update().where(conversations.c.id == cid).values(sender=f"anon:{digest}"))
        closed = [row[0] for row in db.execute(sa.select(cases.c.id).where(
            cases.c.status == "closed", cases.c.closed_at < cutoff, cases.c.title != MARKER))]
        _erase_case_words(db, closed, MARKER)
    counts = {"messages": texts, "events": details, "conversations": len(stale), "cases": len(closed)}
    # Read by admins in the audit log: Vietnamese words and a Vietnam date, not an epoch.
    store.audit.record("system", "retention", f"trước {local_date(cutoff)}: {counts['messages']} tin nhắn, "
                                              f"{counts['conversations']} người gửi")
    return counts


def _erase_case_words(db, case_ids, marker: str) -> None:
    """A case's free text replaced by ``marker``: title, people's descriptions, notes, task titles."""
    if not case_ids:
        return
    db.execute(cases.update().where(cases.c.id.in_(case_ids)).values(title=marker))
    db.execute(case_people.update().where(case_people.c.case_id.in_(case_ids)).values(description=marker))
    db.execute(case_tasks.update().where(case_tasks.c.case_id.in_(case_ids)).values(title=marker))
    db.execute(case_events.update().where(case_events.c.case_id.in_(case_ids),
                                          case_events.c.kind.in_(("note", "opened", "task_added", "task_done")))
               .values(detail="{}"))


def erase_conversation(store: Store, conversation_id: str) -> None:
    """Erase one conversation on request: texts, channel id and free-text answers, and the words
    of every case holding one of its contacts (the person may be described there); contacts stay."""
    with store.engine.begin() as db:
        held = sa.select(contacts.c.case_id).where(contacts.c.conversation_id == conversation_id,
                                                   contacts.c.case_id.is_not(None))
        _erase_case_words(db, [row[0] for row in db.execute(held)], MARKER_ERASED)
        db.execute(messages.update().where(messages.c.conversation_id == conversation_id).values(text=MARKER_ERASED))
        db.execute(events.update().where(events.c.conversation_id == conversation_id,
                                         events.c.kind.in_(PRIVATE_EVENTS)).values(detail="{}"))
        db.execute(conversations.update().where(conversations.c.id == conversation_id)
                   .values(sender="erased:" + hashlib.sha256(conversation_id.encode()).hexdigest()[:16]))


async def run_retention(store: Store, retention_days: float, every_s: float = 24 * 3600) -> None:
    """Anonymise old transcripts once a day (each gateway may run it: it is idempotent)."""
    while True:
        try:
            await store.run(anonymise, store, retention_days * 86400)
        except Exception as error:
            logger.error("retention pass failed: %s", type(error).__name__)
        await asyncio.sleep(every_s)
