"""The handoff: one library for the gateway, the Rasa actions and the console.

``Handoff`` joins the live state in Redis (handoff/queue.py) with the durable record
in SQL (handoff/store.py): each state change is first made atomically in Redis, then
written as an event with the contact's times to SQL, then announced to consoles.
Outbound texts go through ``deliver(channel, sender, text)``, which the gateway
provides per channel; the action server has none and never sends on its own.
"""
from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Protocol, Tuple

from redis.asyncio import Redis

from directory import Directory, default_directory
from handoff import texts
from handoff.places import province_in
from handoff.queue import LiveState, Waiting, estimate_wait_s, order, run_pipeline
from handoff.store import Store
from shared.config import Config

logger = logging.getLogger(__name__)

Deliver = Callable[[str, str, str], Awaitable[None]]

# Transcript roles whose texts are the hotline's own, written with directory placeholders.
OWN_ROLES = ("bot", "system")
OUTCOMES = {
    "information": "Cung cấp thông tin",
    "counselling_psychological": "Tư vấn tâm lý",
    "counselling_policy": "Tư vấn chính sách, pháp luật",
    "counselling_services": "Tư vấn dịch vụ hỗ trợ",
    "referral_rescue": "Chuyển tuyến giải cứu",
    "referral_support": "Chuyển tuyến hỗ trợ",
    "no_counselling": "Không cần tư vấn (trả về bot)",
    # Set by a supervisor's "dismiss the burst as abuse" (handoff/bursts.py); not a contact received.
    "abusive": "Quấy rối, lạm dụng (bỏ qua)",
}
VICTIM_STATUS = {
    "confirmed": "Nạn nhân (đã xác định)",
    "suspected": "Nghi là nạn nhân",
    "not_victim": "Không phải nạn nhân",
    "unknown": "Chưa rõ",
}


class HandoffError(Exception):
    """A refused handoff step; ``code`` is for the API, the message for a person."""

    def __init__(self, code: str, message: str, status: int = 409) -> None:
        super().__init__(code)
        self.code, self.message, self.status = code, message, status


class DeliveryFailed(Exception):
    """A channel could not deliver a message, even after its retries."""

    def __init__(self, channel: str, attempts: int, reason: str) -> None:
        super().__init__(f"{channel}: {reason} after {attempts} attempt(s)")
        self.channel, self.attempts, self.reason = channel, attempts, reason


class BotControl(Protocol):
    async def pause(self, sender_key: str) -> None: ...
    async def resume(self, sender_key: str) -> None: ...


@dataclass
class Escalation:
    status: str  # queued (new), raised, unchanged
    contact_id: Optional[int]


def sender_key(channel: str, sender: str) -> str:
    """The id Rasa knows a conversation by: channel and the channel's user id."""
    return f"{channel}:{sender}"


class Handoff:
    def __init__(self, redis: Redis, store: Store, config: Config, deliver: Optional[Deliver] = None,
                 bot: Optional[BotControl] = None, prefix: str = "hl:",
                 alert_supervisors: Optional[Callable[[str], Awaitable[None]]] = None,
                 directory: Optional[Directory] = None) -> None:
        self.redis, self.store, self.config = redis, store, config
        # Fills in the numbers of the hotline's own texts (handoff/texts.py holds placeholders).
        self.directory = directory or default_directory(config.profile)
        self.live = LiveState(redis, prefix)
        self.deliver, self.bot, self.alert_supervisors = deliver, bot, alert_supervisors

    # --- conversations and messages ----------------------------------------------
    async def conversation_for(self, channel: str, sender: str, pointer_missing: bool = False) -> str:
        """The conversation id of a channel user, created on first contact. ``pointer_missing``:
        the caller has just found no pointer in Redis (saves a round trip)."""
        key = self.pointer(channel, sender)
        if not pointer_missing:
            existing = await self.redis.get(key)
            if existing:
                return existing.decode()
        # After a Redis restart the transcript goes on in the same conversation.
        cid, created = await self.store.run(self.store.find_or_create_conversation, channel, sender, uuid.uuid4().hex)
        pointed = await self.live.point(key, cid, channel, sender)
        if pointed != cid and created:  # another gateway's first message made it first
            await self.store.run(self.store.delete_empty_conversation, cid)
        return pointed

    async def first_contact(self, cid: str, state: Optional[Dict[str, str]] = None) -> bool:
        """True once per conversation: the moment to show the privacy notice."""
        if state and state.get("notice") == "1":
            return False
        return bool(await self.redis.hsetnx(self.live.key("conv", cid), "notice", "1"))

    async def legal_basis(self, cid: str, urgent: bool, state: Optional[Dict[str, str]] = None) -> None:
        """Record why we may process this conversation: the person's consent, or, once a message
        says someone is in danger, the protection of life and health (which then stays)."""
        basis = "vital_interest" if urgent else "consent"
        if state is not None:
            current = state.get("legal_basis", "").encode()
        else:
            current = await self.redis.hget(self.live.key("conv", cid), "legal_basis")
        if current in (basis.encode(), b"vital_interest"):
            return
        await self.live.set_fields(cid, legal_basis=basis)
        state = state or await self.live.get(cid)
        await self.store.run(self.store.add_event, cid, "legal_basis", state["state"], state["state"], "gateway",
                             int(state["contact"]) if state.get("contact") else None, time.time(), basis=basis)

    async def block(self, cid: str, supervisor: str, hours: float, reason: str) -> float:
        """Restrict an abusive sender for a while; refused for anyone who has written of danger."""
        handled = await self.store.run(self.store.contacts_of, cid)
        state = await self.live.get(cid)
        if any(c["priority"] in ("critical", "high") for c in handled) or state["state"] == "assigned":
            raise HandoffError("urgent_sender", "Không thể hạn chế người đã từng nhắn tin khẩn cấp "
                                                "hoặc đang được tư vấn.")
        until = time.time() + hours * 3600
        await self.redis.set(self.live.key("blocked", cid), json.dumps({"until": until, "by": supervisor}),
                             ex=int(hours * 3600))
        await self.store.run(self.store.add_event, cid, "blocked", state["state"], state["state"], supervisor,
                             None, time.time(), hours=hours, reason=reason)
        return until

    async def unblock(self, cid: str, supervisor: str) -> None:
        if await self.redis.delete(self.live.key("blocked", cid)):
            await self.store.run(self.store.add_event, cid, "unblocked", None, None, supervisor, None, time.time())

    async def blocked_until(self, cid: str) -> Optional[float]:
        return _until(await self.redis.get(self.live.key("blocked", cid)))

    async def state(self, cid: str) -> Dict[str, str]:
        return await self.live.get(cid)

    def pointer(self, channel: str, sender: str) -> str:
        """The key holding a channel user's conversation id."""
        return self.live.key("sender", channel, sender)

    def snapshot_reads(self, cid: str = "") -> List[Tuple[str, str]]:
        """What reads the live state and any restriction (every message needs both), as
        (command, key) pairs, for a round trip the caller makes anyway (its turn, bot/turns.py).
        Without ``cid`` the keys are prefixes, which a script completes."""
        return [("hgetall", self.live.key("conv", cid)), ("get", self.live.key("blocked", cid))]

    def snapshot_of(self, cid: str, found: List[Any]) -> Tuple[Dict[str, str], Optional[float]]:
        raw, blocked = found
        return self.state_of(cid, raw), _until(blocked)

    def state_of(self, cid: str, raw: Any) -> Dict[str, str]:
        """The live state from the conversation's hash as Redis gave it."""
        if isinstance(raw, list):  # HGETALL inside a script: a flat list
            raw = dict(zip(raw[::2], raw[1::2]))
        return self.live.decode(cid, raw)

    def state_field(self, cid: str) -> Tuple[str, str, str]:
        """Where the conversation's state ("bot", "queued", …) is kept: hash key, field, and
        the state when the field is absent; for a script that watches it (bot/turns.py)."""
        return self.live.key("conv", cid), "state", "bot"

    async def snapshot(self, cid: str) -> Tuple[Dict[str, str], Optional[float]]:
        return self.snapshot_of(cid, await run_pipeline(self.redis, self.snapshot_reads(cid), transaction=False))

    async def record(self, cid: str, role: str, text: str, author: Optional[str] = None,
                     state: Optional[Dict[str, str]] = None) -> Dict[str, Any]:
        """Store one message of the transcript and show it live in the consoles. ``state``: the
        conversation's live state when the caller has just read it (saves a round trip)."""
        state = state or await self.live.get(cid)
        message, shown = await self.store_message(cid, role, self._own(role, text), state, author)
        await run_pipeline(self.redis, shown, transaction=False)
        return message

    async def store_message(self, cid: str, role: str, text: str, state: Dict[str, str], author: Optional[str] = None
                            ) -> Tuple[Dict[str, Any], List[tuple]]:
        """Store one message; returns it and the commands that show it live, for the caller's next
        round trip to Redis."""
        message = await self.store.run(self.store.add_message, cid, role, text, author, _contact(state))
        return message, [self._shown(cid, state, message)]

    async def store_many(self, cid: str, role: str, texts: List[str], state: Dict[str, str]) -> List[tuple]:
        """Several messages of one speaker (the bot's answers to a message) in one transaction;
        returns the commands that show them live, as ``store_message``."""
        if not texts:
            return []
        stored = await self.store.run(self.store.add_messages, cid, role, [self._own(role, t) for t in texts],
                                      _contact(state))
        return [self._shown(cid, state, m) for m in stored]

    def _own(self, role: str, text: str) -> str:
        """The hotline's own texts (bot, system) with the directory's numbers filled in; a person's
        or a counsellor's words are kept exactly as written."""
        return self.directory.render(text) if role in OWN_ROLES else text

    def _shown(self, cid: str, state: Dict[str, str], message: Dict[str, Any]) -> tuple:
        """The command that shows a stored message in the consoles, live."""
        return "publish", self.live.key("notify"), json.dumps(self._message_event(cid, state, message),
                                                               ensure_ascii=False)

    @staticmethod
    def _message_event(cid: str, state: Dict[str, str], message: Dict[str, Any]) -> Dict[str, Any]:
        return {"type": "message", "conversation": cid, "state": state["state"],
                "counsellor": state.get("counsellor", ""), "message": public_message(message)}

    async def notify(self, payload: Dict[str, Any]) -> None:
        await self.redis.publish(self.live.key("notify"), json.dumps(payload, ensure_ascii=False))

    async def _send(self, state: Dict[str, str], cid: str, text: str) -> bool:
        """A notice to the user on their own channel, kept in the transcript."""
        text = self.directory.render(text)
        await self.record(cid, "system", text)
        return await self._deliver(state, cid, text)

    async def _deliver(self, state: Dict[str, str], cid: str, text: str) -> bool:
        """Deliver, or tell the counsellors in the transcript that it failed; never silently lost."""
        if not self.deliver or not state.get("channel"):
            return False
        try:
            await self.deliver(state["channel"], state["sender"], text)
            return True
        except DeliveryFailed as error:
            logger.error("delivery failed on %s after %d attempt(s): %s", error.channel, error.attempts, error.reason)
            await self.record(cid, "system", texts.delivery_failed(error.channel, error.attempts))
            return False

    # --- escalation and the queue ------------------------------------------------
    async def escalate(self, cid: str, priority: str, trigger: str, reasons: Iterable[str] = (),
                       trigger_message_id: Optional[int] = None, text: str = "") -> Escalation:
        now = time.time()
        state = await self.live.get(cid)
        contact_id = None
        if state["state"] == "bot":
            contact_id = await self.store.run(self.store.open_contact, cid, priority, trigger, list(reasons),
                                              trigger_message_id, now)
        status, contact = await self.live.escalate(cid, priority, now, contact_id or 0, state.get("channel", ""),
                                                   state.get("sender", ""), trigger)
        if status == "queued":
            await self.store.run(self.store.add_event, cid, "queued", "bot", "queued", trigger, contact_id, now,
                                 priority=priority, reasons=list(reasons))
            await self._note_place(cid, contact_id, text)
            await self.notify({"type": "queue", "critical": priority == "critical", "conversation": cid})
            return Escalation("queued", contact_id)
        if contact_id:  # another process queued it a moment earlier
            await self.store.run(self.store.delete_contact, contact_id)
        contact_id = int(contact) if contact and contact != "0" else None
        if status == "raised":
            await self.store.run(self.store.update_contact, contact_id, priority=priority)
            await self.store.run(self.store.add_event, cid, "priority_raised", state["state"], state["state"],
                                 trigger, contact_id, now, priority=priority, reasons=list(reasons))
            await self.notify({"type": "queue", "critical": priority == "critical", "conversation": cid})
        return Escalation(status, contact_id)

    async def queue(self, now: Optional[float] = None) -> List[Waiting]:
        return order(await self.live.waiting(), now or time.time(), self.config.queue_ageing)

    async def position(self, cid: str) -> tuple[int, int]:
        """1-based place in line and the length of the line (0, n when not waiting)."""
        waiting = await self.queue()
        ids = [w.conversation_id for w in waiting]
        return (ids.index(cid) + 1 if cid in ids else 0), len(ids)

    async def queued_message(self, cid: str) -> str:
        """What a user just queued is told: place in line, honest wait, what to do meanwhile."""
        state = await self.live.get(cid)
        position, length = await self.position(cid)
        online = await self.online_count()
        wait = estimate_wait_s(max(position, 1), online, await self.live.recent_waits())
        overflow = length > self.config.queue_overflow
        return self.directory.render(texts.queued(state.get("priority", "normal"), max(position, 1), wait, online, overflow))

    # --- counsellors --------------------------------------------------------------
    async def claim(self, cid: str, counsellor: str, capacity: Optional[int] = None) -> None:
        now = time.time()
        status, value = await self.live.claim(cid, counsellor, now, now + self.config.ack_timeout_s,
                                              capacity or self.config.counsellor_capacity)
        if status == "taken":
            raise HandoffError("already_taken", "Cuộc trò chuyện này đã có tư vấn viên khác nhận.")
        if status == "capacity":
            raise HandoffError("capacity", "Bạn đang nhận đủ số cuộc trò chuyện tối đa; hãy kết thúc bớt một cuộc.")
        if status != "ok":
            raise HandoffError("not_queued", "Cuộc trò chuyện này không còn trong hàng chờ.")
        state = await self.live.get(cid)
        contact_id = int(state["contact"])
        contact = await self.store.run(self.store.contact, contact_id)
        if contact and contact["claimed_at"] is None:
            await self.store.run(self.store.update_contact, contact_id, claimed_at=now, counsellor=counsellor)
            await self.live.record_wait(now - float(state["queued_at"]))
        else:
            await self.store.run(self.store.update_contact, contact_id, counsellor=counsellor)
        await self.store.run(self.store.add_event, cid, "claimed", "queued", "assigned", counsellor, contact_id, now)
        await self.notify({"type": "queue", "conversation": cid})
        if self.bot:
            await self._bot_call(self.bot.pause, state)
        if value != "1":  # greeted once per contact, not again after a transfer or a requeue
            await self._send(state, cid, texts.claimed())

    async def acknowledge(self, cid: str, counsellor: str) -> bool:
        return await self.live.acknowledge(cid, counsellor)

    async def _held(self, cid: str, counsellor: str) -> Dict[str, str]:
        state = await self.live.get(cid)
        if state["state"] != "assigned" or state.get("counsellor") != counsellor:
            raise HandoffError("not_yours", "Cuộc trò chuyện này không do bạn phụ trách.", status=403)
        return state

    async def _note_place(self, cid: str, contact_id: Optional[int], text: str) -> None:
        """The province named, kept (coarse, outliving retention) for the statistics by province."""
        province = province_in(text)
        if province and contact_id:
            await self.store.run(self.store.add_event, cid, "place", None, None, "gateway", contact_id, time.time(),
                                 province=province)

    async def set_intake(self, cid: str, location: str, safe_now: str, contact: str) -> None:
        """What the intake form collected; the contact answer decides whether follow-ups may go out."""
        fields = {"intake_location": location or "", "intake_safe_now": safe_now or "",
                  "intake_contact": contact or "", "do_not_contact": "1" if texts.refuses_contact(contact) else ""}
        await self.live.set_fields(cid, **fields)
        state = await self.live.get(cid)
        contact_id = int(state["contact"]) if state.get("contact") else None
        await self.store.run(self.store.add_event, cid, "intake", state["state"], state["state"], "bot", contact_id,
                             time.time(), **fields)
        await self._note_place(cid, contact_id, location)
        await self.notify({"type": "intake", "conversation": cid})

    async def _check_follow_up(self, cid: str, state: Dict[str, str], confirmed: bool) -> None:
        last = await self.store.run(self.store.last_message_at, cid, "user")
        if last is None or time.time() - last < self.config.follow_up_after_s:
            return  # the user just wrote (or never did: nobody to protect): answering is what they asked
        if state.get("do_not_contact") == "1":
            raise HandoffError("do_not_contact", "Người dùng đã yêu cầu không liên hệ lại. Không gửi được tin nhắn này.")
        if not confirmed:
            raise HandoffError("confirm_safe_contact", texts.follow_up_check(state.get("intake_contact", "")))

    async def reply(self, cid: str, counsellor: str, text: str, confirmed_safe_contact: bool = False) -> Dict[str, Any]:
        """A counsellor's message, sent to the user on their own channel."""
        state = await self._held(cid, counsellor)
        await self._check_follow_up(cid, state, confirmed_safe_contact)
        await self.live.acknowledge(cid, counsellor)
        message = await self.store.run(self.store.add_message, cid, "counsellor", text, counsellor,
                                       int(state["contact"]))
        await self.store.run(self.store.set_first_response, int(state["contact"]), message["created_at"])
        await self.notify({"type": "message", "conversation": cid, "state": "assigned", "counsellor": counsellor,
                           "message": public_message(message)})
        if self.deliver and not await self._deliver(state, cid, text):
            raise HandoffError("delivery_failed", texts.delivery_failed(state["channel"], None), status=502)
        return message

    async def note(self, cid: str, counsellor: str, text: str) -> Dict[str, Any]:
        """A private note: in the transcript for counsellors, never sent."""
        await self._held(cid, counsellor)
        return await self.record(cid, "note", text, counsellor)

    async def transfer(self, cid: str, counsellor: str, target: Optional[str], note: str = "",
                       target_capacity: Optional[int] = None) -> None:
        """To another counsellor, or back to the queue (``target`` None); warm when a note goes with it."""
        await self._held(cid, counsellor)
        if note.strip():
            await self.record(cid, "note", note.strip(), counsellor)
        now = time.time()
        if target is None:
            await self._requeue(cid, counsellor, now, "transferred_to_queue", counsellor)
            return
        status, contact = await self.live.transfer(cid, counsellor, target, now, now + self.config.ack_timeout_s,
                                                   target_capacity or self.config.counsellor_capacity)
        if status == "capacity":
            raise HandoffError("capacity", "Tư vấn viên này đã nhận đủ số cuộc trò chuyện.")
        if status != "ok":
            raise HandoffError("not_yours", "Cuộc trò chuyện này không do bạn phụ trách.", status=403)
        await self.store.run(self.store.update_contact, int(contact), counsellor=target)
        await self.store.run(self.store.add_event, cid, "transferred", "assigned", "assigned", counsellor,
                             int(contact), now, to=target, warm=bool(note.strip()))
        await self.notify({"type": "assigned", "conversation": cid, "counsellor": target})

    async def assign(self, cid: str, supervisor: str, target: str) -> None:
        """A supervisor takes a case over (``target`` is themselves) or gives it to a counsellor,
        from the queue or from whoever holds it; the person is not greeted again."""
        kind = "taken_over" if target == supervisor else "reassigned"
        for _ in range(3):  # the holder may change between our read and the script: read again
            state = await self.live.get(cid)
            current = state.get("counsellor", "") if state["state"] == "assigned" else ""
            if current == target:
                raise HandoffError("already_assigned", "Cuộc trò chuyện đã do người này phụ trách.")
            now = time.time()
            status, greeted = await self.live.assign(cid, current, target, now, now + self.config.ack_timeout_s,
                                                     kind, supervisor)
            if status == "changed":
                continue
            if status != "ok":
                raise HandoffError("not_queued", "Cuộc trò chuyện này không còn chờ hay đang được tư vấn.")
            contact_id = int(state["contact"])
            values = {"counsellor": target}
            if state["state"] == "queued" and not (await self.store.run(self.store.contact, contact_id))["claimed_at"]:
                values["claimed_at"] = now
                await self.live.record_wait(now - float(state["queued_at"]))
            await self.store.run(self.store.update_contact, contact_id, **values)
            await self.store.run(self.store.add_event, cid, kind, state["state"], "assigned", supervisor, contact_id,
                                 now, previous=current, to=target)
            await self.notify({"type": "assigned", "conversation": cid, "counsellor": target})
            await self.notify({"type": "queue", "conversation": cid})
            if state["state"] == "queued" and self.bot:
                await self._bot_call(self.bot.pause, state)
            if greeted != "1":
                await self._send(state, cid, texts.claimed())
            return
        raise HandoffError("busy", "Cuộc trò chuyện đang thay đổi, hãy thử lại.")

    async def _requeue(self, cid: str, counsellor: str, now: float, kind: str, actor: str) -> bool:
        status, contact = await self.live.requeue(cid, counsellor, now, kind, actor)
        if status != "ok":
            return False
        state = await self.live.get(cid)
        await self.store.run(self.store.add_event, cid, kind, "assigned", "queued", actor, int(contact), now,
                             counsellor=counsellor)
        await self.notify({"type": "queue", "critical": state.get("priority") == "critical", "conversation": cid})
        if self.bot:
            await self._bot_call(self.bot.resume, state)
        return True

    async def close(self, cid: str, counsellor: str, outcomes: List[str], victim: str) -> None:
        unknown = [o for o in outcomes if o not in OUTCOMES]
        if not outcomes or unknown:
            raise HandoffError("invalid_outcome", "Hãy chọn ít nhất một kết quả trong danh sách.", status=400)
        if victim not in VICTIM_STATUS:
            raise HandoffError("invalid_victim", "Hãy chọn tình trạng nạn nhân trong danh sách.", status=400)
        await self._held(cid, counsellor)
        now = time.time()
        survey = "" if outcomes in (["no_counselling"], ["abusive"]) else texts.SURVEY_ORDER[0]
        status, contact = await self.live.close(cid, counsellor, now, survey)
        if status != "ok":
            raise HandoffError("not_yours", "Cuộc trò chuyện này không do bạn phụ trách.", status=403)
        await self.store.run(self.store.update_contact, int(contact), closed_at=now, outcomes=outcomes, victim=victim)
        await self.store.run(self.store.add_event, cid, "closed", "assigned", "bot", counsellor, int(contact), now,
                             outcomes=outcomes, victim=victim)
        await self.notify({"type": "closed", "conversation": cid, "counsellor": counsellor})
        state = await self.live.get(cid)
        if self.bot:
            await self._bot_call(self.bot.resume, state)
        await self._send(state, cid, texts.closed() + ("\n" + texts.SURVEY[survey] if survey else ""))

    async def survey_reply(self, cid: str, text: str, state: Optional[Dict[str, str]] = None) -> Optional[str]:
        """The next survey question or thanks when ``text`` answers the survey, else None."""
        state = state or await self.live.get(cid)
        question = state.get("survey")
        if state["state"] != "bot" or not question:
            return None
        answer = texts.survey_answer(text)
        if answer is None:  # the person moved on: no more questions
            await self.live.set_fields(cid, survey="")
            return None
        await self.store.run(self.store.update_contact, int(state["survey_contact"]), **{f"survey_{question}": answer})
        following = texts.SURVEY_ORDER[texts.SURVEY_ORDER.index(question) + 1:]
        await self.live.set_fields(cid, survey=following[0] if following else "")
        return texts.SURVEY[following[0]] if following else texts.survey_thanks()

    async def delivery_report(self, cid: str, channel: str, ref: str, status: str, failed: bool) -> None:
        """A provider's word on a message we sent; a failure is shown to the counsellor."""
        state = await self.live.get(cid)
        contact = int(state["contact"]) if state.get("contact") else None
        await self.store.run(self.store.add_event, cid, "delivery_report", state["state"], state["state"], channel,
                             contact, time.time(), ref=ref, status=status)
        if failed:
            await self.record(cid, "system", texts.delivery_failed(channel, None))

    # --- presence and the watchdog ----------------------------------------------
    async def heartbeat(self, username: str, status: Optional[str] = None) -> None:
        key = self.live.key("presence")
        current = await self.redis.hget(key, username)
        previous = json.loads(current) if current else {}
        status = status or previous.get("status") or "online"
        await self.redis.hset(key, username, json.dumps({"status": status, "seen": time.time()}))
        if previous.get("status") != status:
            await self.notify({"type": "presence", "username": username, "status": status})

    async def presence(self) -> Dict[str, str]:
        """online / away / offline (no heartbeat within the timeout) per counsellor."""
        now, out = time.time(), {}
        for name, raw in (await self.redis.hgetall(self.live.key("presence"))).items():
            entry = json.loads(raw)
            fresh = now - entry["seen"] <= self.config.heartbeat_timeout_s
            out[name.decode()] = entry["status"] if fresh else "offline"
        return out

    async def online_count(self) -> int:
        return sum(1 for status in (await self.presence()).values() if status == "online")

    async def sweep(self, now: Optional[float] = None) -> Dict[str, int]:
        """One watchdog pass: unacknowledged or abandoned cases go back; unclaimed critical cases alert."""
        now = now or time.time()
        presence = await self.presence()
        counts = {"requeued": 0, "alerted": 0}
        for cid in await self.live.assigned():
            state = await self.live.get(cid)
            counsellor = state.get("counsellor", "")
            if state["state"] != "assigned":
                continue
            if state.get("acked") != "1" and now > float(state.get("ack_deadline") or 0):
                kind = "ack_timeout"
            elif presence.get(counsellor, "offline") == "offline":
                kind = "counsellor_lost"
            else:
                continue
            if await self._requeue(cid, counsellor, now, kind, "watchdog"):
                counts["requeued"] += 1
        for waiting in await self.live.waiting():
            if waiting.priority != "critical" or now - waiting.queued_at < self.config.critical_alert_s:
                continue
            if await self.live.mark_alerted(waiting.conversation_id, now):
                counts["alerted"] += 1
                await self._alert_unclaimed(waiting, now)
        return counts

    async def dismiss_burst(self, burst: str, supervisor: str) -> int:
        """Close every waiting case of a burst (handoff/bursts.py) as abuse; how many were closed.
        Cases a counsellor already holds stay with them."""
        closed = 0
        for waiting in await self.queue():
            cid = waiting.conversation_id
            if (await self.live.get(cid)).get("burst") != burst:
                continue
            try:
                await self.assign(cid, supervisor, supervisor)
                await self.close(cid, supervisor, ["abusive"], "unknown")
            except HandoffError:  # claimed by someone a moment ago: theirs now
                continue
            closed += 1
        await self.notify({"type": "queue", "critical": False, "conversation": ""})
        return closed

    async def _alert_unclaimed(self, waiting: Waiting, now: float) -> None:
        cid = waiting.conversation_id
        state = await self.live.get(cid)
        contact_id = int(state["contact"])
        # A burst's cases alert once, for the whole burst: the supervisor sees the group in the console.
        if state.get("burst") and not await self.redis.set(self.live.key("burst-alerted", state["burst"]), "1",
                                                           nx=True, ex=3600):
            return
        alert = {"type": "alert", "kind": "critical_unclaimed", "conversation": cid,
                 "waited_s": round(now - waiting.queued_at), "at": now}
        await self.redis.lpush(self.live.key("alerts"), json.dumps(alert))
        await self.redis.ltrim(self.live.key("alerts"), 0, 49)
        await self.store.run(self.store.add_event, cid, "critical_unclaimed", "queued", "queued", "watchdog",
                             contact_id, now)
        await self.notify(alert)
        await self._send(state, cid, texts.still_waiting_critical())
        if self.alert_supervisors:
            try:
                await self.alert_supervisors(texts.supervisor_alert(now - waiting.queued_at, state.get("channel", "")))
            except Exception as error:  # the console banner is up regardless
                logger.error("supervisor alert not sent: %s", type(error).__name__)

    async def alerts(self) -> List[Dict[str, Any]]:
        """Recent alerts still worth showing: their case is still waiting."""
        out = []
        for raw in await self.redis.lrange(self.live.key("alerts"), 0, -1):
            alert = json.loads(raw)
            if (await self.live.get(alert["conversation"]))["state"] == "queued":
                out.append(alert)
        return out

    async def _bot_call(self, fn, state: Dict[str, str]) -> None:
        resuming = fn == getattr(self.bot, "resume", None)
        try:
            await fn(sender_key(state["channel"], state["sender"]))
        except Exception as error:
            # Pausing may fail harmlessly (the gateway sends Rasa nothing while a counsellor holds the
            # conversation); a failed resume is retried before the next message goes to Rasa.
            logger.warning("could not pause/resume the bot conversation: %s", type(error).__name__)
            if resuming:
                await self.live.set_fields(state["conversation"], resume_pending="1")
            return
        if resuming and state.get("resume_pending"):
            await self.live.set_fields(state["conversation"], resume_pending="")

    async def resume_bot_if_pending(self, cid: str, state: Optional[Dict[str, str]] = None) -> None:
        state = state or await self.live.get(cid)
        if state.get("resume_pending") == "1" and self.bot:
            await self._bot_call(self.bot.resume, state)


def _until(raw: Optional[bytes]) -> Optional[float]:
    """When a restriction (``blocked:{id}``) ends, or None."""
    return json.loads(raw)["until"] if raw else None


def _contact(state: Dict[str, str]) -> Optional[int]:
    """The contact a message belongs to: none while the bot alone has the conversation."""
    return int(state["contact"]) if state.get("contact") and state["state"] != "bot" else None


def public_message(message: Dict[str, Any]) -> Dict[str, Any]:
    return {k: message[k] for k in ("id", "role", "author", "text", "created_at")}


async def run_retention(handoff: Handoff, every_s: float = 24 * 3600) -> None:
    """Anonymise old transcripts once a day (each gateway may run it: it is idempotent)."""
    import asyncio

    from handoff.retention import anonymise

    while True:
        try:
            await handoff.store.run(anonymise, handoff.store, handoff.config.retention_days * 86400)
        except Exception as error:
            logger.error("retention pass failed: %s", type(error).__name__)
        await asyncio.sleep(every_s)


async def run_watchdog(handoff: Handoff, interval_s: float) -> None:
    """Sweep forever; several gateways may run it, every step is conditional and atomic."""
    import asyncio

    while True:
        try:
            await handoff.sweep()
        except Exception as error:
            logger.error("watchdog pass failed: %s", type(error).__name__)
        await asyncio.sleep(interval_s)
