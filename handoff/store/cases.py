"""Cases in SQL (``store.cases``): a case, its people, follow-up tasks, checklist decisions and
timeline, and the contacts attached to it (docs/cases.md). Each change also writes one timeline
event and touches the case's ``updated_at``, in one transaction."""
from __future__ import annotations

import json
import time
from typing import Any, Dict, List, Optional, Set

import sqlalchemy as sa

from handoff.store.tables import (as_contact, as_dict, as_event, case_events, case_indicators, case_people,
                                  case_tasks, cases, contacts, conversations, like)


def _event(db, case_id: int, kind: str, actor: str, at: float, **detail: Any) -> None:
    db.execute(case_events.insert().values(case_id=case_id, kind=kind, actor=actor, at=at,
                                           detail=json.dumps(detail, ensure_ascii=False)))
    db.execute(cases.update().where(cases.c.id == case_id).values(updated_at=at))


class Cases:
    def __init__(self, engine: sa.engine.Engine) -> None:
        self.engine = engine

    # --- the case ---------------------------------------------------------------------
    def create(self, title: str, actor: str, at: Optional[float] = None) -> int:
        at = at or time.time()
        with self.engine.begin() as db:
            case_id = db.execute(cases.insert().values(title=title, status="open", counsellor=actor, created_by=actor,
                                                       created_at=at, updated_at=at)).inserted_primary_key[0]
            _event(db, case_id, "opened", actor, at, title=title)
        return case_id

    def get(self, case_id: int) -> Optional[Dict[str, Any]]:
        with self.engine.connect() as db:
            row = db.execute(sa.select(cases).where(cases.c.id == case_id)).first()
        return as_dict(row) if row else None

    def workers(self, case_id: int) -> Set[str]:
        """Everyone who works on the case: who leads or opened it, holds a task on it, or handled
        one of its contacts (handoff/permissions.py, ``works_on``)."""
        with self.engine.connect() as db:
            found = db.execute(sa.select(cases.c.counsellor, cases.c.created_by).where(cases.c.id == case_id)).first()
            if found is None:
                return set()
            names = set(found)
            names |= set(db.execute(sa.select(case_tasks.c.assignee).where(case_tasks.c.case_id == case_id)).scalars())
            names |= set(db.execute(sa.select(contacts.c.counsellor).where(contacts.c.case_id == case_id)).scalars())
        return {name for name in names if name}

    def _visible_to(self, username: str):
        """The SQL form of ``workers``: cases this user works on."""
        tasks = sa.select(case_tasks.c.case_id).where(case_tasks.c.assignee == username)
        handled = sa.select(contacts.c.case_id).where(contacts.c.counsellor == username, contacts.c.case_id.is_not(None))
        return sa.or_(cases.c.counsellor == username, cases.c.created_by == username, cases.c.id.in_(tasks),
                      cases.c.id.in_(handled))

    def search(self, username: Optional[str] = None, status: Optional[str] = None, text: Optional[str] = None,
               limit: int = 100) -> List[Dict[str, Any]]:
        """Cases, latest activity first: those ``username`` works on (None: every case), of
        ``status``, whose title, people or notes hold ``text``."""
        query = sa.select(cases)
        if username is not None:
            query = query.where(self._visible_to(username))
        if status:
            query = query.where(cases.c.status == status)
        if text:
            term = f"%{like(text.lower())}%"
            people = sa.select(case_people.c.case_id).where(sa.func.lower(case_people.c.description).like(term, escape="\\"))
            notes = sa.select(case_events.c.case_id).where(case_events.c.kind == "note",
                                                           sa.func.lower(case_events.c.detail).like(term, escape="\\"))
            query = query.where(sa.or_(sa.func.lower(cases.c.title).like(term, escape="\\"),
                                       cases.c.id.in_(people), cases.c.id.in_(notes)))
        query = query.order_by(cases.c.updated_at.desc(), cases.c.id.desc()).limit(limit)
        with self.engine.connect() as db:
            found = [as_dict(row) for row in db.execute(query)]
            ids = [c["id"] for c in found]
            counted = dict(db.execute(sa.select(contacts.c.case_id, sa.func.count()).where(contacts.c.case_id.in_(ids))
                                      .group_by(contacts.c.case_id)).all()) if ids else {}
            open_tasks = dict(db.execute(sa.select(case_tasks.c.case_id, sa.func.count())
                                         .where(case_tasks.c.case_id.in_(ids), case_tasks.c.status == "open")
                                         .group_by(case_tasks.c.case_id)).all()) if ids else {}
        for case in found:
            case["contacts"], case["open_tasks"] = counted.get(case["id"], 0), open_tasks.get(case["id"], 0)
        return found

    def set_status(self, case_id: int, status: str, actor: str) -> None:
        at = time.time()
        with self.engine.begin() as db:
            previous = db.execute(sa.select(cases.c.status).where(cases.c.id == case_id)).scalar()
            db.execute(cases.update().where(cases.c.id == case_id)
                       .values(status=status, closed_at=at if status == "closed" else None))
            _event(db, case_id, "status", actor, at, previous=previous, status=status)

    # --- its contacts -------------------------------------------------------------------
    def attach(self, case_id: int, contact_id: int, actor: str) -> None:
        """The contact joins the case (leaving any other); nothing happens when it is there already."""
        at = time.time()
        with self.engine.begin() as db:
            moved = db.execute(contacts.update().where(contacts.c.id == contact_id, sa.or_(
                contacts.c.case_id.is_(None), contacts.c.case_id != case_id)).values(case_id=case_id)).rowcount
            if moved:
                _event(db, case_id, "contact_added", actor, at, contact=contact_id)

    def contacts(self, case_id: int) -> List[Dict[str, Any]]:
        """The case's contacts, oldest first, each with its channel."""
        query = (sa.select(contacts, conversations.c.channel)
                 .join(conversations, conversations.c.id == contacts.c.conversation_id)
                 .where(contacts.c.case_id == case_id).order_by(contacts.c.queued_at, contacts.c.id))
        with self.engine.connect() as db:
            return [as_contact(row) for row in db.execute(query)]

    # --- notes and people ---------------------------------------------------------------
    def add_note(self, case_id: int, text: str, actor: str) -> None:
        with self.engine.begin() as db:
            _event(db, case_id, "note", actor, time.time(), text=text)

    def add_person(self, case_id: int, role: str, description: str, age_group: Optional[str], sex: Optional[str],
                   actor: str) -> None:
        at = time.time()
        with self.engine.begin() as db:
            person = db.execute(case_people.insert().values(case_id=case_id, role=role, description=description,
                                                            age_group=age_group, sex=sex, added_by=actor, at=at)
                                ).inserted_primary_key[0]
            _event(db, case_id, "person_added", actor, at, person=person, role=role)

    def people(self, case_id: int) -> List[Dict[str, Any]]:
        query = sa.select(case_people).where(case_people.c.case_id == case_id).order_by(case_people.c.id)
        with self.engine.connect() as db:
            return [as_dict(row) for row in db.execute(query)]

    # --- the checklist ------------------------------------------------------------------
    def decide(self, case_id: int, indicator: str, decision: Optional[str], actor: str) -> None:
        """Confirm or reject an indicator; ``None`` takes the decision back."""
        at = time.time()
        with self.engine.begin() as db:
            db.execute(case_indicators.delete().where(case_indicators.c.case_id == case_id,
                                                      case_indicators.c.indicator == indicator))
            if decision:
                db.execute(case_indicators.insert().values(case_id=case_id, indicator=indicator, decision=decision,
                                                           decided_by=actor, at=at))
            _event(db, case_id, "indicator", actor, at, indicator=indicator, decision=decision or "clear")

    def decisions(self, case_id: int) -> Dict[str, Dict[str, Any]]:
        query = sa.select(case_indicators).where(case_indicators.c.case_id == case_id)
        with self.engine.connect() as db:
            return {row.indicator: as_dict(row) for row in db.execute(query)}

    def confirmed(self, case_ids: List[int]) -> Dict[int, Set[str]]:
        """case id -> its confirmed indicators (the case export)."""
        out: Dict[int, Set[str]] = {case_id: set() for case_id in case_ids}
        if not case_ids:
            return out
        query = sa.select(case_indicators.c.case_id, case_indicators.c.indicator).where(
            case_indicators.c.case_id.in_(case_ids), case_indicators.c.decision == "confirmed")
        with self.engine.connect() as db:
            for case_id, indicator in db.execute(query):
                out[case_id].add(indicator)
        return out

    # --- follow-up tasks ----------------------------------------------------------------
    def add_task(self, case_id: int, title: str, due: str, assignee: str, actor: str) -> int:
        at = time.time()
        with self.engine.begin() as db:
            task = db.execute(case_tasks.insert().values(case_id=case_id, title=title, due=due, assignee=assignee,
                                                         status="open", created_by=actor, created_at=at)
                              ).inserted_primary_key[0]
            _event(db, case_id, "task_added", actor, at, task=task, title=title, due=due, assignee=assignee)
        return task

    def task(self, task_id: int) -> Optional[Dict[str, Any]]:
        with self.engine.connect() as db:
            row = db.execute(sa.select(case_tasks).where(case_tasks.c.id == task_id)).first()
        return as_dict(row) if row else None

    def complete(self, task_id: int, actor: str) -> None:
        at = time.time()
        with self.engine.begin() as db:
            task = db.execute(sa.select(case_tasks).where(case_tasks.c.id == task_id)).first()
            db.execute(case_tasks.update().where(case_tasks.c.id == task_id)
                       .values(status="done", done_by=actor, done_at=at))
            _event(db, task.case_id, "task_done", actor, at, task=task_id, title=task.title)

    def tasks(self, case_id: int) -> List[Dict[str, Any]]:
        query = sa.select(case_tasks).where(case_tasks.c.case_id == case_id).order_by(case_tasks.c.due, case_tasks.c.id)
        with self.engine.connect() as db:
            return [as_dict(row) for row in db.execute(query)]

    def open_tasks_of(self, assignee: str) -> List[Dict[str, Any]]:
        """A counsellor's "Việc cần làm": open tasks, soonest due first, with their case's title."""
        query = (sa.select(case_tasks, cases.c.title.label("case_title"))
                 .join(cases, cases.c.id == case_tasks.c.case_id)
                 .where(case_tasks.c.assignee == assignee, case_tasks.c.status == "open")
                 .order_by(case_tasks.c.due, case_tasks.c.id))
        with self.engine.connect() as db:
            return [as_dict(row) for row in db.execute(query)]

    # --- the timeline -------------------------------------------------------------------
    def timeline(self, case_id: int) -> List[Dict[str, Any]]:
        query = sa.select(case_events).where(case_events.c.case_id == case_id).order_by(case_events.c.id)
        with self.engine.connect() as db:
            return [as_event(row) for row in db.execute(query)]

    def in_period(self, start: float, end: float) -> List[Dict[str, Any]]:
        """Cases opened in [start, end) (the case export)."""
        query = (sa.select(cases).where(cases.c.created_at >= start, cases.c.created_at < end)
                 .order_by(cases.c.id))
        with self.engine.connect() as db:
            return [as_dict(row) for row in db.execute(query)]
