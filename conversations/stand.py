"""/stand: how a wijk is doing, as a chart (PNG) and the same figures in words.

In a wijkraad group it shows that group's wijk to its wijkraad members and coordinators; in
private chat it is for coordinators (a button per wijk when they have several), who also get
the figures per partner working in the wijk. Everyone else gets a friendly word.

    /stand ──(group of a wijk, member)──▶ chart + summary
           ──(private, coordinator)────▶ [one wijk] chart + summary + partners
                                        [several] buttons stand:wijk:<id> ──▶ same
           ──(private, partner)────────▶ their organisation's figures
"""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select
from telegram import Update
from telegram.constants import ChatType

from bot.context import WijkContext
from bot.i18n import _, current_locale
from conversations.buttons import StandWijk
from conversations.keyboards import inline
from conversations.stand_chart import render_png
from conversations.stand_texts import chart_title, partner_summary, period_line, summary
from storage.budgets import BudgetSummary
from storage.budgets import period as budget_period
from storage.budgets import summary as budget_summary
from storage.figures import Figures, Period, partner_figures, wijk_figures
from storage.groups import group_of
from storage.models import Area, MembershipRole, Organisation, Person, Request, RequestRoute, Theme, utcnow
from storage.outbox import enqueue
from storage.roles import active_memberships, coordinated_wijken, coordinates, is_wijkraad_member
from storage.themes import theme_name


@dataclass
class Report:
    """Everything /stand and the pinned status show for one wijk."""

    wijk: Area
    figures: Figures
    themes: dict[int, str]
    budget: BudgetSummary | None


def current_period(session: Session, *, wijk_id: int, today: date) -> Period:
    """The wijk's contract period containing today (the same one the wijkcontract uses)."""
    starts_on, ends_on = budget_period(session, wijk_id=wijk_id, today=today)
    return Period(starts_on, ends_on)


def budget_of(session: Session, *, wijk_id: int, today: date) -> BudgetSummary | None:
    """The wijk budget of the current period, or None when none is set (and nothing granted)."""
    found = budget_summary(session, wijk_id=wijk_id, today=today)
    if found.budget_cents <= 0 and found.granted_cents <= 0:
        return None
    return found


def report(session: Session, *, wijk: Area, today: date, tz: ZoneInfo) -> Report:
    """The wijk's figures for its current period, with theme names in the active locale."""
    assert wijk.id is not None
    period = current_period(session, wijk_id=wijk.id, today=today)
    themes = {t.id: theme_name(t, current_locale()) for t in session.exec(select(Theme)).all() if t.id is not None}
    return Report(wijk=wijk, figures=wijk_figures(session, wijk_id=wijk.id, period=period, today=today, tz=tz),
                  themes=themes, budget=budget_of(session, wijk_id=wijk.id, today=today))


def summary_of(result: Report, tz: ZoneInfo) -> str:
    """The report in words."""
    return summary(result.figures, wijk_name=result.wijk.name, themes=result.themes, budget=result.budget, tz=tz)


def partners_in(session: Session, *, wijk_id: int, period: Period, tz: ZoneInfo) -> list[Organisation]:
    """Organisations that got requests of the wijk filed in the period, by name."""
    start, end = period.bounds(tz)
    ids = session.exec(select(RequestRoute.organisation_id).join(Request, col(Request.id) == RequestRoute.request_id)
                       .where(Request.wijk_id == wijk_id, Request.created_at >= start, Request.created_at < end)
                       .distinct()).all()
    if not ids:
        return []
    return list(session.exec(select(Organisation).where(col(Organisation.id).in_(ids))
                             .order_by(Organisation.name)).all())


def _today(context: WijkContext) -> date:
    """Today in the municipality."""
    return utcnow().astimezone(context.settings.tz).date()


async def _send(context: WijkContext, wijk: Area, *, with_partners: bool) -> None:
    """The chart, then the summary (and, for coordinators, the figures per partner)."""
    tz, today = context.settings.tz, _today(context)
    result = report(context.db, wijk=wijk, today=today, tz=tz)
    png = await asyncio.to_thread(render_png, result.figures, wijk_name=wijk.name, themes=result.themes,
                                  budget=result.budget, today=today, tz=tz)
    chat_id = context.incoming.effective_chat.id  # type: ignore[union-attr]
    enqueue(context.db, chat_id=chat_id, method="sendPhoto", payload={
        "chat_id": chat_id, "caption": chart_title(wijk.name, today, tz),
        "photo": {"filename": "stand.png", "mime_type": "image/png",
                  "content_base64": base64.b64encode(png).decode("ascii")}})
    context.reply(summary_of(result, tz))
    if with_partners:
        assert wijk.id is not None
        partners = partners_in(context.db, wijk_id=wijk.id, period=result.figures.period, tz=tz)
        blocks = [partner_summary(o.name, partner_figures(
            context.db, organisation_id=o.id, wijk_ids=[wijk.id], period=result.figures.period, today=today, tz=tz))
            for o in partners if o.id is not None]
        if blocks:
            context.reply("\n\n".join([_("<b>Per partner</b> (verzoeken van deze wijk)"), *blocks]))


def partner_organisations(session: Session, *, person: Person) -> list[Organisation]:
    """The organisations this person answers for."""
    ids = {m.organisation_id for m in active_memberships(session, person=person)
           if m.role == MembershipRole.PARTNER and m.organisation_id is not None}
    return [o for o in (session.get(Organisation, i) for i in sorted(ids)) if o is not None]


def _send_partner(context: WijkContext, organisations: list[Organisation]) -> None:
    """A partner's own figures this calendar year, across every wijk (text only)."""
    tz, today = context.settings.tz, _today(context)
    period = Period(date(today.year, 1, 1), date(today.year, 12, 31))
    blocks = [partner_summary(o.name, partner_figures(context.db, organisation_id=o.id, wijk_ids=None, period=period,
                                                      today=today, tz=tz)) for o in organisations if o.id is not None]
    context.reply("\n\n".join([_("Je cijfers over verzoeken ingediend van {period}:").format(
        period=period_line(period, tz)), *blocks]))


async def stand_command(update: Update, context: WijkContext) -> None:
    """/stand: the chart and figures of the group's wijk, or of the coordinator's wijk(en)."""
    chat = update.effective_chat
    if chat is not None and chat.type != ChatType.PRIVATE:
        group = group_of(context.db, chat_id=chat.id)
        wijk = context.db.get(Area, group.area_id) if group is not None and group.area_id is not None else None
        if wijk is None:
            context.refuse(_("/stand werkt in de groep van een wijkraad. Een wijkraadlid koppelt deze groep met "
                            "/koppel."))
            return
        person = context.person
        if not (is_wijkraad_member(context.db, person=person, wijk_id=wijk.id)
                or coordinates(context.db, person=person, area_id=wijk.id)):
            context.refuse(_("De stand is er voor de wijkraad en de coördinator van deze wijk."))
            return
        await _send(context, wijk, with_partners=False)
        return
    wijken = coordinated_wijken(context.db, person=context.person)
    if not wijken:
        organisations = partner_organisations(context.db, person=context.person)
        if organisations:
            _send_partner(context, organisations)
            return
        context.reply(_("/stand is er voor coördinatoren, partners, en in de groep van de wijkraad. Wil je weten hoe "
                        "het met je eigen verzoeken gaat? Stuur /mijnverzoeken."))
        return
    if len(wijken) == 1:
        await _send(context, wijken[0], with_partners=True)
        return
    context.reply(_("Van welke wijk wil je de stand zien?"), inline([[(w.name, StandWijk(w.id))] for w in wijken]))


async def wijk_pressed(update: Update, context: WijkContext) -> None:
    """A coordinator chose a wijk: its chart and figures (the role is checked again)."""
    pressed = StandWijk.parse(update.callback_query.data)  # type: ignore[union-attr]
    wijk = context.db.get(Area, pressed.wijk_id) if pressed is not None else None
    if wijk is None or not coordinates(context.db, person=context.person, area_id=wijk.id):
        context.answer(_("De stand per wijk is er voor de coördinator van die wijk."), alert=True)
        return
    context.answer()
    await _send(context, wijk, with_partners=True)
