"""The record of what was sent goes with the outbox's delivered rows after 90 days, not before."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from storage.models import SentMessage, utcnow
from storage.outbox import KEEP_DELIVERED_DAYS, prune_delivered


def test_records_of_sent_messages_are_pruned_with_the_outbox(db) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    with db.transaction_sync() as session:
        for days, message_id in ((KEEP_DELIVERED_DAYS + 1, 1), (KEEP_DELIVERED_DAYS - 1, 2)):
            session.add(SentMessage(chat_id=-100, message_id=message_id, kind="card", subject_type="request",
                                    subject_id=1, sent_at=now - timedelta(days=days)))
    with db.transaction_sync() as session:
        prune_delivered(session, now=now)
    with db.read() as session:
        assert [m.message_id for m in session.exec(select(SentMessage))] == [2]
