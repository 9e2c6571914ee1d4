"""Invitations to a role: random single-use tokens that expire; only their hash is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlmodel import Session, select

from storage.models import Invitation, Membership, MembershipRole, Person, utcnow
from storage.people import pseudonym
from storage.roles import grant

INVITE_PREFIX = "inv_"  # deep-link payload: inv_<token>, within Telegram's 64 characters [A-Za-z0-9_-]
DEFAULT_VALIDITY = timedelta(days=14)


class InvitationProblem(StrEnum):
    """Why an invitation cannot be used."""

    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


class InvitationRefused(Exception):
    """The token is unknown (or tampered with), used, or expired."""

    def __init__(self, problem: InvitationProblem) -> None:
        super().__init__(problem)
        self.problem = problem


def _hash(token: str) -> str:
    """What is stored instead of the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_invitation(session: Session, *, role: MembershipRole, area_id: int | None = None,
                      organisation_id: int | None = None, valid_for: timedelta = DEFAULT_VALIDITY,
                      now: datetime | None = None) -> str:
    """A new invitation; returns the deep-link payload (shown once, never stored)."""
    token = secrets.token_urlsafe(32)  # 43 characters of [A-Za-z0-9_-]
    moment = now or utcnow()
    session.add(Invitation(token_hash=_hash(token), role=role, area_id=area_id, organisation_id=organisation_id,
                           created_at=moment, expires_at=moment + valid_for))
    return INVITE_PREFIX + token


def redeem_invitation(session: Session, *, payload: str, person: Person, display_name: str | None = None,
                      now: datetime | None = None) -> Membership:
    """Use an invitation: the person gets its role; the invitation cannot be used again."""
    token = payload.removeprefix(INVITE_PREFIX)
    invitation = session.exec(select(Invitation).where(Invitation.token_hash == _hash(token))).first()
    if invitation is None:
        raise InvitationRefused(InvitationProblem.UNKNOWN)
    if invitation.used_at is not None:
        raise InvitationRefused(InvitationProblem.USED)
    moment = now or utcnow()
    expires = invitation.expires_at if invitation.expires_at.tzinfo else invitation.expires_at.replace(tzinfo=UTC)
    if moment >= expires:
        raise InvitationRefused(InvitationProblem.EXPIRED)
    invitation.used_at, invitation.used_by = moment, person.id
    session.add(invitation)
    return grant(session, person=person, role=MembershipRole(invitation.role), area_id=invitation.area_id,
                 organisation_id=invitation.organisation_id, display_name=display_name, by=pseudonym(person))
