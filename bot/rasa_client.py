"""Talk to the Rasa server through its REST channel."""
from __future__ import annotations

import asyncio
from typing import List

import aiohttp

from bot.triage import NLU_MAX_CHARS


class RasaUnavailable(Exception):
    """Rasa did not answer in time or answered with an error."""


class RasaClient:
    def __init__(self, session: aiohttp.ClientSession, base_url: str, timeout_s: float) -> None:
        self._session = session
        self._url = f"{base_url}/webhooks/rest/webhook"
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)

    async def send(self, sender: str, text: str) -> List[str]:
        """The bot's reply texts to one user message."""
        payload = {"sender": sender, "message": text[:NLU_MAX_CHARS]}
        try:
            async with self._session.post(self._url, json=payload, timeout=self._timeout) as response:
                if response.status != 200:
                    raise RasaUnavailable(f"rasa answered {response.status}")
                replies = await response.json()
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise RasaUnavailable(type(error).__name__) from error
        return [r["text"] for r in replies if isinstance(r, dict) and r.get("text")]
