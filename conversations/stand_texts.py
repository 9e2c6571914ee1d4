"""How the figures read: short labels for the chart, and the text summary that goes with it.

The summary says everything the chart shows, in words (the accessible alternative), and is
also the pinned status message in each wijkraad group.
"""

from __future__ import annotations

import html
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.i18n import _, fmt_date, fmt_datetime, fmt_euros, fmt_number, ngettext
from storage.budgets import BudgetSummary
from storage.figures import Figures, Period
from storage.models import AnswerCategory, RequestStatus

# The order statuses and categories are shown in, everywhere.
STATUS_ORDER = [RequestStatus.SUBMITTED, RequestStatus.AWAITING_RESIDENT, RequestStatus.ROUTED,
                RequestStatus.ANSWERED, RequestStatus.SOLVED_DIRECTLY, RequestStatus.OUT_OF_SCOPE,
                RequestStatus.DUPLICATE, RequestStatus.WITHDRAWN]
CATEGORY_ORDER = list(AnswerCategory)


def status_short(status: str) -> str:
    """A request status in a few words (chart axis, summary)."""
    labels = {
        RequestStatus.SUBMITTED: _("bij de wijkraad"),
        RequestStatus.AWAITING_RESIDENT: _("vraag aan bewoner"),
        RequestStatus.ROUTED: _("bij partners"),
        RequestStatus.ANSWERED: _("beantwoord"),
        RequestStatus.SOLVED_DIRECTLY: _("melding"),
        RequestStatus.OUT_OF_SCOPE: _("buiten het contract"),
        RequestStatus.DUPLICATE: _("samengevoegd"),
        RequestStatus.WITHDRAWN: _("ingetrokken"),
    }
    return labels.get(status, status)  # type: ignore[call-overload]


def category_short(category: str) -> str:
    """An answer category in a few words (chart axis, summary), with its number from seed 001."""
    labels = {
        AnswerCategory.SOLVED_DIRECTLY: _("direct opgelost (1)"),
        AnswerCategory.WITHIN_PERIOD: _("binnen de looptijd (2)"),
        AnswerCategory.IN_PLANNING: _("in de planning (3)"),
        AnswerCategory.PRIORITISATION: _("prioritering (4)"),
        AnswerCategory.NOT_POSSIBLE: _("kan of mag niet (5)"),
    }
    return labels.get(category, category)  # type: ignore[call-overload]


def afspraak_labels() -> list[str]:
    """The four afspraak groups, in chart order."""
    return [_("op tijd klaar"), _("te laat klaar"), _("over de deadline"), _("lopen nog")]


def percent(value: float | None) -> str:
    """A share as a whole percentage in the active locale, or a dash when there is nothing to judge."""
    if value is None:
        return "–"
    return _("{number}%").format(number=fmt_number(round(value * 100)))


def period_line(period: Period, tz: ZoneInfo) -> str:
    """'1 januari 2027 – 31 december 2027'."""
    return f"{fmt_date(period.starts_on, tz)} – {fmt_date(period.ends_on, tz)}"


def _counted(pairs: list[tuple[str, int]]) -> str:
    """'bij partners: 3, beantwoord: 2' (zeros left out)."""
    return ", ".join(f"{label}: {fmt_number(count)}" for label, count in pairs if count)


def _ratio(label: str, part: int, whole: int) -> str:
    """'Beantwoord: 2 van 4 (50%).', or that there is nothing to measure yet."""
    if not whole:
        return _("{label}: nog niets te meten.").format(label=label)
    return _("{label}: {part} van {whole} ({share}).").format(
        label=label, part=fmt_number(part), whole=fmt_number(whole), share=percent(part / whole))


def answer_lines(figures: Figures) -> list[str]:
    """How partners answered: share, in time, working days, afspraken on time, satisfaction."""
    answers, afspraken = figures.answers, figures.afspraken
    median = answers.median_working_days
    return [
        _ratio(_("Beantwoord"), answers.answered, answers.owed),
        _ratio(_("Binnen de termijn"), answers.within_deadline, answers.due),
        _("Mediaan tot een antwoord: {days} werkdagen.").format(days=fmt_number(median)) if median is not None
        else _("Mediaan tot een antwoord: nog niets te meten."),
        _ratio(_("Afspraken op tijd klaar"), afspraken.on_time, afspraken.on_time + afspraken.late + afspraken.overdue),
        _ratio(_("Tevreden bewoners"), figures.satisfied, figures.satisfied + figures.not_satisfied),
    ]


def summary(figures: Figures, *, wijk_name: str, themes: dict[int, str], budget: BudgetSummary | None,
            tz: ZoneInfo) -> str:
    """The whole picture in words (HTML): what the chart shows, line by line."""
    requests = figures.requests
    lines = [_("<b>Stand van {wijk}</b>").format(wijk=html.escape(wijk_name)),
             _("Verzoeken ingediend van {period}.").format(period=period_line(figures.period, tz)), ""]
    lines.append(ngettext("<b>{count} verzoek</b>", "<b>{count} verzoeken</b>", requests).format(
        count=fmt_number(requests)) + (": " + _counted([(status_short(s), figures.by_status[s])
                                                         for s in STATUS_ORDER]) if requests else ""))
    if figures.by_theme:
        ordered = sorted(figures.by_theme.items(), key=lambda item: (-item[1], themes.get(item[0], "")))
        lines.append(_("Per thema: {themes}").format(
            themes=html.escape(_counted([(themes.get(t, "?"), n) for t, n in ordered]))))
    total_answers = sum(figures.categories.values())
    lines.append(ngettext("{count} antwoord van partners", "{count} antwoorden van partners", total_answers).format(
        count=fmt_number(total_answers)) + (": " + _counted([(category_short(c), figures.categories[c])
                                                             for c in CATEGORY_ORDER]) if total_answers else ""))
    afspraken = figures.afspraken
    lines.append(ngettext("{count} afspraak", "{count} afspraken", afspraken.total).format(
        count=fmt_number(afspraken.total)) + (": " + _counted(list(zip(afspraak_labels(), (
            afspraken.on_time, afspraken.late, afspraken.overdue, afspraken.running), strict=True)))
        if afspraken.total else ""))
    lines += ["", *answer_lines(figures)]
    if budget is not None:
        lines += ["", budget_line(budget)]
    return "\n".join(lines)


def budget_line(budget: BudgetSummary) -> str:
    """'Wijkbudget € 50.000,00: toegekend € 450,00, uitgegeven € 0,00, beschikbaar € 49.550,00.'"""
    return _("Wijkbudget {amount}: toegekend {granted}, uitgegeven {spent}, beschikbaar {available}.").format(
        amount=fmt_euros(budget.budget_cents), granted=fmt_euros(budget.granted_cents),
        spent=fmt_euros(budget.spent_cents), available=fmt_euros(budget.available_cents))


def partner_summary(name: str, figures: Figures) -> str:
    """One partner's figures (HTML)."""
    return "\n".join([f"<b>{html.escape(name)}</b>", *answer_lines(figures)])


def updated_line(now: datetime, tz: ZoneInfo) -> str:
    """'Bijgewerkt: 20 mei 2027 10:00' under the pinned status."""
    return _("<i>Bijgewerkt: {moment}</i>").format(moment=fmt_datetime(now, tz, "short"))


def chart_title(wijk_name: str, today: date, tz: ZoneInfo) -> str:
    """The chart's heading."""
    return _("Stand van {wijk}, {date}").format(wijk=wijk_name, date=fmt_date(today, tz))
