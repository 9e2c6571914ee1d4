"""Migration 0008 keeps every row and every reference, and afterwards ids are never reused."""

from __future__ import annotations

import sqlalchemy as sa

from storage.migrate import upgrade
from storage.db import make_engine


def test_upgrade_keeps_people_roles_and_owed_messages(database_url: str) -> None:
    upgrade(database_url, "0007")
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO person (telegram_id, language, active, created_at) "
                                 "VALUES (111, 'nl', true, CURRENT_TIMESTAMP), (222, 'en', true, CURRENT_TIMESTAMP)"))
            conn.execute(sa.text("INSERT INTO membership (person_id, role, created_at) "
                                 "VALUES (2, 'wijkraad', CURRENT_TIMESTAMP)"))
            for text in ("een", "twee"):
                conn.execute(sa.text("INSERT INTO outboxmessage (chat_id, method, payload, status, attempts, "
                                     "not_before, created_at, quiet) VALUES (222, 'sendMessage', :payload, 'pending', "
                                     "0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, false)"),
                             {"payload": f'{{"text": "{text}"}}'})
        upgrade(database_url)
        with engine.begin() as conn:
            assert conn.execute(sa.text("SELECT id, telegram_id FROM person ORDER BY id")).all() == [(1, 111), (2, 222)]
            assert conn.execute(sa.text("SELECT person_id FROM membership")).scalar_one() == 2
            owed = conn.execute(sa.text("SELECT id, chat_id, status, claimed_by FROM outboxmessage ORDER BY id")).all()
            assert owed == [(1, 222, "pending", None), (2, 222, "pending", None)]
            conn.execute(sa.text("DELETE FROM membership"))
            conn.execute(sa.text("DELETE FROM person WHERE id = 2"))
            conn.execute(sa.text("DELETE FROM outboxmessage"))
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO person (telegram_id, language, active, created_at) "
                                 "VALUES (333, 'nl', true, CURRENT_TIMESTAMP)"))
            conn.execute(sa.text("INSERT INTO outboxmessage (chat_id, method, payload, status, attempts, not_before, "
                                 "created_at, quiet) VALUES (333, 'sendMessage', '{}', 'pending', 0, "
                                 "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, false)"))
            assert conn.execute(sa.text("SELECT id FROM person WHERE telegram_id = 333")).scalar_one() == 3
            assert conn.execute(sa.text("SELECT id FROM outboxmessage")).scalar_one() == 3
            # Foreign keys are enforced again after the migration.
            refused = False
            try:
                with conn.begin_nested():
                    conn.execute(sa.text("INSERT INTO membership (person_id, role, created_at) "
                                         "VALUES (999, 'wijkraad', CURRENT_TIMESTAMP)"))
            except sa.exc.IntegrityError:
                refused = True
            assert refused
    finally:
        engine.dispose()


def test_downgrade_to_0007_and_up_again(database_url: str) -> None:
    upgrade(database_url)
    from storage.migrate import alembic_config
    from alembic import command

    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO person (telegram_id, language, active, created_at) "
                                 "VALUES (333, 'nl', true, CURRENT_TIMESTAMP)"))
        command.downgrade(alembic_config(database_url), "0007")
        upgrade(database_url)
        with engine.begin() as conn:  # the rebuilt table kept the row, both ways
            assert conn.execute(sa.text("SELECT telegram_id FROM person")).scalars().all() == [333]
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one() != "0007"
    finally:
        engine.dispose()
