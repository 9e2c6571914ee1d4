"""Where each person is in each dialog: state and draft, stored with every step."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from storage.models import Conversation, utcnow


def load_dialog(session: Session, *, chat_id: int, user_id: int, name: str) -> Conversation | None:
    """The stored step of dialog `name` for this user in this chat."""
    return session.exec(
        select(Conversation).where(
            Conversation.chat_id == chat_id, Conversation.user_id == user_id, Conversation.name == name
        )
    ).first()


def save_dialog(
    session: Session, *, row: Conversation | None, chat_id: int, user_id: int, name: str, state: str,
    draft: dict[str, Any],
) -> Conversation:
    """Store the step reached and the draft so far (`row`: the step loaded earlier, if any)."""
    if row is None:
        row = Conversation(chat_id=chat_id, user_id=user_id, name=name, state=state, draft=draft)
    else:
        row.state, row.draft, row.updated_at = state, draft, utcnow()
    session.add(row)
    return row


def end_dialog(session: Session, *, chat_id: int, user_id: int, name: str | None = None) -> int:
    """Forget dialog `name` (or every dialog) of this user in this chat; returns how many ended."""
    query = select(Conversation).where(Conversation.chat_id == chat_id, Conversation.user_id == user_id)
    if name is not None:
        query = query.where(Conversation.name == name)
    rows = session.exec(query).all()
    for row in rows:
        session.delete(row)
    return len(rows)
