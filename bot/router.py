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

A sender who floods (``slow_down``, decided by the channel's Inbox) still has every message
stored and checked for urgency, but only urgent ones go further; they are told once a
minute to slow down.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from contextlib import nullcontext
from typing import List, Optional, Tuple

from actions.directory import SAFETY_OPENING, ServiceDirectory
from bot.rasa_client import RasaClient, RasaUnavailable
from bot.turns import Turns
from handoff.service import Handoff, sender_key
from handoff.texts import PRIVACY_NOTICE, restricted
from nlu.urgency import CRITICAL, HIGH, Urgency, UrgencyDetector

logger = logging.getLogger(__name__)
# Sent to Rasa as an intent (its "/intent" syntax) to start the intake form.
INTAKE_TRIGGER = "/handoff_queued"
SLOW_DOWN = ("Bạn đang nhắn nhanh quá, mình chưa kịp đọc hết. Bạn đợi một chút rồi nhắn tiếp nhé. "
             "Nếu đang gặp nguy hiểm, hãy gọi ngay 113.")


@dataclass
class Router:
    rasa: RasaClient
    detector: UrgencyDetector
    directory: ServiceDirectory
    handoff: Handoff
    turns: Optional[Turns] = None

    async def handle(self, channel: str, sender: str, text: str,
                     slow_down: bool = False) -> Tuple[List[str], Urgency]:
        # "/intent" would let a user pick Rasa's intent; people never need it.
        text = text.lstrip("/").strip() or text
        urgency = self.detector.assess(text)
        cid = await self.handoff.conversation_for(channel, sender)
        # One message of a conversation at a time, across gateways (bot/turns.py).
        turn = self.turns.turn(cid, urgent=urgency.level in (CRITICAL, HIGH)) if self.turns else nullcontext()
        async with turn:
            return await self._handle(cid, channel, sender, text, urgency, slow_down)

    async def _handle(self, cid: str, channel: str, sender: str, text: str, urgency: Urgency,
                      slow_down: bool) -> Tuple[List[str], Urgency]:
        before = (await self.handoff.state(cid))["state"]
        message = await self.handoff.record(cid, "user", text)
        notice = [PRIVACY_NOTICE] if await self.handoff.first_contact(cid) else []
        await self.handoff.legal_basis(cid, urgent=urgency.level in (CRITICAL, HIGH))
        if urgency.level in (CRITICAL, HIGH):
            await self.handoff.escalate(cid, urgency.level, "urgency", urgency.reasons, message["id"], text)
        elif before == "bot":
            survey = await self.handoff.survey_reply(cid, text)
            if survey:
                await self.handoff.record(cid, "bot", survey)
                return [survey], urgency
        if (await self.handoff.state(cid))["state"] == "assigned":
            return notice, urgency  # the counsellor has it, live
        until = await self.handoff.blocked_until(cid)
        if until and urgency.level not in (CRITICAL, HIGH):
            # Stored, not answered by the bot; told so once in a while, never silently dropped.
            first = await self.handoff.redis.set(f"{self.handoff.live.p}blocked-told:{cid}", "1", nx=True, ex=600)
            when = time.strftime("%H:%M %d/%m", time.gmtime(until + 7 * 3600))  # Vietnam time
            return ([restricted(when)] if first else []), urgency
        if slow_down and urgency.level not in (CRITICAL, HIGH):
            first = await self.handoff.redis.set(f"{self.handoff.live.p}slow:{cid}", "1", nx=True, ex=60)
            return ([SLOW_DOWN] if first else []), urgency

        key = sender_key(channel, sender)
        await self.handoff.resume_bot_if_pending(cid)
        rasa_up = True
        try:
            replies = await self.rasa.send(key, text)
        except RasaUnavailable as error:
            # Log the fault, never the message.
            logger.warning("rasa unavailable (%s); answering from the gateway", error)
            rasa_up = False
            replies = [] if urgency.level == CRITICAL else [self.directory.unavailable_message()]
        if urgency.level == CRITICAL and not any(r.startswith(SAFETY_OPENING) for r in replies):
            replies.insert(0, self.directory.safety_message())
        state = await self.handoff.state(cid)
        if rasa_up and not replies and state["state"] == "bot":
            # Rasa always says something; silence means a custom action failed (action server
            # down): the person gets the hotline numbers rather than nothing.
            logger.warning("rasa gave no answer; answering from the gateway")
            replies = [self.directory.unavailable_message()]
        if before != "queued" and state["state"] == "queued":
            replies.append(await self.handoff.queued_message(cid))
            if rasa_up:
                try:
                    replies += await self.rasa.send(key, INTAKE_TRIGGER)
                except RasaUnavailable as error:
                    logger.warning("intake form not started (%s)", error)
        replies += notice  # after the answer: what matters to the person comes first
        for reply in replies:
            await self.handoff.record(cid, "bot", reply)
        return replies, urgency
