"""What a counsellor writes: replies sent to the person on their own channel, and private notes.
A follow-up after a long silence respects what the person said about contacting them."""
from __future__ import annotations

import time
from typing import Any, Dict

from handoff import texts
from handoff.authors import Names
from handoff.claims import Claims
from handoff.errors import HandoffError, StoreUnavailable
from handoff.notices import Notices
from handoff.store import Store
from handoff.transcript import Transcript
from shared.config import Config


class Replies:
    def __init__(self, store: Store, config: Config, claims: Claims, transcript: Transcript,
                 notices: Notices, names: Names) -> None:
        self.store, self.config, self.claims, self.transcript, self.notices = store, config, claims, transcript, notices
        self.names = names

    async def reply(self, cid: str, counsellor: str, text: str, confirmed_safe_contact: bool = False) -> Dict[str, Any]:
        """A counsellor's message, sent to the user on their own channel."""
        state = await self.claims.held(cid, counsellor)
        await self._check_follow_up(cid, state, confirmed_safe_contact)
        await self.claims.acknowledge(cid, counsellor)
        message = await self.store.run(self.store.add_message, cid, "counsellor", text, counsellor,
                                       int(state["contact"]))
        await self.store.run(self.store.set_first_response, int(state["contact"]), message["created_at"])
        await self.transcript.show(cid, state, message)
        # Signed with the counsellor's given name: the person sees who writes (handoff/authors.py).
        author = await self.names.author(counsellor)
        if self.notices.deliver:
            failure = await self.notices.failed_delivery(state, cid, text, author)
            if failure is not None:  # what the transcript now says, e.g. Messenger's closed window
                raise HandoffError("delivery_failed", failure, status=502)
        return message

    async def note(self, cid: str, counsellor: str, text: str) -> Dict[str, Any]:
        """A private note: in the transcript for counsellors, never sent."""
        await self.claims.held(cid, counsellor)
        return await self.transcript.record(cid, "note", text, counsellor)

    async def _check_follow_up(self, cid: str, state: Dict[str, str], confirmed: bool) -> None:
        try:
            last = await self.store.run(self.store.last_message_at, cid, "user")
        except StoreUnavailable:  # away (handoff/spool.py): the live state knows when it was queued
            last = float(state.get("queued_at") or 0) or None
        if last is None or time.time() - last < self.config.follow_up_after_s:
            return  # the user just wrote (or never did: nobody to protect): answering is what they asked
        if state.get("do_not_contact") == "1":
            raise HandoffError("do_not_contact", "Người dùng đã yêu cầu không liên hệ lại. Không gửi được tin nhắn này.")
        if not confirmed:
            raise HandoffError("confirm_safe_contact", texts.follow_up_check(state.get("intake_contact", "")))
