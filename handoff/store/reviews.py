"""Supervisors' reviews of contacts, and the search they review from, in SQL (``store.reviews``)."""
from __future__ import annotations

import json
import time
from typing import Any, Dict, List, Optional

import sqlalchemy as sa

from handoff.store.tables import as_contact, as_dict, contacts, conversations, like, messages, reviews


class Reviews:
    def __init__(self, engine: sa.engine.Engine) -> None:
        self.engine = engine

    def search(self, start: float, end: float, channel: Optional[str] = None, priority: Optional[str] = None,
               outcome: Optional[str] = None, counsellor: Optional[str] = None, reason: Optional[str] = None,
               place: Optional[str] = None, limit: int = 100) -> List[Dict[str, Any]]:
        """Contacts queued in [start, end) matching every filter given, newest first."""
        query = (sa.select(contacts, conversations.c.channel)
                 .join(conversations, conversations.c.id == contacts.c.conversation_id)
                 .where(contacts.c.queued_at >= start, contacts.c.queued_at < end))
        if channel:
            query = query.where(conversations.c.channel == channel)
        if priority:
            query = query.where(contacts.c.priority == priority)
        if counsellor:
            query = query.where(contacts.c.counsellor == counsellor)
        if outcome:  # outcomes and reasons are JSON lists of plain names: match the quoted name
            query = query.where(contacts.c.outcomes.like(f'%"{like(outcome)}"%', escape="\\"))
        if reason:
            query = query.where(contacts.c.reasons.like(f'%"{like(reason)}"%', escape="\\"))
        if place:  # a province or country the person mentioned
            mentioned = sa.select(messages.c.conversation_id).where(
                messages.c.role == "user", sa.func.lower(messages.c.text).like(f"%{like(place.lower())}%",
                                                                               escape="\\"))
            query = query.where(contacts.c.conversation_id.in_(mentioned))
        query = query.order_by(contacts.c.queued_at.desc()).limit(limit)
        with self.engine.connect() as db:
            return [as_contact(found) for found in db.execute(query)]

    def add(self, contact_id: int, reviewer: str, score: Optional[int], tags: List[str], follow_up: bool,
            note: str) -> None:
        with self.engine.begin() as db:
            db.execute(reviews.insert().values(contact_id=contact_id, reviewer=reviewer, score=score,
                                               tags=json.dumps(tags, ensure_ascii=False), follow_up=follow_up,
                                               note=note, at=time.time()))

    def of_conversation(self, conversation_id: str) -> List[Dict[str, Any]]:
        query = (sa.select(reviews).join(contacts, contacts.c.id == reviews.c.contact_id)
                 .where(contacts.c.conversation_id == conversation_id).order_by(reviews.c.id))
        with self.engine.connect() as db:
            rows = [as_dict(r) for r in db.execute(query)]
        for found in rows:
            found["tags"] = json.loads(found["tags"] or "[]")
        return rows
