"""The overall limit as Telegram counts it: never more than 30 sends in any one-second window.

The limiter runs on virtual time here (a fake clock and a fake sleep driven by a tiny scheduler),
so thousands of sends over minutes take milliseconds and nothing depends on this machine's speed.
"""

from __future__ import annotations

import random

from scheduler.limits import Limiter, RateLimits
from tests.virtual_time import Simulation


def most_in_any_second(moments: list[float]) -> int:
    """The largest number of moments inside one closed one-second window."""
    moments = sorted(moments)
    most, first = 0, 0
    for last, moment in enumerate(moments):
        while moment - moments[first] > 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


def test_no_second_ever_holds_more_than_thirty_sends() -> None:
    sim = Simulation()
    limiter = Limiter(RateLimits(), clock=sim.clock, sleep=sim.sleep)  # Telegram's limits
    sent: list[float] = []
    rng = random.Random(13)

    async def worker(chat_id: int, messages: int) -> None:
        """One chat's rows in order, as the dispatcher's worker sends them (each call takes a moment)."""
        for _ in range(messages):
            await limiter.wait_turn(chat_id)
            sent.append(sim.now)
            await sim.sleep(rng.uniform(0.005, 0.05))

    chats = [rng.randrange(1, 10**9) for _ in range(600)] + [-rng.randrange(1, 10**9) for _ in range(40)]
    for chat_id in chats:
        # Bursts: many chats at once at the start, then waves, with quiet spells in between.
        start = rng.choice([0.0, 0.0, rng.uniform(0, 5), rng.uniform(30, 31), rng.uniform(0, 120)])
        sim.spawn(worker(chat_id, rng.randint(1, 8)), at=start)
    sim.run()

    assert len(sent) > 2000
    assert most_in_any_second(sent) <= 30
    # Not slower than needed either: the opening burst (hundreds of chats waiting) fills the first seconds.
    assert sum(1 for moment in sent if moment < 10.0) >= 0.95 * 30 * 10


def test_a_burst_of_different_chats_goes_out_at_once_up_to_the_limit() -> None:
    sim = Simulation()
    limiter = Limiter(RateLimits(), clock=sim.clock, sleep=sim.sleep)
    sent: list[float] = []

    async def one(chat_id: int) -> None:
        await limiter.wait_turn(chat_id)
        sent.append(sim.now)

    for chat_id in range(1, 101):
        sim.spawn(one(chat_id), at=0.0)
    sim.run()
    assert most_in_any_second(sent) <= 30
    assert sum(1 for moment in sent if moment < 0.5) >= 25  # a burst goes out at once, not trickling
    assert max(sent) < 100 / 30 / 0.9  # and the rest at (nearly) the full rate
