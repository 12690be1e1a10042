"""The transcript store: conversations, their messages, contacts and events in SQL.

``Store`` is what the handoff holds as its durable record; the other objects' data access hangs
from it, one class each (as techmatters/hrm keeps one data-access module per object):
``store.accounts`` and ``store.audit`` (accounts.py), ``store.reviews`` (reviews.py, with the
search of contacts), ``store.referrals`` (referrals.py). Their tables: tables.py.

Calls are synchronous and short; async code runs them in a thread (``Store.run``) so the event
loop never waits on the disk.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple

import sqlalchemy as sa

from handoff.store.accounts import Accounts, AuditLog
from handoff.store.faults import StoreUnavailable, unavailable
from handoff.store.referrals import Referrals
from handoff.store.reviews import Reviews
from handoff.store.cases import Cases
from handoff.store.tables import (add_missing_columns, as_contact, as_dict, as_event, audit, contacts,
                                  conversations, create_engine, events, messages, metadata)

# One statement with bound parameters: building ``insert().values(...)`` for each message cost
# more CPU than SQLite's own work (docs/performance.md, "How the goals were reached").
INSERT_MESSAGE = messages.insert()
_LATEST_CONVERSATION = (sa.select(conversations.c.id)
                        .where(conversations.c.channel == sa.bindparam("channel"),
                               conversations.c.sender == sa.bindparam("sender"))
                        .order_by(conversations.c.created_at.desc()))


class Store:
    def __init__(self, engine: sa.engine.Engine) -> None:
        self.engine = engine
        metadata.create_all(engine)
        add_missing_columns(engine)
        self.accounts = Accounts(engine)
        self.audit = AuditLog(engine)
        self.reviews = Reviews(engine)
        self.referrals = Referrals(engine)
        self.cases = Cases(engine)
        # The replay of the outage buffer (handoff/spool.py) runs a write inside its own transaction.
        self._replaying = threading.local()

    @classmethod
    def from_url(cls, url: str) -> "Store":
        return cls(create_engine(url))

    async def run(self, fn, *args, **kwargs):
        """``fn`` in a thread; a store that cannot be used raises ``StoreUnavailable`` (faults.py)."""
        try:
            return await asyncio.to_thread(fn, *args, **kwargs)
        except sa.exc.SQLAlchemyError as error:
            if unavailable(error):
                raise StoreUnavailable(type(error).__name__) from error
            raise

    @contextlib.contextmanager
    def begin(self) -> Iterator[sa.engine.Connection]:
        """A transaction for one write: its own, or the replay's that records the buffered entry
        with it (handoff/store/spooled.py), so that the entry is written exactly once."""
        joined = getattr(self._replaying, "db", None)
        if joined is not None:
            yield joined
            return
        with self.engine.begin() as db:
            yield db

    @contextlib.contextmanager
    def joining(self, db: sa.engine.Connection) -> Iterator[None]:
        """Writes in this thread join ``db``'s transaction (the replay of one buffered entry)."""
        self._replaying.db = db
        try:
            yield
        finally:
            self._replaying.db = None

    def ping(self) -> None:
        with self.engine.connect() as db:
            db.execute(sa.text("SELECT 1"))

    # --- conversations and messages -------------------------------------------------
    def find_or_create_conversation(self, channel: str, sender: str, new_id: str) -> Tuple[str, bool]:
        """The latest conversation of a channel user, or a new one with ``new_id``; and whether
        it was created (one transaction: a first message waits for one trip to the database)."""
        with self.begin() as db:
            row = db.execute(_LATEST_CONVERSATION, {"channel": channel, "sender": sender}).first()
            if row:
                return row[0], False
            db.execute(conversations.insert().values(id=new_id, channel=channel, sender=sender, created_at=time.time()))
        return new_id, True

    def create_conversation(self, conversation_id: str, channel: str, sender: str, at: float) -> None:
        """A conversation begun while the store was away (handoff/spool.py), unless it is there."""
        with self.begin() as db:
            if not db.execute(sa.select(conversations.c.id).where(conversations.c.id == conversation_id)).first():
                db.execute(conversations.insert().values(id=conversation_id, channel=channel, sender=sender,
                                                         created_at=at))

    def delete_empty_conversation(self, conversation_id: str) -> None:
        """Remove a conversation that never got a message (it lost a race to be the user's)."""
        with self.begin() as db:
            if not db.execute(sa.select(messages.c.id).where(messages.c.conversation_id == conversation_id)).first():
                db.execute(conversations.delete().where(conversations.c.id == conversation_id))

    def find_conversation(self, channel: str, sender: str) -> Optional[str]:
        """The latest conversation of a channel user (Redis may have lost its pointer)."""
        with self.engine.connect() as db:
            row = db.execute(_LATEST_CONVERSATION, {"channel": channel, "sender": sender}).first()
        return row[0] if row else None

    def conversation(self, conversation_id: str) -> Optional[Dict[str, Any]]:
        with self.engine.connect() as db:
            row = db.execute(sa.select(conversations).where(conversations.c.id == conversation_id)).first()
        return as_dict(row) if row else None

    def add_message(self, conversation_id: str, role: str, text: str, author: Optional[str] = None,
                    contact_id: Optional[int] = None, at: Optional[float] = None) -> Dict[str, Any]:
        values = dict(conversation_id=conversation_id, role=role, text=text, author=author,
                      contact_id=contact_id, created_at=at or time.time())
        with self.begin() as db:
            message_id = db.execute(INSERT_MESSAGE, values).inserted_primary_key[0]
        return {"id": message_id, **values}

    def add_messages(self, conversation_id: str, role: str, texts: List[str], contact_id: Optional[int] = None,
                     at: Optional[float] = None) -> List[Dict[str, Any]]:
        """Several messages of one speaker in one transaction (the bot's answers to a message)."""
        out = []
        with self.begin() as db:
            for text in texts:
                values = dict(conversation_id=conversation_id, role=role, text=text, author=None,
                              contact_id=contact_id, created_at=at or time.time())
                out.append({"id": db.execute(INSERT_MESSAGE, values).inserted_primary_key[0], **values})
        return out

    def message(self, message_id: int) -> Optional[Dict[str, Any]]:
        with self.engine.connect() as db:
            row = db.execute(sa.select(messages).where(messages.c.id == message_id)).first()
        return as_dict(row) if row else None

    def messages(self, conversation_id: str, after: int = 0) -> List[Dict[str, Any]]:
        query = (sa.select(messages).where(messages.c.conversation_id == conversation_id, messages.c.id > after)
                 .order_by(messages.c.id))
        with self.engine.connect() as db:
            return [as_dict(r) for r in db.execute(query)]

    def last_message_at(self, conversation_id: str, role: str) -> Optional[float]:
        query = sa.select(sa.func.max(messages.c.created_at)).where(
            messages.c.conversation_id == conversation_id, messages.c.role == role)
        with self.engine.connect() as db:
            return db.execute(query).scalar()

    # --- contacts and events -----------------------------------------------------
    def open_contact(self, conversation_id: str, priority: str, trigger: str, reasons: Iterable[str],
                     trigger_message_id: Optional[int], at: float, language: Optional[str] = None) -> int:
        with self.begin() as db:
            return db.execute(contacts.insert().values(
                conversation_id=conversation_id, priority=priority, trigger=trigger,
                reasons=json.dumps(list(reasons)), trigger_message_id=trigger_message_id, queued_at=at,
                language=language,
            )).inserted_primary_key[0]

    def update_contact(self, contact_id: int, **values: Any) -> None:
        if "outcomes" in values and not isinstance(values["outcomes"], str):
            values["outcomes"] = json.dumps(values["outcomes"])
        with self.begin() as db:
            db.execute(contacts.update().where(contacts.c.id == contact_id).values(**values))

    def delete_contact(self, contact_id: int) -> None:
        with self.begin() as db:
            db.execute(contacts.delete().where(contacts.c.id == contact_id))

    def set_first_response(self, contact_id: int, at: float) -> None:
        with self.begin() as db:
            db.execute(contacts.update().where(contacts.c.id == contact_id, contacts.c.first_response_at.is_(None))
                       .values(first_response_at=at))

    def contact(self, contact_id: int) -> Optional[Dict[str, Any]]:
        with self.engine.connect() as db:
            row = db.execute(sa.select(contacts).where(contacts.c.id == contact_id)).first()
        return as_contact(row) if row else None

    def contacts_of(self, conversation_id: str) -> List[Dict[str, Any]]:
        query = sa.select(contacts).where(contacts.c.conversation_id == conversation_id).order_by(contacts.c.id)
        with self.engine.connect() as db:
            return [as_contact(r) for r in db.execute(query)]

    def add_event(self, conversation_id: str, kind: str, from_state: Optional[str], to_state: Optional[str],
                  actor: Optional[str], contact_id: Optional[int], at: float, **detail: Any) -> None:
        with self.begin() as db:
            db.execute(events.insert().values(
                conversation_id=conversation_id, contact_id=contact_id, kind=kind, from_state=from_state,
                to_state=to_state, actor=actor, detail=json.dumps(detail, ensure_ascii=False), at=at))

    def add_audit(self, actor: str, action: str, obj: str, at: float) -> None:
        """An audit entry made while the store was away (handoff/spool.py), at the time it happened."""
        with self.begin() as db:
            db.execute(audit.insert().values(actor=actor, action=action, object=obj, at=at))

    def events(self, conversation_id: str) -> List[Dict[str, Any]]:
        query = sa.select(events).where(events.c.conversation_id == conversation_id).order_by(events.c.id)
        with self.engine.connect() as db:
            return [as_event(row) for row in db.execute(query)]
