"""What the person tells the bot about themselves: the intake form's answers (Rasa's
action_intake_done), stored as what they mean; what the line already knows, so nobody asks
twice; and the survey after a contact that really ended."""
from __future__ import annotations

import re
from typing import Dict, Optional

from handoff import texts
from handoff.conversations import Conversations
from handoff.events import Event, Events
from handoff.places import note_place, province_in
from handoff.store import Store
from nlu.text import fold

# The intake asks "Lúc này có ai đang xem điện thoại của bạn không?" (domain.yml, utter_ask_intake_safe):
# a bare yes means someone is watching. The answer is stored as one of these meanings, or as
# written when it says more than yes or no (the console shows it as it is).
WATCHED = "có người đang xem điện thoại"
NOT_WATCHED = "không có ai đang xem điện thoại"
_YES = re.compile(r"(co|co a|co nguoi|co nguoi xem|co nguoi dang xem|u|uh|um|vang|vang co|da co|yes|y|dung|dung roi)")
_NO = re.compile(r"(khong|ko|k|kh|hong|hok|no|khong a|da khong|chua|khong ai|ko ai|khong co|khong co ai|ko co ai|"
                 r"khong ai xem|ko ai xem|khong co ai xem|khong co nguoi xem)")
# An intake location that tells nothing ("bỏ qua" is the form's own way to skip).
_NO_PLACE = re.compile(r"(bo qua|khong|ko|k|khong biet|ko biet|khong muon noi|ko muon noi|skip)")
# bot/channels/telegram.py and zalo.py write a shared location into the transcript so.
SHARED_LOCATION = "[Vị trí được chia sẻ"


def watched_meaning(answer: str) -> str:
    """The answer to "is anyone watching your phone?" as what it means: WATCHED, NOT_WATCHED, or
    the person's words kept as written."""
    words = " ".join(re.sub(r"[^\w]+", " ", fold(answer or "")).split())
    if not words:
        return ""
    if answer in (WATCHED, NOT_WATCHED):  # Rasa's slot mapping already stored the meaning
        return answer
    if _YES.fullmatch(words):
        return WATCHED
    if _NO.fullmatch(words):
        return NOT_WATCHED
    return answer.strip()


class Known:
    """What the line already knows about the person, so a message does not ask for it again."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def location(self, cid: str, state: Dict[str, str]) -> bool:
        """The person said where they are: in the intake, or in a message that names a province or
        shares a location, since the hour before this case was queued (the talk that led to it;
        a place named weeks ago may no longer be where they are)."""
        place = " ".join(re.sub(r"[^\w]+", " ", fold(state.get("intake_location", ""))).split())
        if place and not _NO_PLACE.fullmatch(place):
            return True
        since = float(state.get("queued_at") or 0)
        for message in await self.store.run(self.store.messages, cid):
            if message["role"] == "user" and message["created_at"] >= since - 3600 and (
                    message["text"].startswith(SHARED_LOCATION) or province_in(message["text"])):
                return True
        return False

    @staticmethod
    def watched(state: Dict[str, str]) -> bool:
        """The person said someone is watching their phone."""
        return state.get("intake_safe_now") == WATCHED


class Intake:
    def __init__(self, store: Store, conversations: Conversations, events: Events) -> None:
        self.store, self.conversations, self.events = store, conversations, events

    async def set_intake(self, cid: str, location: str, safe_now: str, contact: str) -> None:
        """What the intake form collected, the phone question's answer as what it means; the contact
        answer decides whether follow-ups may go out."""
        fields = {"intake_location": location or "", "intake_safe_now": watched_meaning(safe_now),
                  "intake_contact": contact or "", "do_not_contact": "1" if texts.refuses_contact(contact) else ""}
        await self.conversations.set_fields(cid, **fields)
        state = await self.conversations.state(cid)
        contact_id = self.conversations.contact_of(state)
        await self.events.record_event(Event("intake", cid, "bot", state["state"], state["state"], contact_id,
                                             detail=fields, state=state))
        await note_place(self.events, cid, contact_id, location)

    async def survey_reply(self, cid: str, text: str, state: Optional[Dict[str, str]] = None) -> Optional[str]:
        """The next survey question or thanks when ``text`` answers the survey, else None."""
        state = state or await self.conversations.state(cid)
        question = state.get("survey")
        if state["state"] != "bot" or not question:
            return None
        answer = texts.survey_answer(text)
        if answer is None:  # the person moved on: no more questions
            await self.conversations.set_fields(cid, survey="")
            return None
        await self.store.run(self.store.update_contact, int(state["survey_contact"]), **{f"survey_{question}": answer})
        following = texts.SURVEY_ORDER[texts.SURVEY_ORDER.index(question) + 1:]
        await self.conversations.set_fields(cid, survey=following[0] if following else "")
        return texts.SURVEY[following[0]] if following else texts.survey_thanks()
