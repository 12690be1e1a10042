"""The durable record's tables, in one metadata that every data-access class of handoff/store/
uses; the engine; how a row reads back.

SQLAlchemy Core (2.x, the services' runtime); SQLite by default, PostgreSQL through DATABASE_URL.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

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
    # Languages besides Vietnamese the person reads and writes, space-separated codes (nlu/language.py):
    # cases in them are offered to them first (handoff/language_offer.py).
    sa.Column("languages", sa.String(64)),
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
    # Recorded at closing, for chats and logged calls alike (data/contact_framework.yml, docs/cases.md).
    sa.Column("contact_type", sa.String(32)),
    # The language the person wrote in when not Vietnamese (nlu/language.py): en, km, lo, th, my, zh, hmn.
    sa.Column("language", sa.String(8)),
    sa.Column("category", sa.String(32)),
    sa.Column("age_group", sa.String(16)),
    sa.Column("sex", sa.String(16)),
    sa.Column("province", sa.String(64)),
    sa.Column("line", sa.String(32)),  # a logged call: the hotline number it came in on
    sa.Column("duration_s", sa.Float),  # a logged call or walk-in: how long it lasted
    sa.Column("case_id", sa.Integer, index=True),
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

# A case groups the contacts about one situation (docs/cases.md): its people, tasks, checklist
# decisions and timeline hang from it.
cases = sa.Table(
    "cases", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # open / referred / closed
    sa.Column("counsellor", sa.String(64)),  # who leads it
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.Column("closed_at", sa.Float),
)

case_people = sa.Table(
    "case_people", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False, index=True),
    sa.Column("role", sa.String(32), nullable=False),  # person_at_risk / caller / suspected_trafficker
    sa.Column("description", sa.Text, nullable=False, default=""),
    sa.Column("age_group", sa.String(16)),
    sa.Column("sex", sa.String(16)),
    sa.Column("added_by", sa.String(64), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
)

case_tasks = sa.Table(
    "case_tasks", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False, index=True),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("due", sa.String(10), nullable=False),  # a Vietnam date, YYYY-MM-DD
    sa.Column("assignee", sa.String(64), nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False),  # open / done
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("done_by", sa.String(64)),
    sa.Column("done_at", sa.Float),
)

# Only what a counsellor decided about an indicator of data/indicators.yml; proposals are
# computed from the contacts' reason tags each time the case is read.
case_indicators = sa.Table(
    "case_indicators", metadata,
    sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), primary_key=True),
    sa.Column("indicator", sa.String(64), primary_key=True),
    sa.Column("decision", sa.String(16), nullable=False),  # confirmed / rejected
    sa.Column("decided_by", sa.String(64), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
)

case_events = sa.Table(
    "case_events", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False, index=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("detail", sa.Text, nullable=False, default="{}"),
    sa.Column("at", sa.Float, nullable=False),
)

# The outage buffer's entries already written (handoff/spool.py): an entry and its record are one
# transaction, so an entry replayed twice (a gateway stopped between the commit and the stream's
# XDEL) is written once. ``result``: the id the entry's row got, for the provisional id it stood for.
spool_applied = sa.Table(
    "spool_applied", metadata,
    sa.Column("entry", sa.String(40), primary_key=True),
    sa.Column("result", sa.Integer),
    sa.Column("at", sa.Float, nullable=False),
)

audit = sa.Table(
    "audit", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("object", sa.String(64), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
)


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
    if url.startswith("postgresql"):
        # A server that stops answering (a network partition, a failover) fails a call within seconds
        # instead of holding a thread for TCP's quarter of an hour; the message path's writes then
        # wait in Redis (handoff/spool.py). libpq's own settings, understood by psycopg 2 and 3.
        return sa.create_engine(url, pool_pre_ping=True, connect_args={
            "connect_timeout": 5, "tcp_user_timeout": 10_000,
            "keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 2})
    return sa.create_engine(url, pool_pre_ping=True)


def add_missing_columns(engine: sa.engine.Engine) -> None:
    """Columns added to a table since a database was made (``create_all`` makes missing tables,
    not missing columns): added here, nullable, so a line's existing record opens unchanged."""
    inspector = sa.inspect(engine)
    for table in metadata.sorted_tables:
        if not inspector.has_table(table.name):
            continue
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in present and column.nullable and not column.primary_key:
                kind = column.type.compile(dialect=engine.dialect)
                with engine.begin() as db:
                    db.execute(sa.text(f'ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}'))


def like(value: str) -> str:
    """A search term with LIKE's wildcards taken literally."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def as_dict(found) -> Dict[str, Any]:
    return dict(found._mapping)


def as_event(found) -> Dict[str, Any]:
    """An event (of a conversation or a case) with its JSON detail read back."""
    out = as_dict(found)
    out["detail"] = json.loads(out["detail"] or "{}")
    return out


def as_contact(found) -> Dict[str, Any]:
    """A contact with its JSON lists (reasons, outcomes) read back."""
    out = as_dict(found)
    out["reasons"] = json.loads(out["reasons"] or "[]")
    out["outcomes"] = json.loads(out["outcomes"]) if out["outcomes"] else []
    return out
