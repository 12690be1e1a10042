"""A message's turn (bot/turns.py) with what it reads and writes on the way, so that the router
reads as its pipeline and each message still costs as few round trips to Redis as before:

- ``begin_turn`` sends one round trip for the conversation, its ticket, its live state and
  restriction and the sender's flood count (the router has run the urgency detector before: an
  urgent message takes no place in the gateway's line, bot/router.py);
- ``store`` writes the user's message to SQL while the router decides (awaited before anything
  that needs it, and before any answer is stored);
- the commands that show the messages live in the consoles wait in the turn and go with its
  end, ``finish_turn``: one round trip for all the message's writes and the release;
  ``finish_turn_if_unchanged`` ends it only if Rasa's actions left the state as it was.
"""
from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any, AsyncIterator, Dict, List, Optional, Set, Tuple

from bot.turns import Turn, Turns
from handoff.connection import run_pipeline
from handoff.conversations import sender_key
from handoff.service import Handoff
from nlu.urgency import Urgency


class MessageTurn:
    """One message's turn. ``sender_key``: the conversation's id in Rasa; ``state``: the conversation's live state, kept current by the router
    after whatever may change it; ``blocked_until``: when a restriction ends, if any."""

    def __init__(self, handoff: Handoff, turn: Turn, cid: str, sender_key: str, state: Dict[str, str],
                 blocked_until: Optional[float], messages_this_minute: int, urgency: Urgency) -> None:
        self.handoff, self._turn, self.cid, self.sender_key = handoff, turn, cid, sender_key
        self.state, self.blocked_until = state, blocked_until
        self.messages_this_minute, self.urgency = messages_this_minute, urgency
        self._stored: Optional[asyncio.Future] = None
        self._shown_user: List[tuple] = []  # shows the user's message live
        self._writes: List[tuple] = []  # shows the answers live
        # What the urgent lane (bot/answers.py) already sent, so not again once Rasa has answered:
        # "safety", "place" (in line), "privacy" (the notice on a first message).
        self.told: Set[str] = set()
        self._shown_early = False  # the user's message is already in the consoles

    def store(self, text: str) -> None:
        """Start storing the user's message (and noting first contact and legal basis)."""
        conversations, cid = self.handoff.conversations, self.cid
        self._stored = asyncio.ensure_future(asyncio.gather(
            self.handoff.transcript.store_message(cid, "user", text, self.state),
            conversations.first_contact(cid, self.state),
            conversations.legal_basis(cid, urgent=self.urgency.is_urgent, state=self.state)))

    async def stored(self) -> Tuple[Dict[str, Any], bool]:
        """The user's stored message, and whether it was the conversation's first."""
        (message, shown), first, _ = await self._stored
        if not self._shown_early:
            self._shown_user = shown
        return message, first

    async def answer(self, texts: List[str], state: Optional[Dict[str, str]] = None) -> None:
        """Store the bot's answers, after the user's message; they are shown live when the turn ends."""
        await self.stored()
        self._writes += await self.handoff.transcript.store_many(self.cid, "bot", texts, state or self.state)

    async def answer_while_rereading(self, texts: List[str]) -> None:
        """Store the answers while reading the live state again (Rasa's actions changed it)."""
        answered = asyncio.ensure_future(self.answer(texts, self.state))
        try:
            self.state = await self.handoff.conversations.state(self.cid)
        finally:
            await answered

    async def show_now(self) -> None:
        """Show the user's message and the answers so far in the consoles now, keeping the turn
        (the urgent lane: counsellors never wait behind Rasa)."""
        await self.stored()
        writes, self._shown_user, self._writes = [*self._shown_user, *self._writes], [], []
        self._shown_early = True
        if writes:
            await run_pipeline(self.handoff.redis, writes, transaction=False)

    async def finish_turn(self) -> None:
        """End the turn, with every pending write in the same round trip."""
        await self.stored()
        writes, self._writes = [*self._shown_user, *self._writes], []
        await self._turn.release(*writes)

    async def finish_turn_if_unchanged(self, before: str) -> bool:
        """End the turn as ``finish_turn`` does if the conversation's state is still ``before``;
        otherwise keep the writes, take the new state and say so (False)."""
        await self.stored()
        changed = await self._turn.release_if(self.handoff.conversations.state_field(self.cid), before,
                                              *self._shown_user, *self._writes)
        if changed is None:
            self._writes = []
            return True
        self.state = self.handoff.conversations.state_of(self.cid, changed)
        return False

    async def settle(self) -> None:
        """The end of every message: the store is never left running (its failure is this message's
        failure), and a turn not finished yet ends showing the user's message."""
        if self._stored is not None:
            await self.stored()
            if not self._turn.released:  # a path that answered nothing: the user's message alone
                await self._turn.release(*self._shown_user)


class MessageTurns:
    def __init__(self, turns: Turns, handoff: Handoff) -> None:
        self.turns, self.handoff = turns, handoff

    @contextlib.asynccontextmanager
    async def begin_turn(self, channel: str, sender: str, urgency: Urgency) -> AsyncIterator[MessageTurn]:
        """Wait for the message's turn in its conversation (created on first contact); hold the
        turn until the block ends. ``urgency``: the detector's, known before (bot/router.py)."""
        conversations = self.handoff.conversations
        rate = self.handoff.keys.rate(channel, sender, int(time.time() // 60))
        ticket, (count, _) = await self.turns.take_by_pointer(
            conversations.pointer(channel, sender), conversations.snapshot_reads(),
            also=[("incr", rate), ("expire", rate, 120)])
        if ticket is None:  # the first message of a conversation (or the first after a Redis restart)
            cid = await conversations.conversation_for(channel, sender, pointer_missing=True)
            ticket = await self.turns.take(cid, conversations.snapshot_reads(cid))
        cid = ticket.conversation
        async with self.turns.hold(ticket, urgent=urgency.is_urgent) as turn:
            state, until = (conversations.snapshot_of(cid, turn.reads) if turn.reads is not None
                            else await conversations.snapshot(cid))
            message_turn = MessageTurn(self.handoff, turn, cid, sender_key(channel, sender), state, until, count,
                                       urgency)
            try:
                yield message_turn
            finally:
                await message_turn.settle()
