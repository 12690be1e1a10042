"""A case in a language other than Vietnamese goes first to the counsellors online who speak it
(their account's languages: `python -m handoff users languages`), then to everyone after
``language_offer_wait_s``, or at once when none of them is online: nobody waits unseen (issue 18,
docs/languages.md). Supervisors see every case at once, as always."""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Dict, Set

from handoff.errors import StoreUnavailable
from handoff.presence import Presence
from handoff.store import Store
from shared.config import Config


class LanguageOffer:
    def __init__(self, store: Store, presence: Presence, config: Config) -> None:
        self.store, self.presence, self.config = store, presence, config

    async def speakers_online(self) -> Dict[str, Set[str]]:
        """For each language, the counsellors online now who speak it."""
        speakers: Dict[str, Set[str]] = defaultdict(set)
        for name, status in (await self.presence.statuses()).items():
            if status != "online":
                continue
            try:
                account = await self.store.run(self.store.accounts.get, name)
            except StoreUnavailable:  # the store away (handoff/spool.py): every case to everyone
                return {}
            for code in ((account or {}).get("languages") or "").split():
                speakers[code].add(name)
        return speakers

    def held_back(self, session: Any, case: Dict[str, Any], now: float, speakers: Dict[str, Set[str]]) -> bool:
        """Whether a waiting case (as the queue lists it) is not offered to ``session`` yet."""
        language = case.get("language")
        if not language or session.username in speakers.get(language, ()):
            return False
        if language in (session.languages or "").split():
            return False  # theirs too, though not online this moment
        return bool(speakers.get(language)) and now - case["queued_at"] < self.config.language_offer_wait_s
