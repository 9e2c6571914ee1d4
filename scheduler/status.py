"""The pinned status message in each wijkraad group, kept up to date.

Every run (each minute, and at start) works out the summary of each linked wijkraad group's
wijk and compares it with what the group's status message says now (`GroupChat.status_text`):

    no message yet ──▶ send it (outbox row marked `_status`), remember the text
    sent, id unknown ─▶ read the id from the sent outbox row, pin it (needs admin rights;
                        without them the message still stands and is kept up to date)
    text changed ───▶ edit the message (with a "bijgewerkt" line) and remember the new text

Nothing is sent when nothing changed, so a quiet wijk costs no Bot API calls.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot.i18n import use_locale
from conversations.notices import GROUP_LOCALE
from conversations.stand import report, summary_of
from conversations.stand_texts import updated_line
from storage.models import Area, GroupChat, OutboxMessage, OutboxStatus
from storage.outbox import edit_message, enqueue, send_message

STATUS_MARK = "_status"  # our own payload key (never sent to Telegram): "this is the status message"


def _last_status_row(session: Session, *, chat_id: int) -> OutboxMessage | None:
    """The status message last owed to the chat (sent, waiting or failed)."""
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.chat_id == chat_id,
                                                    OutboxMessage.method == "sendMessage")
                        .order_by(col(OutboxMessage.id).desc())).all()
    return next((row for row in rows if row.payload.get(STATUS_MARK)), None)


def refresh_status_messages(session: Session, *, now: datetime, tz: ZoneInfo) -> int:
    """Send, pin or edit each wijkraad group's status message where needed; returns the calls owed."""
    owed = 0
    today = now.astimezone(tz).date()
    for group in session.exec(select(GroupChat).where(col(GroupChat.area_id).is_not(None))).all():
        wijk = session.get(Area, group.area_id)
        if wijk is None or not wijk.active:
            continue
        if group.status_message_id is None and group.status_text is not None:
            row = _last_status_row(session, chat_id=group.chat_id)
            if row is not None and row.status == OutboxStatus.PENDING:
                continue  # the dispatcher has not sent it yet
            if row is not None and row.status == OutboxStatus.SENT and row.sent_message_id is not None:
                group.status_message_id = row.sent_message_id
                enqueue(session, chat_id=group.chat_id, method="pinChatMessage", payload={
                    "chat_id": group.chat_id, "message_id": row.sent_message_id, "disable_notification": True})
                session.add(group)
                owed += 1
            # failed: send it again, but only once the figures change
        with use_locale(GROUP_LOCALE):
            text = summary_of(report(session, wijk=wijk, today=today, tz=tz), tz)
            full = f"{text}\n\n{updated_line(now, tz)}"
        if text == group.status_text:
            continue
        if group.status_message_id is None:
            send_message(session, chat_id=group.chat_id, text=full, marks={STATUS_MARK: True})
        else:
            edit_message(session, chat_id=group.chat_id, message_id=group.status_message_id, text=full)
        group.status_text = text
        session.add(group)
        owed += 1
    return owed
