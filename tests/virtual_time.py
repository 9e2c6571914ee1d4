"""Virtual time for code that takes a clock and a sleep (e.g. scheduler.limits.Limiter).

Coroutines run under a tiny scheduler: the earliest sleeper wakes next and the clock jumps to its
moment, so minutes of waiting take milliseconds and nothing depends on this machine's speed.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Coroutine, Generator
from typing import Any


class _Sleep:
    """What a sleeping coroutine yields to the simulation: when it wants to wake."""

    def __init__(self, until: float) -> None:
        self.until = until

    def __await__(self) -> Generator["_Sleep", None, None]:
        yield self


class Simulation:
    """`clock` and `sleep` for the code under test; `spawn` coroutines, then `run` them all."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = start
        self._queue: list[tuple[float, int, Coroutine[Any, Any, Any]]] = []
        self._order = itertools.count()

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> _Sleep:
        return _Sleep(self.now + max(0.0, seconds))

    def spawn(self, coroutine: Coroutine[Any, Any, Any], at: float | None = None) -> None:
        heapq.heappush(self._queue, (self.now if at is None else at, next(self._order), coroutine))

    def run(self, until: float | None = None) -> None:
        """Run until nothing is left (or the next wake-up is after `until`; the clock then stops there)."""
        while self._queue:
            if until is not None and self._queue[0][0] > until:
                self.now = max(self.now, until)
                return
            at, _order, coroutine = heapq.heappop(self._queue)
            self.now = max(self.now, at)
            try:
                wake = coroutine.send(None)
            except StopIteration:
                continue
            heapq.heappush(self._queue, (wake.until, next(self._order), coroutine))
        if until is not None:
            self.now = max(self.now, until)

    def advance(self, seconds: float) -> None:
        """Let `seconds` pass (running whatever wakes meanwhile)."""
        self.run(until=self.now + seconds)
