"""The request lifecycle as data: which action moves which status to which, and who may do it.

`transition()` is the only place a request's status changes. It validates the move, records
history and an audit row, and has no other side effects: callers write outbox rows for any
notification in the same transaction, and sending happens after commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session

from storage.models import AuditEntry, Request, RequestStatus, StatusChange, utcnow


class Role(StrEnum):
    """Who is acting (checked against the database by the caller, never taken from a button)."""

    RESIDENT = "resident"
    WIJKRAAD = "wijkraad"
    PARTNER = "partner"
    COORDINATOR = "coordinator"
    SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    """Someone performing an action; `pseudonym` is what the audit log keeps."""

    role: Role
    person_id: int | None
    pseudonym: str
    display_name: str | None = None  # shown on cards for members; None for residents


@dataclass(frozen=True)
class Transition:
    """One allowed move: `action` takes a request from `source` (None: new) to `target`."""

    action: str
    source: RequestStatus | None
    target: RequestStatus
    roles: frozenset[Role]
    own_request_only: bool = False


S = RequestStatus
R = frozenset({Role.RESIDENT})
W = frozenset({Role.WIJKRAAD})
P = frozenset({Role.PARTNER})
UNTRIAGED = (S.SUBMITTED, S.AWAITING_RESIDENT)


def _from(sources: tuple[RequestStatus, ...], action: str, target: RequestStatus, roles: frozenset[Role],
          own: bool = False) -> tuple[Transition, ...]:
    """The same move from several statuses."""
    return tuple(Transition(action, source, target, roles, own) for source in sources)


TRANSITIONS: tuple[Transition, ...] = (
    # The resident files, answers the wijkraad's question, or withdraws while nothing happened yet.
    Transition("submit", None, S.SUBMITTED, R, own_request_only=True),
    Transition("clarify", S.AWAITING_RESIDENT, S.SUBMITTED, R, own_request_only=True),
    *_from(UNTRIAGED, "withdraw", S.WITHDRAWN, R, own=True),
    # The wijkraad triages (a melding may still be routed after all).
    *_from((*UNTRIAGED, S.SOLVED_DIRECTLY), "route", S.ROUTED, W),
    *_from(UNTRIAGED, "melding", S.SOLVED_DIRECTLY, W),
    *_from(UNTRIAGED, "duplicate", S.DUPLICATE, W),
    *_from(UNTRIAGED, "out_of_scope", S.OUT_OF_SCOPE, W),
    Transition("ask", S.SUBMITTED, S.AWAITING_RESIDENT, W),
    # Partners: once no partner still has it open, it is answered, or back with the wijkraad.
    Transition("answer", S.ROUTED, S.ANSWERED, P),
    Transition("return", S.ROUTED, S.SUBMITTED, P),
    # A resident not satisfied with a "solved directly" or "cannot" answer puts it back to the wijkraad.
    *_from((S.ANSWERED, S.SOLVED_DIRECTLY), "reopen", S.SUBMITTED, R, own=True),
)


class TransitionRefused(Exception):
    """The move is not in the table, or not for this actor."""


def find_transition(action: str, source: RequestStatus | None) -> Transition | None:
    """The table row for `action` from `source`, if any."""
    for row in TRANSITIONS:
        if row.action == action and row.source == source:
            return row
    return None


def transition(
    session: Session, *, request: Request, action: str, actor: Actor, note: str | None = None
) -> StatusChange:
    """Apply `action` to `request` by `actor`, appending history and audit; refuse what the table forbids."""
    source = RequestStatus(request.status) if request.status else None
    row = find_transition(action, source)
    if row is None:
        raise TransitionRefused(f"{action} is not allowed from {source}")
    if actor.role not in row.roles:
        raise TransitionRefused(f"{actor.role} may not {action}")
    if row.own_request_only and actor.role is Role.RESIDENT and request.resident_id != actor.person_id:
        raise TransitionRefused(f"{action} is only for the resident who filed the request")
    now = utcnow()
    request.status = row.target
    request.updated_at = now
    session.add(request)
    session.flush()
    change = StatusChange(
        request_id=request.id, from_status=source, to_status=row.target, action=action,
        actor_role=actor.role, actor_name=actor.display_name, actor=actor.pseudonym, note=note, at=now,
    )
    session.add(change)
    session.add(AuditEntry(
        at=now, actor=actor.pseudonym, action=f"request.{action}", subject_type="request",
        subject_id=request.id, details={"from": source, "to": row.target},
    ))
    return change
