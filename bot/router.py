"""One user message in, the bot's replies out; the same for every channel.

0. Messages of one conversation are handled one at a time, in arrival order, whichever
   gateway they reach (bot/turns.py; the round trips a message saves: bot/message_turn.py).
1. The message joins the conversation's transcript.
2. The urgency detector runs first and on its own: critical and high escalate at once
   (even mid-FAQ, even with Rasa down). Where the channel can push (``follow_up``), their safety
   answer and place in line go out at once, before Rasa is asked: the urgent lane (bot/answers.py).
3. A conversation a counsellor holds is not sent to Rasa: the counsellor sees the
   message live. Otherwise Rasa answers; its actions may escalate too (a request for
   a person, two misunderstandings in a row).
4. When this message put the conversation in the queue, the user hears their place in
   line and Rasa starts the short intake form (where, safe to talk, how to reach).
5. A critical message always gets the safety answer, exactly once.
6. A conversation kept open for follow-up (its last contact closed with a rescue or support
   referral, docs/architecture.md "Follow-up") never goes to Rasa: the person's message goes to
   a counsellor through the queue, and they are told so.
7. A message in another language than Vietnamese (nlu/language.py) is not sent to Rasa, which
   answers Vietnamese only: it goes to a counsellor with its language, and the person hears the
   safety message in their language once (data/languages.yml, docs/languages.md).

In a spike a gateway works on at most ``max_active_turns`` non-urgent messages at once; the others
wait for a place in arrival order, and urgent ones take none, so that their safety answer does not
queue behind hundreds of other turns in the one event loop (measured: docs/performance.md).

A message that must wait for the bot, because its Rasa server has as many messages in flight as
it may take (admission control, bot/rasa_client.py) or because its answer is slower than
``reply_wait_s``, is replied to at once with ``BUSY`` (its answer comes in a moment, and the
numbers to call in danger); its answers follow through the channel's push, in arrival order.

A sender who floods (more than ``rate_limit_per_min`` messages in a minute) still has every
message stored and checked for urgency, but only urgent ones go further; they are told once
a minute to slow down.
"""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import List, Optional, Set, Tuple

from directory import Directory
from directory.languages import safety, waiting
from directory.messages import SAFETY_OPENING, safety_message, unavailable_message
from bot.answers import Answers, FollowUp
from bot.message_turn import MessageTurn, MessageTurns
from bot.rasa_client import RasaClient, RasaUnavailable
from handoff.service import Handoff
from handoff.texts import PRIVACY_NOTICE, follow_up_received, restricted
from nlu.language import ENGLISH, VIETNAMESE, clearly_vietnamese, detect
from nlu.person_request import asks_for_a_person
from nlu.urgency import CRITICAL, Urgency, UrgencyDetector

logger = logging.getLogger(__name__)
# Sent to Rasa as an intent (its "/intent" syntax) to start the intake form.
INTAKE_TRIGGER = "/handoff_queued"
# The reply to a message that must wait for the bot (Rasa busy, or slow to answer): its answers follow.
BUSY = ("Hiện có nhiều người đang nhắn, mình sẽ trả lời bạn trong giây lát. "
        "Nếu bạn đang gặp nguy hiểm, hãy gọi ngay công an [[police.phone]] hoặc [[hotlines]].")
SLOW_DOWN = ("Bạn đang nhắn nhanh quá, mình chưa kịp đọc hết. Bạn đợi một chút rồi nhắn tiếp nhé. "
             "Nếu đang gặp nguy hiểm, hãy gọi ngay công an [[police.phone]].")


@dataclass
class Router:
    rasa: RasaClient
    detector: UrgencyDetector
    directory: Directory
    handoff: Handoff
    turns: MessageTurns
    rate_limit_per_min: int
    reply_wait_s: float = 5.0  # the longest a request waits for its first reply (then BUSY)
    max_active_turns: int = 0  # non-urgent messages worked on at once (0: unbounded)
    turns_going_on: Set[asyncio.Future] = field(default_factory=set)  # pushing answers after the reply

    def __post_init__(self) -> None:
        # Urgent messages never wait here: in a spike they compete with ``max_active_turns`` others,
        # not with every message in (issue 19; docs/performance.md, "A spike").
        self.places = asyncio.Semaphore(self.max_active_turns) if self.max_active_turns > 0 else None

    def own(self, text: str) -> str:
        """One of the hotline's texts (Rasa's answers, the notices) with the directory's numbers filled in."""
        return self.directory.render(text)

    async def handle(self, channel: str, sender: str, text: str,
                     follow_up: Optional[FollowUp] = None) -> Tuple[List[str], Urgency]:
        """The replies to the request, and the message's urgency. With ``follow_up``, an urgent
        message is replied to before Rasa is asked, and the rest of its answers are pushed."""
        # "/intent" would let a user pick Rasa's intent; people never need it.
        text = text.lstrip("/").strip() or text
        answers = Answers(follow_up)
        work = asyncio.ensure_future(self._turn(channel, sender, text, answers))
        if not answers.can_answer_early:
            await work
            return answers.first.result(), answers.urgency
        # The turn may go on after the reply (the urgent lane); it is kept until it ends.
        self.turns_going_on.add(work)
        work.add_done_callback(self._turn_ended)
        await asyncio.wait({work, answers.first}, timeout=self.reply_wait_s, return_when=asyncio.FIRST_COMPLETED)
        if not answers.first.done():
            if work.done():
                work.result()  # it failed before replying: the request fails with it
            # Slow (a backlog at Rasa, this conversation's earlier message still at work): nobody
            # waits on an open request; what the turn answers is pushed when it comes.
            answers.send_now([self.own(BUSY)])
        return answers.first.result(), answers.urgency

    def _turn_ended(self, work: asyncio.Future) -> None:
        self.turns_going_on.discard(work)
        if not work.cancelled() and work.exception() is not None:
            # The caller saw it when it came before the reply; after the reply, only this log does
            # (the error's kind, never the message).
            logger.error("a message's turn failed after its reply: %s", type(work.exception()).__name__)

    async def drain(self) -> None:
        """Wait for the turns still pushing answers (the gateway is stopping)."""
        if self.turns_going_on:
            await asyncio.wait(set(self.turns_going_on))

    async def _turn(self, channel: str, sender: str, text: str, answers: Answers) -> None:
        urgency = self.detector.assess(text)  # 2., first: an urgent message takes no place in line
        language = detect(text)
        # Neither urgent messages nor those in another language (which never go to Rasa) wait for a place.
        if self.places is None or urgency.is_urgent or language != VIETNAMESE:
            await self._turn_now(channel, sender, text, urgency, language, answers)
            return
        async with self.places:  # the request still gets BUSY after reply_wait_s (handle)
            await self._turn_now(channel, sender, text, urgency, language, answers)

    async def _turn_now(self, channel: str, sender: str, text: str, urgency: Urgency, language: str,
                        answers: Answers) -> None:
        # 0. The message's turn (bot/message_turn.py).
        async with self.turns.begin_turn(channel, sender, urgency) as turn:
            answers.urgency = turn.urgency
            turn.store(text)  # 1. into the transcript, while the steps below work
            # A short "ok" or a number keeps the conversation's language; Vietnamese words bring it back.
            held = turn.state.get("language", "")
            if language == VIETNAMESE and held not in ("", VIETNAMESE) and not clearly_vietnamese(text):
                language = held
            if language != VIETNAMESE:
                replies = await self._in_another_language(turn, text, language)
            else:
                if held not in ("", VIETNAMESE):
                    await self.handoff.conversations.set_fields(turn.cid, language=VIETNAMESE)
                replies = await self._answer(turn, text, answers)
            pushed = answers.replied  # replied already (urgent lane, BUSY): the rest goes now, in the turn
            if pushed:
                await answers.push(replies)
        if not pushed:  # the reply, once the turn has ended: the message and its answers are stored
            await answers.send(replies)  # pushed if BUSY was replied meanwhile

    async def _answer(self, turn: MessageTurn, text: str, answers: Answers) -> List[str]:
        handoff, cid, urgency = self.handoff, turn.cid, turn.urgency
        before, urgent = turn.state["state"], urgency.is_urgent
        # 2. Critical and high escalate at once.
        if urgent:
            message, _first = await turn.stored()
            await handoff.queue.escalate(cid, urgency.level, "urgency", urgency.reasons, message["id"], text)
            turn.state = await handoff.conversations.state(cid)
            if answers.can_answer_early and turn.state["state"] != "assigned":  # else the counsellor answers
                await self._answer_at_once(turn, before, answers)
        elif before == "bot" and turn.state.get("follow_up") == "1":
            message, _first = await turn.stored()
            await handoff.queue.escalate(cid, "high", "follow_up", ["follow_up"], message["id"], text)
            turn.state = await handoff.conversations.state(cid)
        elif before == "bot" and asks_for_a_person(text):
            # 2b. Asked for a person: queued whatever Rasa reads the rest as (nlu/person_request.py).
            message, _first = await turn.stored()
            await handoff.queue.escalate(cid, "normal", "human_request", [], message["id"], text)
            turn.state = await handoff.conversations.state(cid)
        elif before == "bot":
            survey = await handoff.intake.survey_reply(cid, text, turn.state)
            if survey:
                await turn.answer([survey])
                await turn.finish_turn()
                return [survey]
        # 3. Not to Rasa: a counsellor holds it, the sender is restricted or floods.
        if turn.state["state"] == "assigned":
            return [self.own(PRIVACY_NOTICE)] if (await turn.stored())[1] else []  # the counsellor has it, live
        if turn.state.get("follow_up") == "1":
            return await self._follow_up(turn, before)
        if turn.blocked_until and not urgent:
            # Stored, not answered by the bot; told so once in a while, never silently dropped.
            first = await handoff.redis.set(handoff.keys.blocked_told(cid), "1", nx=True, ex=600)
            when = time.strftime("%H:%M %d/%m", time.gmtime(turn.blocked_until + 7 * 3600))  # Vietnam time
            return [self.own(restricted(when))] if first else []
        if turn.messages_this_minute > self.rate_limit_per_min and not urgent:
            first = await handoff.redis.set(handoff.keys.slowed(cid), "1", nx=True, ex=60)
            return [self.own(SLOW_DOWN)] if first else []
        # 3. Rasa answers (5. a critical message gets the safety answer exactly once). Past the
        # bound of messages in flight to its server, the person hears at once that the answer comes
        # in a moment, and it is pushed when Rasa has given it (admission control).
        if answers.can_answer_early and not answers.replied and self.rasa.saturated(turn.sender_key):
            await answers.send([self.own(BUSY)])
        replies, rasa_up = await self._rasa(turn, text)
        # These answers are final; they are stored once the user's message is in. Rasa's actions
        # may have queued the conversation meanwhile, so its state is read again.
        _message, first = await turn.stored()
        # after the answer: what matters to the person comes first
        notice = [self.own(PRIVACY_NOTICE)] if first and "privacy" not in turn.told else []
        if turn.state["state"] == before:
            # The usual case, with nothing to add unless Rasa's actions changed the state: one
            # round trip checks that, shows the message and answers live and ends the turn.
            replies, notice = replies + notice, []
            await turn.answer(replies)
            if await turn.finish_turn_if_unchanged(before):
                return replies
        else:
            await turn.answer_while_rereading(replies)
        # 4. Queued by this message: place in line, and the intake form.
        more = []
        if before != "queued" and turn.state["state"] == "queued":
            if "place" not in turn.told:
                more.append(await handoff.queue.queued_message(cid))  # rendered by the handoff
            if rasa_up:
                try:
                    more += [self.own(r) for r in await self.rasa.send(turn.sender_key, INTAKE_TRIGGER)]
                except RasaUnavailable as error:
                    logger.warning("intake form not started (%s)", error)
        more += notice
        await turn.answer(more)
        await turn.finish_turn()
        return replies + more

    async def _in_another_language(self, turn: MessageTurn, text: str, language: str) -> List[str]:
        """7. Not Vietnamese: a counsellor answers. The person hears the safety message in their
        language the first time, and that their message is with the counsellor when they are
        queued again; while a counsellor holds the case they hear nothing from the bot."""
        handoff, cid, urgency = self.handoff, turn.cid, turn.urgency
        before = turn.state["state"]
        if turn.state.get("language", "") != language:
            await handoff.conversations.set_fields(cid, language=language)
            turn.state["language"] = language
        replies: List[str] = []
        if turn.blocked_until and not urgency.is_urgent:  # restricted: stored for the counsellor, no more
            await turn.finish_turn()
            return replies
        if before != "assigned":
            message, _first = await turn.stored()
            # Nobody can read its urgency but a counsellor: a foreign language waits as high, English
            # (which the detector reads) as the detector says.
            priority = urgency.level if urgency.is_urgent else ("normal" if language == ENGLISH else "high")
            await handoff.queue.escalate(cid, priority, "language", urgency.reasons, message["id"], text,
                                         language=language)
            if turn.state.get("language_told") != language:
                await handoff.conversations.set_fields(cid, language_told=language)
                replies.append(safety(self.directory, language))
            elif before == "bot":
                replies.append(waiting(self.directory, language))
        await turn.answer(replies)
        await turn.finish_turn()
        return replies

    async def _follow_up(self, turn: MessageTurn, before: str) -> List[str]:
        """6. A follow-up case waits for its counsellor without the bot's answers: the person hears
        once that their message went to a counsellor (and the safety answer when it is critical)."""
        critical = turn.urgency.level == CRITICAL and "safety" not in turn.told  # not twice (the urgent lane)
        replies = [safety_message(self.directory)] if critical else []
        if before != "queued":
            replies.append(self.own(follow_up_received()))
        await turn.answer(replies)
        await turn.finish_turn()
        return replies

    async def _answer_at_once(self, turn: MessageTurn, before: str, answers: Answers) -> None:
        """The urgent lane: the safety answer and the place in line, stored, shown in the consoles
        and sent, before Rasa is asked."""
        told = {}
        if turn.urgency.level == CRITICAL:
            told["safety"] = safety_message(self.directory)
        if before != "queued" and turn.state["state"] == "queued":
            told["place"] = await self.handoff.queue.queued_message(turn.cid)
        if told and (await turn.stored())[1]:  # a first message: the privacy notice, after what matters
            told["privacy"] = self.own(PRIVACY_NOTICE)
        if told:  # else (a high message in a case already waiting) nothing is worth answering early
            turn.told.update(told)
            replies = list(told.values())
            await turn.answer(replies)
            await turn.show_now()
            await answers.send(replies)

    async def _rasa(self, turn: MessageTurn, text: str) -> Tuple[List[str], bool]:
        """Rasa's answers, or the gateway's own when Rasa is down or says nothing; and whether Rasa
        answered. A critical message always gets the safety answer, exactly once."""
        level = turn.urgency.level
        await self.handoff.bot_pause.resume_if_pending(turn.cid, turn.state)
        rasa_up = True
        try:
            replies = [self.own(r) for r in await self.rasa.send(turn.sender_key, text)]
        except RasaUnavailable as error:
            # Log the fault, never the message.
            logger.warning("rasa unavailable (%s); answering from the gateway", error)
            rasa_up = False
            replies = [] if level == CRITICAL else [unavailable_message(self.directory)]
        if "safety" in turn.told:  # already sent in the urgent lane
            replies = [r for r in replies if not r.startswith(SAFETY_OPENING)]
        elif level == CRITICAL and not any(r.startswith(SAFETY_OPENING) for r in replies):
            replies.insert(0, safety_message(self.directory))
        if rasa_up and not replies and turn.state["state"] == "bot":
            # Rasa always says something; silence means a custom action failed (action server
            # down): the person gets the hotline numbers rather than nothing.
            logger.warning("rasa gave no answer; answering from the gateway")
            replies.append(unavailable_message(self.directory))
        return replies, rasa_up
