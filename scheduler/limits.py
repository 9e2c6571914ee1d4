"""Telegram's flood limits, kept by the sender itself instead of learned from 429s.

About 1 message a second per private chat (short bursts allowed), 20 a minute per group and
30 a second overall. Each send reserves its slot first, so concurrent senders never overshoot.
A small safety margin absorbs timing differences between us and the server.

The overall limit is a sliding window (never more than 30 sends in any one second, as Telegram
counts them), with a token bucket in front that spreads sends out after a burst.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

SAFETY = 0.98  # use 98 % of each rate (the spare tokens absorb timing jitter)


@dataclass(frozen=True)
class RateLimits:
    """The limits to keep (configurable per deployment)."""

    private_per_second: float = 1.0
    private_burst: int = 3
    group_per_minute: int = 20
    global_per_second: float = 30.0
    global_burst: int = 30


class TokenBucket:
    """A bucket that hands out reservations: the delay until the caller's turn."""

    def __init__(self, rate: float, capacity: float, now: float | None = None) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.updated = time.monotonic() if now is None else now

    def reserve(self, now: float) -> float:
        """Take one token (possibly in the future); returns how long to wait for it."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate


class SlidingWindow:
    """At most `limit` events in any `window` seconds."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self.events: deque[float] = deque()

    def reserve(self, now: float) -> float:
        """Book the earliest allowed moment; returns how long to wait for it.

        Booked moments never decrease, and each is at least `window` after the one `limit` bookings
        before it: so no window of that length ever holds more than `limit` of them.
        """
        while self.events and self.events[0] <= now - self.window:
            self.events.popleft()
        moment = now
        if self.events:
            moment = max(moment, self.events[-1])
        if len(self.events) >= self.limit:
            moment = max(moment, self.events[-self.limit] + self.window)
        self.events.append(moment)
        return max(0.0, moment - now)


def global_window(rate: float) -> SlidingWindow:
    """Telegram's overall limit as it counts it: at most `rate` sends in any second (with the margin)."""
    limit = max(1, math.floor(rate))
    return SlidingWindow(limit, limit / rate / SAFETY)


class Limiter:
    """Per-chat and global limits; `wait_turn(chat_id)` returns when a send to that chat is allowed.

    `clock` and `sleep` are the monotonic time and how to wait for it (tests pass a fake clock).
    """

    def __init__(self, limits: RateLimits, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> None:
        self.limits = limits
        self.clock = clock
        self.sleep = sleep
        # The bucket spreads sends out after a burst; the window is the exact limit in every second.
        self.global_bucket = TokenBucket(limits.global_per_second * SAFETY, max(1, limits.global_burst - 2), clock())
        self.global_window = global_window(limits.global_per_second)
        self.chats: dict[int, TokenBucket | SlidingWindow] = {}
        self.paused_until: dict[int, float] = {}

    def _chat(self, chat_id: int) -> TokenBucket | SlidingWindow:
        """The chat's own limit (groups and channels have negative ids)."""
        if chat_id not in self.chats:
            if chat_id < 0:
                self.chats[chat_id] = SlidingWindow(self.limits.group_per_minute, 60.0 / SAFETY)
            else:
                self.chats[chat_id] = TokenBucket(self.limits.private_per_second * SAFETY, self.limits.private_burst,
                                                  self.clock())
        return self.chats[chat_id]

    def pause(self, chat_id: int, seconds: float) -> None:
        """Telegram asked us (429) to leave this chat alone for a while; the others go on."""
        self.paused_until[chat_id] = self.clock() + seconds

    async def wait_turn(self, chat_id: int) -> None:
        """Sleep until this chat, and then the global limit, allow one more message."""
        paused = self.paused_until.get(chat_id, 0.0) - self.clock()
        if paused > 0:
            await self.sleep(paused)
        for limit in (self._chat(chat_id), self.global_bucket, self.global_window):
            delay = limit.reserve(self.clock())
            if delay > 0:
                await self.sleep(delay)

    def forget_idle(self, keep: set[int]) -> None:
        """Drop state of chats that are idle (bounded memory over months of running)."""
        now = self.clock()
        for chat_id in [c for c in self.chats if c not in keep]:
            bucket = self.chats[chat_id]
            if isinstance(bucket, TokenBucket):
                idle = bucket.tokens + (now - bucket.updated) * bucket.rate >= bucket.capacity
            else:
                idle = not bucket.events or bucket.events[-1] < now - bucket.window
            if idle and self.paused_until.get(chat_id, 0) < now:
                self.chats.pop(chat_id, None)
                self.paused_until.pop(chat_id, None)
