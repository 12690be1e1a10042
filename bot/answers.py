"""Where one message's answers go.

Without a follow-up channel, all of them at once, when the turn ends: the reply to the request.
With one (the channel's push: the web chat's long poll, a provider's send API), the urgent lane:
the first ``send_now`` is the reply to the request, sent before Rasa is asked, and every answer
after it is pushed through ``follow_up`` as it comes. A person in danger has the safety steps in
well under a second however long Rasa's backlog is (bot/router.py, step 2). The same way, a turn
that must wait for Rasa (admission control, a slow answer) replies at once that the person will be
answered in a moment, and its answers follow.
"""
from __future__ import annotations

import asyncio
from typing import Awaitable, Callable, List, Optional

from nlu.urgency import Urgency

FollowUp = Callable[[List[str]], Awaitable[None]]


class Answers:
    def __init__(self, follow_up: Optional[FollowUp] = None) -> None:
        self.follow_up = follow_up
        self.first: asyncio.Future = asyncio.get_running_loop().create_future()
        self.urgency: Optional[Urgency] = None  # known once the turn has begun

    @property
    def can_answer_early(self) -> bool:
        return self.follow_up is not None

    @property
    def replied(self) -> bool:
        return self.first.done()

    def send_now(self, texts: List[str]) -> None:
        """The reply to the request, while the turn goes on."""
        if not self.first.done():
            self.first.set_result(list(texts))

    async def send(self, texts: List[str]) -> None:
        """The reply if none went yet, else a push: nothing is lost to a reply sent meanwhile (the
        router's acknowledgement of a slow turn)."""
        if self.replied:
            await self.push(texts)
        else:
            self.send_now(texts)

    async def push(self, texts: List[str]) -> None:
        """Answers after the reply went out, through the channel's push."""
        if texts and self.follow_up is not None:
            await self.follow_up(texts)
