"""Ids that leave the database (outbox outcomes, audit rows, buttons) are never handed out twice.

SQLite without AUTOINCREMENT gives a new row the largest id plus one, so deleting the newest row
hands its id to the next one: an outcome meant for a deleted outbox row lands on a new one, and an
erased person's audit rows point at the next person who says /start.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlmodel import SQLModel

from storage.db import Database
from storage.models import Membership, MembershipRole, OutboxMessage, Person


def _new_id(db: Database, model: type[SQLModel], **fields: Any) -> int:
    with db.transaction_sync() as session:
        row = model(**fields)
        session.add(row)
        session.flush()
        return int(row.id)  # type: ignore[attr-defined]


def _delete(db: Database, model: type[SQLModel], row_id: int) -> None:
    with db.transaction_sync() as session:
        session.execute(delete(model).where(model.id == row_id))  # type: ignore[attr-defined]


def test_a_deleted_outbox_row_id_is_not_given_to_the_next_row(db: Database) -> None:
    first = _new_id(db, OutboxMessage, chat_id=1, method="sendMessage", payload={"text": "een"})
    newest = _new_id(db, OutboxMessage, chat_id=2, method="sendMessage", payload={"text": "twee"})
    _delete(db, OutboxMessage, newest)  # sent and forgotten (a goodbye), or erased with its person
    following = _new_id(db, OutboxMessage, chat_id=3, method="sendMessage", payload={"text": "drie"})
    assert following > newest > first


def test_an_erased_persons_id_is_not_given_to_the_next_person(db: Database) -> None:
    erased = _new_id(db, Person, telegram_id=111)
    _delete(db, Person, erased)
    newcomer = _new_id(db, Person, telegram_id=222)
    assert newcomer > erased


def test_a_deleted_membership_id_is_not_given_to_the_next_membership(db: Database) -> None:
    holder = _new_id(db, Person, telegram_id=333)
    revoked = _new_id(db, Membership, person_id=holder, role=MembershipRole.WIJKRAAD)
    _delete(db, Membership, revoked)  # a member erased: old "admin:revoke:<id>" buttons still carry the id
    granted = _new_id(db, Membership, person_id=holder, role=MembershipRole.WIJKRAAD)
    assert granted > revoked
