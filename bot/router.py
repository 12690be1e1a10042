"""One user message in, the bot's replies out; the same for every channel.

0. Messages of one conversation are handled one at a time, in arrival order, whichever
   gateway they reach (bot/turns.py).
1. The message joins the conversation's transcript.
2. The urgency detector runs first and on its own: critical and high escalate at once
   (even mid-FAQ, even with Rasa down).
3. A conversation a counsellor holds is not sent to Rasa: the counsellor sees the
   message live. Otherwise Rasa answers; its actions may escalate too (a request for
   a person, two misunderstandings in a row).
4. When this message put the conversation in the queue, the user hears their place in
   line and Rasa starts the short intake form (where, safe to talk, how to reach).
5. A critical message always gets the safety answer, exactly once.

A sender who floods (more than ``rate_limit_per_min`` messages in a minute) still has every
message stored and checked for urgency, but only urgent ones go further; they are told once
a minute to slow down.
"""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from directory import Directory
from directory.messages import SAFETY_OPENING, safety_message, unavailable_message
from bot.rasa_client import RasaClient, RasaUnavailable
from bot.turns import Turn, Turns
from handoff.service import Handoff, sender_key
from handoff.texts import PRIVACY_NOTICE, restricted
from nlu.urgency import CRITICAL, Urgency, UrgencyDetector

logger = logging.getLogger(__name__)
# Sent to Rasa as an intent (its "/intent" syntax) to start the intake form.
INTAKE_TRIGGER = "/handoff_queued"
SLOW_DOWN = ("Bạn đang nhắn nhanh quá, mình chưa kịp đọc hết. Bạn đợi một chút rồi nhắn tiếp nhé. "
             "Nếu đang gặp nguy hiểm, hãy gọi ngay công an [[police.phone]].")


@dataclass
class Router:
    rasa: RasaClient
    detector: UrgencyDetector
    directory: Directory
    handoff: Handoff
    turns: Turns
    rate_limit_per_min: int

    def own(self, text: str) -> str:
        """One of the hotline's texts (Rasa's answers, the notices) with the directory's numbers filled in."""
        return self.directory.render(text)

    async def handle(self, channel: str, sender: str, text: str) -> Tuple[List[str], Urgency]:
        # "/intent" would let a user pick Rasa's intent; people never need it.
        text = text.lstrip("/").strip() or text
        # One message of a conversation at a time, across gateways (bot/turns.py). The conversation,
        # the turn, the live state and the flood count come in one round trip; the state is read
        # again only after what may change it (an escalation here, or Rasa's actions): each round
        # trip costs every message.
        rate = f"{self.handoff.live.p}rate:{channel}:{sender}:{int(time.time() // 60)}"
        taking = asyncio.ensure_future(self.turns.take_by_pointer(
            self.handoff.pointer(channel, sender), self.handoff.snapshot_reads(), also=[("incr", rate), ("expire", rate, 120)]))
        await asyncio.sleep(0)  # the round trip is on its way: the detector works while Redis answers
        try:
            urgency = self.detector.assess(text)
        finally:
            ticket, (count, _) = await taking
        slow_down = count > self.rate_limit_per_min
        if ticket is None:  # the first message of a conversation (or the first after a Redis restart)
            cid = await self.handoff.conversation_for(channel, sender, pointer_missing=True)
            ticket = await self.turns.take(cid, self.handoff.snapshot_reads(cid))
        cid = ticket.conversation
        async with self.turns.hold(ticket, urgent=urgency.is_urgent) as turn:
            state, until = (self.handoff.snapshot_of(cid, turn.reads) if turn.reads is not None
                            else await self.handoff.snapshot(cid))
            return await self._handle(turn, cid, channel, sender, text, urgency, slow_down, state, until)

    async def _handle(self, turn: Turn, cid: str, channel: str, sender: str, text: str, urgency: Urgency,
                      slow_down: bool, state: Dict[str, str], until: Optional[float]
                      ) -> Tuple[List[str], Urgency]:
        urgent = urgency.is_urgent
        # Storing the message (SQL) runs while the checks below and Rasa work; it is awaited
        # before anything that needs it (an escalation) and before any answer is stored. Consoles
        # see it live with the turn's release (one round trip for all the message's events).
        stored = asyncio.ensure_future(asyncio.gather(
            self.handoff.store_message(cid, "user", text, state), self.handoff.first_contact(cid, state),
            self.handoff.legal_basis(cid, urgent=urgent, state=state)))
        try:
            return await self._answer(turn, cid, channel, sender, text, urgency, slow_down, state, until,
                                      stored), urgency
        finally:
            # Never left running: its failure is this message's failure.
            (_message, shown), _first, _ = await stored
            if not turn.released:
                await turn.release(*shown)

    async def _answer(self, turn: Turn, cid: str, channel: str, sender: str, text: str, urgency: Urgency,
                      slow_down: bool,
                      state: Dict[str, str], until: Optional[float], stored: asyncio.Future) -> List[str]:
        before, urgent = state["state"], urgency.is_urgent
        if urgent:
            (message, _shown), _first, _ = await stored
            await self.handoff.escalate(cid, urgency.level, "urgency", urgency.reasons, message["id"], text)
            state = await self.handoff.state(cid)
        elif before == "bot":
            survey = await self.handoff.survey_reply(cid, text, state)
            if survey:
                (_message, shown), _first, _ = await stored
                await turn.release(*shown, *await self.handoff.store_many(cid, "bot", [survey], state))
                return [survey]
        if state["state"] == "assigned":
            return [self.own(PRIVACY_NOTICE)] if (await stored)[1] else []  # the counsellor has it, live
        if until and not urgent:
            # Stored, not answered by the bot; told so once in a while, never silently dropped.
            first = await self.handoff.redis.set(f"{self.handoff.live.p}blocked-told:{cid}", "1", nx=True, ex=600)
            when = time.strftime("%H:%M %d/%m", time.gmtime(until + 7 * 3600))  # Vietnam time
            return [self.own(restricted(when))] if first else []
        if slow_down and not urgent:
            first = await self.handoff.redis.set(f"{self.handoff.live.p}slow:{cid}", "1", nx=True, ex=60)
            return [self.own(SLOW_DOWN)] if first else []

        key = sender_key(channel, sender)
        await self.handoff.resume_bot_if_pending(cid, state)
        rasa_up = True
        try:
            replies = [self.own(r) for r in await self.rasa.send(key, text)]
        except RasaUnavailable as error:
            # Log the fault, never the message.
            logger.warning("rasa unavailable (%s); answering from the gateway", error)
            rasa_up = False
            replies = [] if urgency.level == CRITICAL else [unavailable_message(self.directory)]
        if urgency.level == CRITICAL and not any(r.startswith(SAFETY_OPENING) for r in replies):
            replies.insert(0, safety_message(self.directory))
        if rasa_up and not replies and state["state"] == "bot":
            # Rasa always says something; silence means a custom action failed (action server
            # down): the person gets the hotline numbers rather than nothing.
            logger.warning("rasa gave no answer; answering from the gateway")
            replies.append(unavailable_message(self.directory))
        # These answers are final; they are stored once the user's message is in. Rasa's actions
        # may have queued the conversation meanwhile, so its state is read again.
        (_message, shown), first, _ = await stored
        notice = [self.own(PRIVACY_NOTICE)] if first else []  # after the answer: what matters to the person comes first
        if state["state"] == before:
            # The usual case, with nothing to add unless Rasa's actions changed the state: one
            # round trip checks that, shows the message and answers live and ends the turn.
            replies, notice = replies + notice, []
            shown = [*shown, *await self.handoff.store_many(cid, "bot", replies, state)]
            changed = await turn.release_if(self.handoff.state_field(cid), before, *shown)
            if changed is None:
                return replies
            state = self.handoff.state_of(cid, changed)
        else:
            answered = asyncio.ensure_future(self.handoff.store_many(cid, "bot", replies, state))
            try:
                state = await self.handoff.state(cid)
            finally:
                shown = [*shown, *await answered]
        more = []
        if before != "queued" and state["state"] == "queued":
            more.append(await self.handoff.queued_message(cid))  # rendered by the handoff
            if rasa_up:
                try:
                    more += [self.own(r) for r in await self.rasa.send(key, INTAKE_TRIGGER)]
                except RasaUnavailable as error:
                    logger.warning("intake form not started (%s)", error)
        more += notice
        shown += await self.handoff.store_many(cid, "bot", more, state)
        await turn.release(*shown)
        return replies + more
