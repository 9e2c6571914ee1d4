"""How an answer reads: the category with its required details, then the partner's own text."""

from __future__ import annotations

import html
from datetime import date

from zoneinfo import ZoneInfo

from bot.i18n import _, fmt_date
from storage.answers import AnswerFields
from storage.models import AnswerCategory


def category_label(category: str) -> str:
    """The category as people read it (seed 001)."""
    labels = {
        AnswerCategory.SOLVED_DIRECTLY: _("1. Direct opgelost"),
        AnswerCategory.WITHIN_PERIOD: _("2. Wordt gedaan binnen de looptijd van het wijkcontract"),
        AnswerCategory.IN_PLANNING: _("3. Staat al in de meerjarenplanning"),
        AnswerCategory.PRIORITISATION: _("4. Wordt meegenomen in de prioritering voor de komende jaren"),
        AnswerCategory.NOT_POSSIBLE: _("5. Kan of mag niet"),
    }
    return labels.get(category, category)  # type: ignore[call-overload]


def reason_label(reason: str | None) -> str:
    """Why something cannot be done."""
    value = reason or ""
    return {"legal": _("wettelijk"), "policy": _("beleidsmatig"), "financial": _("financieel")}.get(value, value)


def details(fields: AnswerFields, tz: ZoneInfo) -> list[str]:
    """The category's required details, one per line."""
    def day(value: date | None) -> str:
        return fmt_date(value, tz) if value else "?"

    category = fields.category
    if category == AnswerCategory.WITHIN_PERIOD:
        return [_("Gepland: {date}").format(date=day(fields.planned_date))]
    if category == AnswerCategory.IN_PLANNING:
        lines = [_("Gepland: {date}").format(date=day(fields.planning_date))]
        if fields.planning_adjusted:
            lines.append(_("De planning wordt aangepast."))
        elif fields.planning_adjusted is False:
            lines.append(_("De planning wordt niet aangepast, omdat: {motivation}").format(
                motivation=html.escape(fields.motivation or "")))
        return lines
    if category == AnswerCategory.PRIORITISATION:
        return [_("Besluit verwacht: {date}. Je hoort dan de uitkomst.").format(date=day(fields.decision_date))]
    if category == AnswerCategory.NOT_POSSIBLE:
        return [_("Reden ({kind}): {motivation}").format(kind=reason_label(fields.reason_type),
                                                          motivation=html.escape(fields.motivation or ""))]
    return []


def answer_body(fields: AnswerFields, tz: ZoneInfo, *, with_means: bool = False) -> str:
    """Category, details and the partner's text as written."""
    lines = [f"<b>{category_label(fields.category or '')}</b>", *details(fields, tz)]
    if with_means and fields.means:
        lines.append(_("Middelen: {means}").format(means=html.escape(fields.means)))
    lines += ["", html.escape(fields.text or "")]
    return "\n".join(lines)
