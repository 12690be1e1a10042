"""Sign-in under attack, through a real gateway (Redis, SQL store, loopback addresses
127.0.0.x standing for different machines): guesses slow the guesser, never lock the owner
out, cost no hashing once throttled, and leave the web chat fast; a new password ends the
old sessions."""
import ast
import asyncio
import statistics
import sys
import time
import uuid

import aiohttp

from handoff.auth import hash_password
from handoff.signin import SignInThrottle
from tests.handoff.conftest import PASSWORD, Console, ensure_user, signed_in, user_says

WRONG = "đoán-mò-mật-khẩu"


async def test_guesses_slow_the_guessers_address_and_the_owner_still_signs_in(consoles, store):
    ensure_user(store, "khoa.thu")
    owner = await consoles("khoa.thu", "127.0.0.1")
    assert (await owner.login("khoa.thu"))[0] == 200  # her usual desk: now known to the account
    attacker = await consoles("khoa.thu", "127.0.0.2")
    statuses = [(await attacker.login("khoa.thu", WRONG))[0] for _ in range(6)]
    # Three free failures, the fourth starts a wait, and tries during it are refused unchecked.
    assert statuses[:4] == [401, 401, 401, 401] and statuses[4:] == [429, 429]
    status, body = await attacker.login("khoa.thu")  # even the right password waits there
    assert status == 429 and body["error"] == "throttled" and "giây" in body["message"]
    # The owner is not locked out: the right password from her desk gets in at once.
    assert (await owner.login("khoa.thu"))[0] == 200
    ensure_user(store, "khoa.khac")
    assert (await (await consoles("khoa.khac", "127.0.0.3")).login("khoa.khac"))[0] == 200


async def test_guesses_from_many_addresses_make_strangers_wait_not_the_owner(consoles, store):
    ensure_user(store, "bich.ngoc")
    owner = await consoles("bich.ngoc", "127.0.0.1")
    assert (await owner.login("bich.ngoc"))[0] == 200
    await owner.call("POST", "/api/logout")
    # One guess from each of six machines: no address reaches its own limit, but the account does.
    statuses = [(await (await consoles("bich.ngoc", f"127.0.1.{i + 1}")).login("bich.ngoc", WRONG))[0]
                for i in range(6)]
    assert statuses == [401, 401, 401, 401, 429, 429]
    new_laptop = await consoles("bich.ngoc", "127.0.2.1")
    status, _ = await new_laptop.login("bich.ngoc")
    assert status == 429  # the account waits for addresses it has not seen
    assert (await owner.login("bich.ngoc"))[0] == 200  # and not at the desk it knows


async def test_the_wait_grows_with_each_failure_and_ends(redis):
    now = [1000.0]
    throttle = SignInThrottle(redis, prefix="hl:", free_failures=3, max_wait_s=60, clock=lambda: now[0])
    waits = [await throttle.failed("lan", "10.0.0.9") for _ in range(10)]
    assert waits == [0, 0, 0, 2, 4, 8, 16, 32, 60, 60]
    refusal = await throttle.refusal("lan", "10.0.0.9")
    assert refusal.reason == "address" and refusal.retry_after_s == 60
    now[0] += 61
    assert await throttle.refusal("lan", "10.0.0.9") is None  # after the wait, a try is checked again
    keys = [k.decode() async for k in redis.scan_iter("hl:signin:*")]
    assert keys and not any("lan" in k or "10.0.0.9" in k for k in keys)  # the keys name no one


# The attacker: 240 sign-ins with random names, 24 at a time from 24 machines, in a process of
# its own as a real one would be (its client work does not share the gateway's event loop).
FLOOD = """
import asyncio, collections, sys, uuid
import aiohttp

async def main(base, password):
    browsers = [aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(f"127.0.3.{i + 1}", 0)))
                for i in range(24)]
    statuses = collections.Counter()

    async def login(browser):
        body = {"username": uuid.uuid4().hex, "password": password}
        async with browser.post(base + "/api/login", json=body) as r:
            statuses[r.status] += 1

    print("started", flush=True)
    for _ in range(10):
        await asyncio.gather(*(login(b) for b in browsers))
    for b in browsers:
        await b.close()
    print(dict(statuses), flush=True)

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


async def test_a_sign_in_flood_does_not_slow_the_web_chat(http, gateway_without_rasa):
    gateway = gateway_without_rasa

    async def chat_latency(n=30):
        out = []
        for _ in range(n):
            start = time.perf_counter()
            await user_says(http, gateway, uuid.uuid4().hex, "cho em hỏi đi làm ở Nhật cần giấy tờ gì")
            out.append(time.perf_counter() - start)
        return statistics.median(out)

    await chat_latency(5)  # warm up
    normal = await chat_latency()
    attacker = await asyncio.create_subprocess_exec(sys.executable, "-c", FLOOD, gateway, WRONG,
                                                    stdout=asyncio.subprocess.PIPE)
    assert (await attacker.stdout.readline()).strip() == b"started"
    await asyncio.sleep(0.2)
    during = await chat_latency()
    still_flooding = attacker.returncode is None
    statuses = ast.literal_eval((await attacker.stdout.readline()).decode())
    await attacker.wait()
    assert still_flooding and sum(statuses.values()) == 240 and set(statuses) <= {401, 429, 503}
    assert statuses.get(401, 0) <= 24 * 4  # three free failures an address, and the one that starts its wait
    assert during <= 2 * max(normal, 0.01), (normal, during)


async def test_a_new_password_ends_the_accounts_sessions(consoles, store):
    first = await signed_in(consoles, store, "hai.yen")
    second = await consoles("hai.yen", "127.0.0.4")
    assert (await second.login("hai.yen"))[0] == 200
    store.accounts.update("hai.yen", password_hash=hash_password("mật-khẩu-mới-dài"))  # what `users passwd` does
    for browser in (first, second):
        assert (await browser.call("GET", "/api/me"))[0] == 401
    assert (await second.login("hai.yen", PASSWORD))[0] == 401
    assert (await second.login("hai.yen", "mật-khẩu-mới-dài"))[0] == 200
    store.accounts.update("hai.yen", password_hash=hash_password(PASSWORD))  # as the other tests expect
