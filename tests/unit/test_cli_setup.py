"""`wijkbot init`, `export` and `stats` as an administrator runs them."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from bot.cli import main
from storage.db import Database
from storage.models import Afspraak, Answer, Area, Organisation, Person, Request, RequestRoute, Support, Theme
from storage.municipality import example_municipality, example_path, load_municipality
from storage.requests import NewRequest, file_request

ROOT = Path(__file__).resolve().parents[2]
TELEGRAM_IDS = (987654321001, 987654321002)

BROKEN = """
[municipality]
code = "dorp"
name = "Dorp"
quiet_hours = { start = "22.00", end = "07:00" }

[[districts]]
code = "kern"
name = "Kern"
  [[districts.wijken]]
  code = "kern-a"
  name = "A"
  postcodes = ["12345"]
  [[districts.wijken]]
  code = "kern"
  name = "B"
  colour = "groen"

[[partners]]
code = "gemeente"
name = "Gemeente"
kind = "gemeente-afdeling"
themes = ["*"]
wijken = ["kern-a", "kern-z"]
"""


def _run_cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot.cli ARGS` against the test database, as an administrator would run it."""
    env = {**os.environ, "WIJKBOT_DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def _is_empty(db: Database) -> bool:
    """No areas, themes or partners were written."""
    with db.read() as session:
        return not any(session.exec(select(table)).first() for table in (Area, Theme, Organisation))


def test_init_lists_every_problem_and_writes_nothing(db: Database, database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "dorp.toml"
    path.write_text(BROKEN, "utf-8")
    result = _run_cli(database_url, "init", str(path))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    expected = [
        f"{path}: municipality.quiet_hours.start: ",
        f"{path}: districts[0].wijken[0].postcodes[0]: ",
        f"{path}: districts[0].wijken[1].code: area code 'kern' is already used at districts[0].code",
        f"{path}: districts[0].wijken[1].colour: unknown key",
        f"{path}: partners[0].wijken[1]: unknown wijk code 'kern-z'",
    ]
    for start in expected:
        assert sum(line.startswith(start) for line in lines) == 1, (start, lines)
    assert lines[-1] == "5 problems found; nothing was written."
    assert len(lines) == len(expected) + 1
    assert result.stdout == ""
    assert _is_empty(db)


def test_init_reports_a_toml_syntax_error_with_its_line(db: Database, database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "kapot.toml"
    path.write_text('[municipality]\ncode = "dorp"\nname = "Dorp"\n\n[[districts]\ncode = "kern"\n', "utf-8")
    result = _run_cli(database_url, "init", str(path))
    assert result.returncode == 2
    assert result.stderr.splitlines()[0].startswith(f"{path}: line 5: ")
    assert _is_empty(db)


def test_init_loads_and_a_rerun_changes_nothing(db: Database, database_url: str, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("WIJKBOT_DATABASE_URL", database_url)
    main(["init", str(example_path("haarlem"))])
    first = capsys.readouterr().out
    assert "created:" in first and "+ wijk zuid-west-leidsebuurt (Leidsebuurt)" in first
    assert "+ partner politie-kennemerland-haarlem" in first
    main(["init", str(example_path("haarlem"))])
    assert capsys.readouterr().out.strip().endswith("Nothing changed.")
    with db.read() as session:
        assert len(session.exec(select(Area).where(Area.kind == "wijk")).all()) == 5


def _requests(db: Database) -> list[str]:
    """Three requests in two Haarlem wijken, by two residents; returns their references."""
    references = []
    with db.transaction_sync() as session:
        load_municipality(session, config=example_municipality("haarlem"))
        wijken = {a.code: a for a in session.exec(select(Area).where(Area.kind == "wijk"))}
        theme = session.exec(select(Theme).where(Theme.code == "spelen")).one()
        residents = [Person(telegram_id=telegram_id, language="nl") for telegram_id in TELEGRAM_IDS]
        session.add_all(residents)
        session.flush()
        for resident, wijk in [(residents[0], "zuid-west-leidsebuurt"), (residents[1], "zuid-west-leidsebuurt"),
                               (residents[1], "schalkwijk-boerhaavewijk")]:
            new = NewRequest(wijk_id=wijken[wijk].id, kind="wish", theme_id=theme.id,  # type: ignore[arg-type]
                             text="Graag een nieuwe speeltuin op het plein bij de school.")
            references.append(file_request(session, resident=resident, new=new).reference)
        _answer_and_afspraken(session, references=references, supporter=residents[0])
    return references


def _answer_and_afspraken(session: Session, *, references: list[str], supporter: Person) -> None:
    """A supporter and a police answer on the second request, and two afspraken in the Leidsebuurt."""
    request = session.exec(select(Request).where(Request.reference == references[1])).one()
    police = session.exec(select(Organisation).where(Organisation.code == "politie-kennemerland-haarlem")).one()
    session.add(Support(person_id=supporter.id, request_id=request.id))  # type: ignore[arg-type]
    route = RequestRoute(request_id=request.id, organisation_id=police.id, deadline=date(2030, 1, 31))  # type: ignore[arg-type]
    session.add(route)
    session.flush()
    session.add(Answer(request_id=request.id, route_id=route.id, organisation_id=police.id,  # type: ignore[arg-type]
                       category="within_period", text="We zetten er een speeltoestel neer.",
                       planned_date=date(2030, 6, 1), answered_by="Agent Jansen"))
    session.add_all([
        Afspraak(wijk_id=request.wijk_id, request_id=request.id, owner_kind="partner", organisation_id=police.id,
                 what="Speeltoestel plaatsen", deadline=date(2030, 6, 1)),
        Afspraak(wijk_id=request.wijk_id, owner_kind="residents", what="Opening organiseren",
                 deadline=date(2030, 6, 15), means="Bewonersbudget"),
    ])


def _read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a semicolon-separated UTF-8 CSV."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def test_export_writes_csv_files_without_telegram_ids(db: Database, database_url: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    references = _requests(db)
    monkeypatch.setenv("WIJKBOT_DATABASE_URL", database_url)
    main(["export", "--out", str(tmp_path / "all")])
    path = tmp_path / "all" / "requests.csv"
    assert f"{path}: 3 requests" in capsys.readouterr().out
    rows = _read_csv(path)
    assert sorted(row["reference"] for row in rows) == sorted(references)
    assert [row["wijk_name"] for row in rows] == ["Boerhaavewijk", "Leidsebuurt", "Leidsebuurt"]
    today = datetime.now(ZoneInfo(os.environ.get("WIJKBOT_TIMEZONE", "Europe/Amsterdam"))).date().isoformat()
    assert {(row["kind"], row["theme"], row["status"]) for row in rows} == {("wish", "spelen", "submitted")}
    assert all(row["created"][:4] == today[:4] for row in rows)
    assert [row["supporters"] for row in rows if row["reference"] == references[1]] == ["1"]
    answers = _read_csv(tmp_path / "all" / "answers.csv")
    assert [(a["reference"], a["partner"], a["category"], a["planned_date"]) for a in answers] == [
        (references[1], "politie-kennemerland-haarlem", "within_period", "2030-06-01")]
    afspraken = _read_csv(tmp_path / "all" / "afspraken.csv")
    assert [(a["reference"], a["owner"], a["partner"], a["deadline"]) for a in afspraken] == [
        (references[1], "partner", "politie-kennemerland-haarlem", "2030-06-01"),
        ("", "residents", "", "2030-06-15")]
    for name in ("requests", "answers", "afspraken"):
        text = (tmp_path / "all" / f"{name}.csv").read_text("utf-8-sig")
        assert not any(str(telegram_id) in text for telegram_id in TELEGRAM_IDS)
        assert "Agent Jansen" not in text

    main(["export", "--out", str(tmp_path), "--wijk", "zuid-west-leidsebuurt", "--period", today[:4]])
    rows = _read_csv(tmp_path / f"requests-zuid-west-leidsebuurt-{today[:4]}.csv")
    assert [row["wijk"] for row in rows] == ["zuid-west-leidsebuurt"] * 2
    assert len(_read_csv(tmp_path / f"afspraken-zuid-west-leidsebuurt-{today[:4]}.csv")) == 2
    main(["export", "--out", str(tmp_path), "--wijk", "schalkwijk-boerhaavewijk"])
    assert _read_csv(tmp_path / "answers-schalkwijk-boerhaavewijk.csv") == []
    main(["export", "--out", str(tmp_path), "--period", "2001"])
    assert all(_read_csv(tmp_path / f"{name}-2001.csv") == [] for name in ("requests", "answers", "afspraken"))


def test_export_refuses_an_unknown_wijk(db: Database, database_url: str, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("WIJKBOT_DATABASE_URL", database_url)
    with pytest.raises(SystemExit) as exit_info:
        main(["export", "--out", str(tmp_path), "--wijk", "atlantis"])
    assert exit_info.value.code == 2
    assert "No wijk with code 'atlantis'" in capsys.readouterr().err


def test_stats_counts_requests_per_wijk_and_status(db: Database, database_url: str, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    _requests(db)
    monkeypatch.setenv("WIJKBOT_DATABASE_URL", database_url)
    main(["stats"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["wijk", "name", "submitted", "total"]
    table = {line.split()[0]: line.split()[-2:] for line in lines[1:]}
    assert table["zuid-west-leidsebuurt"] == ["2", "2"]
    assert table["schalkwijk-boerhaavewijk"] == ["1", "1"]
    assert table["noord-delftwijk"] == ["0", "0"]
    assert table["total"] == ["3", "3"]
    assert len({len(line) for line in lines}) == 1  # aligned
