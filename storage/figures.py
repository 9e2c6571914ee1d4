"""Figures the seeds' evaluations ask for, per wijk and per partner, for one contract period.

A request counts in a period when it was filed in it (local dates); an afspraak when it was made
in it. Answer figures are per route, i.e. per partner a request went to:

- routes that owe an answer: still open, or answered ("not ours" and "passed on" owe none);
- answered share: answered / owed;
- within the deadline: answered on or before the route's deadline, out of the routes that are
  due (answered, or open past their deadline) — an open route not yet due is not judged yet;
- working days to an answer: from the day it was routed to the day it was answered (Dutch
  working days), the median over the answered routes;
- afspraken on time: done on or before the deadline, out of those done or past their deadline;
- satisfaction: residents who said "satisfied", out of those who said anything.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from storage.models import (
    Afspraak,
    AfspraakStatus,
    Answer,
    Organisation,
    OrganisationWijk,
    Request,
    RequestRoute,
    RouteStatus,
    as_utc,
)
from storage.working_days import working_days_between


@dataclass(frozen=True)
class Period:
    """A span of local dates, both ends included."""

    starts_on: date
    ends_on: date

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """The period as UTC moments: local midnight of the first day up to that after the last."""
        start = datetime.combine(self.starts_on, time(), tzinfo=tz).astimezone(UTC)
        end = datetime.combine(self.ends_on + timedelta(days=1), time(), tzinfo=tz).astimezone(UTC)
        return start, end


def share(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to judge."""
    return part / whole if whole else None


@dataclass
class AnswerFigures:
    """How partners answered the routes in scope."""

    owed: int = 0
    answered: int = 0
    due: int = 0
    within_deadline: int = 0
    working_days: list[int] = field(default_factory=list)

    @property
    def answered_share(self) -> float | None:
        """Answered out of owed."""
        return share(self.answered, self.owed)

    @property
    def within_deadline_share(self) -> float | None:
        """Answered in time out of those due."""
        return share(self.within_deadline, self.due)

    @property
    def median_working_days(self) -> float | None:
        """Median working days from routing to answer."""
        return statistics.median(self.working_days) if self.working_days else None


@dataclass
class AfspraakFigures:
    """Where the afspraken in scope stand."""

    on_time: int = 0  # done on or before the deadline
    late: int = 0  # done after the deadline
    overdue: int = 0  # not done, deadline passed
    running: int = 0  # not done, deadline still ahead

    @property
    def total(self) -> int:
        """All afspraken in scope."""
        return self.on_time + self.late + self.overdue + self.running

    @property
    def on_time_share(self) -> float | None:
        """Done on time out of those that are done or should have been."""
        return share(self.on_time, self.on_time + self.late + self.overdue)


@dataclass
class Figures:
    """Every figure for one wijk or one partner in one period."""

    period: Period
    requests: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    by_theme: Counter[int] = field(default_factory=Counter)  # theme id → requests
    categories: Counter[str] = field(default_factory=Counter)  # answer category → answers
    answers: AnswerFigures = field(default_factory=AnswerFigures)
    afspraken: AfspraakFigures = field(default_factory=AfspraakFigures)
    satisfied: int = 0
    not_satisfied: int = 0

    @property
    def satisfaction_share(self) -> float | None:
        """Satisfied out of those who gave their opinion."""
        return share(self.satisfied, self.satisfied + self.not_satisfied)


def _local_day(moment: datetime, tz: ZoneInfo) -> date:
    """The local date of a stored moment."""
    return as_utc(moment).astimezone(tz).date()


def _count_routes(figures: Figures, rows: list[tuple[RequestRoute, Answer | None]], *, today: date,
                  tz: ZoneInfo) -> None:
    """Answer figures and categories from routes with their answers (if any)."""
    result = figures.answers
    for route, answer in rows:
        if route.status not in (RouteStatus.OPEN, RouteStatus.ANSWERED):
            continue
        result.owed += 1
        if route.status == RouteStatus.ANSWERED and answer is not None:
            answered_on = _local_day(answer.answered_at, tz)
            result.answered += 1
            result.due += 1
            result.within_deadline += answered_on <= route.deadline
            result.working_days.append(working_days_between(_local_day(route.routed_at, tz), answered_on))
            figures.categories[answer.category] += 1
            if answer.satisfaction == "satisfied":
                figures.satisfied += 1
            elif answer.satisfaction == "not_satisfied":
                figures.not_satisfied += 1
        elif route.deadline < today:
            result.due += 1


def _count_afspraken(figures: Figures, afspraken: list[Afspraak], *, today: date, tz: ZoneInfo) -> None:
    """Afspraken on time, late, overdue or running."""
    result = figures.afspraken
    for afspraak in afspraken:
        if afspraak.status == AfspraakStatus.DONE:
            done_on = _local_day(afspraak.done_at, tz) if afspraak.done_at else today
            if done_on <= afspraak.deadline:
                result.on_time += 1
            else:
                result.late += 1
        elif afspraak.deadline < today:
            result.overdue += 1
        else:
            result.running += 1


def _routes_of(session: Session, *, request_ids: list[int], organisation_id: int | None = None
               ) -> list[tuple[RequestRoute, Answer | None]]:
    """Routes of these requests (optionally of one organisation) with their answers."""
    if not request_ids:
        return []
    query = (select(RequestRoute, Answer).join(Answer, col(Answer.route_id) == RequestRoute.id, isouter=True)
             .where(col(RequestRoute.request_id).in_(request_ids)))
    if organisation_id is not None:
        query = query.where(RequestRoute.organisation_id == organisation_id)
    return list(session.exec(query).all())


def wijk_figures(session: Session, *, wijk_id: int, period: Period, today: date, tz: ZoneInfo) -> Figures:
    """The wijk's figures for requests filed and afspraken made in `period`."""
    start, end = period.bounds(tz)
    figures = Figures(period=period)
    requests = session.exec(select(Request).where(Request.wijk_id == wijk_id, Request.created_at >= start,
                                                  Request.created_at < end)).all()
    for request in requests:
        figures.requests += 1
        figures.by_status[request.status] += 1
        figures.by_theme[request.theme_id] += 1
    _count_routes(figures, _routes_of(session, request_ids=[r.id for r in requests if r.id is not None]),
                  today=today, tz=tz)
    afspraken = session.exec(select(Afspraak).where(Afspraak.wijk_id == wijk_id, Afspraak.created_at >= start,
                                                    Afspraak.created_at < end)).all()
    _count_afspraken(figures, list(afspraken), today=today, tz=tz)
    return figures


def partner_figures(session: Session, *, organisation_id: int, wijk_ids: list[int] | None, period: Period,
                    today: date, tz: ZoneInfo) -> Figures:
    """One partner's figures: its routes for requests filed in `period` (in `wijk_ids`, or anywhere)
    and the afspraken it owns that were made in `period`."""
    start, end = period.bounds(tz)
    figures = Figures(period=period)
    query = select(Request.id).where(Request.created_at >= start, Request.created_at < end)
    if wijk_ids is not None:
        query = query.where(col(Request.wijk_id).in_(wijk_ids))
    request_ids = [i for i in session.exec(query).all() if i is not None]
    rows = _routes_of(session, request_ids=request_ids, organisation_id=organisation_id)
    figures.requests = len({route.request_id for route, _answer in rows})
    _count_routes(figures, rows, today=today, tz=tz)
    afspraken_query = select(Afspraak).where(Afspraak.organisation_id == organisation_id,
                                             Afspraak.owner_kind == "partner", Afspraak.created_at >= start,
                                             Afspraak.created_at < end)
    if wijk_ids is not None:
        afspraken_query = afspraken_query.where(col(Afspraak.wijk_id).in_(wijk_ids))
    _count_afspraken(figures, list(session.exec(afspraken_query).all()), today=today, tz=tz)
    return figures


def partners_of(session: Session, *, wijk_id: int) -> list[Organisation]:
    """The active organisations that work in the wijk, by name."""
    return list(session.exec(select(Organisation).join(OrganisationWijk,
                                                       col(OrganisationWijk.organisation_id) == Organisation.id)
                             .where(OrganisationWijk.wijk_id == wijk_id, Organisation.active)
                             .order_by(Organisation.name)).all())
