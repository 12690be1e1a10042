"""Console accounts and the audit log in SQL (``store.accounts``, ``store.audit``)."""
from __future__ import annotations

import time
from typing import Any, Dict, List, Optional

import sqlalchemy as sa

from handoff.store.tables import as_dict, audit, users


class Accounts:
    """The console's users: their role, capacity and password hash (handoff/auth.py)."""

    def __init__(self, engine: sa.engine.Engine) -> None:
        self.engine = engine

    def add(self, username: str, display_name: str, role: str, password_hash: str, capacity: int) -> None:
        with self.engine.begin() as db:
            db.execute(users.insert().values(username=username, display_name=display_name, role=role,
                                             password_hash=password_hash, capacity=capacity, active=True,
                                             created_at=time.time()))

    def update(self, username: str, **values: Any) -> bool:
        with self.engine.begin() as db:
            return db.execute(users.update().where(users.c.username == username).values(**values)).rowcount == 1

    def get(self, username: str) -> Optional[Dict[str, Any]]:
        with self.engine.connect() as db:
            found = db.execute(sa.select(users).where(users.c.username == username)).first()
        return as_dict(found) if found else None

    def all(self) -> List[Dict[str, Any]]:
        with self.engine.connect() as db:
            return [as_dict(r) for r in db.execute(sa.select(users).order_by(users.c.username))]


class AuditLog:
    """Who read, searched, revealed, exported or erased what, and when."""

    def __init__(self, engine: sa.engine.Engine) -> None:
        self.engine = engine

    def record(self, actor: str, action: str, obj: str) -> None:
        with self.engine.begin() as db:
            db.execute(audit.insert().values(actor=actor, action=action, object=obj, at=time.time()))

    def all(self) -> List[Dict[str, Any]]:
        with self.engine.connect() as db:
            return [as_dict(r) for r in db.execute(sa.select(audit).order_by(audit.c.id))]

    def page(self, before: Optional[int], limit: int, actor: Optional[str] = None, action: Optional[str] = None,
             start: Optional[float] = None, end: Optional[float] = None) -> List[Dict[str, Any]]:
        """Up to ``limit`` entries, newest first, older than the entry ``before`` when given; only
        those of ``actor``, of ``action``, at or after ``start`` and before ``end``, when given."""
        query = sa.select(audit).order_by(audit.c.id.desc()).limit(limit)
        wanted = ((before, lambda v: audit.c.id < v), (actor, lambda v: audit.c.actor == v),
                  (action, lambda v: audit.c.action == v), (start, lambda v: audit.c.at >= v),
                  (end, lambda v: audit.c.at < v))
        for value, condition in wanted:
            if value is not None:
                query = query.where(condition(value))
        with self.engine.connect() as db:
            return [as_dict(r) for r in db.execute(query)]

    def actors(self) -> List[str]:
        """Everyone in the log, for the admin page's filter (accounts since removed included)."""
        with self.engine.connect() as db:
            return [r[0] for r in db.execute(sa.select(audit.c.actor).distinct().order_by(audit.c.actor))]
