"""The transition table: every allowed move works, every other move is refused and changes nothing."""

from __future__ import annotations

import itertools

import pytest
from sqlmodel import select

from storage.models import AuditEntry, Person, Request, RequestStatus, StatusChange
from storage.municipality import example_config, load_municipality
from storage.workflow import TRANSITIONS, Actor, Role, TransitionRefused, find_transition, transition


def _setup(session):  # type: ignore[no-untyped-def]
    load_municipality(session, config=example_config())
    resident = Person(telegram_id=1, language="nl")
    other = Person(telegram_id=2, language="nl")
    session.add_all([resident, other])
    session.flush()
    return resident, other


def _request(session, resident, status):  # type: ignore[no-untyped-def]
    from storage.models import Area, Theme

    wijk = session.exec(select(Area).where(Area.kind == "wijk")).first()
    theme = session.exec(select(Theme)).first()
    request = Request(kind="wish", status=status or "", wijk_id=wijk.id, theme_id=theme.id,
                      resident_id=resident.id, text="x" * 30)
    session.add(request)
    session.flush()
    return request


ACTIONS = sorted({row.action for row in TRANSITIONS})
SOURCES = [None, *RequestStatus]


def test_every_move_in_and_out_of_the_table(db) -> None:  # type: ignore[no-untyped-def]
    """Every action × status × role: allowed moves work and leave history; the rest change nothing."""
    allowed_seen = refused_seen = 0
    with db.transaction_sync() as session:
        resident, _other = _setup(session)
        for action, source, role in itertools.product(ACTIONS, SOURCES, Role):
            savepoint = session.begin_nested()
            request = _request(session, resident, source)
            row = find_transition(action, source)
            actor = Actor(role, resident.id, f"person:{resident.id}")
            if row is not None and role in row.roles:
                transition(session, request=request, action=action, actor=actor)
                assert request.status == row.target
                change = session.exec(select(StatusChange).where(StatusChange.request_id == request.id)).one()
                assert (change.from_status, change.to_status, change.action) == (source, row.target, action)
                audit = session.exec(select(AuditEntry).where(AuditEntry.subject_id == request.id)).one()
                assert audit.actor == f"person:{resident.id}" and audit.action == f"request.{action}"
                allowed_seen += 1
            else:
                with pytest.raises(TransitionRefused):
                    transition(session, request=request, action=action, actor=actor)
                assert request.status == (source or "")
                assert session.exec(select(StatusChange).where(StatusChange.request_id == request.id)).all() == []
                refused_seen += 1
            savepoint.rollback()
            session.expunge_all()  # SQLite reuses the rolled-back ids
            resident = session.get(Person, resident.id)
    assert allowed_seen == sum(len(row.roles) for row in TRANSITIONS)
    assert refused_seen == len(ACTIONS) * len(SOURCES) * len(Role) - allowed_seen


def test_a_resident_cannot_move_someone_elses_request(db) -> None:  # type: ignore[no-untyped-def]
    with db.transaction_sync() as session:
        resident, other = _setup(session)
        request = _request(session, resident, RequestStatus.SUBMITTED)
        with pytest.raises(TransitionRefused):
            transition(session, request=request, action="withdraw",
                       actor=Actor(Role.RESIDENT, other.id, f"person:{other.id}"))
        assert request.status == RequestStatus.SUBMITTED
