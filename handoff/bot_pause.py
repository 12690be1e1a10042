"""Rasa is paused while a counsellor holds a conversation and resumed when it leaves them: a
listener of recorded state changes (handoff/events.py)."""
from __future__ import annotations

import logging
from typing import Awaitable, Callable, Dict, Optional, Protocol

from handoff.conversations import Conversations, sender_key
from handoff.events import Event
from handoff.listeners import ASSIGNED_BY_SUPERVISOR, REQUEUED

logger = logging.getLogger(__name__)


class BotControl(Protocol):
    async def pause(self, sender_key: str) -> None: ...
    async def resume(self, sender_key: str) -> None: ...


class BotPause:
    def __init__(self, conversations: Conversations, bot: Optional[BotControl] = None) -> None:
        self.conversations, self.bot = conversations, bot

    async def __call__(self, event: Event) -> None:
        if not self.bot:
            return
        if event.kind == "claimed" or (event.kind in ASSIGNED_BY_SUPERVISOR and event.from_state == "queued"):
            await self._call(self.bot.pause, event.state)
        elif event.kind in REQUEUED or event.kind == "closed":
            await self._call(self.bot.resume, event.state)

    async def resume_if_pending(self, cid: str, state: Optional[Dict[str, str]] = None) -> None:
        """A resume that failed earlier, retried before the next message goes to Rasa."""
        state = state or await self.conversations.state(cid)
        if state.get("resume_pending") == "1" and self.bot:
            await self._call(self.bot.resume, state)

    async def _call(self, fn: Callable[[str], Awaitable[None]], state: Dict[str, str]) -> None:
        resuming = fn == getattr(self.bot, "resume", None)
        try:
            await fn(sender_key(state["channel"], state["sender"]))
        except Exception as error:
            # Pausing may fail harmlessly (the gateway sends Rasa nothing while a counsellor holds the
            # conversation); a failed resume is retried before the next message goes to Rasa.
            logger.warning("could not pause/resume the bot conversation: %s", type(error).__name__)
            if resuming:
                await self.conversations.set_fields(state["conversation"], resume_pending="1")
            return
        if resuming and state.get("resume_pending"):
            await self.conversations.set_fields(state["conversation"], resume_pending="")
