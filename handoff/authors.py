"""Who writes to the person: the bot, a counsellor (by the name the person sees) or the line's
system notices. The channels show it (bot/channels/base.py): the web chat labels each bubble,
text channels put the counsellor's name before their message."""
from __future__ import annotations

from dataclasses import dataclass
from handoff import texts
from handoff.errors import StoreUnavailable
from handoff.store import Store

BOT, COUNSELLOR, SYSTEM = "bot", "counsellor", "system"


@dataclass(frozen=True)
class Author:
    kind: str  # bot, counsellor, system
    name: str = ""  # a counsellor's given name; empty for the bot and the system

    @property
    def label(self) -> str:
        """What the web chat shows above the message (texts.author_label)."""
        return texts.author_label(self.kind, self.name)


BOT_AUTHOR, SYSTEM_AUTHOR = Author(BOT), Author(SYSTEM)


def given_name(display_name: str) -> str:
    """The name a person calls a counsellor by: the last word of a Vietnamese full name
    ("Nguyễn Thị Lan" → "Lan"). The full name stays inside the line."""
    words = (display_name or "").split()
    return words[-1] if words else ""


class Names:
    """Counsellors' given names, read from their accounts each time (one row; an account the
    administrator renames shows the new name at once)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def of(self, username: str) -> str:
        try:
            account = await self.store.run(self.store.accounts.get, username) if username else None
        except StoreUnavailable:  # away (handoff/spool.py): signed as the role alone meanwhile
            account = None
        return given_name(account["display_name"]) if account else ""

    async def author(self, username: str) -> Author:
        return Author(COUNSELLOR, await self.of(username))
