"""The one visibility rule: every status against every kind of viewer, and who counts as which viewer."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from storage.models import (
    Area,
    MembershipRole,
    Organisation,
    Person,
    Request,
    RequestKind,
    RequestRoute,
    RequestStatus,
    Subscription,
    Support,
    Theme,
)
from storage.municipality import example_config, load_municipality
from storage.requests import NewRequest, file_request
from storage.roles import grant, revoke
from storage.visibility import Viewer, may_see, may_support, publicly_visible, relations, supportable_requests

S, V = RequestStatus, Viewer
ALL = set(S)
# Written out by hand (not derived from the module's table): what each kind of viewer may see.
EXPECTED = {
    V.FILER: ALL,
    V.WIJKRAAD: ALL,
    V.COORDINATOR: ALL,
    V.PARTNER: ALL - {S.SUBMITTED, S.AWAITING_RESIDENT},
    V.SUPPORTER: ALL - {S.SUBMITTED, S.AWAITING_RESIDENT},
    V.FOLLOWER: ALL - {S.SUBMITTED, S.AWAITING_RESIDENT},
    V.STRANGER: {S.ROUTED, S.ANSWERED},
}


def test_every_status_for_every_viewer() -> None:
    assert set(EXPECTED) == set(Viewer)
    for viewer in Viewer:
        for status in RequestStatus:
            allowed = status in EXPECTED[viewer]
            assert may_see({viewer}, status) is allowed, (viewer, status)
            # Everyone is at least a stranger: a relation only ever adds to what they may see.
            assert may_see({viewer, V.STRANGER}, status) is (allowed or status in EXPECTED[V.STRANGER]), (viewer, status)


def test_nothing_unreviewed_reaches_anyone_but_the_wijkraad_coordinators_and_the_resident() -> None:
    for status in (S.SUBMITTED, S.AWAITING_RESIDENT):
        assert {v for v in Viewer if may_see({v}, status)} == {V.FILER, V.WIJKRAAD, V.COORDINATOR}
        assert not publicly_visible(status)
    assert {s for s in RequestStatus if publicly_visible(s)} == {S.ROUTED, S.ANSWERED}


def test_support_only_for_routed_requests_and_never_ones_own() -> None:
    for viewer in Viewer:
        for status in RequestStatus:
            expected = status == S.ROUTED and viewer is not V.FILER
            assert may_support({viewer, V.STRANGER}, status) is expected, (viewer, status)
    assert not may_support({V.FILER, V.WIJKRAAD, V.STRANGER}, S.ROUTED)


def test_who_counts_as_which_viewer(db) -> None:  # type: ignore[no-untyped-def]
    with db.transaction_sync() as session:
        load_municipality(session, config=example_config())
        wijk = session.exec(select(Area).where(Area.code == "zuid-west-leidsebuurt")).one()
        other_wijk = session.exec(select(Area).where(Area.code == "schalkwijk-boerhaavewijk")).one()
        district = session.get(Area, wijk.parent_id)
        organisations = session.exec(select(Organisation).order_by(Organisation.id)).all()
        routed_to, not_routed_to = organisations[0], organisations[1]
        theme = session.exec(select(Theme)).first()
        people = {name: Person(telegram_id=300 + n) for n, name in enumerate((
            "filer", "supporter", "follower", "stranger", "wijkraad", "other_wijkraad", "partner", "other_partner",
            "coordinator", "other_coordinator", "revoked"))}
        session.add_all(people.values())
        session.flush()
        request = file_request(session, resident=people["filer"], new=NewRequest(
            wijk_id=wijk.id, kind=RequestKind.WISH, theme_id=theme.id, text="Een bankje bij de vijver, graag."))
        session.add(Support(person_id=people["supporter"].id, request_id=request.id))
        session.add(Subscription(person_id=people["follower"].id, request_id=request.id))
        session.add(Subscription(person_id=people["stranger"].id, wijk_id=wijk.id))  # follows the wijk only
        session.add(RequestRoute(request_id=request.id, organisation_id=routed_to.id, deadline=date(2027, 1, 1)))
        grant(session, person=people["wijkraad"], role=MembershipRole.WIJKRAAD, area_id=wijk.id)
        grant(session, person=people["other_wijkraad"], role=MembershipRole.WIJKRAAD, area_id=other_wijk.id)
        grant(session, person=people["partner"], role=MembershipRole.PARTNER, organisation_id=routed_to.id)
        grant(session, person=people["other_partner"], role=MembershipRole.PARTNER, organisation_id=not_routed_to.id)
        grant(session, person=people["coordinator"], role=MembershipRole.COORDINATOR, area_id=district.id)
        grant(session, person=people["other_coordinator"], role=MembershipRole.COORDINATOR, area_id=other_wijk.id)
        revoke(session, membership=grant(session, person=people["revoked"], role=MembershipRole.WIJKRAAD,
                                         area_id=wijk.id), by="test")
        session.flush()
        found = {name: relations(session, person=person, request=request) - {V.STRANGER}
                 for name, person in people.items()}
        assert found == {
            "filer": {V.FILER, V.FOLLOWER},  # filing subscribes the resident
            "supporter": {V.SUPPORTER}, "follower": {V.FOLLOWER}, "stranger": set(),
            "wijkraad": {V.WIJKRAAD}, "other_wijkraad": set(), "partner": {V.PARTNER}, "other_partner": set(),
            "coordinator": {V.COORDINATOR}, "other_coordinator": set(), "revoked": set(),
        }
        assert all(V.STRANGER in relations(session, person=p, request=request) for p in people.values())


def test_supportable_requests_lists_only_routed_ones_of_others(db) -> None:  # type: ignore[no-untyped-def]
    with db.transaction_sync() as session:
        load_municipality(session, config=example_config())
        wijk = session.exec(select(Area).where(Area.code == "zuid-west-leidsebuurt")).one()
        theme = session.exec(select(Theme)).first()
        anna, kees = Person(telegram_id=401), Person(telegram_id=402)
        session.add_all([anna, kees])
        session.flush()
        statuses = [S.SUBMITTED, S.AWAITING_RESIDENT, S.ROUTED, S.ANSWERED, S.ROUTED, S.WITHDRAWN]
        for n, status in enumerate(statuses):
            request = file_request(session, resident=kees if n == 4 else anna, new=NewRequest(
                wijk_id=wijk.id, kind=RequestKind.WISH, theme_id=theme.id, text=f"Verzoek {n} voor de wijk."))
            request.status = status
            session.add(request)
        session.flush()
        assert [r.id for r in supportable_requests(session, wijk_id=wijk.id)] == [5, 3]
        assert [r.id for r in supportable_requests(session, wijk_id=wijk.id, exclude_person_id=kees.id)] == [3]
        assert session.exec(select(Request).where(Request.id == 5)).one().resident_id == kees.id
