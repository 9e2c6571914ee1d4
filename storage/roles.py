"""Who holds which role: memberships, granted by invitation, revocable at once."""

from __future__ import annotations

from sqlmodel import Session, select

from storage.models import Area, AreaKind, AuditEntry, Membership, MembershipRole, Organisation, Person, utcnow
from storage.people import pseudonym


def active_memberships(session: Session, *, person: Person) -> list[Membership]:
    """The person's roles that are not revoked."""
    return list(session.exec(
        select(Membership).where(Membership.person_id == person.id, Membership.revoked_at.is_(None))
    ).all())


def area_ancestors(session: Session, *, area_id: int) -> list[int]:
    """The area and every area above it."""
    chain: list[int] = []
    current: int | None = area_id
    while current is not None and current not in chain:
        chain.append(current)
        area = session.get(Area, current)
        current = area.parent_id if area else None
    return chain


def is_admin(session: Session, *, person: Person) -> bool:
    """An admin of the whole deployment."""
    return any(m.role == MembershipRole.ADMIN for m in active_memberships(session, person=person))


def is_wijkraad_member(session: Session, *, person: Person, wijk_id: int) -> bool:
    """A registered member of this wijk's wijkraad."""
    return any(m.role == MembershipRole.WIJKRAAD and m.area_id == wijk_id
               for m in active_memberships(session, person=person))


def is_partner_member(session: Session, *, person: Person, organisation_id: int) -> bool:
    """A registered member of this organisation."""
    return any(m.role == MembershipRole.PARTNER and m.organisation_id == organisation_id
               for m in active_memberships(session, person=person))


def coordinates(session: Session, *, person: Person, area_id: int) -> bool:
    """A coordinator of this area or of an area above it (or an admin)."""
    memberships = active_memberships(session, person=person)
    if any(m.role == MembershipRole.ADMIN for m in memberships):
        return True
    areas = {m.area_id for m in memberships if m.role == MembershipRole.COORDINATOR}
    return bool(areas & set(area_ancestors(session, area_id=area_id)))


def coordinated_wijken(session: Session, *, person: Person) -> list[Area]:
    """Every active wijk this person coordinates, by name."""
    wijken = session.exec(select(Area).where(Area.kind == AreaKind.WIJK, Area.active).order_by(Area.name)).all()
    return [wijk for wijk in wijken if coordinates(session, person=person, area_id=wijk.id)]


def grant(session: Session, *, person: Person, role: MembershipRole, area_id: int | None = None,
          organisation_id: int | None = None, display_name: str | None = None, by: str = "system") -> Membership:
    """Give a role (idempotent: an existing active membership is returned as it is)."""
    for membership in active_memberships(session, person=person):
        if (membership.role, membership.area_id, membership.organisation_id) == (role, area_id, organisation_id):
            return membership
    membership = Membership(person_id=person.id, role=role, area_id=area_id, organisation_id=organisation_id,
                            display_name=display_name)
    session.add(membership)
    session.flush()
    session.add(AuditEntry(actor=by, action="membership.grant", subject_type="membership",
                           subject_id=membership.id, details={"role": role, "person": pseudonym(person)}))
    return membership


def revoke(session: Session, *, membership: Membership, by: str) -> None:
    """End a membership now; the person can no longer act in that role."""
    if membership.revoked_at is not None:
        return
    membership.revoked_at = utcnow()
    session.add(membership)
    session.add(AuditEntry(actor=by, action="membership.revoke", subject_type="membership",
                           subject_id=membership.id, details={"role": membership.role}))


def describe(session: Session, *, membership: Membership) -> str:
    """The area or organisation a membership is for."""
    if membership.organisation_id is not None:
        organisation = session.get(Organisation, membership.organisation_id)
        return organisation.name if organisation else "?"
    if membership.area_id is not None:
        area = session.get(Area, membership.area_id)
        return area.name if area else "?"
    return ""


def wijkraad_membership(session: Session, *, person: Person, wijk_id: int) -> Membership | None:
    """The person's active membership of this wijk's wijkraad, if any."""
    return next((m for m in active_memberships(session, person=person)
                 if m.role == MembershipRole.WIJKRAAD and m.area_id == wijk_id), None)
