"""The gateway as production runs it (`python -m bot serve`, its own process, its own Redis),
attacked from loopback as someone without an account would: compression bombs on every route,
hundreds of long polls, error pages probed for headers and versions."""
import asyncio
import gzip
import os
import subprocess
import sys
import uuid
import zlib

import aiohttp
import pytest
from redis.asyncio import Redis

from tools.launcher import free_port, wait_for_port
from tools.model import ROOT, rasa_env

# Every route a stranger can reach, with the method it takes; the last one does not exist.
ROUTES = [("POST", "/webhooks/web"), ("GET", "/webhooks/web/updates?sender=x&after=0&wait_ms=0"),
          ("POST", "/webhooks/telegram"), ("POST", "/webhooks/zalo"), ("GET", "/webhooks/sms"),
          ("POST", "/api/login"), ("POST", "/api/conversations/x/messages"), ("GET", "/"),
          ("POST", "/no/such/route")]


def rss_mb(pid: int) -> float:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.fixture
def gateway_process(tmp_path, redis_server):
    port = free_port()
    env = {**rasa_env(), "GATEWAY_PORT": str(port), "REDIS_URL": redis_server.url,
           "DATABASE_URL": f"sqlite:///{tmp_path / 'abuse.sqlite3'}", "RASA_URL": f"http://127.0.0.1:{free_port()}",
           "REDIS_MAX_CONNECTIONS": "40", "MAX_LONG_POLLS": "20", "MAX_LONG_POLLS_PER_SENDER": "2"}
    log = open(tmp_path / "gateway.log", "ab")
    process = subprocess.Popen([sys.executable, "-m", "bot", "serve"], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    wait_for_port(port, process, 60, "gateway")
    yield process, f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(30)
    log.close()


def bomb(kind: str, size: int) -> bytes:
    """About ``size`` bytes that inflate to about 1000 times as much."""
    zeros = b"\0" * (size * 1000)
    return gzip.compress(zeros, 9) if kind == "gzip" else zlib.compress(zeros, 9)


async def send(http, url, method, path, body, encoding):
    try:
        async with http.request(method, url + path, data=body,
                                headers={"Content-Encoding": encoding, "Content-Type": "application/json"}) as r:
            await r.read()
            return r.status
    except (aiohttp.ClientOSError, aiohttp.ServerDisconnectedError):
        return "closed"  # refused before the whole body was sent: the connection was closed


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
async def test_compression_bombs_are_refused_on_every_route_without_inflating(gateway_process, encoding):
    process, url = gateway_process
    before = rss_mb(process.pid)
    async with aiohttp.ClientSession(auto_decompress=False) as http:
        small, large = bomb(encoding, 63 * 1024), bomb(encoding, 1024 * 1024)
        # Every route, refusing or not, answers 415: nothing reads, let alone inflates, the body.
        for method, path in ROUTES:
            assert await send(http, url, method, path, small, encoding) == 415, path
        # Sixteen just under nginx's 64k limit, and four of 1 MB, all at once.
        statuses = await asyncio.gather(*[send(http, url, "POST", "/webhooks/web", small, encoding) for _ in range(16)],
                                        *[send(http, url, "POST", "/webhooks/web", large, encoding) for _ in range(4)])
        assert set(statuses) <= {415, "closed"} and statuses[:16] == [415] * 16
        async with http.get(url + "/healthz", timeout=aiohttp.ClientTimeout(total=2)) as r:
            assert r.status == 200
        # The line still works.
        async with http.post(url + "/webhooks/web", json={"sender": uuid.uuid4().hex, "text": "xin chào"}) as r:
            assert r.status == 200
    after = rss_mb(process.pid)
    assert after < 150, (before, after)


async def test_error_responses_carry_the_security_headers_and_no_version(gateway_process):
    _process, url = gateway_process
    async with aiohttp.ClientSession() as http:
        probes = [
            ("GET", "/no/such/page", {}, None, 404),
            ("POST", "/webhooks/telegram", {"X-Telegram-Bot-Api-Secret-Token": "wrong"}, b"{}", 404),
            ("POST", "/webhooks/web", {"Content-Type": "application/json"}, b"x" * (70 * 1024), 413),
            ("POST", "/webhooks/web", {"Content-Encoding": "br"}, b"{}", 415),
            ("GET", "/api/queue", {}, None, 401),
            ("GET", "/console", {}, None, None),  # a redirect to /console/, or the page
        ]
        for method, path, headers, body, expected in probes:
            async with http.request(method, url + path, headers=headers, data=body, allow_redirects=False) as r:
                if expected:
                    assert r.status in (expected, 403), (path, r.status)
                csp = r.headers.get("Content-Security-Policy", "")
                assert "base-uri 'none'" in csp and "form-action 'self'" in csp, (path, r.status)
                assert r.headers.get("X-Content-Type-Options") == "nosniff", (path, r.status)
                assert r.headers.get("X-Frame-Options") == "DENY", (path, r.status)
                assert r.headers.get("Server") == "hotline", (path, r.headers.get("Server"))
                assert "aiohttp" not in str(r.headers) and "Python" not in str(r.headers)


async def test_five_hundred_long_polls_keep_redis_connections_bounded(gateway_process, redis_server):
    _process, url = gateway_process
    watcher = Redis.from_url(redis_server.url)
    try:
        before = (await watcher.info("clients"))["connected_clients"]
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
            async def poll(i):
                async with http.get(f"{url}/webhooks/web/updates",
                                    params={"sender": f"poller-{i % 250}", "after": "0", "wait_ms": "4000"}) as r:
                    assert r.status == 200
                    return await r.json()

            polls = [asyncio.create_task(poll(i)) for i in range(500)]
            await asyncio.sleep(1.5)
            during = (await watcher.info("clients"))["connected_clients"]
            # While they wait, a person still gets an answer.
            async with http.post(url + "/webhooks/web", json={"sender": uuid.uuid4().hex, "text": "cứu em, họ nhốt em"}) as r:
                assert r.status == 200 and any("113" in m["text"] for m in (await r.json())["messages"])
            answers = await asyncio.gather(*polls)
        # The gateway's pool holds at most REDIS_MAX_CONNECTIONS (40); polls over the bounds were
        # answered at once and told when to come back.
        assert during - before <= 40, (before, during)
        told_to_wait = [a for a in answers if a.get("retry_ms")]
        assert len(told_to_wait) >= 480 and all(a["messages"] == [] for a in answers)
    finally:
        await watcher.aclose()


async def test_a_body_trickled_too_slowly_is_cut_off_and_others_are_served(tmp_path, redis, store, http):
    from tests.conftest import start_gateway, stop_gateway

    runner, url = await start_gateway(f"http://127.0.0.1:{free_port()}", redis, store, body_timeout_s=1.0)
    port = int(url.rsplit(":", 1)[1])
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST /webhooks/web HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 60\r\n\r\n{\"sender\": \"slow\", ")  # and then nothing more
        await writer.drain()
        async with http.get(url + "/healthz") as r:  # the line is not held up meanwhile
            assert r.status == 200
        status_line = await asyncio.wait_for(reader.readline(), 5)
        assert b" 408 " in status_line
        writer.close()
    finally:
        await stop_gateway(runner)
