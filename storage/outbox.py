"""Writing notifications owed to someone: rows committed with the change that causes them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from storage.models import OutboxMessage, OutboxStatus, utcnow


def enqueue(session: Session, *, chat_id: int, method: str, payload: dict[str, Any]) -> None:
    """Owe one Bot API call to `chat_id`; the dispatcher makes it after commit.

    A plain INSERT (no ORM bookkeeping): this runs several times for every update.
    """
    now = utcnow()
    session.execute(insert(OutboxMessage).values(
        chat_id=chat_id, method=method, payload=payload, status=OutboxStatus.PENDING, attempts=0,
        not_before=now, created_at=now,
    ))
