"""Migration 0010 moves our private payload keys into columns and records what was already delivered."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa

from storage.db import make_engine
from storage.migrate import upgrade

ROW = ("INSERT INTO outboxmessage (chat_id, method, payload, status, attempts, not_before, created_at, quiet, "
       "sent_message_id, sent_at) VALUES (:chat, :method, :payload, :status, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, "
       "false, :message_id, :sent_at)")


def test_marks_become_columns_and_delivered_messages_are_recorded(database_url: str) -> None:
    upgrade(database_url, "0009")
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO area (code, name, kind, active, postcodes, details) "
                                 "VALUES ('w', 'Wijk', 'wijk', true, '[]', '{}')"))
            conn.execute(sa.text("INSERT INTO theme (code, name_nl, name_en, position, active) "
                                 "VALUES ('spelen', 'Spelen', 'Play', 0, true)"))
            conn.execute(sa.text(
                "INSERT INTO request (reference, wijk_id, kind, theme_id, text, photo_file_ids, status, priority, "
                "created_at, updated_at) VALUES ('W-0001', 1, 'wish', 1, 'Een kapotte schommel hier', "
                "'[\"photo-1\"]', 'submitted', false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
            rows = [
                (-100, "sendMessage", {"chat_id": -100, "text": "kaart", "_card": 1}, "sent", 77),
                (-100, "sendPhoto", {"chat_id": -100, "photo": "photo-1"}, "sent", 76),
                (-100, "sendMessage", {"chat_id": -100, "text": "stand", "_status": True}, "pending", None),
                (5, "sendMessage", {"chat_id": 5, "text": "dag", "_forget": True}, "pending", None),
                (6, "sendMessage", {"chat_id": 6, "text": "start=inv_[invitation]", "_invitation": "nonce"},
                 "pending", None),
                (6, "sendMessage", {"chat_id": 6, "text": "hallo"}, "sent", 12),
                (6, "editMessageText", {"chat_id": 6, "message_id": 12, "text": "hoi"}, "sent", 12),
            ]
            for chat, method, payload, status, message_id in rows:
                conn.execute(sa.text(ROW), {"chat": chat, "method": method, "payload": json.dumps(payload),
                                            "status": status, "message_id": message_id,
                                            "sent_at": datetime.now(UTC) if status == "sent" else None})
        upgrade(database_url)
        with engine.begin() as conn:
            moved = conn.execute(sa.text(
                "SELECT id, kind, subject_type, subject_id, forget_after_send, invitation_nonce, payload "
                "FROM outboxmessage ORDER BY id")).all()
            assert [tuple(row[1:6]) for row in moved] == [
                ("card", "request", 1, False, None), ("photo", "request", 1, False, None),
                ("status", "group", -100, False, None), ("message", None, None, True, None),
                ("invitation", None, None, False, "nonce"), ("message", None, None, False, None),
                ("edit", None, None, False, None)]
            payloads = [row[6] if isinstance(row[6], dict) else json.loads(row[6]) for row in moved]
            assert [key for payload in payloads for key in payload if key.startswith("_")] == []
            assert payloads[0] == {"chat_id": -100, "text": "kaart"}
            sent = conn.execute(sa.text("SELECT chat_id, message_id, outbox_id, kind, subject_type, subject_id "
                                        "FROM sentmessage ORDER BY outbox_id")).all()
            assert [tuple(row) for row in sent] == [(-100, 77, 1, "card", "request", 1),
                                                    (-100, 76, 2, "photo", "request", 1), (6, 12, 6, "message", None, None)]
    finally:
        engine.dispose()
