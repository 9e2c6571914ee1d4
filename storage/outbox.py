"""Writing notifications owed to someone: rows committed with the change that causes them."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from storage.models import OutboxMessage


def enqueue(session: Session, *, chat_id: int, method: str, payload: dict[str, Any]) -> OutboxMessage:
    """Owe one Bot API call to `chat_id`; the dispatcher makes it after commit."""
    row = OutboxMessage(chat_id=chat_id, method=method, payload=payload)
    session.add(row)
    return row
