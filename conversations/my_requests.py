"""/mijnverzoeken: the resident's own requests and where they stand."""

from __future__ import annotations

import html

from telegram import Update

from bot.context import WijkContext
from bot.i18n import _, current_locale, fmt_date
from conversations.texts import kind_label, status_label
from storage.requests import requests_of
from storage.themes import theme_name

MAX_LISTED = 20


async def list_requests(update: Update, context: WijkContext) -> None:
    """Newest first, with reference, wijk, theme, date and status."""
    rows = requests_of(context.db, resident=context.person)
    if not rows:
        context.reply(_("Je hebt nog geen verzoeken ingediend. Met /nieuw begin je."))
        return
    lines = [_("<b>Je verzoeken</b>")]
    for request, wijk, theme in rows[:MAX_LISTED]:
        lines.append(
            _("<b>{reference}</b> · {kind} · {theme} · {wijk}\ningediend op {date}: {status}").format(
                reference=request.reference, kind=kind_label(request.kind),
                theme=html.escape(theme_name(theme, current_locale())), wijk=html.escape(wijk.name),
                date=fmt_date(request.created_at, context.settings.tz), status=status_label(request.status),
            )
        )
    if len(rows) > MAX_LISTED:
        lines.append(_("… en {count} oudere.").format(count=len(rows) - MAX_LISTED))
    context.reply("\n\n".join(lines))
