"""Invitations: single use, expiry, tampering; roles checked against the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from storage.invitations import INVITE_PREFIX, InvitationProblem, InvitationRefused, create_invitation, redeem_invitation
from storage.models import Area, Invitation, MembershipRole, Person, utcnow
from storage.municipality import example_config, load_municipality
from storage.roles import coordinates, is_wijkraad_member, revoke


def _setup(session):  # type: ignore[no-untyped-def]
    load_municipality(session, config=example_config())
    people = [Person(telegram_id=n, language="nl") for n in (1, 2)]
    session.add_all(people)
    session.flush()
    wijk = session.exec(select(Area).where(Area.code == "zuid-west-leidsebuurt")).one()
    return people, wijk


def test_an_invitation_works_once(db) -> None:  # type: ignore[no-untyped-def]
    with db.transaction_sync() as session:
        (anna, bert), wijk = _setup(session)
        payload = create_invitation(session, role=MembershipRole.WIJKRAAD, area_id=wijk.id)
        assert payload.startswith(INVITE_PREFIX) and len(payload) <= 64
        assert set(payload) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
        stored = session.exec(select(Invitation)).one()
        assert payload.removeprefix(INVITE_PREFIX) not in stored.token_hash  # only the hash is kept
        redeem_invitation(session, payload=payload, person=anna)
        assert is_wijkraad_member(session, person=anna, wijk_id=wijk.id)
        with pytest.raises(InvitationRefused) as refused:
            redeem_invitation(session, payload=payload, person=bert)
        assert refused.value.problem is InvitationProblem.USED
        assert not is_wijkraad_member(session, person=bert, wijk_id=wijk.id)


def test_expired_and_tampered_invitations_are_refused(db) -> None:  # type: ignore[no-untyped-def]
    with db.transaction_sync() as session:
        (anna, _bert), wijk = _setup(session)
        old = create_invitation(session, role=MembershipRole.WIJKRAAD, area_id=wijk.id,
                                now=utcnow() - timedelta(days=15))
        with pytest.raises(InvitationRefused) as refused:
            redeem_invitation(session, payload=old, person=anna)
        assert refused.value.problem is InvitationProblem.EXPIRED
        fresh = create_invitation(session, role=MembershipRole.WIJKRAAD, area_id=wijk.id)
        tampered = fresh[:-1] + ("A" if fresh[-1] != "A" else "B")
        with pytest.raises(InvitationRefused) as refused:
            redeem_invitation(session, payload=tampered, person=anna)
        assert refused.value.problem is InvitationProblem.UNKNOWN
        assert not is_wijkraad_member(session, person=anna, wijk_id=wijk.id)


def test_coordinator_of_the_municipality_covers_its_wijken_until_revoked(db) -> None:  # type: ignore[no-untyped-def]
    with db.transaction_sync() as session:
        (anna, _bert), wijk = _setup(session)
        top = session.exec(select(Area).where(Area.code == "haarlem")).one()
        payload = create_invitation(session, role=MembershipRole.COORDINATOR, area_id=top.id)
        membership = redeem_invitation(session, payload=payload, person=anna)
        assert coordinates(session, person=anna, area_id=wijk.id)
        revoke(session, membership=membership, by="test")
        assert not coordinates(session, person=anna, area_id=wijk.id)
