import aiohttp
import pytest

from handoff.auth import hash_password
from handoff.service import Handoff
from shared.config import Config


class Outbox:
    """Records what the handoff sends to users (the channels are tested in tests/bot)."""

    def __init__(self):
        self.sent = []
        self.authors = []  # who wrote each of ``sent`` (handoff/authors.py)

    async def __call__(self, channel, sender, text, author=None):
        self.sent.append((channel, sender, text))
        self.authors.append(author)

    def to(self, sender):
        return [text for _c, s, text in self.sent if s == sender]

    def authored(self, sender):
        """(kind, name, text) of what ``sender`` was sent."""
        return [(a.kind, a.name, text) for (_c, s, text), a in zip(self.sent, self.authors) if s == sender]


@pytest.fixture
def outbox():
    return Outbox()


@pytest.fixture
def config():
    return Config(ack_timeout_s=60, heartbeat_timeout_s=30, critical_alert_s=60)


@pytest.fixture
def handoff(redis, store, config, outbox):
    return Handoff(redis, store, config, deliver=outbox)


_HASH = {}


def ensure_user(store, username, role="counsellor", capacity=3, password="mật-khẩu-dài-1"):
    """Accounts persist for the session's store; create each once."""
    if store.accounts.get(username) is None:
        if password not in _HASH:
            _HASH[password] = hash_password(password)
        store.accounts.add(username, username.title(), role, _HASH[password], capacity)
    return username


async def new_conversation(handoff, sender=None, channel="web"):
    import uuid

    return await handoff.conversations.conversation_for(channel, sender or uuid.uuid4().hex)


PASSWORD = "mật-khẩu-dài-1"


class Console:
    """One signed-in browser: its own cookie jar and CSRF token."""

    def __init__(self, base, address="127.0.0.1"):
        self.base = base
        # aiohttp keeps no cookies for IP hosts unless told to. ``address``: the loopback address
        # this browser connects from (any of 127.0.0.0/8), as seen by per-address limits.
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True),
                                          connector=aiohttp.TCPConnector(local_addr=(address, 0)))
        self.csrf = ""

    async def login(self, username, password=PASSWORD):
        async with self.http.post(f"{self.base}/api/login", json={"username": username, "password": password}) as r:
            body = await r.json()
            self.csrf = body.get("csrf", "")
            return r.status, body

    async def call(self, method, path, body=None, csrf=True, headers=None):
        headers = dict(headers or {})
        if csrf:
            headers["X-CSRF-Token"] = self.csrf
        async with self.http.request(method, self.base + path, json=body, headers=headers) as r:
            if r.content_type == "application/json":
                return r.status, await r.json()
            return r.status, await r.text()  # the CSV export

    async def close(self):
        await self.http.close()


@pytest.fixture
async def consoles(gateway_without_rasa):
    opened = []

    async def open_console(username, address="127.0.0.1"):
        opened.append(Console(gateway_without_rasa, address))
        return opened[-1]

    yield open_console
    for console in opened:
        await console.close()


async def signed_in(consoles, store, username, role="counsellor"):
    ensure_user(store, username, role)
    console = await consoles(username)
    status, _ = await console.login(username)
    assert status == 200
    return console


async def head_of_queue(console) -> str:
    """The id of the case at the head of the queue, as this console sees it."""
    status, queue = await console.call("GET", "/api/queue")
    assert status == 200
    return queue["waiting"][0]["id"]


async def user_says(http, gateway, sender, text):
    async with http.post(f"{gateway}/webhooks/web", json={"sender": sender, "text": text}) as r:
        assert r.status == 200
        return [m["text"] for m in (await r.json())["messages"]]


async def user_receives(http, gateway, sender, after="0", wait_ms=5000):
    async with http.get(f"{gateway}/webhooks/web/updates",
                        params={"sender": sender, "after": after, "wait_ms": str(wait_ms)}) as r:
        assert r.status == 200
        body = await r.json()
        return [m["text"] for m in body["messages"]], body["cursor"]
