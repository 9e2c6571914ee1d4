"""Writing notifications owed to someone: rows committed with the change that causes them."""

from __future__ import annotations

from typing import Any

from datetime import datetime, timedelta

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from storage.models import OutboxMessage, OutboxStatus, SentMessage, utcnow
from storage.telegram_text import MAX_MESSAGE, split_html

_INSERT = insert(OutboxMessage)
KEEP_DELIVERED_DAYS = 90  # sent and failed rows are kept this long (redaction can still reach them), then go
KIND_OF_METHOD = {  # what a row is when its writer says nothing more specific (stored as readable words)
    "sendMessage": "message", "sendPhoto": "photo", "sendDocument": "document", "editMessageText": "edit",
    "editMessageReplyMarkup": "edit", "deleteMessage": "deletion", "pinChatMessage": "pin",
    "answerCallbackQuery": "answer",
}
# More specific kinds our code writes: "card" (a request's card in a wijkraad group, subject the request),
# "status" (a wijkraad group's status message, subject the group), "invitation" (a link to a role).


def enqueue(session: Session, *, chat_id: int, method: str, payload: dict[str, Any], quiet: bool = False,
            kind: str | None = None, subject_type: str | None = None, subject_id: int | None = None,
            forget_after_send: bool = False, invitation_nonce: str | None = None) -> None:
    """Owe one Bot API call to `chat_id`; the dispatcher makes it after commit.

    `payload` is exactly what is sent to Telegram. What the message is (`kind`, by default named after
    the method) and what it is about (`subject_type`, `subject_id`) are columns of the row; once
    delivered, the dispatcher records them in `SentMessage`, where edits and redaction find the message.
    `forget_after_send`: the row is deleted once settled, and nothing is recorded (a goodbye to an
    erased person). `invitation_nonce`: see storage/invitations.py.

    A plain Core INSERT on the session's connection (no ORM bookkeeping, compiled once): this runs
    several times for every update.
    """
    now = utcnow()
    session.connection().execute(_INSERT, [{"chat_id": chat_id, "method": method, "payload": payload,
                               "status": OutboxStatus.PENDING, "attempts": 0, "not_before": now, "created_at": now,
                               "quiet": quiet, "kind": kind or KIND_OF_METHOD.get(method, method),
                               "subject_type": subject_type, "subject_id": subject_id,
                               "forget_after_send": forget_after_send, "invitation_nonce": invitation_nonce}])


def send_message(session: Session, *, chat_id: int, text: str, reply_markup: dict[str, Any] | None = None,
                 reply_to: int | None = None, quiet: bool = False, kind: str | None = None,
                 subject_type: str | None = None, subject_id: int | None = None,
                 invitation_nonce: str | None = None) -> None:
    """Owe an HTML message (user text in it must already be escaped); `quiet`: a notice held at night;
    `kind`, `subject_type`, `subject_id`: what it is and what it is about (see `enqueue`).

    A text longer than Telegram allows goes as several messages, split at paragraph or line breaks
    (storage/telegram_text.py): the first replies to `reply_to`, the last carries the buttons, every
    part has the same kind and subject.
    """
    parts = split_html(text, MAX_MESSAGE)
    for number, part in enumerate(parts):
        payload: dict[str, Any] = {"chat_id": chat_id, "text": part, "parse_mode": "HTML",
                                   "link_preview_options": {"is_disabled": True}}
        if reply_markup is not None and number == len(parts) - 1:
            payload["reply_markup"] = reply_markup
        if reply_to is not None and number == 0:
            payload["reply_parameters"] = {"message_id": reply_to, "allow_sending_without_reply": True}
        enqueue(session, chat_id=chat_id, method="sendMessage", payload=payload, quiet=quiet, kind=kind,
                subject_type=subject_type, subject_id=subject_id, invitation_nonce=invitation_nonce)


def edit_message(session: Session, *, chat_id: int, message_id: int, text: str,
                 reply_markup: dict[str, Any] | None = None, subject_type: str | None = None,
                 subject_id: int | None = None) -> None:
    """Owe an edit of an earlier message's text (and buttons: none when `reply_markup` is None)."""
    payload: dict[str, Any] = {"chat_id": chat_id, "message_id": message_id, "text": text, "parse_mode": "HTML",
                               "link_preview_options": {"is_disabled": True}}
    if reply_markup is not None:
        payload["reply_markup"] = reply_markup
    enqueue(session, chat_id=chat_id, method="editMessageText", payload=payload, subject_type=subject_type,
            subject_id=subject_id)


def sent_messages(session: Session, *, subject_type: str, subject_id: int, kind: str,
                  chat_ids: list[int] | None = None) -> list[SentMessage]:
    """The delivered messages of this kind about this subject (optionally only in these chats), oldest first."""
    query = select(SentMessage).where(SentMessage.subject_type == subject_type, SentMessage.subject_id == subject_id,
                                      SentMessage.kind == kind)
    if chat_ids is not None:
        query = query.where(col(SentMessage.chat_id).in_(chat_ids))
    return list(session.exec(query.order_by(col(SentMessage.id))).all())


def owed(session: Session, *, chat_id: int, kind: str) -> bool:
    """Whether a message of this kind is still waiting to be sent to the chat."""
    return session.exec(select(OutboxMessage.id).where(OutboxMessage.chat_id == chat_id, OutboxMessage.kind == kind,
                                                       OutboxMessage.status == OutboxStatus.PENDING)).first() is not None


def prune_delivered(session: Session, *, now: datetime, keep_days: int = KEEP_DELIVERED_DAYS) -> int:
    """Delete sent and failed rows older than `keep_days`, and the records of messages sent before then;
    waiting rows always stay. Returns how many outbox rows went."""
    cutoff = now - timedelta(days=keep_days)
    session.execute(delete(SentMessage).where(SentMessage.sent_at < cutoff))  # type: ignore[arg-type]
    result = session.execute(delete(OutboxMessage).where(
        OutboxMessage.status.in_([OutboxStatus.SENT, OutboxStatus.FAILED]),  # type: ignore[attr-defined]
        OutboxMessage.created_at < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
