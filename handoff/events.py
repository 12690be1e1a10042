"""A state change is recorded once and published once.

Each step of the handoff (handoff/queue.py, claims.py, transfers.py, …) first makes its change
atomically in Redis, then hands an ``Event`` to ``Events.record_event``: the contact's new
values and the event go to the durable record (SQL), then every listener hears of it, in the
order they were added. Listeners own the side effects (handoff/listeners.py: consoles, Rasa's
pause and resume, telling the person, alerting supervisors), as chatwoot's listeners do.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, List, Optional

from handoff.store import Store


@dataclass
class Event:
    kind: str  # queued, claimed, closed, … (the durable record's kinds)
    conversation: str
    actor: str
    from_state: Optional[str] = None
    to_state: Optional[str] = None
    contact: Optional[int] = None
    at: float = field(default_factory=time.time)
    detail: Dict[str, Any] = field(default_factory=dict)  # kept with the event
    contact_update: Dict[str, Any] = field(default_factory=dict)  # the contact's new values, written first
    # For the listeners only, never stored:
    state: Dict[str, str] = field(default_factory=dict)  # the live state the listeners act on
    # What the person is told of who is with them (handoff/listeners.py): "joined", "continued"
    # (after one stepped away), "handed_over" (to a colleague), "stepped_away", or "" (nothing)
    greet: str = ""
    survey: str = ""  # the survey's first question, sent with the closing notice
    waited_s: float = 0.0  # how long an alerted case has waited


Listener = Callable[[Event], Awaitable[None]]


class Events:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.listeners: List[Listener] = []

    def listen(self, listener: Listener) -> None:
        self.listeners.append(listener)

    async def record_event(self, event: Event) -> None:
        if event.contact_update:
            await self.store.run(self.store.update_contact, event.contact, **event.contact_update)
        await self.store.run(self.store.add_event, event.conversation, event.kind, event.from_state, event.to_state,
                             event.actor, event.contact, event.at, **event.detail)
        for listener in self.listeners:
            await listener(event)
