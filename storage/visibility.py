"""Who may see which request in which state: the one rule every view, offer and ballot asks.

A person stands in one or more relations to a request (`Viewer`): everyone is at least a
stranger; they may also be the resident who filed it, a supporter, a follower of the request, a
wijkraad member of its wijk, a member of an organisation it was routed to, or a coordinator of an
area containing its wijk. `VISIBLE` says, per relation, in which statuses the request (its text,
photos, location) may be shown. A person may see it when any of their relations allows it.

Nothing unreviewed (submitted, awaiting the resident: the wijkraad has not triaged it, or it came
back to the wijkraad) reaches anyone but the wijkraad, the coordinators and the resident who filed
it. Residents see publicly what the wijkraad routed to partners (and the answers that came of it),
and may support only what is routed: open with the partners.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from storage.models import MembershipRole, Person, Request, RequestRoute, RequestStatus, Subscription, Support
from storage.roles import active_memberships, coordinates

S = RequestStatus


class Viewer(StrEnum):
    """How a person stands to one request."""

    FILER = "filer"  # the resident who filed it
    SUPPORTER = "supporter"  # supports it (also after a merge: supports carry over)
    FOLLOWER = "follower"  # follows this request (not a whole wijk: that is a stranger)
    STRANGER = "stranger"  # anyone else: other residents, followers of the wijk, members without a link to it
    WIJKRAAD = "wijkraad"  # an active member of the wijkraad of the request's wijk
    PARTNER = "partner"  # an active member of an organisation the request was routed to
    COORDINATOR = "coordinator"  # coordinator of an area containing the wijk (or an admin)


ALL = frozenset(S)
UNREVIEWED = frozenset({S.SUBMITTED, S.AWAITING_RESIDENT})
REVIEWED = ALL - UNREVIEWED
# What any resident may read: what the wijkraad sent to the partners, and what came of it.
PUBLIC = frozenset({S.ROUTED, S.ANSWERED})
# What residents may support (and vote on): open with the partners.
SUPPORTABLE = frozenset({S.ROUTED})

VISIBLE: dict[Viewer, frozenset[RequestStatus]] = {
    Viewer.FILER: ALL,
    Viewer.WIJKRAAD: ALL,
    Viewer.COORDINATOR: ALL,
    # Those who took part once the wijkraad reviewed it keep seeing what happens to it, but
    # not while it is back with the wijkraad (returned by a partner, reopened by the resident).
    Viewer.PARTNER: REVIEWED,
    Viewer.SUPPORTER: REVIEWED,
    Viewer.FOLLOWER: REVIEWED,
    Viewer.STRANGER: PUBLIC,
}


def may_see(viewers: Iterable[Viewer], status: str) -> bool:
    """Whether someone with these relations to a request may see it in this status."""
    return any(status in VISIBLE[viewer] for viewer in viewers)


def may_support(viewers: Iterable[Viewer], status: str) -> bool:
    """Whether someone with these relations may support a request in this status (never their own)."""
    kinds = set(viewers)
    return status in SUPPORTABLE and Viewer.FILER not in kinds and may_see(kinds, status)


def publicly_visible(status: str) -> bool:
    """Whether any resident may see a request in this status (what lists, offers and ballots show)."""
    return may_see((Viewer.STRANGER,), status)


def supportable_clause() -> ColumnElement[bool]:
    """The SQL condition for requests residents may see and support."""
    return col(Request.status).in_([status.value for status in SUPPORTABLE])


def public_clause() -> ColumnElement[bool]:
    """The SQL condition for requests any resident may see."""
    return col(Request.status).in_([status.value for status in PUBLIC])


def supportable_requests(session: Session, *, wijk_id: int, exclude_person_id: int | None = None,
                         limit: int | None = None) -> list[Request]:
    """The wijk's requests residents may see and support (but for those this person filed), newest first."""
    query = select(Request).where(Request.wijk_id == wijk_id, supportable_clause()).order_by(col(Request.id).desc())
    if exclude_person_id is not None:
        query = query.where(col(Request.resident_id).is_distinct_from(exclude_person_id))
    if limit is not None:
        query = query.limit(limit)
    return list(session.exec(query).all())


def relations(session: Session, *, person: Person, request: Request) -> frozenset[Viewer]:
    """How this person stands to this request (always at least a stranger)."""
    found = {Viewer.STRANGER}
    if request.resident_id is not None and request.resident_id == person.id:
        found.add(Viewer.FILER)
    if session.exec(select(Support.id).where(Support.person_id == person.id,
                                             Support.request_id == request.id)).first() is not None:
        found.add(Viewer.SUPPORTER)
    if session.exec(select(Subscription.id).where(Subscription.person_id == person.id,
                                                  Subscription.request_id == request.id)).first() is not None:
        found.add(Viewer.FOLLOWER)
    memberships = active_memberships(session, person=person)
    if any(m.role == MembershipRole.WIJKRAAD and m.area_id == request.wijk_id for m in memberships):
        found.add(Viewer.WIJKRAAD)
    organisations = {m.organisation_id for m in memberships if m.role == MembershipRole.PARTNER and m.organisation_id}
    if organisations and session.exec(select(RequestRoute.id).where(
            RequestRoute.request_id == request.id,
            col(RequestRoute.organisation_id).in_(organisations))).first() is not None:
        found.add(Viewer.PARTNER)
    if coordinates(session, person=person, area_id=request.wijk_id):
        found.add(Viewer.COORDINATOR)
    return frozenset(found)


def visible_to(session: Session, *, person: Person, request: Request) -> bool:
    """Whether this person may see this request now."""
    return may_see(relations(session, person=person, request=request), request.status)


def supportable_by(session: Session, *, person: Person, request: Request) -> bool:
    """Whether this person may support this request now."""
    return may_support(relations(session, person=person, request=request), request.status)
