"""The Redis client every room uses, and commands sent together in one round trip."""
from __future__ import annotations

import asyncio
from typing import Sequence

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError, TimeoutError as RedisTimeoutError


class _ReconnectingPool(BlockingConnectionPool):
    """redis-py retries a command that fails on an open connection, but not the connect that
    precedes it; this pool waits for Redis to come back before giving up."""

    attempts, first_delay_s, max_delay_s = 14, 0.05, 1.0

    async def get_connection(self, *args, **options):
        delay = self.first_delay_s
        for attempt in range(self.attempts):
            try:
                return await super().get_connection(*args, **options)
            except (RedisConnectionError, RedisTimeoutError):
                if attempt == self.attempts - 1:
                    raise
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_delay_s)


def connect(url: str, max_connections: int = 100) -> Redis:
    """A client that rides out a Redis restart: a command meets a refused connection, waits
    and tries again for about 10 s (0.05 s doubling to 1 s), so a message arriving during
    a restart is delayed, not lost. With append-only persistence (docs/deploy.md) what was
    written more than a second before a crash is still there afterwards. At most
    ``max_connections`` are open; a command waits (up to 10 s) for a free one."""
    pool = _ReconnectingPool.from_url(url, retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), 14),
                                      retry_on_error=[RedisConnectionError, RedisTimeoutError],
                                      socket_connect_timeout=2, health_check_interval=30,
                                      max_connections=max_connections, timeout=10)
    client = Redis(connection_pool=pool)
    client.auto_close_connection_pool = True  # ours: close() disconnects it
    return client


async def run_pipeline(redis: Redis, commands: Sequence[tuple], transaction: bool = True) -> list:
    """Commands in one round trip, sent again once if the pooled connection turned out dead (a
    Redis restart): redis-py 4.6 retries single commands then, but not pipelines."""
    for attempt in range(2):
        pipe = redis.pipeline(transaction=transaction)
        for name, *args in commands:
            getattr(pipe, name)(*args)
        try:
            return await pipe.execute()
        except RedisConnectionError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def pair(result) -> tuple[str, str]:
    """A script's {status, value} answer as two strings."""
    status, value = (v.decode() if isinstance(v, bytes) else str(v) for v in result)
    return status, value
