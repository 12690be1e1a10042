"""Talk to the Rasa server: its REST channel, and its HTTP API to pause a conversation."""
from __future__ import annotations

import asyncio
from typing import Any, Dict, List
from urllib.parse import quote

import aiohttp

from bot.triage import NLU_MAX_CHARS


class RasaUnavailable(Exception):
    """Rasa did not answer in time or answered with an error."""


class RasaClient:
    def __init__(self, session: aiohttp.ClientSession, base_url: str, timeout_s: float, token: str = "") -> None:
        self._session = session
        self._base = base_url
        self._url = f"{base_url}/webhooks/rest/webhook"
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._token = token

    async def send(self, sender: str, text: str) -> List[str]:
        """The bot's reply texts to one user message."""
        payload = {"sender": sender, "message": text[:NLU_MAX_CHARS]}
        replies = await self._post(self._url, payload)
        return [r["text"] for r in replies if isinstance(r, dict) and r.get("text")]

    # While a counsellor holds a conversation the gateway sends Rasa nothing; pausing it
    # too keeps Rasa's own record right. On resume the intake form is ended, so the
    # next message is read afresh.
    async def pause(self, sender: str) -> None:
        await self._events(sender, [{"event": "pause"}])

    async def resume(self, sender: str) -> None:
        await self._events(sender, [{"event": "active_loop", "name": None},
                                    {"event": "slot", "name": "requested_slot", "value": None},
                                    {"event": "resume"}])

    async def _events(self, sender: str, events: List[Dict[str, Any]]) -> None:
        if not self._token:
            return
        url = f"{self._base}/conversations/{quote(sender, safe='')}/tracker/events"
        await self._post(url, events, params={"token": self._token, "include_events": "NONE"})

    async def _post(self, url: str, payload: Any, params: Dict[str, str] | None = None) -> Any:
        try:
            async with self._session.post(url, json=payload, params=params, timeout=self._timeout) as response:
                if response.status != 200:
                    raise RasaUnavailable(f"rasa answered {response.status}")
                return await response.json()
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise RasaUnavailable(type(error).__name__) from error
