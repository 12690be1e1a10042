"""One message of a conversation at a time, in arrival order, on a real Redis."""
import asyncio
import time

from bot.turns import Turns


async def test_messages_take_their_turns_in_arrival_order_one_at_a_time(redis):
    turns = Turns(redis, lease_s=10)
    order, active, most = [], 0, 0

    async def message() -> None:
        nonlocal active, most
        async with turns.turn("c1") as turn:
            active += 1
            most = max(most, active)
            await asyncio.sleep(0.01)
            order.append(turn.ticket.number)
            active -= 1

    tasks = []
    for _ in range(15):
        tasks.append(asyncio.create_task(message()))
        await asyncio.sleep(0.002)  # arrivals 2 ms apart, each handled for 10 ms
    await asyncio.gather(*tasks)
    # Arrival is when Redis gives the ticket (two sends 2 ms apart may reach it swapped).
    assert order == list(range(1, 16))
    assert most == 1


async def test_other_conversations_do_not_wait(redis):
    turns = Turns(redis, lease_s=10)
    async with turns.turn("busy"):
        start = time.monotonic()
        async with turns.turn("other"):
            pass
        assert time.monotonic() - start < 1


async def test_a_turn_held_by_a_dead_gateway_is_forfeit_after_its_lease(redis):
    turns = Turns(redis, lease_s=0.5, grace_s=0.3)
    dead = turns.turn("c2")
    await dead.__aenter__()  # its gateway dies here: the turn is never released
    start = time.monotonic()
    async with turns.turn("c2"):
        waited = time.monotonic() - start
    assert 0.4 < waited < 3


async def test_a_ticket_whose_gateway_died_while_waiting_is_skipped(redis):
    turns = Turns(redis, lease_s=10, grace_s=0.3)
    key = "hl:turn:c3"
    async with turns.turn("c3"):
        await turns.take(key)  # took a ticket, then died
    start = time.monotonic()
    async with turns.turn("c3"):
        waited = time.monotonic() - start
    assert waited < 3


async def test_an_urgent_message_does_not_wait_behind_a_stuck_turn(redis):
    turns = Turns(redis, lease_s=60, urgent_wait_s=0.5)
    stuck = turns.turn("c4")
    await stuck.__aenter__()
    start = time.monotonic()
    async with turns.turn("c4", urgent=True):
        waited = time.monotonic() - start
    assert waited < 2


async def test_reads_come_with_the_turn_and_writes_with_its_release(redis):
    turns = Turns(redis, lease_s=10)
    await redis.set("hl:test:state", "before")
    async with turns.turn("c5", reads=[("get", "hl:test:state")]) as first:
        assert first.reads == [b"before"]  # read in the same round trip as the turn
        waiting = asyncio.create_task(_enter(turns, "c5", [("get", "hl:test:state")]))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        assert await first.release(("set", "hl:test:state", "after")) == [True]
    second = await waiting
    assert second.reads is None  # it waited: what it read with its ticket is stale
    assert await redis.get("hl:test:state") == b"after"


async def _enter(turns, conversation, reads):
    async with turns.turn(conversation, reads=reads) as turn:
        return turn


async def test_a_turn_found_by_pointer_comes_with_its_conversation_and_reads(redis):
    turns = Turns(redis, lease_s=10)
    count = [("incr", "hl:test:count")]
    assert await turns.take_by_pointer("hl:test:pointer", [("get", "hl:test:value:")], count) == (None, [1])
    await redis.set("hl:test:pointer", "c6")
    await redis.set("hl:test:value:c6", "seen")
    ticket, also = await turns.take_by_pointer("hl:test:pointer", [("get", "hl:test:value:")], count)
    assert (ticket.conversation, ticket.started, ticket.reads, also) == ("c6", True, [b"seen"], [2])
    async with turns.hold(ticket) as turn:
        assert turn.reads == [b"seen"]
        later, also = await turns.take_by_pointer("hl:test:pointer", [("get", "hl:test:value:")], count)
        assert (later.started, later.reads, also) == (False, [], [3])  # not its turn yet: nothing read
    async with turns.hold(later) as turn:
        assert turn.reads is None


async def test_a_turn_ends_with_its_writes_only_while_a_watched_field_is_unchanged(redis):
    turns = Turns(redis, lease_s=10)
    watched = ("hl:test:conv", "state", "bot")  # an absent field reads as "bot"
    pubsub = redis.pubsub()
    await pubsub.subscribe("hl:test:live")
    await pubsub.get_message(timeout=1)  # the subscription's confirmation
    writes = [("publish", "hl:test:live", "answer"), ("set", "hl:test:written", "1")]

    async with turns.turn("c7") as turn:
        await redis.hset("hl:test:conv", mapping={"state": "queued", "contact": "3"})  # changed meanwhile
        changed = await turn.release_if(watched, "bot", *writes)
        assert dict(zip(changed[::2], changed[1::2])) == {b"state": b"queued", b"contact": b"3"}
        assert not turn.released and await redis.get("hl:test:written") is None
        waiting = asyncio.create_task(_enter(turns, "c7", []))
        await asyncio.sleep(0.05)
        assert not waiting.done()  # the turn is still held
        assert await turn.release_if(watched, "queued", *writes) is None
        assert turn.released
    await asyncio.wait_for(waiting, 2)  # the next message went on
    assert await redis.get("hl:test:written") == b"1"
    message = await pubsub.get_message(timeout=1)
    assert message["data"] == b"answer"
    await pubsub.unsubscribe()
    await pubsub.close()
    async with turns.turn("c8") as turn:  # an absent field stands for its default
        assert await turn.release_if(("hl:test:none", "state", "bot"), "bot") is None
