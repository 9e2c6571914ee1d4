"""Telegram's flood limits and injected faults as pure logic; callers pass the time in."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from .errors import PlaygroundError
from .models import JSON

EPSILON = 1e-9
FAULT_MODES = ("429", "status", "conflict", "clear")


def _invalid(reason: str) -> PlaygroundError:
    """A 400 for malformed control API input."""
    return PlaygroundError(400, reason)


def _number(body: JSON, name: str, default: float, minimum: float) -> float:
    """A numeric body field that must be at least minimum."""
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _invalid(f"{name} must be a number")
    if value < minimum:
        raise _invalid(f"{name} must be at least {minimum:g}")
    return float(value)


def _integer(body: JSON, name: str, default: int, minimum: int) -> int:
    """An integer body field that must be at least minimum."""
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(f"{name} must be an integer")
    if value < minimum:
        raise _invalid(f"{name} must be at least {minimum}")
    return value


def _whole_seconds(seconds: float) -> int:
    """Round a wait up to whole seconds, at least 1 (as Telegram's retry_after is)."""
    return max(1, math.ceil(seconds - EPSILON))


@dataclass(frozen=True)
class LimitSettings:
    """Flood limit configuration; the playground starts with enabled=False."""

    enabled: bool = False
    private_per_second: float = 1.0
    private_burst: float = 3.0
    group_per_minute: int = 20
    group_window_seconds: float = 60.0
    global_per_second: float = 30.0
    global_burst: float = 30.0
    retry_after: float = 1.0

    @classmethod
    def from_body(cls, body: JSON) -> LimitSettings:
        """Settings from a control API body; missing fields take defaults, enabled defaults true."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(body) - known)
        if unknown:
            raise _invalid(f"unknown limit setting(s): {', '.join(unknown)}")
        enabled = body.get("enabled", True)
        if not isinstance(enabled, bool):
            raise _invalid("enabled must be true or false")
        return cls(
            enabled=enabled,
            private_per_second=_number(body, "private_per_second", cls.private_per_second, EPSILON),
            private_burst=_number(body, "private_burst", cls.private_burst, 1),
            group_per_minute=_integer(body, "group_per_minute", cls.group_per_minute, 1),
            group_window_seconds=_number(
                body, "group_window_seconds", cls.group_window_seconds, EPSILON
            ),
            global_per_second=_number(body, "global_per_second", cls.global_per_second, EPSILON),
            global_burst=_number(body, "global_burst", cls.global_burst, 1),
            retry_after=_number(body, "retry_after", cls.retry_after, 0),
        )

    def to_json(self) -> JSON:
        """The settings as the control API shows them."""
        return asdict(self)

    def retry_after_for(self, wait: float) -> int:
        """Whole seconds to report for a wait, with the retry_after setting as a floor."""
        return max(_whole_seconds(wait), math.ceil(self.retry_after))


class TokenBucket:
    """Holds up to capacity tokens, refilled at rate per second; a send takes one."""

    __slots__ = ("capacity", "rate", "tokens", "updated")

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.updated = now

    def _refill(self, now: float) -> None:
        if now > self.updated:
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now

    def wait(self, now: float) -> float:
        """Seconds until a token is available (0 when one is available now)."""
        self._refill(now)
        missing = 1.0 - self.tokens
        return 0.0 if missing <= EPSILON else missing / self.rate

    def take(self, now: float) -> None:
        """Use one token."""
        self._refill(now)
        self.tokens -= 1.0


class SlidingWindow:
    """At most limit sends within any window of seconds."""

    __slots__ = ("limit", "seconds", "times")

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit = limit
        self.seconds = seconds
        self.times: deque[float] = deque()

    def _prune(self, now: float) -> None:
        while self.times and self.times[0] <= now - self.seconds:
            self.times.popleft()

    def wait(self, now: float) -> float:
        """Seconds until one more send fits in the window (0 when it fits now)."""
        self._prune(now)
        excess = len(self.times) - self.limit
        if excess < 0:
            return 0.0
        return max(0.0, self.times[excess] + self.seconds - now)

    def take(self, now: float) -> None:
        """Record a send."""
        self._prune(now)
        self.times.append(now)


class FloodLimiter:
    """Per private chat buckets, per group sliding windows and one global bucket; O(1) a send."""

    def __init__(self, settings: LimitSettings, now: float) -> None:
        self.settings = settings
        self.global_bucket = TokenBucket(settings.global_per_second, settings.global_burst, now)
        self.private: dict[int, TokenBucket] = {}
        self.groups: dict[int, SlidingWindow] = {}

    def _chat_limit(self, chat_id: int, private: bool, now: float) -> TokenBucket | SlidingWindow:
        if private:
            bucket = self.private.get(chat_id)
            if bucket is None:
                rate, burst = self.settings.private_per_second, self.settings.private_burst
                bucket = self.private[chat_id] = TokenBucket(rate, burst, now)
            return bucket
        window = self.groups.get(chat_id)
        if window is None:
            limit, seconds = self.settings.group_per_minute, self.settings.group_window_seconds
            window = self.groups[chat_id] = SlidingWindow(limit, seconds)
        return window

    def wait(self, chat_id: int | None, private: bool, now: float) -> float:
        """Seconds until every applicable limit allows one more send (0: send now)."""
        wait = self.global_bucket.wait(now)
        if chat_id is not None:
            wait = max(wait, self._chat_limit(chat_id, private, now).wait(now))
        return wait

    def take(self, chat_id: int | None, private: bool, now: float) -> None:
        """Count an accepted send against every applicable limit."""
        self.global_bucket.take(now)
        if chat_id is not None:
            self._chat_limit(chat_id, private, now).take(now)


@dataclass
class RateFault:
    """The next count sending calls (to chat_id only, when given) get a 429."""

    count: int
    retry_after: int
    chat_id: int | None = None

    def to_json(self) -> JSON:
        """The fault as the control API shows it."""
        return asdict(self)


@dataclass
class Faults:
    """Injected failures: queued 429s, a time-limited HTTP status for every call, and a time-limited
    409 Conflict for getUpdates (as if another instance were polling with the same token)."""

    rate: list[RateFault] = field(default_factory=list)
    status: int | None = None
    status_until: float = 0.0
    conflict_until: float = 0.0

    def clear(self) -> None:
        """Forget every fault."""
        self.rate.clear()
        self.status = None
        self.status_until = 0.0
        self.conflict_until = 0.0

    def configure(self, body: JSON, now: float) -> None:
        """Apply a POST /playground/faults body."""
        mode = str(body.get("mode", ""))
        if mode not in FAULT_MODES:
            raise _invalid(f"mode must be one of {', '.join(FAULT_MODES)}")
        if mode == "clear":
            self.clear()
        elif mode == "429":
            chat_id = body.get("chat_id")
            if chat_id is not None and (isinstance(chat_id, bool) or not isinstance(chat_id, int)):
                raise _invalid("chat_id must be an integer")
            count = _integer(body, "count", 1, 1)
            retry_after = _integer(body, "retry_after", 1, 1)
            self.rate.append(RateFault(count, retry_after, chat_id))
        elif mode == "conflict":
            self.conflict_until = now + _number(body, "seconds", 1.0, 0)
        else:
            status = _integer(body, "status", 502, 400)
            if status > 599:
                raise _invalid("status must be between 400 and 599")
            self.status = status
            self.status_until = now + _number(body, "seconds", 1.0, 0)

    def active_status(self, now: float) -> int | None:
        """The HTTP status every call gets right now, if a status fault is running."""
        if self.status is not None and now >= self.status_until:
            self.status = None
        return self.status

    def conflict_active(self, now: float) -> bool:
        """Whether getUpdates answers 409 Conflict right now."""
        return now < self.conflict_until

    def take_rate_fault(self, chat_id: int | None) -> int | None:
        """Use up one queued 429 that applies to this chat; its retry_after, or None."""
        for fault in self.rate:
            if fault.chat_id is None or fault.chat_id == chat_id:
                fault.count -= 1
                if fault.count <= 0:
                    self.rate.remove(fault)
                return fault.retry_after
        return None

    def to_json(self, now: float) -> JSON:
        """The pending faults as the control API shows them."""
        status = self.active_status(now)
        data: dict[str, Any] = {"rate": [fault.to_json() for fault in self.rate], "status": None}
        if status is not None:
            data["status"] = {"status": status, "remaining_seconds": self.status_until - now}
        if self.conflict_active(now):
            data["conflict"] = {"remaining_seconds": self.conflict_until - now}
        return data
