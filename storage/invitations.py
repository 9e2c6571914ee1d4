"""Invitations to a role: single-use tokens that expire; only their hash is stored, anywhere.

`wijkbot invite` prints a random token once. An invitation made in chat (/beheer) is owed as a
message, and the outbox must not hold the token either: its row's text holds a placeholder, the row's
`invitation_nonce` column a nonce, and the dispatcher puts the token in just before sending
(`expand_invitation_link`); once the message is settled the nonce goes too. That token is
derived from the nonce with a key derived from the bot token, which lives only in the environment:
reading the database (outbox included) gives no usable link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlmodel import Session, select

from storage.keys import derived_key
from storage.models import Invitation, Membership, MembershipRole, Person, utcnow
from storage.people import pseudonym
from storage.roles import grant

INVITE_PREFIX = "inv_"  # deep-link payload: inv_<token>, within Telegram's 64 characters [A-Za-z0-9_-]
DEFAULT_VALIDITY = timedelta(days=14)
PLACEHOLDER = "[invitation]"  # where the token goes in an owed message's text


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


def _derived_token(nonce: str) -> str:
    """The token of the invitation with this nonce: 43 characters of [A-Za-z0-9_-]."""
    digest = hmac.new(derived_key("invitation links"), f"invitation:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _add(session: Session, *, token: str, role: MembershipRole, area_id: int | None, organisation_id: int | None,
         valid_for: timedelta, now: datetime | None) -> None:
    moment = now or utcnow()
    session.add(Invitation(token_hash=_hash(token), role=role, area_id=area_id, organisation_id=organisation_id,
                           created_at=moment, expires_at=moment + valid_for))


def create_invitation_for_message(session: Session, *, role: MembershipRole, area_id: int | None = None,
                                  organisation_id: int | None = None, valid_for: timedelta = DEFAULT_VALIDITY,
                                  now: datetime | None = None) -> tuple[str, str]:
    """A new invitation to be sent in a message: the deep-link payload with PLACEHOLDER for the token,
    and the nonce for the outbox row's `invitation_nonce` (see `expand_invitation_link`)."""
    nonce = secrets.token_urlsafe(16)
    _add(session, token=_derived_token(nonce), role=role, area_id=area_id, organisation_id=organisation_id,
         valid_for=valid_for, now=now)
    return INVITE_PREFIX + PLACEHOLDER, nonce


def expand_invitation_link(payload: dict[str, Any], *, nonce: str | None) -> dict[str, Any]:
    """The payload as it is sent: the token in place of PLACEHOLDER (only in rows with a nonce)."""
    if nonce is None or not isinstance(payload.get("text"), str):
        return payload
    return {**payload, "text": payload["text"].replace(PLACEHOLDER, _derived_token(nonce))}


def create_invitation(session: Session, *, role: MembershipRole, area_id: int | None = None,
                      organisation_id: int | None = None, valid_for: timedelta = DEFAULT_VALIDITY,
                      now: datetime | None = None) -> str:
    """A new invitation; returns the deep-link payload (printed once, never stored)."""
    token = secrets.token_urlsafe(32)  # 43 characters of [A-Za-z0-9_-]
    _add(session, token=token, role=role, area_id=area_id, organisation_id=organisation_id, valid_for=valid_for,
         now=now)
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
