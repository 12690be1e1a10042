"""The spike of `make bench` (issue 19): hundreds of people writing at once through a gateway with
admission control as shipped, and what came of their messages, read back from the store."""
from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Dict, List, Tuple

import aiohttp

from directory.messages import SAFETY_OPENING
from handoff.stats import percentile


def pct(values: List[float], q: float) -> float:
    """Every figure of the bench: the statistics' nearest-rank percentile, to 0.1 ms."""
    return round(percentile(values, q), 1)


async def spike(http, gateway: str, store, urgent: List[str], other: List[str], users: int = 200,
                per_person: int = 3, critical_share: float = 0.05) -> Dict[str, float]:
    """Issue 19: ``users`` people write at once, ``per_person`` messages each (the next as soon as
    the last is answered), ``critical_share`` of them rescue-urgent; the gateway runs with admission
    control as shipped. Times are to the request's reply (an answer, or "in a moment"); the safety
    answer of a critical message is in its reply (the urgent lane); a console's WebSocket times the
    handoff. Afterwards the store is read until every message has its answer (drained) or a minute
    passes: a message without one, or a critical one without its case, is lost."""
    from handoff.auth import hash_password

    if store.accounts.get("bench.spike") is None:
        store.accounts.add("bench.spike", "Bench", "supervisor", hash_password("bench-password-1"), 100)
    critical = set(range(0, users, round(1 / critical_share)))
    senders = {i: f"spike-{i}-{uuid.uuid4().hex[:8]}" for i in range(users)}
    answer_ms, safety_ms, posted, heard, fives = [], [], {}, {}, 0

    async def person(i: int) -> None:
        nonlocal fives
        for n in range(per_person):
            text = urgent[i % len(urgent)] if i in critical and n == 0 else other[(i * per_person + n) % len(other)]
            start = time.perf_counter()
            if n == 0 and i in critical:
                posted[senders[i]] = start
            async with http.post(f"{gateway}/webhooks/web", json={"sender": senders[i], "text": text}) as r:
                body = await r.json() if r.status == 200 else {}
                ms = (time.perf_counter() - start) * 1000
            if r.status >= 500:
                fives += 1
                continue
            answer_ms.append(ms)
            if n == 0 and i in critical and any(m["text"].startswith(SAFETY_OPENING) for m in body.get("messages", [])):
                safety_ms.append(ms)

    jar = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    async with jar.post(f"{gateway}/api/login", json={"username": "bench.spike", "password": "bench-password-1"}):
        pass
    async with jar.ws_connect(gateway.replace("http", "ws") + "/api/ws") as ws:
        await ws.receive(timeout=5)  # hello

        async def console() -> None:
            async for event in ws:
                data = json.loads(event.data)
                if data.get("type") == "queue" and data.get("critical") and data.get("conversation"):
                    heard.setdefault(data["conversation"], time.perf_counter())

        listening = asyncio.create_task(console())
        start = time.perf_counter()
        await asyncio.gather(*(person(i) for i in range(users)))
        sent_s = time.perf_counter()
        # drained: every user message has a bot answer stored after it, or a minute has passed
        lost, critical_lost = users * per_person, len(critical)
        while time.perf_counter() - sent_s < 60:
            lost, critical_lost = unanswered(store, senders, critical, per_person)
            if not lost and not critical_lost:
                break
            await asyncio.sleep(0.5)
        drained = time.perf_counter() - sent_s
        listening.cancel()
    await jar.close()
    handoff_ms = []
    for sender, at in posted.items():
        cid = store.find_conversation("web", sender)
        if cid in heard:
            handoff_ms.append((heard[cid] - at) * 1000)
    return {"overload_users": users, "overload_messages": users * per_person,
            "overload_seconds": round(sent_s - start, 1),
            "overload_critical_handoff_ms_p95": pct(handoff_ms, 95) if handoff_ms else None,
            "overload_critical_safety_ms_p95": pct(safety_ms, 95) if safety_ms else None,
            "overload_critical_safety_missing": len(critical) - len(safety_ms),
            "overload_answer_ms_p50": pct(answer_ms, 50), "overload_answer_ms_p95": pct(answer_ms, 95),
            "overload_5xx": fives, "overload_critical_lost": critical_lost, "overload_lost": lost,
            "overload_drained_s": round(drained, 1)}


def unanswered(store, senders: Dict[int, str], critical, per_person: int = 3) -> Tuple[int, int]:
    """(user messages with no bot answer stored after them, critical people without a case)."""
    lost, critical_lost = 0, 0
    for i, sender in senders.items():
        cid = store.find_conversation("web", sender)
        if cid is None:
            lost += per_person
            critical_lost += i in critical
            continue
        roles = [m["role"] for m in store.messages(cid)]
        for k, role in enumerate(roles):
            later = roles[k + 1:]
            until_next = later[:later.index("user")] if "user" in later else later
            lost += role == "user" and "bot" not in until_next
        critical_lost += i in critical and not store.contacts_of(cid)
    return lost, critical_lost
