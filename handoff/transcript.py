"""The transcript: every message of a conversation, stored in SQL and shown live in the consoles."""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Tuple

from redis.asyncio import Redis

from directory import Directory
from handoff.connection import run_pipeline
from handoff.conversations import Conversations
from handoff.keys import Keys
from handoff.store import Store

# Transcript roles whose texts are the hotline's own, written with directory placeholders.
OWN_ROLES = ("bot", "system")


def public_message(message: Dict[str, Any]) -> Dict[str, Any]:
    return {k: message[k] for k in ("id", "role", "author", "text", "created_at")}


def _contact(state: Dict[str, str]) -> Optional[int]:
    """The contact a message belongs to: none while the bot alone has the conversation."""
    return int(state["contact"]) if state.get("contact") and state["state"] != "bot" else None


class Transcript:
    def __init__(self, redis: Redis, store: Store, keys: Keys, conversations: Conversations,
                 directory: Directory) -> None:
        self.redis, self.store, self.keys = redis, store, keys
        self.conversations, self.directory = conversations, directory

    async def record(self, cid: str, role: str, text: str, author: Optional[str] = None,
                     state: Optional[Dict[str, str]] = None) -> Dict[str, Any]:
        """Store one message of the transcript and show it live in the consoles. ``state``: the
        conversation's live state when the caller has just read it (saves a round trip)."""
        state = state or await self.conversations.state(cid)
        message, shown = await self.store_message(cid, role, self.own(role, text), state, author)
        await run_pipeline(self.redis, shown, transaction=False)
        return message

    async def store_message(self, cid: str, role: str, text: str, state: Dict[str, str], author: Optional[str] = None
                            ) -> Tuple[Dict[str, Any], List[tuple]]:
        """Store one message; returns it and the commands that show it live, for the caller's next
        round trip to Redis."""
        message = await self.store.run(self.store.add_message, cid, role, text, author, _contact(state))
        return message, [self.shown(cid, state, message)]

    async def store_many(self, cid: str, role: str, texts: List[str], state: Dict[str, str]) -> List[tuple]:
        """Several messages of one speaker (the bot's answers to a message) in one transaction;
        returns the commands that show them live, as ``store_message``."""
        if not texts:
            return []
        stored = await self.store.run(self.store.add_messages, cid, role, [self.own(role, t) for t in texts],
                                      _contact(state))
        return [self.shown(cid, state, m) for m in stored]

    async def show(self, cid: str, state: Dict[str, str], message: Dict[str, Any]) -> None:
        """Show a message stored otherwise (a counsellor's reply) in the consoles, live."""
        _publish, channel, payload = self.shown(cid, state, message)
        await self.redis.publish(channel, payload)

    def own(self, role: str, text: str) -> str:
        """The hotline's own texts (bot, system) with the directory's numbers filled in; a person's
        or a counsellor's words are kept exactly as written."""
        return self.directory.render(text) if role in OWN_ROLES else text

    def shown(self, cid: str, state: Dict[str, str], message: Dict[str, Any]) -> tuple:
        """The command that shows a stored message in the consoles, live."""
        event = {"type": "message", "conversation": cid, "state": state["state"],
                 "counsellor": state.get("counsellor", ""), "message": public_message(message)}
        return "publish", self.keys.notify, json.dumps(event, ensure_ascii=False)
