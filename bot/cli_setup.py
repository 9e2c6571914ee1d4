"""`wijkbot init`, `wijkbot export`, `wijkbot stats`: setting up and reading out a deployment."""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from storage.config import ConfigError, load_config_file
from storage.db import Database
from storage.models import Afspraak, Answer, Area, AreaKind, Organisation, Request, RequestStatus, Support, Theme, as_utc
from storage.municipality import Change, LoadReport, load_municipality, municipality_settings

# Exports are UTF-8 with a byte-order mark and semicolons, which Dutch Excel opens correctly.
CSV_ENCODING = "utf-8-sig"
CSV_DELIMITER = ";"


def register(commands: Any) -> None:
    """Add `init`, `export` and `stats` to the `wijkbot` parser."""
    init = commands.add_parser("init", help="load (or update) the municipality from a configuration file")
    init.add_argument("config", type=Path, help="the municipality's TOML file, e.g. bot/examples/haarlem.toml")
    init.set_defaults(func=cmd_init)

    export = commands.add_parser("export", help="write requests, answers and afspraken as CSV files "
                                                "(UTF-8, semicolon-separated)")
    export.add_argument("--out", type=Path, default=Path("."), help="directory to write to (default: .)")
    export.add_argument("--wijk", metavar="CODE", help="only this wijk")
    export.add_argument("--period", type=int, metavar="YEAR",
                        help="only rows dated in the contract period starting on 1 January of YEAR")
    export.set_defaults(func=cmd_export)

    stats = commands.add_parser("stats", help="count requests per wijk and status")
    stats.set_defaults(func=cmd_stats)


def fail(message: str) -> NoReturn:
    """One clear line, exit 2."""
    print(message, file=sys.stderr)
    raise SystemExit(2)


def open_database() -> tuple[Database, ZoneInfo]:
    """The migrated database of the settings, and the municipality's time zone."""
    from bot.cli import load_settings
    from storage.migrate import upgrade

    settings = load_settings()
    upgrade(settings.database_url)
    return Database(settings.database_url), settings.tz


# --- init ---------------------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> None:
    """Validate the configuration file; when it is sound, load it and report what changed."""
    from bot.cli import load_settings

    load_settings()
    try:
        config = load_config_file(args.config)
    except ConfigError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        count = len(error.problems)
        fail(f"{count} problem{'s' if count != 1 else ''} found; nothing was written.")
    db, _tz = open_database()
    try:
        with db.transaction_sync() as session:
            report = load_municipality(session, config=config)
    finally:
        db.dispose()
    print("\n".join(report_lines(report, name=config.municipality.name)))


def report_lines(report: LoadReport, *, name: str) -> list[str]:
    """What a load did, for administrators."""
    lines = [f"Municipality {name}:"]
    sections: list[tuple[str, list[Change], str]] = [
        ("created", report.created, "+"),
        ("updated", report.updated, "~"),
        ("deactivated (no longer in the file)", report.deactivated, "-"),
        ("kept active (no longer in the file, but requests refer to them)", report.kept, "!"),
    ]
    for title, changes, mark in sections:
        if changes:
            lines.append(f"{len(changes)} {title}:")
            lines.extend(f"  {mark} {change}" for change in changes)
    if not report.changed:
        lines.append("Nothing changed.")
    return lines


# --- export -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportScope:
    """Which rows an export covers: one wijk or all, one period or all time."""

    wijk: Area | None
    start: datetime | None  # inclusive, timezone-aware
    end: datetime | None  # exclusive
    tz: ZoneInfo

    def covers(self, moment: datetime) -> bool:
        """Whether a moment lies in the period (all moments when no period was asked for)."""
        if self.start is None or self.end is None:
            return True
        return self.start <= as_utc(moment) < self.end

    def local_date(self, moment: datetime | None) -> str:
        """The moment's date in the municipality's time zone, as YYYY-MM-DD."""
        return "" if moment is None else as_utc(moment).astimezone(self.tz).date().isoformat()


@dataclass(frozen=True)
class CsvExport:
    """One CSV file of an export: its name, columns and rows."""

    name: str
    columns: tuple[str, ...]
    rows: Callable[[Session, ExportScope], Iterable[Sequence[Any]]]


def request_rows(session: Session, scope: ExportScope) -> Iterable[Sequence[Any]]:
    """One row per request filed in the period; residents appear in no column."""
    supporters = Counter(session.exec(select(Support.request_id)).all())
    query = (select(Request, Area, Theme).join(Area, col(Area.id) == Request.wijk_id)
             .join(Theme, col(Theme.id) == Request.theme_id).order_by(Area.name, Request.id))
    if scope.wijk is not None:
        query = query.where(Request.wijk_id == scope.wijk.id)
    for request, wijk, theme in session.exec(query).all():
        if scope.covers(request.created_at):
            yield (request.reference, wijk.code, wijk.name, request.kind, theme.code, theme.name_nl,
                   request.status, scope.local_date(request.created_at), supporters[request.id])


def answer_rows(session: Session, scope: ExportScope) -> Iterable[Sequence[Any]]:
    """One row per partner answer given in the period (the member who answered is left out)."""
    query = (select(Answer, Request, Area, Organisation)
             .join(Request, col(Request.id) == Answer.request_id)
             .join(Area, col(Area.id) == Request.wijk_id)
             .join(Organisation, col(Organisation.id) == Answer.organisation_id)
             .order_by(Area.name, Request.id, Answer.id))
    if scope.wijk is not None:
        query = query.where(Request.wijk_id == scope.wijk.id)
    for answer, request, wijk, organisation in session.exec(query).all():
        if scope.covers(answer.answered_at):
            yield (request.reference, wijk.code, organisation.code, organisation.name, answer.category,
                   _day(answer.planned_date), _day(answer.planning_date), _yes_no(answer.planning_adjusted),
                   _day(answer.decision_date), answer.reason_type, answer.text, answer.motivation,
                   answer.outcome, answer.satisfaction, scope.local_date(answer.answered_at))


def afspraak_rows(session: Session, scope: ExportScope) -> Iterable[Sequence[Any]]:
    """One row per afspraak made in the period."""
    query = (select(Afspraak, Area, Request, Organisation)
             .join(Area, col(Area.id) == Afspraak.wijk_id)
             .outerjoin(Request, col(Request.id) == Afspraak.request_id)
             .outerjoin(Organisation, col(Organisation.id) == Afspraak.organisation_id)
             .order_by(Area.name, Afspraak.deadline, Afspraak.id))
    if scope.wijk is not None:
        query = query.where(Afspraak.wijk_id == scope.wijk.id)
    for afspraak, wijk, request, organisation in session.exec(query).all():
        if scope.covers(afspraak.created_at):
            yield (afspraak.id, wijk.code, request.reference if request else "", afspraak.owner_kind,
                   organisation.code if organisation else "", afspraak.what, _day(afspraak.deadline),
                   afspraak.means, afspraak.status, afspraak.percent_done, scope.local_date(afspraak.created_at),
                   scope.local_date(afspraak.done_at))


EXPORTS: tuple[CsvExport, ...] = (
    CsvExport("requests", ("reference", "wijk", "wijk_name", "kind", "theme", "theme_name", "status", "created",
                           "supporters"), request_rows),
    CsvExport("answers", ("reference", "wijk", "partner", "partner_name", "category", "planned_date",
                          "planning_date", "planning_adjusted", "decision_date", "reason_type", "text",
                          "motivation", "outcome", "satisfaction", "answered"), answer_rows),
    CsvExport("afspraken", ("afspraak", "wijk", "reference", "owner", "partner", "what", "deadline", "means",
                            "status", "percent_done", "created", "done"), afspraak_rows),
)


def cmd_export(args: argparse.Namespace) -> None:
    """Write one CSV file per export kind into --out."""
    db, tz = open_database()
    try:
        with db.read() as session:
            scope = _export_scope(session, wijk_code=args.wijk, year=args.period, tz=tz)
            suffix = "".join(f"-{part}" for part in (args.wijk, args.period) if part is not None)
            args.out.mkdir(parents=True, exist_ok=True)
            for export in EXPORTS:
                path = args.out / f"{export.name}{suffix}.csv"
                count = write_csv(path, columns=export.columns, rows=export.rows(session, scope))
                print(f"{path}: {count} {export.name}")
    finally:
        db.dispose()


def _export_scope(session: Session, *, wijk_code: str | None, year: int | None, tz: ZoneInfo) -> ExportScope:
    """The wijk and period asked for; a contract period starting in YEAR lasts the configured years."""
    wijk = None
    if wijk_code is not None:
        wijk = session.exec(select(Area).where(Area.code == wijk_code, Area.kind == AreaKind.WIJK)).first()
        if wijk is None:
            fail(f"No wijk with code {wijk_code!r}.")
    if year is None:
        return ExportScope(wijk=wijk, start=None, end=None, tz=tz)
    if not 2000 <= year <= 2100:
        fail(f"--period must be a year such as 2025, not {year}.")
    years = municipality_settings(session).contract_period_years
    return ExportScope(wijk=wijk, start=datetime(year, 1, 1, tzinfo=tz),
                       end=datetime(year + years, 1, 1, tzinfo=tz), tz=tz)


def write_csv(path: Path, *, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write a header and rows; returns the number of rows."""
    count = 0
    with path.open("w", encoding=CSV_ENCODING, newline="") as handle:
        writer = csv.writer(handle, delimiter=CSV_DELIMITER)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(value) for value in row])
            count += 1
    return count


def _cell(value: Any) -> Any:
    """A value that a spreadsheet will not run as a formula."""
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@")):
        return "'" + value
    return "" if value is None else value


def _day(value: date | None) -> str:
    """A date as YYYY-MM-DD, or empty."""
    return "" if value is None else value.isoformat()


def _yes_no(value: bool | None) -> str:
    """A yes/no answer, or empty."""
    return "" if value is None else ("yes" if value else "no")


# --- stats --------------------------------------------------------------------------------------


def cmd_stats(args: argparse.Namespace) -> None:
    """Print requests per wijk and status as an aligned table."""
    db, _tz = open_database()
    try:
        with db.read() as session:
            print("\n".join(stats_table(session)))
    finally:
        db.dispose()


def stats_table(session: Session) -> list[str]:
    """Rows: wijken (active ones, and any with requests); columns: statuses and the total."""
    counts = Counter((wijk_id, status) for wijk_id, status in session.exec(select(Request.wijk_id, Request.status)))
    statuses = _status_order({status for _wijk, status in counts})
    wijken = [wijk for wijk in session.exec(select(Area).where(Area.kind == AreaKind.WIJK).order_by(Area.name))
              if wijk.active or any(wijk_id == wijk.id for wijk_id, _status in counts)]
    header = ["wijk", "name", *(status or "(none)" for status in statuses), "total"]
    body = []
    for wijk in wijken:
        numbers = [counts[(wijk.id, status)] for status in statuses]
        name = wijk.name if wijk.active else f"{wijk.name} (inactive)"
        body.append([wijk.code, name, *map(str, numbers), str(sum(numbers))])
    totals = [sum(counts[(wijk.id, status)] for wijk in wijken) for status in statuses]
    body.append(["total", "", *map(str, totals), str(sum(totals))])
    return aligned([header, *body], text_columns=2)


def _status_order(statuses: set[str]) -> list[str]:
    """Known statuses in lifecycle order, then any others alphabetically."""
    known = [status.value for status in RequestStatus if status.value in statuses]
    return known + sorted(statuses - set(known))


def aligned(rows: list[list[str]], *, text_columns: int) -> list[str]:
    """Text columns left-aligned, numbers right-aligned, two spaces apart."""
    widths = [max(len(row[index]) for row in rows) for index in range(len(rows[0]))]
    return ["  ".join(cell.ljust(width) if index < text_columns else cell.rjust(width)
                      for index, (cell, width) in enumerate(zip(row, widths, strict=True))).rstrip()
            for row in rows]
