"""Talk to the Rasa servers: their REST channel, and their HTTP API to pause a conversation.

With several Rasa servers (sharing one SQL tracker store), each conversation goes to one
of them, chosen by a stable hash of its id, so every gateway picks the same one; only
when that server refuses the connection (it is down, so it did not see the message)
does the message go to the next. The gateway's per-conversation turn (bot/turns.py)
keeps two servers from ever working on one conversation at once.

Admission control (issue 19): at most ``max_in_flight`` user messages are sent to one server at
once, from this gateway. Past that, a message waits for a free place in arrival order
(``asyncio.Semaphore`` wakes its waiters first come, first served), at most ``admission_wait_s``;
then it is sent anyway, so that a backlog delays an answer but never loses it. ``saturated`` tells
the router to acknowledge such a message at once (bot/router.py). ``in_flight`` counts what each
server is working on now (nothing reports it yet).
"""
from __future__ import annotations

import asyncio
import collections
import contextlib
import zlib
from typing import Any, AsyncIterator, Dict, List, Sequence
from urllib.parse import quote

import aiohttp

# The NLU sees at most this much of a message; the urgency detector sees all of it.
NLU_MAX_CHARS = 2000


class RasaUnavailable(Exception):
    """Rasa did not answer in time or answered with an error."""


class RasaClient:
    def __init__(self, session: aiohttp.ClientSession, base_urls: str | Sequence[str], timeout_s: float,
                 token: str = "", max_in_flight: int = 0, admission_wait_s: float = 10.0) -> None:
        self._session = session
        urls = base_urls.split(",") if isinstance(base_urls, str) else base_urls
        self._bases = [u.strip().rstrip("/") for u in urls if u.strip()]
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._token = token
        # Every request carries the token: the Rasa server refuses any without it (tools/rasa_server.py).
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.served: Dict[str, int] = collections.Counter()  # requests answered, per server
        # admission control: 0 = unbounded
        self._places = {base: asyncio.Semaphore(max_in_flight) for base in self._bases} if max_in_flight > 0 else {}
        self._admission_wait_s = admission_wait_s
        self.in_flight: Dict[str, int] = collections.Counter()  # user messages sent and not yet answered

    def saturated(self, sender: str) -> bool:
        """Whether this conversation's server has no free place now: its message would wait."""
        place = self._places.get(self.servers_for(sender)[0])
        return place is not None and place.locked()

    @contextlib.asynccontextmanager
    async def _admitted(self, sender: str) -> AsyncIterator[None]:
        """A place at the conversation's server, waited for in arrival order, at most
        ``admission_wait_s`` (then the message goes without one)."""
        base = self.servers_for(sender)[0]
        place = self._places.get(base)
        got = False
        if place is not None:
            try:
                await asyncio.wait_for(place.acquire(), self._admission_wait_s)
                got = True
            except asyncio.TimeoutError:
                pass
        self.in_flight[base] += 1
        try:
            yield
        finally:
            self.in_flight[base] -= 1
            if got:
                place.release()

    def servers_for(self, sender: str) -> List[str]:
        """The servers in the order this conversation tries them: its own first."""
        start = zlib.crc32(sender.encode("utf-8")) % len(self._bases)
        return self._bases[start:] + self._bases[:start]

    async def send(self, sender: str, text: str) -> List[str]:
        """The bot's reply texts to one user message."""
        payload = {"sender": sender, "message": text[:NLU_MAX_CHARS]}
        async with self._admitted(sender):
            replies = await self._post_to(sender, "/webhooks/rest/webhook", payload)
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
        path = f"/conversations/{quote(sender, safe='')}/tracker/events"
        # Rasa's own API reads its token from the query only (a Bearer header is a JWT to it).
        await self._post_to(sender, path, events, params={"token": self._token, "include_events": "NONE"})

    async def ready(self) -> bool:
        """At least one Rasa server answers (for /readyz)."""
        for base in self._bases:
            try:
                async with self._session.get(f"{base}/", headers=self._headers,
                                             timeout=aiohttp.ClientTimeout(total=2)) as response:
                    if response.status == 200:
                        return True
            except (aiohttp.ClientError, asyncio.TimeoutError):
                continue
        return False

    async def _post_to(self, sender: str, path: str, payload: Any, params: Dict[str, str] | None = None) -> Any:
        servers = self.servers_for(sender)
        for i, base in enumerate(servers):
            try:
                result = await self._post(base + path, payload, params)
                self.served[base] += 1
                return result
            except RasaUnavailable as error:
                # Only a refused connection is safe to send elsewhere: the server never saw it.
                if not isinstance(error.__cause__, aiohttp.ClientConnectorError) or i == len(servers) - 1:
                    raise

    async def _post(self, url: str, payload: Any, params: Dict[str, str] | None = None) -> Any:
        try:
            async with self._session.post(url, json=payload, params=params, headers=self._headers,
                                          timeout=self._timeout) as response:
                if response.status != 200:
                    raise RasaUnavailable(f"rasa answered {response.status}")
                return await response.json()
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise RasaUnavailable(type(error).__name__) from error
