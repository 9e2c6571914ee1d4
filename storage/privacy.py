"""Residents' rights (AVG): everything about a person, erasure, and retention of closed requests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, SQLModel, select

from storage.models import (
    Answer,
    AuditEntry,
    Ballot,
    Clarification,
    Conversation,
    GroupChat,
    Invitation,
    Membership,
    OutboxMessage,
    Person,
    Request,
    RequestStatus,
    StatusChange,
    Subscription,
    Support,
    as_utc,
)
from storage.people import pseudonym

CLOSED = (RequestStatus.ANSWERED, RequestStatus.SOLVED_DIRECTLY, RequestStatus.DUPLICATE,
          RequestStatus.OUT_OF_SCOPE, RequestStatus.WITHDRAWN)


def _plain(row: SQLModel) -> dict[str, Any]:
    """A row as JSON-friendly values."""
    return {key: (value.isoformat() if hasattr(value, "isoformat") else value) for key, value in row.model_dump().items()}


def personal_data(session: Session, *, person: Person) -> dict[str, Any]:
    """Everything stored about this person (and nobody else)."""
    requests = session.exec(select(Request).where(Request.resident_id == person.id)).all()
    request_ids = [r.id for r in requests]
    return {
        "person": _plain(person),
        "requests": [_plain(r) for r in requests],
        "questions_from_the_wijkraad": [
            {"request_id": c.request_id, "question": c.question, "your_answer": c.answer,
             "asked_at": c.asked_at.isoformat()}
            for c in session.exec(select(Clarification).where(Clarification.request_id.in_(request_ids))).all()
        ] if request_ids else [],
        "your_ratings_of_answers": [
            {"request_id": a.request_id, "satisfaction": a.satisfaction, "comment": a.satisfaction_comment}
            for a in session.exec(select(Answer).where(Answer.request_id.in_(request_ids),
                                                       Answer.satisfaction.is_not(None))).all()
        ] if request_ids else [],
        "supports": [_plain(s) for s in session.exec(select(Support).where(Support.person_id == person.id))],
        "ballots_in_priority_votes": [_plain(b) for b in session.exec(select(Ballot).where(Ballot.person_id == person.id))],
        "subscriptions": [_plain(s) for s in session.exec(select(Subscription).where(Subscription.person_id == person.id))],
        "roles": [_plain(m) for m in session.exec(select(Membership).where(Membership.person_id == person.id))],
        "unfinished_dialogs": [
            {"name": c.name, "step": c.state, "draft": c.draft, "updated_at": c.updated_at.isoformat()}
            for c in session.exec(select(Conversation).where(Conversation.user_id == person.telegram_id))
        ],
    }


def erase_person(session: Session, *, person: Person) -> int:
    """Delete the person, their drafts, subscriptions, supports, ballots and roles; their requests stay, anonymous.

    Returns how many requests were kept anonymously. Messages still owed to them are dropped,
    except those marked `_forget` (the goodbye), which the dispatcher deletes once sent.
    """
    telegram_id = person.telegram_id
    kept = session.exec(update(Request).where(Request.resident_id == person.id).values(resident_id=None)).rowcount
    session.execute(delete(Subscription).where(Subscription.person_id == person.id))
    session.execute(delete(Support).where(Support.person_id == person.id))
    session.execute(delete(Ballot).where(Ballot.person_id == person.id))  # a closed vote keeps its counts
    session.execute(delete(Conversation).where((Conversation.user_id == telegram_id) | (Conversation.chat_id == telegram_id)))
    session.execute(update(Invitation).where(Invitation.used_by == person.id).values(used_by=None))
    session.execute(update(GroupChat).where(GroupChat.linked_by == person.id).values(linked_by=None))
    session.execute(delete(Membership).where(Membership.person_id == person.id))
    session.execute(delete(OutboxMessage).where(OutboxMessage.chat_id == telegram_id))
    session.add(AuditEntry(actor=pseudonym(person), action="person.erase", subject_type="person", subject_id=person.id,
                           details={"requests_kept_anonymous": kept}))
    session.delete(person)
    session.flush()
    return kept


def forget_closed_links(session: Session, *, now: datetime, retention_days: int) -> int:
    """Unlink residents from requests closed longer than the retention period; returns how many."""
    cutoff = now - timedelta(days=retention_days)
    rows = session.exec(select(Request).where(Request.resident_id.is_not(None), Request.status.in_(CLOSED))).all()
    forgotten = 0
    for request in rows:
        last = session.exec(select(StatusChange.at).where(StatusChange.request_id == request.id)
                            .order_by(StatusChange.id.desc())).first()
        if last is None or as_utc(last) > cutoff:
            continue
        session.execute(delete(Subscription).where(Subscription.request_id == request.id,
                                                   Subscription.person_id == request.resident_id))
        request.resident_id = None
        session.add(request)
        session.add(AuditEntry(actor="system", action="request.retention", subject_type="request", subject_id=request.id,
                               details={"retention_days": retention_days}))
        forgotten += 1
    return forgotten
