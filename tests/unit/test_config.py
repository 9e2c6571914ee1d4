"""The municipality configuration file: validation that lists every problem, and an idempotent load."""

from __future__ import annotations

import json
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from storage.areas import wijk_at, wijken_by_postcode
from storage.config import ConfigError, MunicipalityConfig, load_config_file, parse_config, validate_config
from storage.db import Database
from storage.models import Area, Organisation, OrganisationWijk, Person, Request, RequestRoute, Theme
from storage.municipality import (
    LoadReport,
    example_config,
    example_municipality,
    load_municipality,
    municipality,
    municipality_settings,
)
from storage.themes import LEMON_THEMES

SMALL = """
[municipality]
code = "dorp"
name = "Dorp"

[[themes]]
code = "groen"
name = "Groen"
name_en = "Greenery"

[[themes]]
code = "spelen"
name = "Spelen"

[[districts]]
code = "kern-noord"
name = "Noord"
  [[districts.wijken]]
  code = "noord-a"
  name = "Wijk A"
  postcodes = ["1111"]
  [[districts.wijken]]
  code = "noord-b"
  name = "Wijk B"
  postcodes = ["1112"]
  [[districts.wijken]]
  code = "noord-c"
  name = "Wijk C"
  buurten = [{ code = "noord-c-1", name = "Buurt C1" }]

[[partners]]
code = "gemeente"
name = "Gemeente Dorp"
kind = "gemeente-afdeling"
themes = ["*"]
wijken = ["*"]

[[partners]]
code = "corporatie"
name = "Corporatie"
kind = "woningcorporatie"
themes = ["groen"]
wijken = ["noord-b"]
"""


def _config(text: str, tmp_path: Path | None = None) -> MunicipalityConfig:
    """Parse and validate TOML text."""
    return parse_config(text, source="test.toml", base_dir=tmp_path or Path("."))


def _load(db: Database, config: MunicipalityConfig | dict[str, Any]) -> LoadReport:
    """Load in its own transaction and return the report."""
    with db.transaction_sync() as session:
        return load_municipality(session, config=config)


def _snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row the loader writes."""
    with db.read() as session:
        return {
            "areas": [(a.id, a.kind, a.code, a.name, a.parent_id, a.postcodes, a.polygon, a.details, a.active)
                      for a in session.exec(select(Area).order_by(Area.id))],
            "themes": [(t.id, t.code, t.name_nl, t.name_en, t.position, t.active)
                       for t in session.exec(select(Theme).order_by(Theme.id))],
            "partners": [(o.id, o.code, o.name, o.kind, o.themes, o.group_chat_id, o.active)
                         for o in session.exec(select(Organisation).order_by(Organisation.id))],
            "links": sorted((link.organisation_id, link.wijk_id) for link in session.exec(select(OrganisationWijk))),
        }


def _area(session: Session, code: str) -> Area:
    """The area with this code."""
    return session.exec(select(Area).where(Area.code == code)).one()


def _file_request(db: Database, *, wijk_code: str) -> None:
    """A request in the wijk (the loader must keep the wijk and its theme)."""
    with db.transaction_sync() as session:
        person = Person(telegram_id=5550001, language="nl")
        session.add(person)
        session.flush()
        theme = session.exec(select(Theme).where(Theme.code == "spelen")).one()
        session.add(Request(kind="wish", status="submitted", wijk_id=_area(session, wijk_code).id,
                            theme_id=theme.id, resident_id=person.id, text="Een speeltuin in de wijk graag"))


# --- loading ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["haarlem", "pijnacker-nootdorp"])
def test_the_shipped_examples_validate_and_load_twice_without_changes(db: Database, name: str) -> None:
    config = example_municipality(name)
    first = _load(db, config)
    assert first.changed and not first.updated and not first.deactivated and not first.kept
    before = _snapshot(db)
    second = _load(db, config)
    assert not second.changed
    assert (second.created, second.updated, second.deactivated, second.kept) == ([], [], [], [])
    assert _snapshot(db) == before
    wijken = [row for row in before["areas"] if row[1] == "wijk"]
    assert len(wijken) == len(list(config.wijken()))


def test_a_raw_dict_loads_too_and_twice_changes_nothing(db: Database) -> None:
    _load(db, example_config())
    before = _snapshot(db)
    assert not _load(db, example_config()).changed
    assert _snapshot(db) == before


def test_an_edited_file_updates_adds_and_never_deletes(db: Database, tmp_path: Path) -> None:
    _load(db, _config(SMALL))
    _file_request(db, wijk_code="noord-b")
    edited = (SMALL.replace('name = "Wijk A"', 'name = "Wijk Alfa"')
              .replace('postcodes = ["1111"]', 'postcodes = ["1111", "1113"]')
              .replace('  [[districts.wijken]]\n  code = "noord-b"\n  name = "Wijk B"\n  postcodes = ["1112"]\n',
                       '  [[districts.wijken]]\n  code = "noord-d"\n  name = "Wijk D"\n')
              .replace('  [[districts.wijken]]\n  code = "noord-c"\n  name = "Wijk C"\n'
                       '  buurten = [{ code = "noord-c-1", name = "Buurt C1" }]\n', "")
              .replace('wijken = ["noord-b"]', 'wijken = ["noord-d"]')
              .replace('[[themes]]\ncode = "groen"\nname = "Groen"\nname_en = "Greenery"\n', "")
              .replace('themes = ["groen"]', 'themes = ["spelen"]'))
    report = _load(db, _config(edited))

    assert [str(c) for c in report.created] == ["wijk noord-d (Wijk D)"]
    assert "wijk noord-a (Wijk Alfa): name, postcodes" in [str(c) for c in report.updated]
    assert {(c.kind, c.code) for c in report.deactivated} == {("wijk", "noord-c"), ("buurt", "noord-c-1"),
                                                              ("theme", "groen")}
    assert [(c.kind, c.code) for c in report.kept] == [("wijk", "noord-b")]
    with db.read() as session:
        assert _area(session, "noord-a").name == "Wijk Alfa"
        assert _area(session, "noord-a").postcodes == ["1111", "1113"]
        assert _area(session, "noord-b").active  # a request refers to it
        assert not _area(session, "noord-c").active and not _area(session, "noord-c-1").active
        assert len(session.exec(select(Area)).all()) == 7  # nothing was deleted
        corporatie = session.exec(select(Organisation).where(Organisation.code == "corporatie")).one()
        links = session.exec(select(OrganisationWijk).where(OrganisationWijk.organisation_id == corporatie.id))
        assert [link.wijk_id for link in links] == [_area(session, "noord-d").id]
        assert corporatie.themes == ["spelen"]

    again = _load(db, _config(edited))
    assert not again.changed and [(c.kind, c.code) for c in again.kept] == [("wijk", "noord-b")]

    restored = _load(db, _config(SMALL))
    assert ("wijk", "noord-c", "reactivated") in {(c.kind, c.code, c.detail) for c in restored.updated}
    assert ("wijk", "noord-d") in {(c.kind, c.code) for c in restored.deactivated}


def test_a_removed_partner_is_deactivated(db: Database) -> None:
    _load(db, _config(SMALL))
    without = SMALL[:SMALL.index('[[partners]]\ncode = "corporatie"')]
    report = _load(db, _config(without))
    assert [str(c) for c in report.deactivated] == ["partner corporatie (Corporatie)"]
    with db.read() as session:
        assert not session.exec(select(Organisation).where(Organisation.code == "corporatie")).one().active


def test_a_removed_partner_with_routed_requests_is_kept(db: Database) -> None:
    _load(db, _config(SMALL))
    _file_request(db, wijk_code="noord-b")
    with db.transaction_sync() as session:
        request = session.exec(select(Request)).one()
        corporatie = session.exec(select(Organisation).where(Organisation.code == "corporatie")).one()
        session.add(RequestRoute(request_id=request.id, organisation_id=corporatie.id,  # type: ignore[arg-type]
                                 deadline=date(2030, 1, 31)))
    report = _load(db, _config(SMALL[:SMALL.index('[[partners]]\ncode = "corporatie"')]))
    assert [str(c) for c in report.kept] == ["partner corporatie (Corporatie)"]
    assert report.deactivated == []


def test_partners_get_english_kinds_and_star_means_all(db: Database) -> None:
    _load(db, example_municipality("haarlem"))
    with db.read() as session:
        partners = {o.code: o for o in session.exec(select(Organisation))}
        assert partners["politie-kennemerland-haarlem"].kind == "police"
        assert partners["ymere"].kind == "housing_corporation"
        assert partners["dock-haarlem"].kind == "welfare"
        assert partners["haarlem-wijkzaken"].themes == [code for code, _nl, _en in LEMON_THEMES]
        links = session.exec(select(OrganisationWijk)).all()
        served = {(link.organisation_id, link.wijk_id) for link in links}
        wijken = session.exec(select(Area).where(Area.kind == "wijk")).all()
        assert all((partners["politie-kennemerland-haarlem"].id, w.id) in served for w in wijken)
        assert sum(1 for org_id, _w in served if org_id == partners["ymere"].id) == 3


def test_custom_themes_replace_the_lemon_themes(db: Database) -> None:
    _load(db, example_municipality("haarlem"))
    report = _load(db, _config(SMALL))
    with db.read() as session:
        active = [t.code for t in session.exec(select(Theme).where(Theme.active).order_by(Theme.position))]
    assert active == ["groen", "spelen"]
    assert {c.code for c in report.deactivated if c.kind == "theme"} == {
        code for code, _nl, _en in LEMON_THEMES} - {"groen", "spelen"}


def test_a_new_municipality_replaces_the_example(db: Database) -> None:
    _load(db, example_municipality("haarlem"))
    report = _load(db, example_municipality("pijnacker-nootdorp"))
    assert "municipality haarlem (Haarlem): replaced by pijnacker-nootdorp" in [str(c) for c in report.deactivated]
    with db.read() as session:
        assert municipality(session).code == "pijnacker-nootdorp"
        assert not _area(session, "zuid-west-leidsebuurt").active
        assert wijken_by_postcode(session, postcode="2013") == []


def test_postcodes_and_polygons_pick_the_right_wijk(db: Database) -> None:
    _load(db, example_municipality("haarlem"))
    with db.read() as session:
        assert [w.name for w in wijken_by_postcode(session, postcode="2013")] == ["Leidsebuurt"]
        assert [w.name for w in wijken_by_postcode(session, postcode="2035 AB")] == ["Boerhaavewijk"]
        assert wijk_at(session, latitude=52.377, longitude=4.627).name == "Leidsebuurt"
        assert wijk_at(session, latitude=52.362, longitude=4.655).name == "Boerhaavewijk"
        assert wijk_at(session, latitude=52.385, longitude=4.632).name == "Vijfhoek, Raaks en Doelen"
        assert wijk_at(session, latitude=48.85, longitude=2.35) is None
        assert wijk_at(session, latitude=52.39, longitude=4.70) is None


def test_multipolygons_and_shared_postcodes(db: Database) -> None:
    _load(db, example_municipality("pijnacker-nootdorp"))
    with db.read() as session:
        assert sorted(w.name for w in wijken_by_postcode(session, postcode="2645")) == [
            "Emerald", "Oud Delfgauw", "Zuidpolder en Noordpolder"]
        assert wijk_at(session, latitude=52.020, longitude=4.395).name == "Zuidpolder en Noordpolder"
        assert wijk_at(session, latitude=52.000, longitude=4.395).name == "Zuidpolder en Noordpolder"
        assert wijk_at(session, latitude=52.010, longitude=4.400).name == "Emerald"
        assert wijk_at(session, latitude=52.010, longitude=4.430) is None
        buurten = session.exec(select(Area).where(Area.kind == "buurt")).all()
        assert {b.code for b in buurten} >= {"delfgauw-zuidpolder", "delfgauw-noordpolder"}


def test_settings_live_on_the_municipality(db: Database) -> None:
    with db.read() as session:
        defaults = municipality_settings(session)
    assert (defaults.answer_deadline_working_days, defaults.contract_period_years) == (15, 1)
    assert (defaults.quiet_start, defaults.quiet_end, defaults.meldpunt) == (time(21), time(8), None)

    text = SMALL.replace('name = "Dorp"\n', 'name = "Dorp"\nanswer_deadline_working_days = 20\n'
                         'contract_period_years = 2\nquiet_hours = { start = "22:30", end = "07:00" }\n'
                         'meldpunt = { name = "Meldpunt", phone = "14 000" }\n'
                         'referral_text = "Bel de gemeente."\nreferral_text_en = "Call the municipality."\n')
    _load(db, _config(text))
    with db.read() as session:
        settings = municipality_settings(session)
        details = municipality(session).details
    assert details["referral_text"] == "Bel de gemeente."
    assert (settings.answer_deadline_working_days, settings.contract_period_years) == (20, 2)
    assert settings.meldpunt is not None and settings.meldpunt.phone == "14 000"
    assert settings.is_quiet(time(23)) and settings.is_quiet(time(6, 59)) and not settings.is_quiet(time(7))
    assert not settings.is_quiet(time(22, 29)) and settings.is_quiet(time(22, 30))
    assert settings.referral("en") == "Call the municipality." and settings.referral("nl") == "Bel de gemeente."


def test_the_haarlem_example_keeps_its_referral_text(db: Database) -> None:
    _load(db, example_municipality("haarlem"))
    with db.read() as session:
        settings = municipality_settings(session)
    assert "14 023" in (settings.referral_text or "") and "14 023" in (settings.referral_text_en or "")
    assert settings.meldpunt is not None and settings.meldpunt.name == "Meldpunt Leefomgeving"


# --- validation ---------------------------------------------------------------------------------

BROKEN = """
[municipality]
code = "dorp"
name = "Dorp"
quiet_hours = { start = "9 uur", end = "08:00" }
answer_deadline_working_days = 0
contract_period_years = 3
colour = "blauw"

[[districts]]
code = "kern-noord"
name = "Noord"
  [[districts.wijken]]
  code = "noord-a"
  name = "Wijk A"
  postcodes = ["1111", "111", "1111 AB"]
  [[districts.wijken]]
  code = "kern-noord"
  name = "Wijk B"
  postcode = ["1112"]
  polygon = { type = "Polygon", coordinates = [[[4.6, 52.3], [4.7, 52.3], [4.7, 52.4], [4.6, 52.4]]] }

[[partners]]
code = "politie"
name = "Politie"
kind = "police"
themes = ["veiligheid", "veilighied"]
wijken = ["noord-a", "noord-x"]

[[partners]]
code = "politie"
name = "Politie"
kind = "politie"
themes = ["*"]
wijken = ["kern-noord"]
"""

EXPECTED = [
    ("municipality.answer_deadline_working_days", "greater than or equal to 1"),
    ("municipality.colour", "unknown key"),
    ("municipality.contract_period_years", "1 or 2"),
    ("municipality.quiet_hours.start", "HH:MM"),
    ("districts[0].wijken[0].postcodes[1]", "4-digit postcode"),
    ("districts[0].wijken[0].postcodes[2]", "4-digit postcode"),
    ("districts[0].wijken[1].code", "already used at districts[0].code"),
    ("districts[0].wijken[1].polygon", "not closed"),
    ("districts[0].wijken[1].postcode", "did you mean 'postcodes'"),
    ("partners[0].kind", "not a partner kind"),
    ("partners[0].themes[1]", "unknown theme code 'veilighied' (did you mean 'veiligheid'?)"),
    ("partners[0].wijken[1]", "unknown wijk code 'noord-x'"),
    ("partners[1].code", "partner code 'politie' is already used at partners[0].code"),
]


def test_every_problem_is_listed_with_its_key_path() -> None:
    with pytest.raises(ConfigError) as caught:
        _config(BROKEN)
    problems = caught.value.problems
    for path, fragment in EXPECTED:
        assert any(p.startswith(f"test.toml: {path}: ") and fragment in p for p in problems), (path, problems)
    assert len(problems) == len(EXPECTED), problems
    assert str(caught.value) == "\n".join(problems)


def test_a_district_code_is_not_a_wijk() -> None:
    text = SMALL.replace('wijken = ["noord-b"]', 'wijken = ["kern-noord"]')
    with pytest.raises(ConfigError) as caught:
        _config(text)
    assert caught.value.problems == [
        "test.toml: partners[1].wijken[0]: 'kern-noord' is not a wijk (it is defined at districts[0].code)"]


def test_toml_syntax_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "syntax.toml"
    path.write_text('[municipality]\ncode = "dorp"\nname = Dorp\n', "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config_file(path)
    [problem] = caught.value.problems
    assert problem.startswith(f"{path}: line 3: ")
    path.write_text('[municipality]\ncode = "dorp\n', "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config_file(path)
    assert caught.value.problems[0].startswith(f"{path}: line 2: ")


def test_a_missing_file_is_one_problem(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config_file(tmp_path / "absent.toml")
    [problem] = caught.value.problems
    assert problem.startswith(f"{tmp_path / 'absent.toml'}: cannot read the file")


@pytest.mark.parametrize("data", [
    {}, {"municipality": 3, "districts": "x"}, {"municipality": {"code": "x"}, "districts": [1, {"wijken": 2}],
                                                "partners": [1, {"wijken": "x", "themes": [3]}]},
])
def test_malformed_shapes_are_reported_not_crashed_on(data: dict[str, Any]) -> None:
    with pytest.raises(ConfigError) as caught:
        validate_config(data, source="x.toml", base_dir=Path("."))
    assert caught.value.problems and all(p.startswith("x.toml: ") for p in caught.value.problems)


def test_a_file_without_wijken_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        validate_config({"municipality": {"code": "x", "name": "X"}, "districts": [{"code": "d", "name": "D"}]},
                        source="x.toml", base_dir=Path("."))
    assert caught.value.problems == ["x.toml: districts: no wijk is defined; add [[districts.wijken]]"]


SQUARE = [[[4.0, 52.0], [4.1, 52.0], [4.1, 52.1], [4.0, 52.1], [4.0, 52.0]]]


@pytest.mark.parametrize("content", [
    {"type": "Polygon", "coordinates": SQUARE},
    {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": SQUARE}},
    {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "MultiPolygon",
                                                                                 "coordinates": [SQUARE]}}]},
])
def test_polygon_files_are_read_relative_to_the_config(tmp_path: Path, content: dict[str, Any]) -> None:
    (tmp_path / "shapes").mkdir()
    (tmp_path / "shapes" / "a.geojson").write_text(json.dumps(content), "utf-8")
    text = SMALL.replace('postcodes = ["1111"]', 'postcodes = ["1111"]\n  polygon_file = "shapes/a.geojson"')
    path = tmp_path / "dorp.toml"
    path.write_text(text, "utf-8")
    config = load_config_file(path)
    polygon = next(w for _d, w in config.wijken() if w.code == "noord-a").polygon
    assert polygon is not None and polygon["type"] in ("Polygon", "MultiPolygon")


@pytest.mark.parametrize(("content", "fragment"), [
    (None, "does not exist"),
    ("{not json", "not valid JSON"),
    (json.dumps({"type": "FeatureCollection", "features": []}), "exactly one feature"),
    (json.dumps({"type": "Point", "coordinates": [4.0, 52.0]}), "\"Polygon\" or \"MultiPolygon\""),
    (json.dumps({"type": "Polygon", "coordinates": [[[52.0, 4.0], [52.1, 4.0], [52.1, 95.0], [52.0, 4.0]]]}),
     "[lon, lat] order?"),
])
def test_bad_polygon_files_are_reported(tmp_path: Path, content: str | None, fragment: str) -> None:
    if content is not None:
        (tmp_path / "a.geojson").write_text(content, "utf-8")
    text = SMALL.replace('postcodes = ["1111"]', 'postcodes = ["1111"]\n  polygon_file = "a.geojson"')
    with pytest.raises(ConfigError) as caught:
        _config(text, tmp_path)
    [problem] = caught.value.problems
    assert problem.startswith("test.toml: districts[0].wijken[0].polygon_file: ") and fragment in problem


def test_polygon_and_polygon_file_exclude_each_other(tmp_path: Path) -> None:
    (tmp_path / "a.geojson").write_text(json.dumps({"type": "Polygon", "coordinates": SQUARE}), "utf-8")
    text = SMALL.replace('postcodes = ["1111"]', 'postcodes = ["1111"]\n  polygon_file = "a.geojson"\n'
                         '  polygon = { type = "Polygon", coordinates = [[[4.0, 52.0], [4.1, 52.0], '
                         '[4.1, 52.1], [4.0, 52.0]]] }')
    with pytest.raises(ConfigError) as caught:
        _config(text, tmp_path)
    assert caught.value.problems == [
        "test.toml: districts[0].wijken[0].polygon_file: give either polygon or polygon_file, not both"]


def test_a_theme_code_fits_telegrams_button_data() -> None:
    from storage.config import THEME_BUTTON_PREFIX

    longest = "a" * (64 - len(THEME_BUTTON_PREFIX))
    assert _config(SMALL.replace('code = "spelen"', f'code = "{longest}"')).themes[1].code == longest
    assert len((THEME_BUTTON_PREFIX + longest).encode()) == 64  # Telegram's limit for callback_data
    with pytest.raises(ConfigError) as caught:
        _config(SMALL.replace('code = "spelen"', f'code = "{longest}b"'))
    assert any(p.startswith("test.toml: themes[1].code: ") for p in caught.value.problems), caught.value.problems
