"""Telling the person on their own channel, through ``deliver(channel, sender, text, author=)``,
which the gateway provides per channel (the action server has none and never sends on its own);
and the providers' word on what was delivered. ``author`` (handoff/authors.py) says who writes:
the channel shows it to the person."""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, Optional

from directory import Directory
from handoff import texts
from handoff.authors import SYSTEM_AUTHOR, Author
from handoff.conversations import Conversations
from handoff.errors import WINDOW_CLOSED, DeliveryFailed
from handoff.events import Event, Events
from handoff.transcript import Transcript

logger = logging.getLogger(__name__)

# deliver(channel, sender, text, author=Author)
Deliver = Callable[..., Awaitable[Any]]


class Notices:
    def __init__(self, conversations: Conversations, transcript: Transcript, events: Events, directory: Directory,
                 deliver: Optional[Deliver] = None) -> None:
        self.conversations, self.transcript, self.events = conversations, transcript, events
        self.directory, self.deliver = directory, deliver

    async def send(self, state: Dict[str, str], cid: str, text: str) -> bool:
        """A notice to the user on their own channel, kept in the transcript."""
        text = self.directory.render(text)
        await self.transcript.record(cid, "system", text)
        return await self.deliver_to(state, cid, text, SYSTEM_AUTHOR)

    async def deliver_to(self, state: Dict[str, str], cid: str, text: str, author: Author = SYSTEM_AUTHOR) -> bool:
        """Deliver, or tell the counsellors in the transcript that it failed; never silently lost."""
        if not self.deliver or not state.get("channel"):
            return False
        return await self.failed_delivery(state, cid, text, author) is None

    async def failed_delivery(self, state: Dict[str, str], cid: str, text: str,
                              author: Author = SYSTEM_AUTHOR) -> Optional[str]:
        """Deliver; None when delivered, else the line the counsellors see (also kept in the transcript)."""
        if not self.deliver or not state.get("channel"):
            return texts.delivery_failed(state.get("channel", ""), None)
        try:
            await self.deliver(state["channel"], state["sender"], text, author=author)
            return None
        except DeliveryFailed as error:
            logger.error("delivery failed on %s after %d attempt(s): %s", error.channel, error.attempts, error.reason)
            if error.reason == WINDOW_CLOSED:  # retrying is no use: the ways they gave are
                line = texts.window_closed(error.channel, state.get("intake_contact", ""))
            else:
                line = texts.delivery_failed(error.channel, error.attempts)
            await self.transcript.record(cid, "system", line)
            return line

    async def delivery_report(self, cid: str, channel: str, ref: str, status: str, failed: bool) -> None:
        """A provider's word on a message we sent; a failure is shown to the counsellor."""
        state = await self.conversations.state(cid)
        await self.events.record_event(Event("delivery_report", cid, channel, state["state"], state["state"],
                                             self.conversations.contact_of(state), detail={"ref": ref, "status": status},
                                             state=state))
        if failed:
            await self.transcript.record(cid, "system", texts.delivery_failed(channel, None))
