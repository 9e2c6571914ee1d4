"""The wijkcontract: its content per wijk and period, the PDF, versions, and who may sign."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlmodel import Session, select

from conversations.contract import ensure_rendered
from conversations.contract_render import describe, printable, render_html, render_pdf
from storage.answers import AnswerFields, give_answer, report_progress
from storage.contracts import (
    COORDINATOR,
    WIJKRAAD,
    ContractRefused,
    current_version,
    organisation_party,
    period_of,
    sign,
    signatures_of,
    signing_membership,
    start_signing,
)
from storage.groups import link_group
from storage.models import (
    Afspraak,
    Area,
    ContractPeriod,
    ContractStatus,
    ContractVersion,
    MembershipRole,
    Organisation,
    Person,
    Request,
    RequestKind,
    RequestRoute,
    Theme,
)
from storage.municipality import example_config, load_municipality
from storage.people import pseudonym
from storage.requests import NewRequest, file_request
from storage.roles import grant, revoke
from storage.triage import out_of_scope, route, wijkraad_actor
from storage.workflow import Actor, Role

TZ = ZoneInfo("Europe/Amsterdam")
LEIDSEBUURT, BOERHAAVEWIJK = "zuid-west-leidsebuurt", "schalkwijk-boerhaavewijk"
OPENBARE_RUIMTE, POLITIE, YMERE = "haarlem-openbare-ruimte", "politie-kennemerland-haarlem", "ymere"
SPECIAL = "Café ’t Hoekje vraagt één bankje van €50, geëvalueerd."


@dataclass
class World:
    """Ids of what the tests act on."""

    wijk: int
    other_wijk: int
    openbare_ruimte: int
    politie: int
    ymere: int
    wim: int  # wijkraad Leidsebuurt
    bea: int  # wijkraad Boerhaavewijk
    pim: int  # partner openbare ruimte
    pol: int  # partner politie
    yara: int  # partner Ymere (not a party)
    cora: int  # coordinator of Haarlem
    stan: int  # nobody
    starts_on: date
    ends_on: date


def at_day(day: date, hour: int = 10) -> datetime:
    """A local moment of that day, in UTC."""
    return datetime.combine(day, time(hour), tzinfo=TZ).astimezone(UTC)


def _one(session: Session, table: type, code: str):  # type: ignore[no-untyped-def]
    return session.exec(select(table).where(table.code == code)).one()


def partner_actor(person: Person, name: str) -> Actor:
    """A partner member acting."""
    return Actor(Role.PARTNER, person.id, pseudonym(person), name)


def answered_request(session: Session, *, wijk_id: int, text: str, filed: date, answers: list[tuple[int, Person, AnswerFields]],
                     resident: Person, wim: Person) -> Request:
    """A request filed on `filed`, routed to the partners and answered by each (answers dated that day too)."""
    theme = session.exec(select(Theme).where(Theme.code == "spelen")).one()
    request = file_request(session, resident=resident, new=NewRequest(wijk_id=wijk_id, kind=RequestKind.WISH,
                                                                       theme_id=theme.id, text=text))
    request.created_at = at_day(filed)
    if not answers:
        return request
    route(session, request=request, organisation_ids=[o for o, _p, _f in answers], by=wijkraad_actor(wim, "Wim"),
          today=filed, answer_days=15)
    for organisation_id, member, fields in answers:
        route_row = session.exec(select(RequestRoute).where(RequestRoute.request_id == request.id,
                                                            RequestRoute.organisation_id == organisation_id)).one()
        answer = give_answer(session, route=route_row, request=request, fields=fields,
                             by=partner_actor(member, "Partner"))
        answer.answered_at = at_day(filed, 12)
        for afspraak in session.exec(select(Afspraak).where(Afspraak.answer_id == answer.id)).all():
            afspraak.created_at = at_day(filed, 12)
            session.add(afspraak)
    session.flush()
    return request


def build_world(session: Session, *, today: date) -> World:
    """Haarlem with members, and requests, answers and afspraken in two periods and two wijken."""
    load_municipality(session, config=example_config())
    wijk, other = _one(session, Area, LEIDSEBUURT), _one(session, Area, BOERHAAVEWIJK)
    top = _one(session, Area, "haarlem")
    orgs = {code: _one(session, Organisation, code) for code in (OPENBARE_RUIMTE, POLITIE, YMERE)}
    people = {name: Person(telegram_id=number, language="nl") for number, name in enumerate(
        ("resident", "wim", "bea", "pim", "pol", "yara", "cora", "stan"), start=7001)}
    session.add_all(people.values())
    session.flush()
    grant(session, person=people["wim"], role=MembershipRole.WIJKRAAD, area_id=wijk.id, display_name="Wim")
    grant(session, person=people["bea"], role=MembershipRole.WIJKRAAD, area_id=other.id, display_name="Bea")
    grant(session, person=people["pim"], role=MembershipRole.PARTNER, organisation_id=orgs[OPENBARE_RUIMTE].id,
          display_name="Pim")
    grant(session, person=people["pol"], role=MembershipRole.PARTNER, organisation_id=orgs[POLITIE].id,
          display_name="Pol")
    grant(session, person=people["yara"], role=MembershipRole.PARTNER, organisation_id=orgs[YMERE].id,
          display_name="Yara")
    grant(session, person=people["cora"], role=MembershipRole.COORDINATOR, area_id=top.id, display_name="Cora")
    link_group(session, chat_id=-7100, title="Wijkraad Leidsebuurt", by=people["wim"], area_id=wijk.id)

    # The coordinator started the current period 100 days ago; the one before ran a year.
    starts_on, ends_on = today - timedelta(days=100), today + timedelta(days=264)
    session.add(ContractPeriod(wijk_id=wijk.id, starts_on=starts_on - timedelta(days=365),
                               ends_on=starts_on - timedelta(days=1)))
    session.add(ContractPeriod(wijk_id=wijk.id, starts_on=starts_on, ends_on=ends_on))
    resident, wim, pim, pol = people["resident"], people["wim"], people["pim"], people["pol"]
    within = AnswerFields(category="within_period", text="We vervangen de schommel door een nieuwe.",
                          planned_date=today + timedelta(days=60), means="Eén ploeg, twee dagen")
    cannot = AnswerFields(category="not_possible", text="Handhaving op speelplekken is geen taak voor de politie.",
                          reason_type="policy", motivation="De politie zet in op de prioriteiten van de driehoek.")
    answered_request(session, wijk_id=wijk.id, text="De schommel in de speeltuin aan de Leidsevaart is kapot.",
                     filed=starts_on + timedelta(days=10), resident=resident, wim=wim,
                     answers=[(orgs[OPENBARE_RUIMTE].id, pim, within), (orgs[POLITIE].id, pol, cannot)])
    special = answered_request(session, wijk_id=wijk.id, text=SPECIAL, filed=starts_on + timedelta(days=20),
                               resident=resident, wim=wim, answers=[])
    out_of_scope(session, request=special, by=wijkraad_actor(wim, "Wim"), reason="Een bankje voor een café is privé.")
    initiative = answered_request(session, wijk_id=wijk.id, text="Wij willen de geveltuintjes samen onderhouden.",
                                  filed=starts_on + timedelta(days=30), resident=resident, wim=wim, answers=[])
    session.add(Afspraak(wijk_id=wijk.id, request_id=initiative.id, owner_kind="residents",
                         organisation_id=orgs[OPENBARE_RUIMTE].id, what="Bewoners onderhouden de geveltuintjes",
                         deadline=today + timedelta(days=90), means="Gereedschap van de gemeente",
                         created_at=at_day(starts_on + timedelta(days=31))))
    # The period before, and another wijk: never in this contract.
    answered_request(session, wijk_id=wijk.id, text="Het oude bankje bij de kerk is verrot.",
                     filed=starts_on - timedelta(days=50), resident=resident, wim=wim,
                     answers=[(orgs[OPENBARE_RUIMTE].id, pim, AnswerFields(
                         category="within_period", text="Het oude bankje wordt geschuurd en geverfd.",
                         planned_date=starts_on - timedelta(days=5)))])
    answered_request(session, wijk_id=other.id, text="De lantaarnpaal aan de Boerhaavelaan knippert.",
                     filed=starts_on + timedelta(days=10), resident=resident, wim=people["bea"],
                     answers=[(orgs[OPENBARE_RUIMTE].id, pim, AnswerFields(
                         category="within_period", text="De lantaarnpaal aan de Boerhaavelaan wordt vervangen.",
                         planned_date=today + timedelta(days=20)))])
    session.flush()
    ids = {name: p.id for name, p in people.items()}
    return World(wijk=wijk.id, other_wijk=other.id, openbare_ruimte=orgs[OPENBARE_RUIMTE].id,
                 politie=orgs[POLITIE].id, ymere=orgs[YMERE].id, wim=ids["wim"], bea=ids["bea"], pim=ids["pim"],
                 pol=ids["pol"], yara=ids["yara"], cora=ids["cora"], stan=ids["stan"], starts_on=starts_on,
                 ends_on=ends_on)


TODAY = date(2027, 4, 12)


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    with db.transaction_sync() as session:
        built = build_world(session, today=TODAY)
    return db, built


def version_now(session: Session, w: World, today: date = TODAY) -> ContractVersion:
    """The current version, rendered."""
    version = current_version(session, wijk_id=w.wijk, starts_on=w.starts_on, ends_on=w.ends_on, today=today, tz=TZ)
    ensure_rendered(session, version=version, tz=TZ)
    return version


def pdf_text(pdf: bytes) -> str:
    """All text of a PDF, as a reader would copy it."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def flat(text: str) -> str:
    """Text with line breaks (from wrapping) as spaces."""
    return " ".join(text.split())


def test_the_pdf_holds_exactly_that_wijk_and_period(world) -> None:  # type: ignore[no-untyped-def]
    db, w = world
    with db.transaction_sync() as session:
        version = version_now(session, w)
        assert version.number == 1 and version.status == ContractStatus.CONCEPT
        text = flat(pdf_text(version.pdf))
        html = version.html
    for expected in ("Wijkcontract Leidsebuurt", "gemeente Haarlem", "Zuid-West",
                     "De schommel in de speeltuin aan de Leidsevaart is kapot.",
                     "We vervangen de schommel door een nieuwe.", "Eén ploeg, twee dagen",
                     "Handhaving op speelplekken is geen taak voor de politie.", "5. Kan of mag niet",
                     "2. Wordt gedaan binnen de looptijd", "Valt buiten het wijkcontract",
                     "Bewoners onderhouden de geveltuintjes", "met steun van Gemeente Haarlem, Beheer openbare ruimte",
                     SPECIAL, "Wijkraad Leidsebuurt", "Politie Kennemerland, team Haarlem",
                     "nog niet getekend", "concept"):
        assert expected in text, expected
        assert expected in html.replace("&#x27;", "'"), expected
    # Dutch dates: the period and the deadlines, as Babel writes them.
    from babel.dates import format_date

    assert format_date(w.starts_on, "long", locale="nl") in text
    assert format_date(TODAY + timedelta(days=60), "long", locale="nl") in text
    # Not the period before, not another wijk, and no party without answers or afspraken.
    for absent in ("bankje bij de kerk", "geschuurd en geverfd", "Boerhaavelaan", "Ymere", "Boerhaavewijk"):
        assert absent not in text and absent not in html, absent
    assert [p["key"] for p in version.content["parties"]] == [
        organisation_party(w.openbare_ruimte), organisation_party(w.politie), WIJKRAAD, COORDINATOR]
    assert [r["reference"] for r in version.content["requests"]] == ["W-0001", "W-0002", "W-0003"]
    assert len(version.content["afspraken"]) == 2


def test_rendering_is_repeatable_and_stored_versions_come_back_unchanged(world) -> None:  # type: ignore[no-untyped-def]
    db, w = world
    with db.transaction_sync() as session:
        version = version_now(session, w)
        stored = version.pdf
    document = describe(version.content, number=1, status=ContractStatus.CONCEPT, signatures=[], tz=TZ)
    assert render_pdf(document) == stored
    assert "<!DOCTYPE html>" in render_html(document)
    with db.transaction_sync() as session:
        again = version_now(session, w, today=TODAY + timedelta(days=3))  # nothing changed: same version, same bytes
        assert again.id == version.id and again.pdf == stored


def test_status_goes_concept_signing_signed(world) -> None:  # type: ignore[no-untyped-def]
    db, w = world
    with db.transaction_sync() as session:
        version = version_now(session, w)
        pim = session.get(Person, w.pim)
        with pytest.raises(ContractRefused) as refused:  # nobody signs a concept
            sign(session, version=version, party=organisation_party(w.openbare_ruimte), person=pim)
        assert refused.value.code == "not_signing"
        with pytest.raises(ContractRefused):  # only a coordinator offers it for signing
            start_signing(session, version=version, person=pim)
        start_signing(session, version=version, person=session.get(Person, w.cora))
        assert version.status == ContractStatus.SIGNING and version.pdf is None
        ensure_rendered(session, version=version, tz=TZ)
        assert "ter ondertekening" in pdf_text(version.pdf)
        for person_id, party in ((w.pim, organisation_party(w.openbare_ruimte)), (w.pol, organisation_party(w.politie)),
                                 (w.wim, WIJKRAAD)):
            assert not sign(session, version=version, party=party, person=session.get(Person, person_id)).complete
            assert version.status == ContractStatus.SIGNING
        with pytest.raises(ContractRefused) as refused:  # once per party
            sign(session, version=version, party=WIJKRAAD, person=session.get(Person, w.wim))
        assert refused.value.code == "already"
        assert sign(session, version=version, party=COORDINATOR, person=session.get(Person, w.cora)).complete
        assert version.status == ContractStatus.SIGNED and version.signed_at is not None
        ensure_rendered(session, version=version, tz=TZ)
        text = flat(pdf_text(version.pdf))
    assert "getekend" in text and all(name in text for name in ("Pim", "Pol", "Wim", "Cora"))
    assert "nog niet getekend" not in text


def test_a_change_after_signing_makes_a_new_version_and_later_signatures_go_there(world) -> None:  # type: ignore[no-untyped-def]
    db, w = world
    with db.transaction_sync() as session:
        v1 = version_now(session, w)
        start_signing(session, version=v1, person=session.get(Person, w.cora))
        sign(session, version=v1, party=organisation_party(w.openbare_ruimte), person=session.get(Person, w.pim))
        ensure_rendered(session, version=v1, tz=TZ)
        v1_pdf = v1.pdf
        # Progress on an afspraak is no change of terms: still version 1.
        afspraak = session.exec(select(Afspraak).where(Afspraak.wijk_id == w.wijk, Afspraak.owner_kind == "partner")
                                .order_by(Afspraak.id.desc())).first()
        report_progress(session, afspraak=afspraak, text="Besteld.", percent=50, photo_file_id=None,
                        by=partner_actor(session.get(Person, w.pim), "Pim"))
        assert version_now(session, w).id == v1.id
    with db.transaction_sync() as session:  # a new afspraak in the period
        session.add(Afspraak(wijk_id=w.wijk, owner_kind="partner", organisation_id=w.politie,
                             what="Extra surveillance rond de speeltuin", deadline=TODAY + timedelta(days=30),
                             created_at=at_day(TODAY)))
    with db.transaction_sync() as session:
        v2 = version_now(session, w)
        v1 = session.get(ContractVersion, v1.id)
        assert (v2.number, v2.status) == (2, ContractStatus.CONCEPT) and v2.id != v1.id
        assert v1.superseded_at is not None and v1.status == ContractStatus.SIGNING and v1.pdf == v1_pdf
        assert "Extra surveillance" in pdf_text(v2.pdf) and "Extra surveillance" not in pdf_text(v1.pdf)
        with pytest.raises(ContractRefused):  # the old version takes no more signatures
            sign(session, version=v1, party=organisation_party(w.politie), person=session.get(Person, w.pol))
        start_signing(session, version=v2, person=session.get(Person, w.cora))
        sign(session, version=v2, party=organisation_party(w.politie), person=session.get(Person, w.pol))
        assert [s.party for s in signatures_of(session, version_id=v1.id)] == [organisation_party(w.openbare_ruimte)]
        assert [s.party for s in signatures_of(session, version_id=v2.id)] == [organisation_party(w.politie)]


def test_strangers_other_wijken_and_other_partners_cannot_sign(world) -> None:  # type: ignore[no-untyped-def]
    db, w = world
    with db.transaction_sync() as session:
        version = version_now(session, w)
        start_signing(session, version=version, person=session.get(Person, w.cora))
        attempts = [(w.stan, WIJKRAAD), (w.stan, COORDINATOR), (w.stan, organisation_party(w.politie)),
                    (w.bea, WIJKRAAD), (w.pol, organisation_party(w.openbare_ruimte)), (w.wim, COORDINATOR),
                    (w.pim, WIJKRAAD)]
        for person_id, party in attempts:
            with pytest.raises(ContractRefused) as refused:
                sign(session, version=version, party=party, person=session.get(Person, person_id))
            assert refused.value.code == "not_allowed", (person_id, party)
        with pytest.raises(ContractRefused) as refused:  # Ymere is no party to this contract
            sign(session, version=version, party=organisation_party(w.ymere), person=session.get(Person, w.yara))
        assert refused.value.code == "not_party"
        # A revoked member can no longer sign.
        pim = session.get(Person, w.pim)
        revoke(session, membership=signing_membership(session, person=pim, wijk_id=w.wijk,
                                                      party=organisation_party(w.openbare_ruimte)), by="test")
        with pytest.raises(ContractRefused):
            sign(session, version=version, party=organisation_party(w.openbare_ruimte), person=pim)
        assert signatures_of(session, version_id=version.id) == []


def test_periods_follow_the_coordinator_or_calendar_years(db) -> None:  # type: ignore[no-untyped-def]
    with db.transaction_sync() as session:
        load_municipality(session, config=example_config())
        wijk = _one(session, Area, LEIDSEBUURT)
        assert period_of(session, wijk_id=wijk.id, today=date(2027, 3, 15), years=1) == (date(2027, 1, 1),
                                                                                          date(2027, 12, 31))
        assert period_of(session, wijk_id=wijk.id, today=date(2027, 3, 15), years=2) == (date(2027, 1, 1),
                                                                                          date(2028, 12, 31))
        session.add(ContractPeriod(wijk_id=wijk.id, starts_on=date(2027, 6, 1), ends_on=date(2028, 5, 31)))
        session.flush()
        assert period_of(session, wijk_id=wijk.id, today=date(2027, 7, 1), years=1) == (date(2027, 6, 1),
                                                                                         date(2028, 5, 31))
        # After it ends, periods of the same length follow on.
        assert period_of(session, wijk_id=wijk.id, today=date(2029, 7, 1), years=1) == (date(2029, 6, 1),
                                                                                         date(2030, 5, 31))


def test_characters_the_font_lacks_become_their_plain_form() -> None:
    ascii_only = frozenset(range(32, 127))
    assert printable("Café ĳs 🙂!", ascii_only) == "Cafe ijs !"
    assert printable("ﬁets", ascii_only) == "fiets"
    assert printable("ب", ascii_only) == "?"
    assert printable(SPECIAL) == SPECIAL  # the font has é ë ’ €


def test_rows_taller_than_a_page_are_split_not_refused() -> None:
    long = ("Een heel lang verhaal over de wijk, met veel details en nog meer woorden. " * 14)[:1000]
    answer = {"organisation_id": 1, "organisation": "Partner", "category": "not_possible", "planned_date": None,
              "planning_date": None, "planning_adjusted": None, "decision_date": None, "reason_type": "legal",
              "motivation": long, "text": long, "outcome": None}
    content = {"municipality": "Haarlem", "district": None, "wijk": "Leidsebuurt", "wijk_code": LEIDSEBUURT,
               "starts_on": "2027-01-01", "ends_on": "2027-12-31", "made_on": "2027-03-15",
               "requests": [{"reference": "W-0001", "kind": "wish", "theme": "Spelen", "text": long,
                             "filed_on": "2027-02-01", "state": "answered", "note": None, "answers": [answer] * 5}],
               "afspraken": [], "parties": [{"key": WIJKRAAD, "name": "Leidsebuurt"}, {"key": COORDINATOR, "name": None}]}
    pdf = render_pdf(describe(content, number=1, status=ContractStatus.CONCEPT, signatures=[], tz=TZ))
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 3
    assert "Er zijn in deze periode (nog) geen afspraken gemaakt." in flat(pdf_text(pdf))


def test_a_request_the_wijkraad_has_not_reviewed_is_not_in_the_contract(world) -> None:  # type: ignore[no-untyped-def]
    """Every partner serving the wijk reads the contract: an unreviewed request's text must not reach them."""
    db, w = world
    secret = "Jan de Vries 06-12345678 wil een hek om zijn tuin."
    with db.transaction_sync() as session:
        resident = session.exec(select(Person).where(Person.telegram_id == 7001)).one()
        wim = session.get(Person, w.wim)
        waiting = answered_request(session, wijk_id=w.wijk, text=secret, filed=w.starts_on + timedelta(days=40),
                                   resident=resident, wim=wim, answers=[])
        version = version_now(session, w)
        listed = [r["reference"] for r in version.content["requests"]]
        assert waiting.reference not in listed and "W-0001" in listed
        assert "06-12345678" not in flat(pdf_text(version.pdf)) and "06-12345678" not in version.html
        # Once routed it is part of the contract.
        route(session, request=waiting, organisation_ids=[w.openbare_ruimte], by=wijkraad_actor(wim, "Wim"),
              today=w.starts_on + timedelta(days=41), answer_days=15)
        version = version_now(session, w)
        assert waiting.reference in [r["reference"] for r in version.content["requests"]]
