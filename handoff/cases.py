"""A case as the console shows it (docs/cases.md): its summary, people, contacts, follow-up tasks,
screening checklist and timeline, assembled from ``store.cases``. The checklist's proposals come
from the urgency detector's reason tags on the case's contacts (data/indicators.yml); only the
counsellor's decisions are stored."""
from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional

from handoff.events import Event
from handoff.framework import CASE_STATUSES, indicators, proposals
from handoff.outcomes import FOLLOW_UP_OUTCOMES
from handoff.permissions import Case
from handoff.store import Store

MAX_TITLE = 200
MAX_TEXT = 4000


def target(store: Store, case_id: int) -> Case:
    """What access to the case depends on (handoff/permissions.py)."""
    return Case(case_id, frozenset(store.cases.workers(case_id)))


def contact_summary(contact: Mapping[str, Any]) -> Dict[str, Any]:
    """A contact as a case's timeline lists it: no words of the person, only what was recorded."""
    keep = ("id", "conversation_id", "channel", "priority", "trigger", "reasons", "queued_at", "closed_at",
            "counsellor", "outcomes", "victim", "contact_type", "category", "age_group", "sex", "province", "line",
            "duration_s")
    return {key: contact.get(key) for key in keep}


def checklist(contacts: List[Mapping[str, Any]], decisions: Mapping[str, Mapping[str, Any]]) -> List[Dict[str, Any]]:
    """Every indicator with what its state is: ``confirmed`` / ``rejected`` (decided, by whom) or
    ``proposed`` (a reason tag heard on a contact suggests it) or ``None``."""
    heard = proposals([tag for contact in contacts for tag in contact.get("reasons") or []])
    out = []
    for indicator in indicators():
        decided = decisions.get(indicator.id)
        state = decided["decision"] if decided else ("proposed" if indicator.id in heard else None)
        out.append({"id": indicator.id, "label": indicator.label, "group": indicator.group, "htcds": indicator.htcds,
                    "state": state, "proposed_by": heard.get(indicator.id, []),
                    "decided_by": decided["decided_by"] if decided else None,
                    "decided_at": decided["at"] if decided else None})
    return out


def summary(case: Mapping[str, Any], contacts: int, open_tasks: int, allowed: List[str]) -> Dict[str, Any]:
    return {**case, "status_name": CASE_STATUSES.get(case["status"], case["status"]), "contact_count": contacts,
            "open_tasks": open_tasks, "allowed": allowed}


def view(store: Store, case_id: int, allowed: List[str]) -> Optional[Dict[str, Any]]:
    """The whole case for its page; None if there is no such case."""
    case = store.cases.get(case_id)
    if case is None:
        return None
    contacts = store.cases.contacts(case_id)
    tasks = store.cases.tasks(case_id)
    return {
        **summary(case, len(contacts), sum(1 for t in tasks if t["status"] == "open"), allowed),
        "people": store.cases.people(case_id),
        "contacts": [contact_summary(c) for c in contacts],
        "tasks": tasks,
        "indicators": checklist(contacts, store.cases.decisions(case_id)),
        "timeline": store.cases.timeline(case_id),
    }


class ReferredCases:
    """A listener (handoff/events.py): an open case one of whose contacts is referred to a rescue or
    support partner, or closed with such a referral, becomes "referred" (Đã chuyển tuyến)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def __call__(self, event: Event) -> None:
        referred = event.kind == "referral_opened" or (
            event.kind == "closed" and FOLLOW_UP_OUTCOMES & set(event.detail.get("outcomes") or ()))
        if not referred or not event.contact:
            return
        contact = await self.store.run(self.store.contact, event.contact)
        case = await self.store.run(self.store.cases.get, contact["case_id"]) if contact and contact["case_id"] else None
        if case and case["status"] == "open":
            await self.store.run(self.store.cases.set_status, case["id"], "referred", event.actor)
