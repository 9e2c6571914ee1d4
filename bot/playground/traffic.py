"""Flood limits, injected faults and send statistics around Bot API calls."""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from typing import Any, NamedTuple

from .errors import PlaygroundError, conflict, http_status_error, too_many_requests
from .limits import Faults, FloodLimiter, LimitSettings
from .models import JSON
from .world import World

# Bot API methods that send or edit messages: checked against limits and 429 faults.
SENDING_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "sendlocation",
        "editmessagetext",
        "editmessagereplymarkup",
        "editmessagecaption",
    }
)
STAT_KEYS = ("sent", "429", "faults")


class SendTarget(NamedTuple):
    """The chat a sending call is counted and limited against."""

    stats_id: int | None  # the chat id for stats (also numeric ids of unknown chats)
    chat_id: int | None  # the known chat's id for per-chat limits (None: global only)
    private: bool


def is_sending_method(name: str) -> bool:
    """Whether a Bot API method (any case) sends or edits a message."""
    return name.lower() in SENDING_METHODS


class TrafficMixin(World):
    """Playground.limits, .faults, .stats and .stats_by_chat, and the checks using them."""

    clock: Callable[[], float] = staticmethod(time.monotonic)

    def _reset_world(self) -> None:
        super()._reset_world()
        self.faults = Faults()
        self.limits = LimitSettings()
        self.reset_stats()

    @property
    def limits(self) -> LimitSettings:
        """The flood limit settings; setting them starts with fresh (full) buckets."""
        return self._limits

    @limits.setter
    def limits(self, settings: LimitSettings) -> None:
        self._limits = settings
        self.limiter = FloodLimiter(settings, self.clock())

    def set_limits(self, body: JSON) -> JSON:
        """Apply a POST /playground/limits body; return the active settings."""
        self.limits = LimitSettings.from_body(body)
        return self.limits.to_json()

    def set_faults(self, body: JSON) -> JSON:
        """Apply a POST /playground/faults body; return the pending faults."""
        self.faults.configure(body, self.clock())
        return self.faults_view()

    def faults_view(self) -> JSON:
        """Pending faults for the control API."""
        return self.faults.to_json(self.clock())

    def reset_stats(self) -> None:
        """Zero the counters."""
        self.stats: dict[str, int] = dict.fromkeys(STAT_KEYS, 0)
        self.stats_by_chat: dict[int, dict[str, int]] = {}

    def stats_view(self) -> JSON:
        """Counters for the control API (per chat keys become strings in JSON)."""
        by_chat = {str(chat_id): dict(counts) for chat_id, counts in self.stats_by_chat.items()}
        return {**self.stats, "by_chat": by_chat}

    def _count(self, key: str, chat_id: int | None) -> None:
        self.stats[key] += 1
        if chat_id is not None:
            counts = self.stats_by_chat.get(chat_id)
            if counts is None:
                counts = self.stats_by_chat[chat_id] = dict.fromkeys(STAT_KEYS, 0)
            counts[key] += 1

    def check_status_fault(self) -> None:
        """Fail any Bot API call while a status fault runs."""
        status = self.faults.active_status(self.clock())
        if status is not None:
            self._count("faults", None)
            raise http_status_error(status)

    def check_conflict_fault(self) -> None:
        """Fail getUpdates with Telegram's 409 while a conflict fault runs."""
        if self.faults.conflict_active(self.clock()):
            self._count("faults", None)
            raise conflict("terminated by other getUpdates request; make sure that only one bot instance is running")

    def _target(self, chat_id: int | str | None) -> SendTarget:
        """Whom a send is charged to: known chats by id, unknown numeric ids for stats only."""
        chat = None
        if isinstance(chat_id, int):
            chat = self.chats.get(chat_id)
        elif isinstance(chat_id, str):
            try:
                chat = self._resolve_chat(chat_id)
            except PlaygroundError:
                chat = None
        if chat is None:
            return SendTarget(chat_id if isinstance(chat_id, int) else None, None, False)
        return SendTarget(chat.id, chat.id, chat.type == "private")

    def _admit(self, chat_id: int | str | None) -> SendTarget:
        """Raise a 429 for a queued fault or an exceeded limit; else whom to charge."""
        target = self._target(chat_id)
        retry_after = self.faults.take_rate_fault(target.stats_id)
        if retry_after is not None:
            self._count("faults", target.stats_id)
            self._count("429", target.stats_id)
            raise too_many_requests(retry_after)
        if self._limits.enabled:
            wait = self.limiter.wait(target.chat_id, target.private, self.clock())
            if wait > 0:
                self._count("429", target.stats_id)
                raise too_many_requests(self._limits.retry_after_for(wait))
        return target

    def guarded_send(self, chat_id: int | str | None, call: Callable[[], Any]) -> Any:
        """Run a synchronous sending call under faults and limits; count it if it succeeds.

        Nothing is awaited between the check and the charge, so concurrent requests cannot
        slip past a limit. Calls that fail (400, 403) are not charged.
        """
        target = self._admit(chat_id)
        result = call()
        if inspect.isawaitable(result):
            raise TypeError("sending handlers must be synchronous to be limited atomically")
        if self._limits.enabled:
            self.limiter.take(target.chat_id, target.private, self.clock())
        self._count("sent", target.stats_id)
        return result
