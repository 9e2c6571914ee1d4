"""The unit of work of one update: its transaction and what it learned along the way."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from bot.settings import Settings


@dataclass
class Unit:
    """One update's transaction; handlers write state and outbox rows into `session`."""

    session: Session
    settings: Settings
    error: BaseException | None = None
    cache: dict[str, Any] = field(default_factory=dict)


_current: contextvars.ContextVar[Unit] = contextvars.ContextVar("unit")


def current_unit() -> Unit:
    """The unit of the update being handled (only valid inside the update loop)."""
    return _current.get()


def enter_unit(unit: Unit) -> contextvars.Token[Unit]:
    """Make `unit` current for this task."""
    return _current.set(unit)


def leave_unit(token: contextvars.Token[Unit]) -> None:
    """Restore the previous unit."""
    _current.reset(token)
