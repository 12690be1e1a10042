"""Who may do what, and on which conversation: one answer for the API, the live line and the page.

``can(session, action, target)`` is the only place access is decided. It has two layers, as in
techmatters/hrm's ``permissions/setupCanForRules.ts``:

- the role layer: ``data/permissions.yml`` lists the roles allowed each action. Deny by default:
  an action not listed there is refused to everyone.
- the object layer: ``RULES`` below gives, for each action on a conversation, sets of named
  conditions. The action is allowed on a conversation when every condition of at least one set
  holds for this user; an action on a conversation without a rule is refused.

The named conditions (``CONDITIONS``):

- ``supervisor``: the user is a supervisor (sees the whole line);
- ``admin``: the user is an administrator (exports or erases a case on a person's request);
- ``owner``: the user holds the conversation now (it is assigned to them);
- ``handled_before``: the user handled one of the conversation's contacts (escalations);
- ``waiting``: the conversation waits in the queue;
- ``live``: it waits in the queue or a counsellor holds it;
- ``has_contact``: it was escalated at least once (there is a contact to review);
- ``works_on``: about a case (``Case``), the user leads it, opened it, holds one of its tasks or
  handled one of its contacts.

A condition written ``not owner`` holds when ``owner`` does not. A conversation a user may not
see (``can(session, "conversation.read", target)`` without the role part) is answered as if it did
not exist, so ids cannot be probed (handoff/console/guard.py). The queue's Lua scripts still decide
each state change atomically: ``waiting`` and ``owner`` say what to offer and refuse early, the
script has the last word when two people act at once.

The page never re-decides: each conversation in the API's JSON carries ``allowed``, the actions
this user may take on it (``allowed_on``), and ``/api/me`` carries the actions allowed without a
target (``allowed_actions``).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Tuple

import yaml

PERMISSIONS_FILE = Path(__file__).resolve().parent.parent / "data" / "permissions.yml"


# --- the role layer ---------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def permissions() -> Dict[str, Tuple[str, ...]]:
    """action -> roles allowed, from data/permissions.yml."""
    raw = yaml.safe_load(PERMISSIONS_FILE.read_text(encoding="utf-8"))["actions"]
    return {action: tuple(roles or ()) for action, roles in raw.items()}


def allowed(action: str) -> Tuple[str, ...]:
    """The roles allowed ``action``; an action not listed: nobody."""
    return permissions().get(action, ())


def holds_conversations(role: str) -> bool:
    """Whether accounts of this role take conversations (may be given one, appear in the team)."""
    return role in allowed("conversation.claim")


# --- the object ---------------------------------------------------------------------
@dataclass(frozen=True)
class Conversation:
    """What access depends on, about one conversation."""

    id: str
    state: str = "bot"  # bot, queued or assigned (handoff/queue.py)
    counsellor: str = ""  # who holds it; empty unless assigned
    handled_by: FrozenSet[str] = field(default_factory=frozenset)  # the counsellors of its contacts
    contacts: int = 0  # how many times it was escalated

    @classmethod
    def of(cls, cid: str, state: Mapping[str, str], contacts: Sequence[Mapping[str, Any]]) -> "Conversation":
        """From the live state (Redis) and the stored contacts (SQL)."""
        return cls(cid, state.get("state", "bot"), state.get("counsellor", "") or "",
                   frozenset(c["counsellor"] for c in contacts if c.get("counsellor")), len(contacts))

    @classmethod
    def of_event(cls, payload: Mapping[str, Any]) -> "Conversation":
        """From a live event: it carries the state and the holder, not the history."""
        return cls(str(payload.get("conversation", "")), str(payload.get("state", "")),
                   str(payload.get("counsellor", "") or ""))


@dataclass(frozen=True)
class Case:
    """What access depends on, about one case (docs/cases.md): who works on it."""

    id: int
    workers: FrozenSet[str] = field(default_factory=frozenset)  # lead, opener, task holders, contacts' counsellors


Condition = Callable[[Any, Any], bool]

CONDITIONS: Dict[str, Condition] = {
    "supervisor": lambda session, c: session.role == "supervisor",
    "admin": lambda session, c: session.role == "admin",
    "owner": lambda session, c: c.state == "assigned" and c.counsellor == session.username,
    "handled_before": lambda session, c: session.username in c.handled_by,
    "waiting": lambda session, c: c.state == "queued",
    "live": lambda session, c: c.state in ("queued", "assigned"),
    "has_contact": lambda session, c: c.contacts > 0,
    "works_on": lambda session, c: session.username in getattr(c, "workers", ()),
}

ConditionSets = Tuple[Tuple[str, ...], ...]

# Who may see a conversation at all: anything else is answered as "not found".
SEE: ConditionSets = (("supervisor",), ("admin",), ("waiting",), ("owner",), ("handled_before",))
OWNER: ConditionSets = (("owner",),)

RULES: Dict[str, ConditionSets] = {
    "conversation.read": SEE,
    "referral.update": SEE,
    "conversation.claim": (("waiting",),),
    "conversation.ack": OWNER,
    "conversation.message": OWNER,
    "conversation.transfer": OWNER,
    "conversation.close": OWNER,
    "conversation.refer": OWNER,
    "conversation.contact": (("supervisor",), ("owner",)),
    "conversation.take_over": (("supervisor", "live", "not owner"),),
    "conversation.reassign": (("supervisor", "live"),),
    "conversation.block": (("supervisor",),),
    "conversation.review": (("supervisor", "has_contact"),),
    "conversation.export": (("admin",),),
    "conversation.erase": (("admin",),),
    # cases: a supervisor sees every case, a counsellor those they work on
    "case.read": (("supervisor",), ("works_on",)),
    "case.update": (("supervisor",), ("works_on",)),
}
CASE_ACTIONS = ("case.read", "case.update")


def holds(name: str, session: Any, target: Conversation) -> bool:
    """One named condition, or its negation (``not owner``)."""
    if name.startswith("not "):
        return not CONDITIONS[name[4:]](session, target)
    return CONDITIONS[name](session, target)


def satisfied(sets: Iterable[Sequence[str]], session: Any, target: Conversation) -> bool:
    """True when every condition of at least one non-empty set holds (hrm's checkConditionsSets)."""
    return any(conditions and all(holds(name, session, target) for name in conditions) for conditions in sets)


def sees(session: Any, target: Conversation) -> bool:
    """Whether this user may know the conversation exists (else: "not found")."""
    return satisfied(SEE, session, target)


def can(session: Any, action: str, target: Optional[Any] = None) -> bool:
    """May this user do ``action`` (on ``target``, a ``Conversation`` or a ``Case``, when the action is about one)?"""
    if session is None or session.role not in allowed(action):
        return False
    if target is None:
        return True
    rule = RULES.get(action)
    return rule is not None and satisfied(rule, session, target)


def allowed_on(session: Any, target: Any) -> List[str]:
    """The actions this user may take on this conversation or case, for the page to offer."""
    actions = CASE_ACTIONS if isinstance(target, Case) else [a for a in RULES if a not in CASE_ACTIONS]
    return [action for action in actions if can(session, action, target)]


def allowed_actions(session: Any) -> List[str]:
    """The actions this user's role may take, whatever the object (the page's panels)."""
    return [action for action in permissions() if can(session, action)]
