"""Residents' rights (AVG): everything about a person, erasure, and retention of closed requests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, SQLModel, select

from storage.models import (
    AfspraakProgress,
    Answer,
    AuditEntry,
    Ballot,
    BudgetGrant,
    BudgetSpending,
    Clarification,
    ContractSignature,
    ContractVersion,
    Conversation,
    GroupChat,
    Invitation,
    Membership,
    OutboxMessage,
    Person,
    PriorityVote,
    Request,
    RequestStatus,
    SentMessage,
    StatusChange,
    Subscription,
    Support,
    as_utc,
)
from storage.people import pseudonym
from storage.redaction import forget_names_in_outbox

# Where a member's name is stored as text, beside their pseudonym: (table, name column, pseudonym column).
NAMED = [
    (StatusChange, "actor_name", "actor"),
    (Answer, "answered_by", "answered_by_actor"),
    (AfspraakProgress, "by_name", "by_actor"),
    (BudgetGrant, "decided_by", "decided_by_actor"),
    (BudgetSpending, "by_name", "by_actor"),
    (ContractSignature, "name", "signer"),
]

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
        "your_actions_in_the_audit_log": [
            _plain(a) for a in session.exec(select(AuditEntry).where(AuditEntry.actor == pseudonym(person))
                                            .order_by(AuditEntry.id))
        ],
        "where_your_name_is_stored": _named_rows(session, person=person),
        "messages_stored_for_you": [_message(m) for m in session.exec(
            select(OutboxMessage).where(OutboxMessage.chat_id == person.telegram_id).order_by(OutboxMessage.id))],
        "messages_delivered_to_you": [
            {"message_id": m.message_id, "kind": m.kind, "about": _about(m), "sent_at": m.sent_at.isoformat()}
            for m in session.exec(select(SentMessage).where(SentMessage.chat_id == person.telegram_id)
                                  .order_by(SentMessage.id))],
    }


def _about(message: SentMessage) -> str | None:
    """What a delivered message is about, e.g. "request 42"."""
    return f"{message.subject_type} {message.subject_id}" if message.subject_type else None


def _message(row: OutboxMessage) -> dict[str, Any]:
    """A message owed or sent to the person, as stored (a document by its name, not its body)."""
    payload = row.payload
    document = payload.get("document")
    return {"method": row.method, "status": row.status, "created_at": row.created_at.isoformat(),
            "sent_at": row.sent_at.isoformat() if row.sent_at else None,
            "text": payload.get("text") or payload.get("caption"),
            "document": document.get("filename") if isinstance(document, dict) else None}


def _named_rows(session: Session, *, person: Person) -> list[dict[str, Any]]:
    """The rows that keep this member's name beside their pseudonym (what they did, under their name)."""
    actor, found = pseudonym(person), []
    for model, name_column, actor_column in NAMED:
        for row in session.exec(select(model).where(getattr(model, actor_column) == actor)):
            found.append({"table": model.__tablename__, "id": row.id, "name": getattr(row, name_column)})
    for vote in _votes_started_by(session, actor=actor):
        found.append({"table": PriorityVote.__tablename__, "id": vote.id, "name": vote.started_by})
    return found


def _votes_started_by(session: Session, *, actor: str) -> list[PriorityVote]:
    """The priority votes this person started (the audit log knows; see storage/votes.py `start_vote`)."""
    ids = session.exec(select(AuditEntry.subject_id).where(AuditEntry.actor == actor,
                                                           AuditEntry.action == "vote.start")).all()
    return list(session.exec(select(PriorityVote).where(PriorityVote.id.in_(ids))).all()) if ids else []


def _forget_names(session: Session, *, person: Person) -> None:
    """A member's name out of every row that stored it as text, and out of the messages (to anyone).

    Rows are found by the member's pseudonym; rows written before pseudonyms were kept beside names
    (no pseudonym) by the member's display names. A contract they signed keeps the signature (the
    party signed) without their name, and its document is rendered again.
    """
    actor = pseudonym(person)
    names = {m.display_name for m in session.exec(select(Membership).where(Membership.person_id == person.id))
             if m.display_name}
    for model, name_column, actor_column in NAMED:
        name, by = getattr(model, name_column), getattr(model, actor_column)
        session.execute(update(model).where(by == actor).values({name_column: None}))
        if names and actor_column != "signer":
            session.execute(update(model).where(by.is_(None), name.in_(names)).values({name_column: None}))
    for vote in _votes_started_by(session, actor=actor):
        vote.started_by = None
        session.add(vote)
    signed = session.exec(select(ContractSignature.version_id).where(ContractSignature.signer == actor)).all()
    if signed:
        session.execute(update(ContractVersion).where(ContractVersion.id.in_(signed)).values(pdf=None, html=None))
    forget_names_in_outbox(session, names=names, drop_pdfs=bool(signed))


def erase_person(session: Session, *, person: Person) -> int:
    """Delete the person, their drafts, subscriptions, supports, ballots and roles; their requests stay, anonymous.

    A member's name goes from every row and message that kept it (see `_forget_names`).

    Returns how many requests were kept anonymously. Messages owed or sent to them are dropped, and
    the record of what was delivered to them; the goodbye is enqueued after this, with
    `forget_after_send`: the dispatcher deletes it once sent and keeps no record of it.
    """
    telegram_id = person.telegram_id
    _forget_names(session, person=person)
    kept = session.exec(update(Request).where(Request.resident_id == person.id).values(resident_id=None)).rowcount
    session.execute(delete(Subscription).where(Subscription.person_id == person.id))
    session.execute(delete(Support).where(Support.person_id == person.id))
    session.execute(delete(Ballot).where(Ballot.person_id == person.id))  # a closed vote keeps its counts
    session.execute(delete(Conversation).where((Conversation.user_id == telegram_id) | (Conversation.chat_id == telegram_id)))
    session.execute(update(Invitation).where(Invitation.used_by == person.id).values(used_by=None))
    session.execute(update(GroupChat).where(GroupChat.linked_by == person.id).values(linked_by=None))
    session.execute(delete(Membership).where(Membership.person_id == person.id))
    session.execute(delete(OutboxMessage).where(OutboxMessage.chat_id == telegram_id))
    session.execute(delete(SentMessage).where(SentMessage.chat_id == telegram_id))
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
