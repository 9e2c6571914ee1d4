"""Writing notifications owed to someone: rows committed with the change that causes them."""

from __future__ import annotations

from typing import Any

from datetime import datetime, timedelta

from sqlalchemy import delete, insert
from sqlmodel import Session

from storage.models import OutboxMessage, OutboxStatus, utcnow
from storage.telegram_text import MAX_MESSAGE, split_html

_INSERT = insert(OutboxMessage)
KEEP_DELIVERED_DAYS = 90  # sent and failed rows are kept this long (redaction can still reach them), then go


def enqueue(session: Session, *, chat_id: int, method: str, payload: dict[str, Any], quiet: bool = False) -> None:
    """Owe one Bot API call to `chat_id`; the dispatcher makes it after commit.

    A plain Core INSERT on the session's connection (no ORM bookkeeping, compiled once): this runs
    several times for every update.
    """
    now = utcnow()
    session.connection().execute(_INSERT, [{"chat_id": chat_id, "method": method, "payload": payload,
                               "status": OutboxStatus.PENDING, "attempts": 0, "not_before": now, "created_at": now,
                               "quiet": quiet}])


def send_message(session: Session, *, chat_id: int, text: str, reply_markup: dict[str, Any] | None = None,
                 reply_to: int | None = None, quiet: bool = False, marks: dict[str, Any] | None = None) -> None:
    """Owe an HTML message (user text in it must already be escaped); `quiet`: a notice held at night;
    `marks`: our own keys (starting with `_`, never sent) to find the row again.

    A text longer than Telegram allows goes as several messages, split at paragraph or line breaks
    (storage/telegram_text.py): the first replies to `reply_to`, the last carries the buttons, every
    part carries the marks.
    """
    parts = split_html(text, MAX_MESSAGE)
    for number, part in enumerate(parts):
        payload: dict[str, Any] = {"chat_id": chat_id, "text": part, "parse_mode": "HTML",
                                   "link_preview_options": {"is_disabled": True}, **(marks or {})}
        if reply_markup is not None and number == len(parts) - 1:
            payload["reply_markup"] = reply_markup
        if reply_to is not None and number == 0:
            payload["reply_parameters"] = {"message_id": reply_to, "allow_sending_without_reply": True}
        enqueue(session, chat_id=chat_id, method="sendMessage", payload=payload, quiet=quiet)


def edit_message(session: Session, *, chat_id: int, message_id: int, text: str,
                 reply_markup: dict[str, Any] | None = None) -> None:
    """Owe an edit of an earlier message's text (and buttons: none when `reply_markup` is None)."""
    payload: dict[str, Any] = {"chat_id": chat_id, "message_id": message_id, "text": text, "parse_mode": "HTML",
                               "link_preview_options": {"is_disabled": True}}
    if reply_markup is not None:
        payload["reply_markup"] = reply_markup
    enqueue(session, chat_id=chat_id, method="editMessageText", payload=payload)


def prune_delivered(session: Session, *, now: datetime, keep_days: int = KEEP_DELIVERED_DAYS) -> int:
    """Delete sent and failed rows older than `keep_days`; waiting ones always stay. Returns how many went."""
    result = session.execute(delete(OutboxMessage).where(
        OutboxMessage.status.in_([OutboxStatus.SENT, OutboxStatus.FAILED]),  # type: ignore[attr-defined]
        OutboxMessage.created_at < now - timedelta(days=keep_days)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
