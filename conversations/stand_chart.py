"""The /stand chart: one PNG with six panels, labelled in the active locale.

Requests by status and by theme, answers by category, afspraken on time / late / overdue /
running, the evaluation shares, and the wijk budget. Colours are the Okabe–Ito palette (safe
for colour-blind readers); every bar carries its number, so nothing depends on colour alone.
The text summary (conversations/stand_texts.py) says the same in words.
"""

from __future__ import annotations

import io
from datetime import date
from zoneinfo import ZoneInfo

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from bot.i18n import _, fmt_euros, fmt_number
from conversations.stand_texts import (
    CATEGORY_ORDER,
    STATUS_ORDER,
    afspraak_labels,
    category_short,
    chart_title,
    status_short,
)
from storage.budgets import BudgetSummary
from storage.figures import Figures

BLUE, ORANGE, GREEN, VERMILION, GREY, SKY = "#0072B2", "#E69F00", "#009E73", "#D55E00", "#999999", "#56B4E9"


def _bars(axes: Axes, title: str, labels: list[str], values: list[int], colours: list[str] | str) -> None:
    """Horizontal bars, first label on top, each with its count."""
    axes.set_title(title, loc="left", fontsize=11, fontweight="bold")
    if not labels:
        axes.text(0.5, 0.5, _("nog niets"), ha="center", va="center", transform=axes.transAxes, color=GREY)
        axes.set_axis_off()
        return
    positions = list(range(len(labels)))[::-1]
    bars = axes.barh(positions, values, color=colours)
    axes.set_yticks(positions, labels, fontsize=9)
    axes.bar_label(bars, labels=[fmt_number(v) for v in values], padding=3, fontsize=9)
    axes.set_xlim(0, max(max(values), 1) * 1.25)
    axes.xaxis.set_visible(False)
    for side in ("top", "right", "bottom"):
        axes.spines[side].set_visible(False)


def _shares(axes: Axes, figures: Figures) -> None:
    """The evaluation figures as percentages (a dash where there is nothing to judge yet)."""
    items = [(_("beantwoord"), figures.answers.answered_share),
             (_("binnen de termijn"), figures.answers.within_deadline_share),
             (_("afspraken op tijd"), figures.afspraken.on_time_share),
             (_("tevreden bewoners"), figures.satisfaction_share)]
    axes.set_title(_("Resultaten (%)"), loc="left", fontsize=11, fontweight="bold")
    positions = list(range(len(items)))[::-1]
    values = [round((share or 0) * 100) for _label, share in items]
    bars = axes.barh(positions, values, color=[BLUE, SKY, GREEN, ORANGE])
    axes.set_yticks(positions, [label for label, _share in items], fontsize=9)
    axes.bar_label(bars, labels=["–" if share is None else f"{fmt_number(v)}%" for v, (_l, share)
                                 in zip(values, items, strict=True)], padding=3, fontsize=9)
    axes.set_xlim(0, 125)
    axes.xaxis.set_visible(False)
    for side in ("top", "right", "bottom"):
        axes.spines[side].set_visible(False)
    median = figures.answers.median_working_days
    if median is not None:
        axes.text(0, -0.1, _("mediaan {days} werkdagen tot een antwoord").format(days=fmt_number(median)),
                  transform=axes.transAxes, fontsize=9)


def _budget(axes: Axes, budget: BudgetSummary | None) -> None:
    """Spent, granted but not yet spent, and available, as one stacked bar."""
    axes.set_title(_("Wijkbudget"), loc="left", fontsize=11, fontweight="bold")
    if budget is None or budget.budget_cents <= 0:
        axes.text(0.5, 0.5, _("geen budget ingesteld"), ha="center", va="center", transform=axes.transAxes,
                  color=GREY)
        axes.set_axis_off()
        return
    parts = [(_("uitgegeven"), budget.spent_cents, VERMILION),
             (_("toegekend, nog niet uitgegeven"), max(budget.granted_cents - budget.spent_cents, 0), ORANGE),
             (_("beschikbaar"), max(budget.available_cents, 0), GREEN)]
    left = 0
    for label, cents, colour in parts:
        axes.barh([0], [cents], left=left, color=colour, label=f"{label}\n{fmt_euros(cents)}")
        left += cents
    axes.set_xlim(0, budget.budget_cents)
    axes.set_ylim(-0.6, 3.2)
    axes.set_axis_off()
    axes.legend(loc="upper left", fontsize=9, frameon=False, labelspacing=0.8)
    axes.text(0, -0.55, _("totaal {amount}").format(amount=fmt_euros(budget.budget_cents)), fontsize=9)


def render_png(figures: Figures, *, wijk_name: str, themes: dict[int, str], budget: BudgetSummary | None, today: date,
               tz: ZoneInfo) -> bytes:
    """The chart as PNG bytes (1200 × 760 pixels)."""
    figure = Figure(figsize=(12, 7.6), dpi=100, layout="constrained")
    figure.suptitle(chart_title(wijk_name, today, tz), fontsize=15, fontweight="bold", x=0.01, ha="left")
    grid = figure.subplots(2, 3)
    statuses = [s for s in STATUS_ORDER if figures.by_status[s]]
    _bars(grid[0][0], _("Verzoeken per status"), [status_short(s) for s in statuses],
          [figures.by_status[s] for s in statuses], BLUE)
    ordered = sorted(figures.by_theme.items(), key=lambda item: (-item[1], themes.get(item[0], "")))[:8]
    _bars(grid[0][1], _("Verzoeken per thema"), [themes.get(t, "?") for t, _n in ordered], [n for _t, n in ordered],
          SKY)
    categories = [c for c in CATEGORY_ORDER if figures.categories[c]]
    _bars(grid[0][2], _("Antwoorden per categorie"), [category_short(c) for c in categories],
          [figures.categories[c] for c in categories], ORANGE)
    afspraken = figures.afspraken
    counts = [afspraken.on_time, afspraken.late, afspraken.overdue, afspraken.running]
    _bars(grid[1][0], _("Afspraken"), afspraak_labels() if afspraken.total else [], counts,
          [GREEN, ORANGE, VERMILION, GREY])
    _shares(grid[1][1], figures)
    _budget(grid[1][2], budget)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
