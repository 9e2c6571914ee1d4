"""The similar-requests check is bounded (the most recent requests only) and still finds what matters."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Area, Person, Request, RequestKind, RequestStatus, Theme
from storage.municipality import example_config, load_municipality
from storage.similar import MAX_CANDIDATES, similar_open_requests
from storage.visibility import SUPPORTABLE

FILLER = (
    "In onze straat wonen veel gezinnen met jonge kinderen en oudere bewoners die al lang in de wijk wonen. "
    "Op zaterdag is er markt op het plein en dan is het druk met fietsers en voetgangers. De stoep bij de "
    "bakker is smal en er staan vaak containers van de supermarkt. Bij de bushalte ontbreekt een bankje, "
    "waardoor ouderen lang moeten staan. 's Avonds is de verlichting bij het bruggetje over de gracht zwak. "
    "De buurtvereniging organiseert twee keer per jaar een opschoondag en daar doen steeds meer mensen aan mee. "
    "Het grasveld achter de school wordt veel gebruikt door honden, en niet iedereen ruimt op. "
    "Graag zouden we ook meer groen zien, bijvoorbeeld geveltuintjes of bloembakken bij de ingang van de flat. "
)
DEEP = FILLER + "De schommel in de speeltuin aan de Leidsevaart is al weken kapot en kinderen kunnen er niet meer op."
LIKE_DEEP = "Kapotte schommel in de speeltuin aan de Leidsevaart, wanneer wordt die gemaakt?"
UNRELATED = "Meer fietsenrekken bij het station graag, want fietsen worden overal tegen de ramen gezet."


def _world(db, texts: list[str], status: RequestStatus = RequestStatus.ROUTED) -> int:  # type: ignore[no-untyped-def]
    """A wijk with these requests (oldest first), all in `status`; returns the wijk id."""
    with db.transaction_sync() as session:
        load_municipality(session, config=example_config())
        wijk = session.exec(select(Area).where(Area.code == "zuid-west-leidsebuurt")).one()
        theme = session.exec(select(Theme)).first()
        resident = Person(telegram_id=500)
        session.add(resident)
        session.flush()
        session.add_all([Request(kind=RequestKind.WISH, status=status, wijk_id=wijk.id, theme_id=theme.id,
                                 resident_id=resident.id, text=text, reference=f"W-{n + 1:04d}")
                         for n, text in enumerate(texts)])
        return wijk.id


def _found(db, wijk_id: int, text: str) -> list[str]:  # type: ignore[no-untyped-def]
    with db.read() as session:
        return [r.reference for r in similar_open_requests(session, wijk_id=wijk_id, text=text, statuses=SUPPORTABLE)]


def test_a_near_duplicate_deep_in_a_long_text_is_found_and_an_unrelated_text_is_not(db) -> None:  # type: ignore[no-untyped-def]
    assert len(DEEP) > 800 and len(DEEP) <= 1000
    wijk_id = _world(db, [FILLER, DEEP])
    assert _found(db, wijk_id, LIKE_DEEP) == ["W-0002"]
    assert _found(db, wijk_id, UNRELATED) == []


def test_only_the_most_recent_requests_are_compared(db) -> None:  # type: ignore[no-untyped-def]
    # The near-duplicate is the oldest of more requests than the check reads: the work stays bounded.
    others = [f"Verzoek {n}: {FILLER[n % 50:n % 50 + 400]}" for n in range(MAX_CANDIDATES)]
    wijk_id = _world(db, [DEEP, *others])
    assert _found(db, wijk_id, LIKE_DEEP) == []
    with db.transaction_sync() as session:  # one more, recent, near-duplicate: found
        old = session.exec(select(Request).where(Request.reference == "W-0001")).one()
        session.add(Request(kind=old.kind, status=old.status, wijk_id=old.wijk_id, theme_id=old.theme_id,
                            resident_id=old.resident_id, text=DEEP, reference="W-9999"))
    assert _found(db, wijk_id, LIKE_DEEP) == ["W-9999"]


def test_statuses_outside_the_asked_ones_are_never_compared(db) -> None:  # type: ignore[no-untyped-def]
    wijk_id = _world(db, [DEEP], status=RequestStatus.SUBMITTED)
    assert _found(db, wijk_id, LIKE_DEEP) == []
    with db.read() as session:  # the wijkraad's duplicate search (all open statuses) does see it
        assert [r.reference for r in similar_open_requests(session, wijk_id=wijk_id, text=LIKE_DEEP)] == ["W-0001"]
