"""Sign-in that cannot slow the line or lock staff out.

- **Its own hashing pool.** Argon2 runs in ``HashPool``: one thread by default, at nice 10, and
  at most ``queue`` sign-ins waiting for it; beyond that a sign-in is answered "busy" at once.
  Database calls and the web chat keep the default thread pool and first call on the CPU.
- **Growing waits, not a lockout.** Failures are counted per address and per account (for an
  hour). After ``free_failures`` of either, each further failure doubles the wait before that
  address, or that account, may try again (2 s, 4 s, 8 s … up to ``max_wait_s``). A try during
  a wait is refused without checking the password, so a flood costs no hashing.
- **The owner still gets in.** An address that signed in to an account before is known to it
  for 90 days (kept as a hash), and the account's wait does not apply there: an attacker's
  failures on Lan's account slow the attacker and strangers, not Lan at her usual desk. From
  anywhere else she waits out the delay, never 15 minutes for someone else's guesses.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import math
import os
import threading
import time
from dataclasses import dataclass
from typing import Callable, Optional, TypeVar

from redis.asyncio import Redis

from handoff.keys import Keys
from handoff.queue import run_pipeline

T = TypeVar("T")
FAILURE_WINDOW_S = 3600
KNOWN_ADDRESS_S = 90 * 86400


class HashPoolBusy(Exception):
    """Too many sign-ins are waiting for the hashing pool."""


def _yield_the_cpu_to_the_line() -> None:
    """Run this hashing thread, and the lane threads Argon2 starts from it, at a lower priority.

    Argon2 hashes on four lanes, so one sign-in can fill both cores of a small server; at nice 10
    the scheduler gives the event loop (every victim's chat) its share first. Linux applies the
    value to the calling thread only; elsewhere the pool runs at normal priority."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):
        pass


class HashPool:
    """A small, low-priority thread pool for password hashing, with a bounded queue in front of it."""

    def __init__(self, threads: int = 1, queue: int = 8) -> None:
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=threads, thread_name_prefix="argon2", initializer=_yield_the_cpu_to_the_line)
        self._slots = asyncio.Semaphore(threads + queue)
        self._capacity = threads + queue

    async def run(self, fn: Callable[..., T], *args) -> T:
        if self._slots.locked():
            raise HashPoolBusy()
        async with self._slots:
            return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


@dataclass(frozen=True)
class Refusal:
    """Why a sign-in was not even checked, and how long to wait (seconds, rounded up)."""

    reason: str  # "address" | "account" | "busy"
    retry_after_s: int


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class SignInThrottle:
    def __init__(self, redis: Redis, prefix: str = "hl:", free_failures: int = 3, max_wait_s: float = 900.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.redis, self.keys = redis, Keys(prefix)
        self.free_failures, self.max_wait_s, self.clock = free_failures, max_wait_s, clock

    def _key(self, kind: str, subject: str) -> str:
        # Addresses and usernames are hashed: the keys name no one.
        return self.keys.signin(kind, _digest(subject))

    def wait_after(self, failures: int) -> float:
        """Seconds to wait after this many failures in the window."""
        if failures <= self.free_failures:
            return 0.0
        return min(2.0 ** (failures - self.free_failures), self.max_wait_s)

    async def refusal(self, username: str, address: str) -> Optional[Refusal]:
        """A reason to refuse this try without checking the password, or None."""
        now = self.clock()
        address_until, account_until, known = await run_pipeline(self.redis, [
            ("get", self._key("until-address", address)),
            ("get", self._key("until-account", username.lower())),
            ("sismember", self._key("known", username.lower()), _digest(address)),
        ], transaction=False)
        if address_until and float(address_until) > now:
            return Refusal("address", math.ceil(float(address_until) - now))
        if account_until and float(account_until) > now and not known:
            return Refusal("account", math.ceil(float(account_until) - now))
        return None

    async def failed(self, username: str, address: str) -> float:
        """Count a failure; the wait it starts (0 while within the free failures)."""
        keys = {"address": self._key("failures-address", address),
                "account": self._key("failures-account", username.lower())}
        counts = await run_pipeline(self.redis, [
            ("incr", keys["address"]), ("expire", keys["address"], FAILURE_WINDOW_S),
            ("incr", keys["account"]), ("expire", keys["account"], FAILURE_WINDOW_S)])
        now, longest = self.clock(), 0.0
        for kind, subject, failures in (("address", address, counts[0]), ("account", username.lower(), counts[2])):
            wait = self.wait_after(int(failures))
            if wait:
                await self.redis.set(self._key(f"until-{kind}", subject), repr(now + wait), ex=math.ceil(wait) + 1)
                longest = max(longest, wait)
        return longest

    async def succeeded(self, username: str, address: str) -> None:
        known = self._key("known", username.lower())
        await run_pipeline(self.redis, [
            ("delete", self._key("failures-address", address), self._key("until-address", address),
             self._key("failures-account", username.lower()), self._key("until-account", username.lower())),
            ("sadd", known, _digest(address)), ("expire", known, KNOWN_ADDRESS_S)])
