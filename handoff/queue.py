"""Live handoff state in Redis: the priority queue, assignments and per-conversation events.

Every state change is one Lua script, so it is atomic across gateways, the action
server and the watchdog: it checks the current state, changes it, moves the case
between the queue and a counsellor, and appends the event to the conversation's
Redis Stream, or does nothing and says why.

Keys (prefix ``hl:`` by default):
  conv:{id}      hash   state (bot/queued/assigned), priority, channel, sender, contact,
                        queued_at, returned, counsellor, claimed_at, ack_deadline, acked,
                        alerted, greeted, survey
  queue          zset   waiting conversation ids (score: when first queued)
  assigned       set    conversation ids with a counsellor (the watchdog walks it)
  agent:{name}   set    the conversations a counsellor holds (capacity)
  events:{id}    stream state changes of one conversation
"""
from __future__ import annotations

import asyncio
import math
import statistics
from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Sequence

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError, TimeoutError as RedisTimeoutError

PRIORITIES = ("critical", "high", "normal")
RANK = {p: i for i, p in enumerate(PRIORITIES)}
EVENTS_MAXLEN = 1000

_EVENT = """
local function event(stream, kind, from_state, to_state, actor, now, contact)
  redis.call('XADD', stream, 'MAXLEN', '~', %d, '*', 'kind', kind, 'from', from_state, 'to', to_state,
             'actor', actor, 'at', now, 'contact', contact)
end
""" % EVENTS_MAXLEN

# A channel user's conversation: the pointer is set only if absent (two first messages at once
# still make one conversation), with the conversation's channel and sender.
# KEYS: pointer, conv. ARGV: id, channel, sender. Returns the id the pointer holds.
POINT = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  redis.call('HSET', KEYS[2], 'channel', ARGV[2], 'sender', ARGV[3])
  return ARGV[1]
end
return redis.call('GET', KEYS[1])
"""

# KEYS: conv, queue, events. ARGV: id, priority, now, contact, channel, sender, trigger
ESCALATE = _EVENT + """
local state = redis.call('HGET', KEYS[1], 'state') or 'bot'
local rank = {critical=0, high=1, normal=2}
if state == 'bot' then
  redis.call('HSET', KEYS[1], 'state', 'queued', 'priority', ARGV[2], 'queued_at', ARGV[3], 'contact', ARGV[4],
             'channel', ARGV[5], 'sender', ARGV[6], 'trigger', ARGV[7], 'returned', '0', 'alerted', '0',
             'greeted', '0', 'acked', '0', 'counsellor', '', 'survey', '')
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
  event(KEYS[3], 'queued', 'bot', 'queued', ARGV[7], ARGV[3], ARGV[4])
  return {'queued', ARGV[4]}
end
local current = redis.call('HGET', KEYS[1], 'priority') or 'normal'
if rank[ARGV[2]] < rank[current] then
  redis.call('HSET', KEYS[1], 'priority', ARGV[2])
  event(KEYS[3], 'priority_raised', state, state, ARGV[2], ARGV[3], redis.call('HGET', KEYS[1], 'contact'))
  return {'raised', redis.call('HGET', KEYS[1], 'contact')}
end
return {'unchanged', redis.call('HGET', KEYS[1], 'contact') or ''}
"""

# KEYS: conv, queue, assigned, agent, events. ARGV: id, counsellor, now, ack_deadline, capacity
CLAIM = _EVENT + """
local state = redis.call('HGET', KEYS[1], 'state') or 'bot'
if state == 'assigned' then return {'taken', redis.call('HGET', KEYS[1], 'counsellor')} end
if state ~= 'queued' then return {'not_queued', state} end
if redis.call('SCARD', KEYS[4]) >= tonumber(ARGV[5]) then return {'capacity', ''} end
redis.call('HSET', KEYS[1], 'state', 'assigned', 'counsellor', ARGV[2], 'claimed_at', ARGV[3],
           'ack_deadline', ARGV[4], 'acked', '0')
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('SADD', KEYS[4], ARGV[1])
local greeted = redis.call('HGET', KEYS[1], 'greeted')
redis.call('HSET', KEYS[1], 'greeted', '1')
event(KEYS[5], 'claimed', 'queued', 'assigned', ARGV[2], ARGV[3], redis.call('HGET', KEYS[1], 'contact'))
return {'ok', greeted}
"""

# Back to the head of its priority. KEYS: conv, queue, assigned, agent, events.
# ARGV: id, counsellor (must hold it), now, kind, actor
REQUEUE = _EVENT + """
if redis.call('HGET', KEYS[1], 'state') ~= 'assigned' or redis.call('HGET', KEYS[1], 'counsellor') ~= ARGV[2] then
  return {'not_yours', ''}
end
redis.call('HSET', KEYS[1], 'state', 'queued', 'counsellor', '', 'returned', '1', 'acked', '0')
redis.call('ZADD', KEYS[2], redis.call('HGET', KEYS[1], 'queued_at'), ARGV[1])
redis.call('SREM', KEYS[3], ARGV[1])
redis.call('SREM', KEYS[4], ARGV[1])
event(KEYS[5], ARGV[4], 'assigned', 'queued', ARGV[5], ARGV[3], redis.call('HGET', KEYS[1], 'contact'))
return {'ok', redis.call('HGET', KEYS[1], 'contact')}
"""

# KEYS: conv, from agent, to agent, events. ARGV: id, from, to, now, ack_deadline, capacity
TRANSFER = _EVENT + """
if redis.call('HGET', KEYS[1], 'state') ~= 'assigned' or redis.call('HGET', KEYS[1], 'counsellor') ~= ARGV[2] then
  return {'not_yours', ''}
end
if redis.call('SCARD', KEYS[3]) >= tonumber(ARGV[6]) then return {'capacity', ''} end
redis.call('HSET', KEYS[1], 'counsellor', ARGV[3], 'acked', '0', 'ack_deadline', ARGV[5])
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
event(KEYS[4], 'transferred', 'assigned', 'assigned', ARGV[2] .. '>' .. ARGV[3], ARGV[4],
      redis.call('HGET', KEYS[1], 'contact'))
return {'ok', redis.call('HGET', KEYS[1], 'contact')}
"""

# A supervisor's take-over or reassignment, from the queue or from another counsellor.
# KEYS: conv, queue, assigned, from agent, to agent, events.
# ARGV: id, expected current counsellor ('' when queued), to, now, ack_deadline, kind, actor
ASSIGN = _EVENT + """
local state = redis.call('HGET', KEYS[1], 'state') or 'bot'
local current = redis.call('HGET', KEYS[1], 'counsellor') or ''
if state == 'bot' then return {'not_queued', ''} end
if current ~= ARGV[2] then return {'changed', current} end
local from_state = state
redis.call('ZREM', KEYS[2], ARGV[1])
if current ~= '' then redis.call('SREM', KEYS[4], ARGV[1]) end
redis.call('HSET', KEYS[1], 'state', 'assigned', 'counsellor', ARGV[3], 'acked', '0', 'ack_deadline', ARGV[5])
if from_state == 'queued' then redis.call('HSET', KEYS[1], 'claimed_at', ARGV[4]) end
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('SADD', KEYS[5], ARGV[1])
local greeted = redis.call('HGET', KEYS[1], 'greeted')
redis.call('HSET', KEYS[1], 'greeted', '1')
event(KEYS[6], ARGV[6], from_state, 'assigned', ARGV[7] .. '>' .. ARGV[3], ARGV[4], redis.call('HGET', KEYS[1], 'contact'))
return {'ok', greeted}
"""

# KEYS: conv, assigned, agent, events. ARGV: id, counsellor, now, survey
CLOSE = _EVENT + """
if redis.call('HGET', KEYS[1], 'state') ~= 'assigned' or redis.call('HGET', KEYS[1], 'counsellor') ~= ARGV[2] then
  return {'not_yours', ''}
end
local contact = redis.call('HGET', KEYS[1], 'contact')
redis.call('HSET', KEYS[1], 'state', 'bot', 'counsellor', '', 'survey', ARGV[4], 'survey_contact', contact)
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('SREM', KEYS[3], ARGV[1])
event(KEYS[4], 'closed', 'assigned', 'bot', ARGV[2], ARGV[3], contact)
return {'ok', contact}
"""

# KEYS: conv. ARGV: counsellor
ACK = """
if redis.call('HGET', KEYS[1], 'state') == 'assigned' and redis.call('HGET', KEYS[1], 'counsellor') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'acked', '1')
  return 1
end
return 0
"""

# Alert once per contact, whichever gateway's watchdog gets there first. KEYS: conv, events. ARGV: now
ALERT = _EVENT + """
if redis.call('HGET', KEYS[1], 'state') ~= 'queued' or redis.call('HGET', KEYS[1], 'alerted') == '1' then return 0 end
redis.call('HSET', KEYS[1], 'alerted', '1')
event(KEYS[2], 'critical_unclaimed', 'queued', 'queued', 'watchdog', ARGV[1], redis.call('HGET', KEYS[1], 'contact'))
return 1
"""


@dataclass(frozen=True)
class Waiting:
    """One case in the queue, as the ordering sees it."""

    conversation_id: str
    priority: str
    queued_at: float
    returned: bool = False

    def effective_priority(self, now: float, ageing: Mapping[str, float]) -> str:
        """The priority after ageing: each step waited moves the case up one level."""
        rank, waited = RANK[self.priority], now - self.queued_at
        while rank > 0:
            step = ageing.get(PRIORITIES[rank])
            if not step or waited < step:
                break
            waited -= step
            rank -= 1
        return PRIORITIES[rank]


def order(waiting: Sequence[Waiting], now: float, ageing: Mapping[str, float]) -> List[Waiting]:
    """Priority first (after ageing), cases given back by a counsellor first, then oldest first."""
    return sorted(waiting, key=lambda w: (RANK[w.effective_priority(now, ageing)], not w.returned, w.queued_at))


def estimate_wait_s(position: int, online: int, recent_waits: Sequence[float]) -> Optional[float]:
    """An honest estimate, or None when there is nothing to base one on.

    The median recent wait is what one place in line has cost lately; each counsellor
    online serves their own share of the line.
    """
    if online <= 0 or not recent_waits:
        return None
    return max(30.0, statistics.median(recent_waits) * math.ceil(position / online))


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


class LiveState:
    """The Redis side of the handoff; every method is one round trip or one script."""

    def __init__(self, redis: Redis, prefix: str = "hl:") -> None:
        self.redis, self.p = redis, prefix
        self._point = redis.register_script(POINT)
        self._escalate = redis.register_script(ESCALATE)
        self._claim = redis.register_script(CLAIM)
        self._requeue = redis.register_script(REQUEUE)
        self._transfer = redis.register_script(TRANSFER)
        self._close = redis.register_script(CLOSE)
        self._assign = redis.register_script(ASSIGN)
        self._ack = redis.register_script(ACK)
        self._alert = redis.register_script(ALERT)

    def key(self, *parts: str) -> str:
        return self.p + ":".join(parts)

    async def get(self, conversation_id: str) -> Dict[str, str]:
        return self.decode(conversation_id, await self.redis.hgetall(self.key("conv", conversation_id)))

    @staticmethod
    def decode(conversation_id: str, raw: Mapping[bytes, bytes]) -> Dict[str, str]:
        state = {k.decode(): v.decode() for k, v in raw.items()}
        state.setdefault("state", "bot")
        state["conversation"] = conversation_id
        return state

    async def point(self, pointer: str, conversation_id: str, channel: str, sender: str) -> str:
        """Make ``pointer`` name the conversation unless it names one already; the one it names."""
        found = await self._point(keys=[pointer, self.key("conv", conversation_id)],
                                  args=[conversation_id, channel, sender])
        return found.decode()

    async def set_fields(self, conversation_id: str, **fields: str) -> None:
        await self.redis.hset(self.key("conv", conversation_id), mapping=fields)

    async def escalate(self, cid: str, priority: str, now: float, contact: int, channel: str, sender: str,
                       trigger: str) -> tuple[str, str]:
        result = await self._escalate(keys=[self.key("conv", cid), self.key("queue"), self.key("events", cid)],
                                      args=[cid, priority, repr(now), str(contact), channel, sender, trigger])
        return _pair(result)

    async def claim(self, cid: str, counsellor: str, now: float, ack_deadline: float, capacity: int):
        return _pair(await self._claim(
            keys=[self.key("conv", cid), self.key("queue"), self.key("assigned"), self.key("agent", counsellor),
                  self.key("events", cid)],
            args=[cid, counsellor, repr(now), repr(ack_deadline), capacity]))

    async def requeue(self, cid: str, counsellor: str, now: float, kind: str, actor: str):
        return _pair(await self._requeue(
            keys=[self.key("conv", cid), self.key("queue"), self.key("assigned"), self.key("agent", counsellor),
                  self.key("events", cid)],
            args=[cid, counsellor, repr(now), kind, actor]))

    async def transfer(self, cid: str, source: str, target: str, now: float, ack_deadline: float, capacity: int):
        return _pair(await self._transfer(
            keys=[self.key("conv", cid), self.key("agent", source), self.key("agent", target), self.key("events", cid)],
            args=[cid, source, target, repr(now), repr(ack_deadline), capacity]))

    async def assign(self, cid: str, current: str, target: str, now: float, ack_deadline: float, kind: str,
                     actor: str):
        return _pair(await self._assign(
            keys=[self.key("conv", cid), self.key("queue"), self.key("assigned"), self.key("agent", current or "-"),
                  self.key("agent", target), self.key("events", cid)],
            args=[cid, current, target, repr(now), repr(ack_deadline), kind, actor]))

    async def close(self, cid: str, counsellor: str, now: float, survey: str):
        return _pair(await self._close(
            keys=[self.key("conv", cid), self.key("assigned"), self.key("agent", counsellor), self.key("events", cid)],
            args=[cid, counsellor, repr(now), survey]))

    async def acknowledge(self, cid: str, counsellor: str) -> bool:
        return bool(await self._ack(keys=[self.key("conv", cid)], args=[counsellor]))

    async def mark_alerted(self, cid: str, now: float) -> bool:
        return bool(await self._alert(keys=[self.key("conv", cid), self.key("events", cid)], args=[repr(now)]))

    async def waiting(self) -> List[Waiting]:
        ids = [i.decode() for i in await self.redis.zrange(self.key("queue"), 0, -1)]
        if not ids:
            return []
        found = await run_pipeline(self.redis, [("hmget", self.key("conv", cid), "priority", "queued_at", "returned")
                                                for cid in ids], transaction=False)
        out = []
        for cid, (priority, queued_at, returned) in zip(ids, found):
            if priority and queued_at:
                out.append(Waiting(cid, priority.decode(), float(queued_at), returned == b"1"))
        return out

    async def assigned(self) -> List[str]:
        return sorted(i.decode() for i in await self.redis.smembers(self.key("assigned")))

    async def held_by(self, counsellor: str) -> List[str]:
        return sorted(i.decode() for i in await self.redis.smembers(self.key("agent", counsellor)))

    async def events(self, cid: str) -> List[Dict[str, str]]:
        entries = await self.redis.xrange(self.key("events", cid))
        return [{k.decode(): v.decode() for k, v in fields.items()} for _id, fields in entries]

    async def record_wait(self, seconds: float, keep: int = 50) -> None:
        await run_pipeline(self.redis, [("lpush", self.key("waits"), repr(seconds)),
                                        ("ltrim", self.key("waits"), 0, keep - 1)])

    async def recent_waits(self) -> List[float]:
        return [float(v) for v in await self.redis.lrange(self.key("waits"), 0, -1)]


def _pair(result) -> tuple[str, str]:
    status, value = (v.decode() if isinstance(v, bytes) else str(v) for v in result)
    return status, value
