"""`wijkbot figures`: the evaluation figures per wijk and per partner for one year (or any span).

    wijkbot figures [--year 2027 | --from 2027-01-01 --to 2027-06-30]

One table per wijk and one per partner: requests, answered share, answered within the
deadline, median working days to an answer, afspraken done on time, resident satisfaction
(definitions in storage/figures.py). Shares print as whole percentages; "-" where there is
nothing to judge yet.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from sqlmodel import Session, select

from bot.cli_setup import aligned, open_database, fail
from storage.figures import Figures, Period, partner_figures, wijk_figures
from storage.models import Area, AreaKind, Organisation, utcnow

COLUMNS = ["requests", "answered", "in time", "median days", "afspraken on time", "satisfied"]


def register(commands: Any) -> None:
    """Add `figures` to the `wijkbot` parser."""
    figures = commands.add_parser("figures", help="evaluation figures per wijk and per partner")
    figures.add_argument("--year", type=int, help="a calendar year (default: this year)")
    figures.add_argument("--from", dest="starts_on", type=date.fromisoformat, help="first day (YYYY-MM-DD)")
    figures.add_argument("--to", dest="ends_on", type=date.fromisoformat, help="last day (YYYY-MM-DD)")
    figures.set_defaults(func=cmd_figures)


def period_from(args: argparse.Namespace, today: date) -> Period:
    """The span asked for: --from/--to, else --year, else this year."""
    if args.starts_on or args.ends_on:
        if not (args.starts_on and args.ends_on) or args.ends_on < args.starts_on:
            fail("--from and --to go together, and --to may not be before --from")
        return Period(args.starts_on, args.ends_on)
    year = args.year or today.year
    return Period(date(year, 1, 1), date(year, 12, 31))


def cmd_figures(args: argparse.Namespace) -> None:
    """Print the two tables."""
    db, tz = open_database()
    today = utcnow().astimezone(tz).date()
    period = period_from(args, today)
    try:
        with db.read() as session:
            print("\n".join(figures_tables(session, period=period, today=today, tz=tz)))
    finally:
        db.dispose()


def _share(value: float | None) -> str:
    """A whole percentage, or '-'."""
    return "-" if value is None else f"{round(value * 100)}%"


def _row(name: str, figures: Figures) -> list[str]:
    """One line of figures."""
    median = figures.answers.median_working_days
    return [name, str(figures.requests), _share(figures.answers.answered_share),
            _share(figures.answers.within_deadline_share), "-" if median is None else f"{median:g}",
            _share(figures.afspraken.on_time_share), _share(figures.satisfaction_share)]


def figures_tables(session: Session, *, period: Period, today: date, tz: Any) -> list[str]:
    """Per wijk, then per partner (across all wijken), for requests filed in `period`."""
    wijken = session.exec(select(Area).where(Area.kind == AreaKind.WIJK, Area.active).order_by(Area.name)).all()
    partners = session.exec(select(Organisation).where(Organisation.active).order_by(Organisation.name)).all()
    lines = [f"Requests filed {period.starts_on.isoformat()} to {period.ends_on.isoformat()}", ""]
    lines += aligned([["wijk", *COLUMNS], *(_row(w.name, wijk_figures(
        session, wijk_id=w.id, period=period, today=today, tz=tz)) for w in wijken if w.id is not None)],
        text_columns=1)
    lines.append("")
    lines += aligned([["partner", *COLUMNS], *(_row(o.name, partner_figures(
        session, organisation_id=o.id, wijk_ids=None, period=period, today=today, tz=tz))
        for o in partners if o.id is not None)], text_columns=1)
    return lines
