"""`wijkbot init`, `export` and `stats` as an administrator runs them."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.cli import main
from storage.db import Database
from storage.models import Area, Organisation, Person, Theme
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
    return references


def _read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a semicolon-separated UTF-8 CSV."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def test_export_writes_the_requests_without_telegram_ids(db: Database, database_url: str, tmp_path: Path,
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
    text = path.read_text("utf-8-sig")
    assert not any(str(telegram_id) in text for telegram_id in TELEGRAM_IDS)

    main(["export", "--out", str(tmp_path), "--wijk", "zuid-west-leidsebuurt", "--period", today[:4]])
    rows = _read_csv(tmp_path / f"requests-zuid-west-leidsebuurt-{today[:4]}.csv")
    assert [row["wijk"] for row in rows] == ["zuid-west-leidsebuurt"] * 2
    main(["export", "--out", str(tmp_path), "--period", "2001"])
    assert _read_csv(tmp_path / "requests-2001.csv") == []


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
