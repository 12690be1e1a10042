"""Writing the outage buffer's entries to SQL (handoff/spool.py holds the buffer itself).

Each entry is one of the store's writes, by name and keyword arguments. It is written in one
transaction with its row in ``spool_applied``: an entry applied twice (a process stopped between
the commit and the stream's delete) finds its row and is not written again.
"""
from __future__ import annotations

import time
from typing import Any, Dict, Optional

import sqlalchemy as sa

from handoff.store.tables import spool_applied

# The store's writes that may wait in the buffer, and the arguments that may hold a provisional
# id (a row written while SQL was away gets a negative id until its entry is written).
SPOOLED_WRITES = ("create_conversation", "delete_empty_conversation", "add_message", "open_contact",
                  "update_contact", "delete_contact", "set_first_response", "add_event", "add_audit")
ID_ARGUMENTS = ("contact_id", "trigger_message_id")


def apply_entry(store, entry: str, write: str, arguments: Dict[str, Any]) -> Optional[int]:
    """Write one buffered entry once; the id its row got (a message's, a contact's), or None."""
    if write not in SPOOLED_WRITES:
        raise ValueError(f"not a buffered write: {write!r}")
    with store.engine.begin() as db:
        done = db.execute(sa.select(spool_applied.c.result).where(spool_applied.c.entry == entry)).first()
        if done:
            return done[0]
        with store.joining(db):
            made = getattr(store, write)(**arguments)
        result = made["id"] if isinstance(made, dict) else made if isinstance(made, int) else None
        db.execute(spool_applied.insert().values(entry=entry, result=result, at=time.time()))
    return result
