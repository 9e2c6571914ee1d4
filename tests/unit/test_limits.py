"""The sender's own flood limits: token buckets, group windows and the per-chat/global Limiter.

The buckets take the time as an argument, so the tests pass exact moments; the Limiter runs on
virtual time (tests/virtual_time.py), so its tests measure exact grant moments, never this machine's
speed. Assertions are about the limits (never faster than allowed, no slower than needed), not about
the safety margin.
"""

from __future__ import annotations

import time

import pytest

from scheduler.limits import Limiter, RateLimits, SlidingWindow, TokenBucket
from tests.virtual_time import Simulation

FAST = dict(private_per_second=1000.0, private_burst=1000, group_per_minute=10000,
            global_per_second=10000.0, global_burst=10000)  # "no limit" for the dimension not under test


def limits(**overrides: float) -> RateLimits:
    """Fast limits except the ones a test is about."""
    return RateLimits(**{**FAST, **overrides})  # type: ignore[arg-type]


# --- TokenBucket ---------------------------------------------------------------------------------


def test_bucket_gives_its_burst_at_once_then_spaces_reservations() -> None:
    bucket = TokenBucket(rate=2.0, capacity=3)
    start = bucket.updated
    assert [bucket.reserve(start) for _ in range(3)] == [0.0, 0.0, 0.0]
    # Reservations beyond the burst are booked in the future, one token interval apart.
    assert [bucket.reserve(start) for _ in range(3)] == pytest.approx([0.5, 1.0, 1.5])


def test_bucket_refills_at_its_rate_up_to_its_capacity() -> None:
    bucket = TokenBucket(rate=4.0, capacity=2)
    start = bucket.updated
    assert bucket.reserve(start) == 0.0 and bucket.reserve(start) == 0.0
    assert bucket.reserve(start + 0.25) == 0.0  # one token back after 1/rate
    assert bucket.reserve(start + 0.25) == pytest.approx(0.25)
    # A long idle time refills to the capacity, not beyond it.
    later = start + 100
    assert [bucket.reserve(later) for _ in range(3)] == pytest.approx([0.0, 0.0, 0.25])


def test_bucket_reservations_made_while_waiting_queue_behind_each_other() -> None:
    bucket = TokenBucket(rate=10.0, capacity=1)
    start = bucket.updated
    assert bucket.reserve(start) == 0.0
    assert bucket.reserve(start) == pytest.approx(0.1)
    # 0.05 s later the next free slot is 0.2 after start: 0.15 from now.
    assert bucket.reserve(start + 0.05) == pytest.approx(0.15)


# --- SlidingWindow -------------------------------------------------------------------------------


def test_window_allows_limit_events_then_books_after_the_oldest_leaves() -> None:
    window = SlidingWindow(limit=3, window=10.0)
    assert [window.reserve(100.0), window.reserve(101.0), window.reserve(102.0)] == [0.0, 0.0, 0.0]
    assert window.reserve(103.0) == pytest.approx(7.0)  # at 110, when the one of 100 leaves
    assert window.reserve(103.0) == pytest.approx(8.0)  # at 111
    assert window.reserve(103.0) == pytest.approx(9.0)  # at 112
    assert window.reserve(103.0) == pytest.approx(17.0)  # at 120, ten after the booked 110


def test_window_never_holds_more_than_limit_in_any_window() -> None:
    window = SlidingWindow(limit=4, window=5.0)
    moments = []
    now = 0.0
    for step in range(40):
        now += 0.3 if step % 3 else 0.0
        moments.append(now + window.reserve(now))
    moments.sort()
    for index in range(len(moments) - 4):
        assert moments[index + 4] - moments[index] >= 5.0 - 1e-9


def test_window_frees_up_after_a_quiet_window() -> None:
    window = SlidingWindow(limit=2, window=1.0)
    assert window.reserve(0.0) == 0.0 and window.reserve(0.0) == 0.0
    assert window.reserve(5.0) == 0.0 and window.reserve(5.0) == 0.0
    assert window.reserve(5.0) == pytest.approx(1.0)


# --- Limiter (on virtual time) ------------------------------------------------------------------


def limiter_on(sim: Simulation, **overrides: float) -> Limiter:
    """A limiter on the simulation's clock."""
    return Limiter(limits(**overrides), clock=sim.clock, sleep=sim.sleep)


def grant_times(sim: Simulation, limiter: Limiter, chats: list[int]) -> list[float]:
    """Concurrent wait_turn calls (as the dispatcher's workers make them), all started now; when each
    was granted, in the order of `chats`."""
    granted: list[float] = [0.0] * len(chats)

    async def one(index: int, chat_id: int) -> None:
        await limiter.wait_turn(chat_id)
        granted[index] = sim.now

    start = sim.now
    for index, chat_id in enumerate(chats):
        sim.spawn(one(index, chat_id))
    sim.run()
    return [moment - start for moment in granted]


def test_private_chat_gets_its_burst_then_one_per_interval() -> None:
    sim = Simulation()
    rate, burst = 20.0, 3
    limiter = limiter_on(sim, private_per_second=rate, private_burst=burst)
    granted: list[float] = []

    async def one_after_another() -> None:
        for _ in range(burst + 3):
            await limiter.wait_turn(7)
            granted.append(sim.now)

    sim.spawn(one_after_another())
    sim.run()
    assert granted[:burst] == [0.0] * burst  # the burst goes at once
    # Then one turn per interval (2 % below the rate), counted from the start of the burst.
    interval = 1 / (rate * 0.98)
    assert granted[burst:] == pytest.approx([interval, 2 * interval, 3 * interval])


def test_private_limit_is_per_chat() -> None:
    sim = Simulation()
    limiter = limiter_on(sim, private_per_second=2.0, private_burst=1)
    assert grant_times(sim, limiter, [1]) == [0.0]
    # Chat 1 must now wait ~0.5 s; other chats are not held up by it.
    assert grant_times(sim, limiter, [1, 2, 3, 4, 5]) == pytest.approx([1 / (2.0 * 0.98), 0.0, 0.0, 0.0, 0.0])


def test_concurrent_sends_to_one_chat_are_spaced_not_bunched() -> None:
    sim = Simulation()
    rate = 20.0
    limiter = limiter_on(sim, private_per_second=rate, private_burst=1)
    times = sorted(grant_times(sim, limiter, [9] * 5))
    interval = 1 / (rate * 0.98)
    assert times == pytest.approx([0.0, interval, 2 * interval, 3 * interval, 4 * interval])


def test_group_gets_n_per_window_and_then_waits() -> None:
    sim = Simulation()
    limiter = limiter_on(sim, group_per_minute=5)
    times = grant_times(sim, limiter, [-100] * 6 + [-200, 300])
    assert times[:5] == [0.0] * 5
    assert times[5] >= 60.0  # the 6th waits until a minute after the 1st
    assert times[6:] == [0.0, 0.0]  # another group and a private chat are not held up


def test_group_window_is_at_least_a_minute() -> None:
    sim = Simulation()
    limiter = limiter_on(sim, group_per_minute=2)
    grant_times(sim, limiter, [-5, -5])
    window = limiter.chats[-5]
    assert isinstance(window, SlidingWindow)
    assert window.reserve(sim.now) >= 60.0  # the 3rd booked a minute (or more) after the 1st


def test_global_limit_spaces_sends_to_different_chats() -> None:
    sim = Simulation()
    rate, burst, sends = 50.0, 4, 12
    limiter = limiter_on(sim, global_per_second=rate, global_burst=burst)
    times = sorted(grant_times(sim, limiter, list(range(1, sends + 1))))
    immediate = [t for t in times if t == 0.0]
    assert 1 <= len(immediate) <= burst  # never more than the burst at once
    # Over the run, no faster than the rate allows after the burst, and not much slower than needed.
    assert (sends - burst) / rate <= times[-1] <= (sends - 1) / (rate * 0.9)
    for earlier, later in zip(times[len(immediate):], times[len(immediate) + 1:]):
        assert later - earlier >= 1 / rate - 1e-9


def test_pause_delays_only_that_chat() -> None:
    sim = Simulation()
    limiter = limiter_on(sim)
    limiter.pause(1, 0.3)
    assert grant_times(sim, limiter, [1, 2, 3, 4, -5]) == pytest.approx([0.3, 0.0, 0.0, 0.0, 0.0])


def test_pause_that_has_passed_costs_nothing() -> None:
    sim = Simulation()
    limiter = limiter_on(sim)
    limiter.pause(1, 0.05)
    sim.advance(0.1)
    assert grant_times(sim, limiter, [1]) == [0.0]


def test_forget_idle_drops_only_idle_unpaused_chats_not_kept() -> None:
    sim = Simulation()
    limiter = limiter_on(sim, private_per_second=50.0, private_burst=2, group_per_minute=3)
    grant_times(sim, limiter, [1, 2, 3, 4, -10])
    limiter.pause(4, 10)
    sim.advance(0.1)  # the private chats refill (a token at 49/s takes ~20 ms)
    limiter.forget_idle(keep={2})
    assert set(limiter.chats) == {2, 4, -10}  # 1, 3 forgotten; 2 kept; 4 paused; the group's minute not over
    assert 4 in limiter.paused_until


def test_forget_idle_keeps_a_chat_that_is_still_refilling() -> None:
    sim = Simulation()
    limiter = limiter_on(sim, private_per_second=1.0, private_burst=3)
    grant_times(sim, limiter, [1])
    limiter.forget_idle(keep=set())
    assert 1 in limiter.chats  # forgetting it now would hand it a fresh burst too early


def test_a_forgotten_chat_starts_with_a_full_burst() -> None:
    sim = Simulation()
    limiter = limiter_on(sim, private_per_second=40.0, private_burst=2)
    grant_times(sim, limiter, [1])
    sim.advance(0.1)
    limiter.forget_idle(keep=set())
    assert 1 not in limiter.chats
    assert grant_times(sim, limiter, [1, 1]) == [0.0, 0.0]


async def test_the_limiter_sleeps_for_real_by_default() -> None:
    """Without a clock given it waits on the event loop (the dispatcher's case)."""
    limiter = Limiter(limits(private_per_second=20.0, private_burst=1))
    start = time.monotonic()
    await limiter.wait_turn(1)
    await limiter.wait_turn(1)
    assert time.monotonic() - start >= 1 / 20.0 - 0.005
