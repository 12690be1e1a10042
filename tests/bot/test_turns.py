"""One message of a conversation at a time, in arrival order, on a real Redis."""
import asyncio
import time

from bot.turns import Turns


async def test_messages_take_their_turns_in_arrival_order_one_at_a_time(redis):
    turns = Turns(redis, lease_s=10)
    order, active, most = [], 0, 0

    async def message(i: int) -> None:
        nonlocal active, most
        async with turns.turn("c1"):
            active += 1
            most = max(most, active)
            await asyncio.sleep(0.01)
            order.append(i)
            active -= 1

    tasks = []
    for i in range(15):
        tasks.append(asyncio.create_task(message(i)))
        await asyncio.sleep(0.002)  # arrivals 2 ms apart, each handled for 10 ms
    await asyncio.gather(*tasks)
    assert order == list(range(15))
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
        await turns._take(keys=[key], args=[turns.grace_s, time.time(), turns.lease_s])  # took a ticket, then died
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
