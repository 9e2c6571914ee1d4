"""Jobs the scheduler runs; each takes the moment it runs for (so tests can move the clock).

The database is the source of truth for what is due: a job that ran late, or after a
restart, finds everything still owed and does it once (it marks what it did).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from babel.dates import format_date
from sqlalchemy import func
from sqlmodel import Session, select
from zoneinfo import ZoneInfo

from bot.i18n import N_, _, fmt_date, use_locale
from conversations.buttons import AnswerBegin, AnswerOutcome
from conversations.keyboards import inline
from conversations.notices import GROUP_LOCALE, coordinator_recipients, partner_recipients, to_groups
from conversations.vote import announce_results
from storage.answers import organisation_name
from storage.models import (
    Afspraak,
    AfspraakStatus,
    Answer,
    AnswerCategory,
    Area,
    GroupChat,
    Person,
    ReminderSent,
    Request,
    RequestRoute,
    RouteStatus,
    StatusChange,
    Subscription,
)
from storage.outbox import prune_delivered, send_message
from storage.triage import UNTRIAGED
from storage.votes import close_vote, due_votes
from storage.working_days import working_days_between


def ask_for_outcomes(session: Session, *, now: datetime, tz: ZoneInfo) -> int:
    """Category 4: at the decision date, ask the partner for the outcome (once). Returns how many."""
    today = now.astimezone(tz).date()
    due = session.exec(select(Answer).where(
        Answer.category == AnswerCategory.PRIORITISATION, Answer.decision_date <= today,
        Answer.outcome.is_(None), Answer.outcome_asked_at.is_(None))).all()
    for answer in due:
        request = session.get(Request, answer.request_id)
        for chat_id, locale in partner_recipients(session, organisation_id=answer.organisation_id):
            with use_locale(locale):
                send_message(session, chat_id=chat_id, text=_(
                    "📋 Vandaag ({date}) zou besloten worden over de prioritering van <b>{reference}</b>. Wat is de "
                    "uitkomst? De wijkraad en de bewoner wachten erop.\n\nJullie antwoord was: {text}").format(
                    date=fmt_date(answer.decision_date, tz), reference=request.reference if request else "?",
                    text=html.escape(answer.text[:300])),
                    reply_markup=inline([[(_("📋 Uitkomst doorgeven"), AnswerOutcome(answer.id))]]).to_dict())
        answer.outcome_asked_at = now
        session.add(answer)
    return len(due)


# ── reminders, escalation and stagnation ─────────────────────────────────────────────────

REMIND_WORKING_DAYS_BEFORE = 2


def _once(session: Session, key: str, now: datetime) -> bool:
    """True the first time `key` is seen (and remembers it); False afterwards."""
    if session.get(ReminderSent, key) is not None:
        return False
    session.add(ReminderSent(key=key, at=now))
    session.flush()
    return True


def answer_deadlines(session: Session, *, now: datetime, tz: ZoneInfo) -> int:
    """Open routes: remind the partner before and on the deadline; escalate weekly once overdue."""
    today = now.astimezone(tz).date()
    sent = 0
    rows = session.exec(select(RequestRoute, Request).join(Request, Request.id == RequestRoute.request_id)
                        .where(RequestRoute.status == RouteStatus.OPEN)).all()
    for route, request in rows:
        organisation = organisation_name(session, organisation_id=route.organisation_id)
        if today > route.deadline:
            weeks = ((today - route.deadline).days - 1) // 7  # a week after the first overdue day, and so on
            if _once(session, f"route:{route.id}:overdue:{weeks}", now):
                sent += _escalate(session, request=request, route=route, organisation=organisation, tz=tz)
            continue
        left = working_days_between(today, route.deadline)
        if today == route.deadline:
            key, text = f"route:{route.id}:due", N_("⏰ Vandaag is de laatste dag om <b>{reference}</b> te beantwoorden.")
        elif left <= REMIND_WORKING_DAYS_BEFORE:
            key, text = f"route:{route.id}:before", N_(
                "⏰ Nog {days} werkdag(en) om <b>{reference}</b> te beantwoorden (uiterlijk {deadline}).")
        else:
            continue
        if not _once(session, key, now):
            continue
        for chat_id, locale in partner_recipients(session, organisation_id=route.organisation_id):
            with use_locale(locale):
                send_message(session, chat_id=chat_id, text=_(text).format(
                    days=left, reference=request.reference, deadline=fmt_date(route.deadline, tz)),
                    reply_markup=inline([[(_("✍️ Beantwoorden"), AnswerBegin("start", route.id))]]).to_dict())
        sent += 1
    return sent


def _escalate(session: Session, *, request: Request, route: RequestRoute, organisation: str, tz: ZoneInfo) -> int:
    """An overdue answer: the coordinator hears it (and the partner once more)."""
    for chat_id, locale in coordinator_recipients(session, wijk_id=request.wijk_id):
        with use_locale(locale):
            send_message(session, chat_id=chat_id, text=_(
                "🚨 {organisation} heeft <b>{reference}</b> nog niet beantwoord; de termijn liep af op {deadline}.")
                .format(organisation=html.escape(organisation), reference=request.reference,
                        deadline=fmt_date(route.deadline, tz)))
    for chat_id, locale in partner_recipients(session, organisation_id=route.organisation_id):
        with use_locale(locale):
            send_message(session, chat_id=chat_id, text=_(
                "🚨 De termijn voor <b>{reference}</b> is verlopen ({deadline}); de coördinator is ingelicht. "
                "Geef alsnog antwoord.").format(reference=request.reference, deadline=fmt_date(route.deadline, tz)),
                reply_markup=inline([[(_("✍️ Beantwoorden"), AnswerBegin("start", route.id))]]).to_dict())
    return 1


def afspraak_deadlines(session: Session, *, now: datetime, tz: ZoneInfo) -> int:
    """Open afspraken: remind the owner 7 days and 1 day before; overdue → stagnation signal, weekly."""
    today = now.astimezone(tz).date()
    sent = 0
    for afspraak in session.exec(select(Afspraak).where(Afspraak.status == AfspraakStatus.OPEN)).all():
        request = session.get(Request, afspraak.request_id) if afspraak.request_id else None
        reference = request.reference if request else "–"
        days_left = (afspraak.deadline - today).days
        if days_left < 0:
            weeks = (-days_left - 1) // 7
            if _once(session, f"afspraak:{afspraak.id}:overdue:{weeks}", now):
                sent += _stagnation(session, afspraak=afspraak, reference=reference, tz=tz)
            continue
        for days, key in ((1, "d1"), (7, "d7")):
            if days_left <= days:
                if _once(session, f"afspraak:{afspraak.id}:{key}", now):
                    _remind_owner(session, afspraak=afspraak, reference=reference, days_left=days_left, tz=tz)
                    sent += 1
                break
    return sent


def _owner_recipients(session: Session, afspraak: Afspraak) -> list[tuple[int, str]]:
    """Who owns the afspraak: the partner's members, or the resident behind an initiative."""
    if afspraak.owner_kind == "residents" and afspraak.request_id:
        request = session.get(Request, afspraak.request_id)
        person = session.get(Person, request.resident_id) if request and request.resident_id else None
        return [(person.telegram_id, person.language)] if person and person.active else []
    if afspraak.organisation_id:
        return partner_recipients(session, organisation_id=afspraak.organisation_id)
    return []


def _remind_owner(session: Session, *, afspraak: Afspraak, reference: str, days_left: int, tz: ZoneInfo) -> None:
    """The afspraak's deadline is near."""
    for chat_id, locale in _owner_recipients(session, afspraak):
        with use_locale(locale):
            send_message(session, chat_id=chat_id, quiet=afspraak.owner_kind == "residents", text=_(
                "📅 Afspraak bij <b>{reference}</b> moet uiterlijk {deadline} klaar zijn (nog {days} dag(en)): {what}\n"
                "Meld de voortgang met /voortgang.").format(
                reference=reference, deadline=fmt_date(afspraak.deadline, tz), days=days_left,
                what=html.escape(afspraak.what[:200])))


def _stagnation(session: Session, *, afspraak: Afspraak, reference: str, tz: ZoneInfo) -> int:
    """An afspraak past its deadline: signalled in the wijkraad group and to the coordinator."""
    owner = organisation_name(session, organisation_id=afspraak.organisation_id)

    def signal() -> str:
        """The stagnation signal in the active locale."""
        return _("⚠️ Stagnatie: de afspraak bij {reference} ({owner}) had {deadline} klaar moeten zijn en staat op "
                 "{percent}%.").format(reference=reference, owner=html.escape(owner),
                                       deadline=fmt_date(afspraak.deadline, tz), percent=afspraak.percent_done)

    with use_locale(GROUP_LOCALE):
        to_groups(session, wijk_id=afspraak.wijk_id, text_nl=signal())
    for chat_id, locale in coordinator_recipients(session, wijk_id=afspraak.wijk_id):
        with use_locale(locale):
            send_message(session, chat_id=chat_id, text=signal())
    return 1


# ── digests ──────────────────────────────────────────────────────────────────────────────

@dataclass(frozen=True)
class Figures:
    """What happened in a wijk over a period."""

    new: int
    waiting: int
    answered: int
    overdue: int
    done: int


def wijk_figures(session: Session, *, wijk_id: int, since: datetime, until: datetime, today: date) -> Figures:
    """Counts for a digest."""
    def count(query: Any) -> int:
        return session.exec(select(func.count()).select_from(query.subquery())).one()

    requests = select(Request.id).where(Request.wijk_id == wijk_id)
    return Figures(
        new=count(requests.where(Request.created_at >= since, Request.created_at < until)),
        waiting=count(requests.where(Request.status.in_(UNTRIAGED))),
        answered=count(select(StatusChange.id).join(Request, Request.id == StatusChange.request_id).where(
            Request.wijk_id == wijk_id, StatusChange.action == "answer", StatusChange.at >= since,
            StatusChange.at < until)),
        overdue=count(select(RequestRoute.id).join(Request, Request.id == RequestRoute.request_id).where(
            Request.wijk_id == wijk_id, RequestRoute.status == RouteStatus.OPEN, RequestRoute.deadline < today)),
        done=count(select(Afspraak.id).where(Afspraak.wijk_id == wijk_id, Afspraak.status == AfspraakStatus.DONE,
                                             Afspraak.done_at >= since, Afspraak.done_at < until)),
    )


def weekly_digest(session: Session, *, now: datetime, tz: ZoneInfo) -> int:
    """Once per ISO week (on Monday, or the first day the bot runs that week): each wijkraad group's figures."""
    local = now.astimezone(tz)
    year, week, _day = local.isocalendar()
    monday = datetime.combine(local.date() - timedelta(days=local.weekday()), time(0), tzinfo=tz)
    since, until = monday - timedelta(days=7), monday
    sent = 0
    for group in session.exec(select(GroupChat).where(GroupChat.area_id.is_not(None))).all():
        if not _once(session, f"digest:{group.chat_id}:{year}-W{week:02d}", now):
            continue
        figures = wijk_figures(session, wijk_id=group.area_id, since=since.astimezone(UTC),
                               until=until.astimezone(UTC), today=local.date())
        with use_locale(GROUP_LOCALE):
            send_message(session, chat_id=group.chat_id, text=_(
                "🗓️ <b>Weekoverzicht</b> (week {week})\nNieuw: {new}\nWacht op de wijkraad: {waiting}\n"
                "Beantwoord: {answered}\nTermijn verlopen: {overdue}\nAfspraken klaar: {done}\n\nMet /wachtrij zie je "
                "wat er wacht.").format(week=(until - timedelta(days=1)).isocalendar()[1], **figures.__dict__))
        sent += 1
    return sent


def monthly_wijk_digest(session: Session, *, now: datetime, tz: ZoneInfo) -> int:
    """Once per month: what happened in each followed wijk last month, to its followers (held at night)."""
    local = now.astimezone(tz)
    first = local.date().replace(day=1)
    previous = (first - timedelta(days=1)).replace(day=1)
    since = datetime.combine(previous, time(0), tzinfo=tz).astimezone(UTC)
    until = datetime.combine(first, time(0), tzinfo=tz).astimezone(UTC)
    sent = 0
    follows = session.exec(select(Subscription).where(Subscription.wijk_id.is_not(None))).all()
    for wijk_id in sorted({s.wijk_id for s in follows}):
        if not _once(session, f"wijkdigest:{wijk_id}:{previous:%Y-%m}", now):
            continue
        wijk = session.get(Area, wijk_id)
        figures = wijk_figures(session, wijk_id=wijk_id, since=since, until=until, today=local.date())
        for subscription in [s for s in follows if s.wijk_id == wijk_id]:
            person = session.get(Person, subscription.person_id)
            if person is None or not person.active:
                continue
            with use_locale(person.language):
                send_message(session, chat_id=person.telegram_id, quiet=True, text=_(
                    "🏘️ <b>{wijk} in {month}</b>\nNieuwe verzoeken: {new}\nBeantwoord: {answered}\n"
                    "Afspraken uitgevoerd: {done}\nNog bij de wijkraad: {waiting}\n\nStoppen met volgen: /ontvolg").format(
                    wijk=html.escape(wijk.name if wijk else "?"),
                    month=format_date(previous, "LLLL yyyy", locale=person.language), **figures.__dict__))
                sent += 1
    return sent


def prune_outbox(session: Session, *, now: datetime, tz: ZoneInfo) -> int:
    """Forget delivered messages after a while: the outbox is a queue, not an archive of what people read."""
    return prune_delivered(session, now=now)


ALL_JOBS = (ask_for_outcomes, answer_deadlines, afspraak_deadlines, weekly_digest, monthly_wijk_digest, prune_outbox)


# ── prioritisation votes (every minute) ──────────────────────────────────────────────────

def close_votes(session: Session, *, now: datetime, tz: ZoneInfo) -> int:
    """Close every vote past its closing time and announce the results (once); returns how many closed."""
    closed = 0
    for vote in due_votes(session, now=now):
        done = close_vote(session, vote_id=vote.id, now=now)
        if done is not None:  # None: closed already (by "Nu sluiten" or an earlier run): nothing to send
            announce_results(session, vote=done, tz=tz)
            closed += 1
    return closed


EVERY_MINUTE = (close_votes,)


def retention(session: Session, *, now: datetime, tz: ZoneInfo, retention_days: int = 365) -> int:
    """Unlink residents from requests closed longer than the retention period (AVG); drop old daily counts."""
    from storage.daily_counts import prune_daily_counts
    from storage.privacy import forget_closed_links

    prune_daily_counts(session, today=now.astimezone(tz).date())
    return forget_closed_links(session, now=now, retention_days=retention_days)
