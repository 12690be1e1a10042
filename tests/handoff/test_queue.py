"""Queue order: priority, ageing, cases given back, then age."""
from handoff.queue import Waiting, estimate_wait_s, order

AGEING = {"normal": 300, "high": 900}


def ids(entries):
    return [w.conversation_id for w in entries]


def test_priority_first_then_oldest_first():
    now = 10_000
    waiting = [Waiting("n-old", "normal", now - 200), Waiting("c-new", "critical", now - 5),
               Waiting("h-new", "high", now - 10), Waiting("c-old", "critical", now - 50),
               Waiting("h-old", "high", now - 100)]
    assert ids(order(waiting, now, AGEING)) == ["c-old", "c-new", "h-old", "h-new", "n-old"]


def test_a_long_wait_raises_priority_one_step_at_a_time():
    now = 10_000
    normal = Waiting("n", "normal", now - 301)
    assert normal.effective_priority(now, AGEING) == "high"
    assert normal.effective_priority(now - 2, AGEING) == "normal"
    # normal -> high after 300 s, then high -> critical after 900 s more
    assert Waiting("n", "normal", now - 1201).effective_priority(now, AGEING) == "critical"
    assert Waiting("h", "high", now - 901).effective_priority(now, AGEING) == "critical"
    assert Waiting("n", "normal", now - 10_000).effective_priority(now, {}) == "normal"
    # the aged normal case now goes before a fresh high one: nobody starves
    fresh_high = Waiting("h", "high", now - 1)
    assert ids(order([fresh_high, normal], now, AGEING)) == ["n", "h"]


def test_a_case_given_back_goes_to_the_head_of_its_priority():
    now = 10_000
    waiting = [Waiting("older", "high", now - 100), Waiting("back", "high", now - 20, returned=True),
               Waiting("crit", "critical", now - 1)]
    assert ids(order(waiting, now, AGEING)) == ["crit", "back", "older"]


def test_wait_estimate_is_honest():
    assert estimate_wait_s(1, 0, [60, 60]) is None  # nobody online: no promise
    assert estimate_wait_s(1, 2, []) is None  # no history: no guess
    assert estimate_wait_s(1, 1, [60, 120, 600]) == 120  # the median, not the mean
    assert estimate_wait_s(3, 1, [120]) == 360
    assert estimate_wait_s(3, 2, [120]) == 240
    assert estimate_wait_s(1, 1, [2]) == 30  # never "0 minutes"
