"""The pinned status message in each wijkraad group, kept up to date.

Every run (each minute, and at start) works out the summary of each linked wijkraad group's
wijk and compares it with what the group's status message says now (`GroupChat.status_text`):

    no message yet ──▶ send it (kind `status`, subject the group), remember the text
    sent, id unknown ─▶ find it among the sent messages (SentMessage), pin it (needs admin
                        rights; without them the message still stands and is kept up to date)
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
from storage.models import Area, GroupChat
from storage.outbox import edit_message, enqueue, owed, send_message, sent_messages

STATUS = "status"  # the kind of a group's status message (its subject: the group, by chat id)


def refresh_status_messages(session: Session, *, now: datetime, tz: ZoneInfo) -> int:
    """Send, pin or edit each wijkraad group's status message where needed; returns the calls owed."""
    calls = 0
    today = now.astimezone(tz).date()
    for group in session.exec(select(GroupChat).where(col(GroupChat.area_id).is_not(None))).all():
        wijk = session.get(Area, group.area_id)
        if wijk is None or not wijk.active:
            continue
        if group.status_message_id is None and group.status_text is not None:
            if owed(session, chat_id=group.chat_id, kind=STATUS):
                continue  # the dispatcher has not sent it yet
            sent = sent_messages(session, subject_type="group", subject_id=group.chat_id, kind=STATUS,
                                 chat_ids=[group.chat_id])
            if sent:
                group.status_message_id = sent[-1].message_id
                enqueue(session, chat_id=group.chat_id, method="pinChatMessage", payload={
                    "chat_id": group.chat_id, "message_id": group.status_message_id, "disable_notification": True},
                    subject_type="group", subject_id=group.chat_id)
                session.add(group)
                calls += 1
            # failed: send it again, but only once the figures change
        with use_locale(GROUP_LOCALE):
            text = summary_of(report(session, wijk=wijk, today=today, tz=tz), tz)
            full = f"{text}\n\n{updated_line(now, tz)}"
        if text == group.status_text:
            continue
        if group.status_message_id is None:
            send_message(session, chat_id=group.chat_id, text=full, kind=STATUS, subject_type="group",
                         subject_id=group.chat_id)
        else:
            edit_message(session, chat_id=group.chat_id, message_id=group.status_message_id, text=full)
        group.status_text = text
        session.add(group)
        calls += 1
    return calls
