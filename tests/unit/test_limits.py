"""The sender's own flood limits: token buckets, group windows and the per-chat/global Limiter.

The buckets take the time as an argument, so most tests pass exact moments. The Limiter sleeps
for real; those tests use small rates and measure with time.monotonic. Assertions are about the
limits (never faster than allowed, no slower than needed), not about the safety margin.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from scheduler.limits import Limiter, RateLimits, SlidingWindow, TokenBucket

FAST = dict(private_per_second=1000.0, private_burst=1000, group_per_minute=10000,
            global_per_second=10000.0, global_burst=10000)  # "no limit" for the dimension not under test
SLACK = 0.08  # scheduling jitter allowed on top of a computed delay


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


# --- Limiter -------------------------------------------------------------------------------------


async def timed(awaitable: object) -> float:
    """Seconds an awaitable took."""
    start = time.monotonic()
    await awaitable  # type: ignore[misc]
    return time.monotonic() - start


async def finish_times(limiter: Limiter, chats: list[int]) -> list[float]:
    """Concurrent wait_turn calls (as the dispatcher's workers make them); when each returned."""
    start = time.monotonic()

    async def one(chat_id: int) -> float:
        await limiter.wait_turn(chat_id)
        return time.monotonic() - start

    return list(await asyncio.gather(*(one(chat) for chat in chats)))


async def test_private_chat_gets_its_burst_then_one_per_interval() -> None:
    rate, burst = 20.0, 3
    limiter = Limiter(limits(private_per_second=rate, private_burst=burst))
    start = time.monotonic()
    granted = []
    for _ in range(burst + 3):
        await limiter.wait_turn(7)
        granted.append(time.monotonic())
    assert granted[burst - 1] - start < SLACK  # the burst goes at once
    # Then one turn per interval (the limiter keeps 2% below the rate): the first one interval after the
    # bucket began refilling, at the start of the burst; each next one an interval after the one before.
    interval = 1 / rate * 0.98 - 0.002
    assert granted[burst] - start >= interval
    for before, after in zip(granted[burst:], granted[burst + 1:], strict=False):
        assert interval <= after - before <= 1 / rate / 0.9 + SLACK


async def test_private_limit_is_per_chat() -> None:
    limiter = Limiter(limits(private_per_second=2.0, private_burst=1))
    await limiter.wait_turn(1)
    # Chat 1 must now wait ~0.5 s; other chats are not held up by it.
    assert max(await finish_times(limiter, [2, 3, 4, 5])) < SLACK


async def test_concurrent_sends_to_one_chat_are_spaced_not_bunched() -> None:
    rate = 20.0
    limiter = Limiter(limits(private_per_second=rate, private_burst=1))
    times = sorted(await finish_times(limiter, [9] * 5))
    assert times[0] < SLACK
    for earlier, later in zip(times, times[1:]):
        assert later - earlier >= 1 / rate - 0.005
    assert times[-1] <= 4 / rate / 0.9 + SLACK


async def test_group_gets_n_per_window_and_then_waits() -> None:
    limiter = Limiter(limits(group_per_minute=5))
    assert max(await finish_times(limiter, [-100] * 5)) < SLACK
    sixth = asyncio.ensure_future(limiter.wait_turn(-100))
    other_group = await timed(limiter.wait_turn(-200))
    private = await timed(limiter.wait_turn(300))
    await asyncio.sleep(0.3)
    assert not sixth.done(), "a 6th message in the same minute went out"
    sixth.cancel()
    assert other_group < SLACK and private < SLACK


async def test_group_window_is_at_least_a_minute() -> None:
    limiter = Limiter(limits(group_per_minute=2))
    await limiter.wait_turn(-5)
    await limiter.wait_turn(-5)
    window = limiter.chats[-5]
    assert isinstance(window, SlidingWindow)
    assert window.reserve(time.monotonic()) >= 60.0  # the 3rd booked a minute (or more) after the 1st


async def test_global_limit_spaces_sends_to_different_chats() -> None:
    rate, burst, sends = 50.0, 4, 12
    limiter = Limiter(limits(global_per_second=rate, global_burst=burst))
    times = sorted(await finish_times(limiter, list(range(1, sends + 1))))
    immediate = [t for t in times if t < 0.5 / rate]
    assert 1 <= len(immediate) <= burst  # never more than the burst at once
    # Over the run, no faster than the rate allows after the burst...
    assert times[-1] >= (sends - burst) / rate - 0.005
    # ...and not much slower than needed (a safety margin of at most 10 %).
    assert times[-1] <= (sends - 1) / (rate * 0.9) + SLACK
    for earlier, later in zip(times[len(immediate):], times[len(immediate) + 1:]):
        assert later - earlier >= 1 / rate - 0.005


async def test_pause_delays_only_that_chat() -> None:
    limiter = Limiter(limits())
    limiter.pause(1, 0.3)
    paused = asyncio.ensure_future(limiter.wait_turn(1))
    start = time.monotonic()
    assert max(await finish_times(limiter, [2, 3, 4, -5])) < SLACK
    await paused
    assert 0.3 - 0.01 <= time.monotonic() - start <= 0.3 + SLACK


async def test_pause_that_has_passed_costs_nothing() -> None:
    limiter = Limiter(limits())
    limiter.pause(1, 0.05)
    await asyncio.sleep(0.1)
    assert await timed(limiter.wait_turn(1)) < SLACK


async def test_forget_idle_drops_only_idle_unpaused_chats_not_kept() -> None:
    limiter = Limiter(limits(private_per_second=50.0, private_burst=2, group_per_minute=3))
    for chat in (1, 2, 3, 4, -10):
        await limiter.wait_turn(chat)
    limiter.pause(4, 10)
    await asyncio.sleep(0.1)  # the private chats refill (a token at 47.5/s takes ~21 ms)
    limiter.forget_idle(keep={2})
    assert set(limiter.chats) == {2, 4, -10}  # 1, 3 forgotten; 2 kept; 4 paused; the group's minute not over
    assert 4 in limiter.paused_until


async def test_forget_idle_keeps_a_chat_that_is_still_refilling() -> None:
    limiter = Limiter(limits(private_per_second=1.0, private_burst=3))
    await limiter.wait_turn(1)
    limiter.forget_idle(keep=set())
    assert 1 in limiter.chats  # forgetting it now would hand it a fresh burst too early


async def test_a_forgotten_chat_starts_with_a_full_burst() -> None:
    limiter = Limiter(limits(private_per_second=40.0, private_burst=2))
    await limiter.wait_turn(1)
    await asyncio.sleep(0.1)
    limiter.forget_idle(keep=set())
    assert 1 not in limiter.chats
    assert await timed(limiter.wait_turn(1)) < SLACK and await timed(limiter.wait_turn(1)) < SLACK
