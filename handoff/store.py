"""The durable record: conversations, contacts, messages, events and accounts in SQL.

SQLAlchemy Core (1.4, as Rasa 3.6 ships it); SQLite by default, PostgreSQL through
DATABASE_URL. Calls are synchronous and short; async code runs them in a thread
(``Store.run``) so the event loop never waits on the disk.
"""
from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy import event as sa_event

metadata = sa.MetaData()

users = sa.Table(
    "users", metadata,
    sa.Column("username", sa.String(64), primary_key=True),
    sa.Column("display_name", sa.String(128), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("password_hash", sa.String(256), nullable=False),
    sa.Column("capacity", sa.Integer, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("created_at", sa.Float, nullable=False),
)

conversations = sa.Table(
    "conversations", metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("channel", sa.String(16), nullable=False),
    # The channel's own user id (web session, Telegram chat, phone number): needed to reply.
    sa.Column("sender", sa.String(160), nullable=False, index=True),
    sa.Column("created_at", sa.Float, nullable=False),
)

# One contact per escalation: queued -> assigned -> closed, with its outcome and survey.
contacts = sa.Table(
    "contacts", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("conversation_id", sa.String(32), sa.ForeignKey("conversations.id"), nullable=False, index=True),
    sa.Column("priority", sa.String(16), nullable=False),
    sa.Column("trigger", sa.String(32), nullable=False),  # urgency / human_request / misunderstood
    sa.Column("reasons", sa.Text, nullable=False, default="[]"),
    sa.Column("trigger_message_id", sa.Integer),
    sa.Column("queued_at", sa.Float, nullable=False),
    sa.Column("claimed_at", sa.Float),
    sa.Column("first_response_at", sa.Float),
    sa.Column("closed_at", sa.Float),
    sa.Column("counsellor", sa.String(64)),
    sa.Column("outcomes", sa.Text),
    sa.Column("victim", sa.String(16)),
    sa.Column("survey_satisfied", sa.Boolean),
    sa.Column("survey_helped", sa.Boolean),
)

messages = sa.Table(
    "messages", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("conversation_id", sa.String(32), sa.ForeignKey("conversations.id"), nullable=False, index=True),
    sa.Column("contact_id", sa.Integer),
    # user / bot / counsellor / note (private, never sent) / system
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("author", sa.String(64)),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

events = sa.Table(
    "events", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("conversation_id", sa.String(32), nullable=False, index=True),
    sa.Column("contact_id", sa.Integer),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("from_state", sa.String(16)),
    sa.Column("to_state", sa.String(16)),
    sa.Column("actor", sa.String(64)),
    sa.Column("detail", sa.Text, nullable=False, default="{}"),
    sa.Column("at", sa.Float, nullable=False),
)

# A supervisor's review of one contact.
reviews = sa.Table(
    "reviews", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("contact_id", sa.Integer, sa.ForeignKey("contacts.id"), nullable=False, index=True),
    sa.Column("reviewer", sa.String(64), nullable=False),
    sa.Column("score", sa.Integer),  # 1..5
    sa.Column("tags", sa.Text, nullable=False, default="[]"),
    sa.Column("follow_up", sa.Boolean, nullable=False, default=False),
    sa.Column("note", sa.Text, nullable=False, default=""),
    sa.Column("at", sa.Float, nullable=False),
)

# A referral ("chuyển tuyến") of a contact to a rescue or support partner of the directory.
referrals = sa.Table(
    "referrals", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("conversation_id", sa.String(32), nullable=False, index=True),
    sa.Column("contact_id", sa.Integer, sa.ForeignKey("contacts.id"), nullable=False),
    sa.Column("partner", sa.String(64), nullable=False),  # a service id of data/services.yml
    sa.Column("kind", sa.String(16), nullable=False),  # rescue / support
    sa.Column("summary", sa.Text, nullable=False),  # only the fields the partner needs (JSON)
    sa.Column("status", sa.String(16), nullable=False),  # open / sent / accepted / closed
    sa.Column("outcome", sa.Text, nullable=False, default=""),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

audit = sa.Table(
    "audit", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("object", sa.String(64), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
)


# One statement with bound parameters: building ``insert().values(...)`` for each message cost
# more CPU than SQLite's own work (docs/performance.md, "How the goals were reached").
INSERT_MESSAGE = messages.insert()
_LATEST_CONVERSATION = (sa.select(conversations.c.id)
                        .where(conversations.c.channel == sa.bindparam("channel"),
                               conversations.c.sender == sa.bindparam("sender"))
                        .order_by(conversations.c.created_at.desc()))


def create_engine(url: str) -> sa.engine.Engine:
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        # A pool of open connections: SQLAlchemy 1.4 opens and closes one per use for SQLite files,
        # and closing the last connection checkpoints the WAL, an fsync per message
        # (docs/performance.md, "How the goals were reached").
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                                  poolclass=sa.pool.QueuePool, pool_size=8, max_overflow=8)

        @sa_event.listens_for(engine, "connect")
        def _pragmas(connection, _record):  # WAL lets the gateway and action server share the file
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def _like(value: str) -> str:
    """A search term with LIKE's wildcards taken literally."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _row(row) -> Dict[str, Any]:
    return dict(row._mapping)


class Store:
    def __init__(self, engine: sa.engine.Engine) -> None:
        self.engine = engine
        metadata.create_all(engine)

    @classmethod
    def from_url(cls, url: str) -> "Store":
        return cls(create_engine(url))

    async def run(self, fn, *args, **kwargs):
        return await asyncio.to_thread(fn, *args, **kwargs)

    def ping(self) -> None:
        with self.engine.connect() as db:
            db.execute(sa.text("SELECT 1"))

    # --- conversations and messages -------------------------------------------------
    def find_or_create_conversation(self, channel: str, sender: str, new_id: str) -> Tuple[str, bool]:
        """The latest conversation of a channel user, or a new one with ``new_id``; and whether
        it was created (one transaction: a first message waits for one trip to the database)."""
        with self.engine.begin() as db:
            row = db.execute(_LATEST_CONVERSATION, {"channel": channel, "sender": sender}).first()
            if row:
                return row[0], False
            db.execute(conversations.insert().values(id=new_id, channel=channel, sender=sender, created_at=time.time()))
        return new_id, True

    def delete_empty_conversation(self, conversation_id: str) -> None:
        """Remove a conversation that never got a message (it lost a race to be the user's)."""
        with self.engine.begin() as db:
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
        return _row(row) if row else None

    def add_message(self, conversation_id: str, role: str, text: str, author: Optional[str] = None,
                    contact_id: Optional[int] = None, at: Optional[float] = None) -> Dict[str, Any]:
        values = dict(conversation_id=conversation_id, role=role, text=text, author=author,
                      contact_id=contact_id, created_at=at or time.time())
        with self.engine.begin() as db:
            message_id = db.execute(INSERT_MESSAGE, values).inserted_primary_key[0]
        return {"id": message_id, **values}

    def add_messages(self, conversation_id: str, role: str, texts: List[str], contact_id: Optional[int] = None
                     ) -> List[Dict[str, Any]]:
        """Several messages of one speaker in one transaction (the bot's answers to a message)."""
        out = []
        with self.engine.begin() as db:
            for text in texts:
                values = dict(conversation_id=conversation_id, role=role, text=text, author=None,
                              contact_id=contact_id, created_at=time.time())
                out.append({"id": db.execute(INSERT_MESSAGE, values).inserted_primary_key[0], **values})
        return out

    def message(self, message_id: int) -> Optional[Dict[str, Any]]:
        with self.engine.connect() as db:
            row = db.execute(sa.select(messages).where(messages.c.id == message_id)).first()
        return _row(row) if row else None

    def messages(self, conversation_id: str, after: int = 0) -> List[Dict[str, Any]]:
        query = (sa.select(messages).where(messages.c.conversation_id == conversation_id, messages.c.id > after)
                 .order_by(messages.c.id))
        with self.engine.connect() as db:
            return [_row(r) for r in db.execute(query)]

    def last_message_at(self, conversation_id: str, role: str) -> Optional[float]:
        query = sa.select(sa.func.max(messages.c.created_at)).where(
            messages.c.conversation_id == conversation_id, messages.c.role == role)
        with self.engine.connect() as db:
            return db.execute(query).scalar()

    # --- contacts and events -----------------------------------------------------
    def open_contact(self, conversation_id: str, priority: str, trigger: str, reasons: Iterable[str],
                     trigger_message_id: Optional[int], at: float) -> int:
        with self.engine.begin() as db:
            return db.execute(contacts.insert().values(
                conversation_id=conversation_id, priority=priority, trigger=trigger,
                reasons=json.dumps(list(reasons)), trigger_message_id=trigger_message_id, queued_at=at,
            )).inserted_primary_key[0]

    def update_contact(self, contact_id: int, **values: Any) -> None:
        if "outcomes" in values and not isinstance(values["outcomes"], str):
            values["outcomes"] = json.dumps(values["outcomes"])
        with self.engine.begin() as db:
            db.execute(contacts.update().where(contacts.c.id == contact_id).values(**values))

    def delete_contact(self, contact_id: int) -> None:
        with self.engine.begin() as db:
            db.execute(contacts.delete().where(contacts.c.id == contact_id))

    def set_first_response(self, contact_id: int, at: float) -> None:
        with self.engine.begin() as db:
            db.execute(contacts.update().where(contacts.c.id == contact_id, contacts.c.first_response_at.is_(None))
                       .values(first_response_at=at))

    def contact(self, contact_id: int) -> Optional[Dict[str, Any]]:
        with self.engine.connect() as db:
            row = db.execute(sa.select(contacts).where(contacts.c.id == contact_id)).first()
        return self._contact(row) if row else None

    def contacts_of(self, conversation_id: str) -> List[Dict[str, Any]]:
        query = sa.select(contacts).where(contacts.c.conversation_id == conversation_id).order_by(contacts.c.id)
        with self.engine.connect() as db:
            return [self._contact(r) for r in db.execute(query)]

    @staticmethod
    def _contact(row) -> Dict[str, Any]:
        out = _row(row)
        out["reasons"] = json.loads(out["reasons"] or "[]")
        out["outcomes"] = json.loads(out["outcomes"]) if out["outcomes"] else []
        return out

    def add_event(self, conversation_id: str, kind: str, from_state: Optional[str], to_state: Optional[str],
                  actor: Optional[str], contact_id: Optional[int], at: float, **detail: Any) -> None:
        with self.engine.begin() as db:
            db.execute(events.insert().values(
                conversation_id=conversation_id, contact_id=contact_id, kind=kind, from_state=from_state,
                to_state=to_state, actor=actor, detail=json.dumps(detail, ensure_ascii=False), at=at))

    def events(self, conversation_id: str) -> List[Dict[str, Any]]:
        query = sa.select(events).where(events.c.conversation_id == conversation_id).order_by(events.c.id)
        with self.engine.connect() as db:
            rows = [_row(r) for r in db.execute(query)]
        for row in rows:
            row["detail"] = json.loads(row["detail"] or "{}")
        return rows

    # --- review ------------------------------------------------------------------
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
            query = query.where(contacts.c.outcomes.like(f'%"{_like(outcome)}"%', escape="\\"))
        if reason:
            query = query.where(contacts.c.reasons.like(f'%"{_like(reason)}"%', escape="\\"))
        if place:  # a province or country the person mentioned
            mentioned = sa.select(messages.c.conversation_id).where(
                messages.c.role == "user", sa.func.lower(messages.c.text).like(f"%{_like(place.lower())}%",
                                                                               escape="\\"))
            query = query.where(contacts.c.conversation_id.in_(mentioned))
        query = query.order_by(contacts.c.queued_at.desc()).limit(limit)
        with self.engine.connect() as db:
            return [self._contact(row) for row in db.execute(query)]

    def add_review(self, contact_id: int, reviewer: str, score: Optional[int], tags: List[str], follow_up: bool,
                   note: str) -> None:
        with self.engine.begin() as db:
            db.execute(reviews.insert().values(contact_id=contact_id, reviewer=reviewer, score=score,
                                               tags=json.dumps(tags, ensure_ascii=False), follow_up=follow_up,
                                               note=note, at=time.time()))

    def reviews_of(self, conversation_id: str) -> List[Dict[str, Any]]:
        query = (sa.select(reviews).join(contacts, contacts.c.id == reviews.c.contact_id)
                 .where(contacts.c.conversation_id == conversation_id).order_by(reviews.c.id))
        with self.engine.connect() as db:
            rows = [_row(r) for r in db.execute(query)]
        for row in rows:
            row["tags"] = json.loads(row["tags"] or "[]")
        return rows

    # --- referrals -----------------------------------------------------------------
    def add_referral(self, conversation_id: str, contact_id: int, partner: str, kind: str, summary: Dict[str, Any],
                     created_by: str) -> int:
        now = time.time()
        with self.engine.begin() as db:
            return db.execute(referrals.insert().values(
                conversation_id=conversation_id, contact_id=contact_id, partner=partner, kind=kind,
                summary=json.dumps(summary, ensure_ascii=False), status="open", outcome="", created_by=created_by,
                created_at=now, updated_at=now)).inserted_primary_key[0]

    def update_referral(self, referral_id: int, **values: Any) -> None:
        with self.engine.begin() as db:
            db.execute(referrals.update().where(referrals.c.id == referral_id).values(updated_at=time.time(), **values))

    def referral(self, referral_id: int) -> Optional[Dict[str, Any]]:
        with self.engine.connect() as db:
            row = db.execute(sa.select(referrals).where(referrals.c.id == referral_id)).first()
        return self._referral(row) if row else None

    def referrals_of(self, conversation_id: str) -> List[Dict[str, Any]]:
        query = sa.select(referrals).where(referrals.c.conversation_id == conversation_id).order_by(referrals.c.id)
        with self.engine.connect() as db:
            return [self._referral(r) for r in db.execute(query)]

    @staticmethod
    def _referral(row) -> Dict[str, Any]:
        out = _row(row)
        out["summary"] = json.loads(out["summary"])
        return out

    # --- accounts and audit ------------------------------------------------------
    def add_user(self, username: str, display_name: str, role: str, password_hash: str, capacity: int) -> None:
        with self.engine.begin() as db:
            db.execute(users.insert().values(username=username, display_name=display_name, role=role,
                                             password_hash=password_hash, capacity=capacity, active=True,
                                             created_at=time.time()))

    def update_user(self, username: str, **values: Any) -> bool:
        with self.engine.begin() as db:
            return db.execute(users.update().where(users.c.username == username).values(**values)).rowcount == 1

    def user(self, username: str) -> Optional[Dict[str, Any]]:
        with self.engine.connect() as db:
            row = db.execute(sa.select(users).where(users.c.username == username)).first()
        return _row(row) if row else None

    def users(self) -> List[Dict[str, Any]]:
        with self.engine.connect() as db:
            return [_row(r) for r in db.execute(sa.select(users).order_by(users.c.username))]

    def audit(self, actor: str, action: str, obj: str) -> None:
        with self.engine.begin() as db:
            db.execute(audit.insert().values(actor=actor, action=action, object=obj, at=time.time()))

    def audit_log(self) -> List[Dict[str, Any]]:
        with self.engine.connect() as db:
            return [_row(r) for r in db.execute(sa.select(audit).order_by(audit.c.id))]

    def audit_page(self, before: Optional[int], limit: int) -> List[Dict[str, Any]]:
        """Up to ``limit`` entries, newest first, older than the entry ``before`` when given."""
        query = sa.select(audit).order_by(audit.c.id.desc()).limit(limit)
        if before is not None:
            query = query.where(audit.c.id < before)
        with self.engine.connect() as db:
            return [_row(r) for r in db.execute(query)]
