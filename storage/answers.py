"""Partners answer routed requests (the five categories of seed 001); answers become afspraken."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from storage.models import (
    Afspraak,
    AfspraakProgress,
    AfspraakStatus,
    Answer,
    AnswerCategory,
    AuditEntry,
    Membership,
    MembershipRole,
    Organisation,
    Request,
    RequestRoute,
    RequestStatus,
    RouteStatus,
    utcnow,
)
from storage.working_days import add_working_days
from storage.workflow import Actor, transition

REASON_TYPES = ("legal", "policy", "financial")
C = AnswerCategory


@dataclass
class AnswerFields:
    """What a partner fills in; which fields are required depends on the category."""

    category: str | None = None
    text: str | None = None
    planned_date: date | None = None
    planning_date: date | None = None
    planning_adjusted: bool | None = None
    decision_date: date | None = None
    reason_type: str | None = None
    motivation: str | None = None
    means: str | None = None


def missing_fields(fields: AnswerFields) -> list[str]:
    """The required fields still empty, in the order they are asked."""
    missing: list[str] = []
    if fields.category not in set(AnswerCategory):
        return ["category"]
    category = AnswerCategory(fields.category)
    if category is C.WITHIN_PERIOD and fields.planned_date is None:
        missing.append("planned_date")
    if category is C.IN_PLANNING:
        if fields.planning_date is None:
            missing.append("planning_date")
        if fields.planning_adjusted is None:
            missing.append("planning_adjusted")
        elif fields.planning_adjusted is False and not fields.motivation:
            missing.append("motivation")
    if category is C.PRIORITISATION and fields.decision_date is None:
        missing.append("decision_date")
    if category is C.NOT_POSSIBLE:
        if fields.reason_type not in REASON_TYPES:
            missing.append("reason_type")
        if not fields.motivation:
            missing.append("motivation")
    if not fields.text:
        missing.append("text")
    return missing


class AnswerIncomplete(ValueError):
    """A required field is missing."""


def lock_route(session: Session, *, route_id: int) -> RequestRoute | None:
    """A route, locked for this transaction."""
    return session.exec(select(RequestRoute).where(RequestRoute.id == route_id).with_for_update()).first()


def _settle(session: Session, *, request: Request, by: Actor) -> str | None:
    """When no partner has it open any more: answered, or back to the wijkraad. Returns the action."""
    routes = session.exec(select(RequestRoute).where(RequestRoute.request_id == request.id)).all()
    if any(r.status == RouteStatus.OPEN for r in routes) or request.status != RequestStatus.ROUTED:
        return None
    action = "answer" if any(r.status == RouteStatus.ANSWERED for r in routes) else "return"
    transition(session, request=request, action=action, actor=by)
    return action


def give_answer(session: Session, *, route: RequestRoute, request: Request, fields: AnswerFields, by: Actor) -> Answer:
    """Record the answer; categories 2 and 3 become an afspraak owned by the partner."""
    if route.status != RouteStatus.OPEN:
        raise AnswerIncomplete("this request is no longer open for you")
    missing = missing_fields(fields)
    if missing:
        raise AnswerIncomplete(", ".join(missing))
    category = AnswerCategory(fields.category)
    answer = Answer(
        request_id=request.id, route_id=route.id, organisation_id=route.organisation_id, category=category,
        text=fields.text or "", planned_date=fields.planned_date, planning_date=fields.planning_date,
        planning_adjusted=fields.planning_adjusted, decision_date=fields.decision_date,
        reason_type=fields.reason_type, motivation=fields.motivation, answered_by=by.display_name,
        answered_by_actor=by.pseudonym,
    )
    session.add(answer)
    route.status = RouteStatus.ANSWERED
    session.add(route)
    session.flush()
    deadline = fields.planned_date if category is C.WITHIN_PERIOD else fields.planning_date
    if category in (C.WITHIN_PERIOD, C.IN_PLANNING) and deadline is not None:
        session.add(Afspraak(wijk_id=request.wijk_id, request_id=request.id, answer_id=answer.id, owner_kind="partner",
                             organisation_id=route.organisation_id, what=fields.text or "", deadline=deadline,
                             means=fields.means))
    session.add(AuditEntry(actor=by.pseudonym, action="request.answer", subject_type="request",
                           subject_id=request.id, details={"category": category, "organisation": route.organisation_id}))
    _settle(session, request=request, by=by)
    return answer


def not_ours(session: Session, *, route: RequestRoute, request: Request, by: Actor, reason: str) -> str | None:
    """Hand the request back with a reason; returns "return" when it is back with the wijkraad."""
    route.status = RouteStatus.RETURNED
    session.add(route)
    session.add(AuditEntry(actor=by.pseudonym, action="route.not_ours", subject_type="request", subject_id=request.id,
                           details={"organisation": route.organisation_id, "reason": reason}))
    return _settle(session, request=request, by=by)


def pass_on(session: Session, *, route: RequestRoute, request: Request, organisation_id: int, by: Actor, reason: str,
            today: date, answer_days: int) -> RequestRoute:
    """Hand the request to another partner, who gets its own deadline."""
    if organisation_id == route.organisation_id:
        raise ValueError("choose another organisation")
    route.status = RouteStatus.PASSED
    session.add(route)
    new = session.exec(select(RequestRoute).where(RequestRoute.request_id == request.id,
                                                  RequestRoute.organisation_id == organisation_id)).first()
    deadline = add_working_days(today, answer_days)
    if new is None:
        new = RequestRoute(request_id=request.id, organisation_id=organisation_id, deadline=deadline)
    new.status, new.deadline, new.routed_at = RouteStatus.OPEN, deadline, utcnow()
    session.add(new)
    session.add(AuditEntry(actor=by.pseudonym, action="route.pass", subject_type="request", subject_id=request.id,
                           details={"from": route.organisation_id, "to": organisation_id, "reason": reason}))
    session.flush()
    return new


def rate(session: Session, *, answer: Answer, request: Request, satisfied: bool, by: Actor) -> bool:
    """The resident's satisfaction; True when the request went back to the wijkraad (reopened)."""
    answer.satisfaction = "satisfied" if satisfied else "not_satisfied"
    session.add(answer)
    if satisfied or answer.category not in (C.SOLVED_DIRECTLY, C.NOT_POSSIBLE):
        return False
    if request.status not in (RequestStatus.ANSWERED, RequestStatus.SOLVED_DIRECTLY):
        return False
    transition(session, request=request, action="reopen", actor=by, note=answer.category)
    return True


def record_outcome(session: Session, *, answer: Answer, outcome: str) -> None:
    """The decision of a category-4 prioritisation."""
    answer.outcome, answer.outcome_at = outcome, utcnow()
    session.add(answer)


def partner_members(session: Session, *, organisation_id: int) -> list[Membership]:
    """Active members of an organisation."""
    return list(session.exec(select(Membership).where(
        Membership.organisation_id == organisation_id, Membership.role == MembershipRole.PARTNER,
        Membership.revoked_at.is_(None))).all())


def open_routes(session: Session, *, organisation_ids: list[int]) -> list[tuple[RequestRoute, Request]]:
    """The organisations' open requests, by deadline."""
    if not organisation_ids:
        return []
    rows = session.exec(select(RequestRoute, Request).join(Request, Request.id == RequestRoute.request_id)
                        .where(RequestRoute.organisation_id.in_(organisation_ids), RequestRoute.status == RouteStatus.OPEN)
                        .order_by(RequestRoute.deadline, RequestRoute.id)).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def afspraken_of(session: Session, *, organisation_ids: list[int]) -> list[Afspraak]:
    """The organisations' afspraken, open first, by deadline."""
    if not organisation_ids:
        return []
    rows = session.exec(select(Afspraak).where(Afspraak.organisation_id.in_(organisation_ids))
                        .order_by(Afspraak.status.desc(), Afspraak.deadline, Afspraak.id)).all()
    return sorted(rows, key=lambda a: (a.status != AfspraakStatus.OPEN, a.deadline, a.id))


def report_progress(session: Session, *, afspraak: Afspraak, text: str, percent: int, photo_file_id: str | None,
                    by: Actor) -> AfspraakProgress:
    """A progress report; 100 % marks the afspraak done."""
    percent = max(0, min(100, percent))
    progress = AfspraakProgress(afspraak_id=afspraak.id, text=text, percent_done=percent,
                                photo_file_id=photo_file_id, by_name=by.display_name,
                                by_actor=by.pseudonym)
    session.add(progress)
    afspraak.percent_done = percent
    if percent >= 100 and afspraak.status != AfspraakStatus.DONE:
        afspraak.status, afspraak.done_at = AfspraakStatus.DONE, utcnow()
    session.add(afspraak)
    session.add(AuditEntry(actor=by.pseudonym, action="afspraak.progress", subject_type="afspraak",
                           subject_id=afspraak.id, details={"percent": percent}))
    return progress


def organisation_name(session: Session, *, organisation_id: int | None) -> str:
    """An organisation's name."""
    organisation = session.get(Organisation, organisation_id) if organisation_id else None
    return organisation.name if organisation else "?"
