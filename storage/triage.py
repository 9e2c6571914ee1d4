"""The wijkraad's triage of a request: route, melding, duplicate, out of scope, ask the resident.

Each operation goes through `transition()` (the table decides what is allowed), records what
it needs, and returns; callers render and enqueue notifications in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from storage.models import (
    AuditEntry,
    Clarification,
    Organisation,
    OrganisationWijk,
    Person,
    Request,
    RequestRoute,
    RequestStatus,
    RouteStatus,
    StatusChange,
    Subscription,
    Support,
    utcnow,
)
from storage.contracts import redact_request as redact_in_contracts
from storage.people import pseudonym
from storage.redaction import scrub_outbox
from storage.working_days import add_working_days
from storage.workflow import Actor, Role, transition

UNTRIAGED = (RequestStatus.SUBMITTED, RequestStatus.AWAITING_RESIDENT)


def wijkraad_actor(person: Person, display_name: str | None) -> Actor:
    """A wijkraad member acting (their membership is checked by the caller)."""
    return Actor(Role.WIJKRAAD, person.id, pseudonym(person), display_name)


def lock_request(session: Session, *, request_id: int) -> Request | None:
    """The request, locked for this transaction (one press wins, the other sees the new state)."""
    return session.exec(select(Request).where(Request.id == request_id).with_for_update()).first()


def request_by_reference(session: Session, *, reference: str) -> Request | None:
    """`W-0042` (any case, with or without leading zeros)."""
    text = reference.strip().upper().removeprefix("W-").removeprefix("W")
    if not text.isdigit():
        return None
    return session.get(Request, int(text))


def partners_for(session: Session, *, wijk_id: int) -> list[Organisation]:
    """Active organisations serving the wijk, by name."""
    return list(session.exec(
        select(Organisation).join(OrganisationWijk, OrganisationWijk.organisation_id == Organisation.id)
        .where(OrganisationWijk.wijk_id == wijk_id, Organisation.active).order_by(Organisation.name)
    ).all())


@dataclass(frozen=True)
class Routed:
    """Who got the request and by when they answer."""

    organisations: list[Organisation]
    deadline: date


def route(session: Session, *, request: Request, organisation_ids: list[int], by: Actor, today: date,
          answer_days: int) -> Routed:
    """Put the request in each chosen partner's queue with its answer deadline."""
    serving = {o.id: o for o in partners_for(session, wijk_id=request.wijk_id)}
    chosen = [serving[i] for i in dict.fromkeys(organisation_ids) if i in serving]
    if not chosen:
        raise ValueError("no partner of this wijk chosen")
    names = ", ".join(o.name for o in chosen)
    transition(session, request=request, action="route", actor=by, note=names)
    deadline = add_working_days(today, answer_days)
    for organisation in chosen:
        existing = session.exec(select(RequestRoute).where(
            RequestRoute.request_id == request.id, RequestRoute.organisation_id == organisation.id)).first()
        row = existing or RequestRoute(request_id=request.id, organisation_id=organisation.id, deadline=deadline)
        row.status, row.deadline = RouteStatus.OPEN, deadline
        session.add(row)
    return Routed(chosen, deadline)


def melding(session: Session, *, request: Request, by: Actor) -> None:
    """A simple report for the reporting desk: closed as solved directly (answer category 1)."""
    transition(session, request=request, action="melding", actor=by)


def out_of_scope(session: Session, *, request: Request, by: Actor, reason: str) -> None:
    """Not for the wijkcontract; the reason goes to the resident."""
    transition(session, request=request, action="out_of_scope", actor=by, note=reason)


def mark_duplicate(session: Session, *, request: Request, original: Request, by: Actor) -> None:
    """Merge into `original`: supporters and subscribers (and the resident) move over."""
    if original.id == request.id or original.wijk_id != request.wijk_id:
        raise ValueError("a request can only duplicate another request of the same wijk")
    if original.status not in (*UNTRIAGED, RequestStatus.ROUTED):
        raise ValueError("the original is no longer open")
    transition(session, request=request, action="duplicate", actor=by, note=original.reference)
    request.duplicate_of_id = original.id
    session.add(request)
    people = {s.person_id for s in session.exec(select(Support).where(Support.request_id == request.id))}
    people |= {s.person_id for s in session.exec(select(Subscription).where(Subscription.request_id == request.id))}
    if request.resident_id is not None:
        people.add(request.resident_id)
    for person_id in people:
        if person_id != original.resident_id:
            support(session, person_id=person_id, request=original)


def ask_resident(session: Session, *, request: Request, by: Actor, question: str, group_chat_id: int,
                 card_message_id: int | None) -> Clarification:
    """Relay a question to the resident (neither side sees the other's identity)."""
    transition(session, request=request, action="ask", actor=by, note=question)
    clarification = Clarification(request_id=request.id, question=question, group_chat_id=group_chat_id,
                                  card_message_id=card_message_id)
    session.add(clarification)
    session.flush()
    return clarification


def open_clarification(session: Session, *, resident: Person) -> Clarification | None:
    """The oldest unanswered question to this resident."""
    return session.exec(
        select(Clarification).join(Request, Request.id == Clarification.request_id)
        .where(Request.resident_id == resident.id, Clarification.answered_at.is_(None),
               Request.status == RequestStatus.AWAITING_RESIDENT)
        .order_by(Clarification.id)
    ).first()


def answer_clarification(session: Session, *, clarification: Clarification, resident: Person, answer: str) -> Request:
    """The resident's answer; the request goes back to the wijkraad."""
    request = session.get(Request, clarification.request_id)
    transition(session, request=request, action="clarify",
               actor=Actor(Role.RESIDENT, resident.id, pseudonym(resident)))
    clarification.answer, clarification.answered_at = answer, utcnow()
    session.add(clarification)
    return request


def support(session: Session, *, person_id: int, request: Request) -> bool:
    """One support per person (and a subscription); False when they already supported it."""
    added = False
    if session.exec(select(Support).where(Support.person_id == person_id, Support.request_id == request.id)).first() is None:
        session.add(Support(person_id=person_id, request_id=request.id))
        added = True
    if session.exec(select(Subscription).where(Subscription.person_id == person_id,
                                               Subscription.request_id == request.id)).first() is None:
        session.add(Subscription(person_id=person_id, request_id=request.id))
    session.flush()
    return added


def supporters(session: Session, *, request_id: int) -> int:
    """How many residents support the request."""
    return session.exec(select(func.count()).select_from(Support).where(Support.request_id == request_id)).one()


def history(session: Session, *, request_id: int) -> list[StatusChange]:
    """The request's status changes, oldest first."""
    return list(session.exec(select(StatusChange).where(StatusChange.request_id == request_id)
                             .order_by(StatusChange.id)).all())


def queue(session: Session, *, wijk_id: int) -> list[Request]:
    """Untriaged and waiting requests of the wijk, oldest first."""
    return list(session.exec(select(Request).where(Request.wijk_id == wijk_id, Request.status.in_(UNTRIAGED))
                             .order_by(Request.id)).all())


def routes_of(session: Session, *, request_id: int) -> list[tuple[RequestRoute, Organisation]]:
    """The partners a request went to."""
    rows = session.exec(select(RequestRoute, Organisation).join(Organisation, Organisation.id == RequestRoute.organisation_id)
                        .where(RequestRoute.request_id == request_id).order_by(Organisation.name)).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def redact(session: Session, *, request: Request, by: Actor, text: str | None = None, remove_photos: bool = False) -> None:
    """Remove personal data before routing: replace the text and/or drop the photos.

    Every copy goes too: messages sent or owed to anyone (storage/redaction.py) and the contract
    versions that list the request. The history records that it happened, never the removed content.
    """
    if request.status not in UNTRIAGED:
        raise ValueError("only before routing")
    what = []
    old_text = None
    if text is not None and text != request.text:
        old_text, request.text = request.text, text
        what.append("text")
    removed_photos = list(request.photo_file_ids) if remove_photos else []
    if removed_photos:
        request.photo_file_ids = []
        what.append("photos")
    if not what:
        return
    scrub_outbox(session, since=request.created_at, old_text=old_text, new_text=request.text,
                 photo_file_ids=removed_photos, request_id=request.id)
    if old_text is not None:
        redact_in_contracts(session, request=request)
    request.updated_at = utcnow()
    session.add(request)
    session.add(StatusChange(request_id=request.id, from_status=request.status, to_status=request.status,
                             action="redact", actor_role=by.role, actor_name=by.display_name, actor=by.pseudonym,
                             note=", ".join(what)))
    session.add(AuditEntry(actor=by.pseudonym, action="request.redact", subject_type="request", subject_id=request.id,
                           details={"fields": what}))
