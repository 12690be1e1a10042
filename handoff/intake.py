"""What the person tells the bot about themselves: the intake form's answers (Rasa's
action_intake_done) and the survey after a closed contact."""
from __future__ import annotations

from typing import Dict, Optional

from handoff import texts
from handoff.conversations import Conversations
from handoff.events import Event, Events
from handoff.places import note_place
from handoff.store import Store


class Intake:
    def __init__(self, store: Store, conversations: Conversations, events: Events) -> None:
        self.store, self.conversations, self.events = store, conversations, events

    async def set_intake(self, cid: str, location: str, safe_now: str, contact: str) -> None:
        """What the intake form collected; the contact answer decides whether follow-ups may go out."""
        fields = {"intake_location": location or "", "intake_safe_now": safe_now or "",
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
