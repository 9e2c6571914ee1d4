"""Telegram updates whose effects are committed (for exactly-once handling)."""

from __future__ import annotations

from sqlalchemy import func, insert
from sqlmodel import Session, select

from storage.models import ProcessedUpdate, utcnow


_INSERT = insert(ProcessedUpdate)  # compiled once


def is_processed(session: Session, *, update_id: int) -> bool:
    """Whether this update's effects are already committed."""
    return session.get(ProcessedUpdate, update_id) is not None


def mark_processed(session: Session, *, update_id: int) -> None:
    """Record, in the update's own transaction, that its effects are committed."""
    session.connection().execute(_INSERT, [{"update_id": update_id, "processed_at": utcnow()}])


def next_offset(session: Session) -> int | None:
    """The getUpdates offset that confirms everything already committed."""
    last = session.exec(select(func.max(ProcessedUpdate.update_id))).one()
    return None if last is None else last + 1
