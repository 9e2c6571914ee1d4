"""Small parsers and lookups used by intake."""

from __future__ import annotations

import pytest

from conversations.intake import parse_euros
from storage.areas import _geometry_contains, wijk_at, wijk_by_name, wijken_by_postcode
from storage.models import Area
from storage.municipality import example_config, load_municipality


@pytest.mark.parametrize(("text", "cents"), [
    ("250", 25000), ("€ 250", 25000), ("1.250,50", 125050), ("1250.5", 125050), ("1.000", 100000),
    ("0", 0), ("12,-", 1200), ("1,250.50", 125050), ("12,5", 1250), ("€1.000.000", 100000000),
])
def test_euros_typed_the_dutch_way(text: str, cents: int) -> None:
    assert parse_euros(text) == cents


@pytest.mark.parametrize("text", ["", "veel", "-5", "1,2,3", "12.345,678", "€", "1e5"])
def test_not_an_amount(text: str) -> None:
    assert parse_euros(text) is None


SQUARE = {"type": "Polygon", "coordinates": [[[4.60, 52.37], [4.64, 52.37], [4.64, 52.39], [4.60, 52.39], [4.60, 52.37]],
                                              [[4.61, 52.375], [4.62, 52.375], [4.62, 52.38], [4.61, 52.38], [4.61, 52.375]]]}


def test_point_in_polygon_respects_holes() -> None:
    assert _geometry_contains(SQUARE, 4.63, 52.38)
    assert not _geometry_contains(SQUARE, 4.615, 52.377)  # in the hole
    assert not _geometry_contains(SQUARE, 4.70, 52.38)
    assert _geometry_contains({"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"]]}, 4.63, 52.38)


def test_wijk_lookups(db) -> None:  # type: ignore[no-untyped-def]
    with db.transaction_sync() as session:
        load_municipality(session, config=example_config())
        assert [w.name for w in wijken_by_postcode(session, postcode="2013")] == ["Leidsebuurt"]
        assert wijken_by_postcode(session, postcode="9999") == []
        assert wijk_by_name(session, text="leidsebuurt").name == "Leidsebuurt"
        assert wijk_by_name(session, text="Boerhavewijk").name == "Boerhaavewijk"  # a typo
        assert wijk_by_name(session, text="Amsterdam Zuidoost") is None
        leidse = wijk_by_name(session, text="Leidsebuurt")
        leidse.polygon = SQUARE
        session.add(leidse)
        session.flush()
        assert wijk_at(session, latitude=52.38, longitude=4.63).name == "Leidsebuurt"
        assert wijk_at(session, latitude=51.0, longitude=4.0) is None


def test_loading_the_example_twice_changes_nothing(db) -> None:  # type: ignore[no-untyped-def]
    from sqlmodel import select

    with db.transaction_sync() as session:
        load_municipality(session, config=example_config())
    with db.read() as session:
        first = [(a.id, a.code, a.name, a.parent_id) for a in session.exec(select(Area).order_by(Area.id))]
    with db.transaction_sync() as session:
        load_municipality(session, config=example_config())
    with db.read() as session:
        second = [(a.id, a.code, a.name, a.parent_id) for a in session.exec(select(Area).order_by(Area.id))]
    assert first == second and len(first) == 11
