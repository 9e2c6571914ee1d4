"""The triage card: one message per request in the wijkraad group, with the actions still open."""

from __future__ import annotations

import html

from babel.dates import format_timedelta
from sqlmodel import Session
from telegram import InlineKeyboardMarkup

from bot.i18n import _, current_locale, fmt_datetime
from conversations.buttons import (TriageDuplicate, TriageMelding, TriagePrompt, TriageRemovePhotos,
                                  TriageRoute)
from conversations.keyboards import inline
from conversations.texts import action_label, former_member, kind_label, status_label
from storage.location import map_link
from storage.models import Area, Request, RequestStatus, StatusChange, Theme, as_utc, utcnow
from storage.themes import theme_name
from storage.triage import history, supporters
from zoneinfo import ZoneInfo

MAX_CARD_TEXT = 1000  # the description is at most 1,000 characters already

MEMBER_ROLES = ("wijkraad", "partner", "coordinator")


def action_line(change: StatusChange, tz: ZoneInfo) -> str:
    """Who did what and when, as the card shows it."""
    what = action_label(change.action).format(note=html.escape(change.note or ""))
    if change.actor_name:
        who = html.escape(change.actor_name)
    elif change.actor_role == "resident":
        who = _("bewoner")
    else:  # a member's name is gone once they asked to be forgotten
        who = former_member() if change.actor_role in MEMBER_ROLES else ""
    when = fmt_datetime(as_utc(change.at), tz, "short")
    return _("{what} – {who}, {when}").format(what=what, who=who, when=when) if who else f"{what} – {when}"


def card_text(session: Session, *, request: Request, tz: ZoneInfo, with_history: bool = False) -> str:
    """Reference, wijk, kind, theme, text, photos, location, supporters, age, and the last action."""
    wijk = session.get(Area, request.wijk_id)
    theme = session.get(Theme, request.theme_id)
    # Babel reads a negative delta as the past ("3 dagen geleden").
    age = format_timedelta(as_utc(request.created_at) - utcnow(), locale=current_locale(), add_direction=True)
    lines = [
        _("<b>{reference}</b> · {kind} · {theme}").format(
            reference=request.reference, kind=kind_label(request.kind),
            theme=html.escape(theme_name(theme, current_locale()) if theme else "?")),
        _("Wijk: {wijk} · ingediend {age}").format(wijk=html.escape(wijk.name if wijk else "?"), age=age),
        "",
        html.escape(request.text[:MAX_CARD_TEXT]),
        "",
    ]
    if request.own_contribution:
        lines.append(_("Eigen inzet bewoners: {text}").format(text=html.escape(request.own_contribution)))
    if request.photo_file_ids:
        lines.append(_("📷 {count} foto('s) hierboven").format(count=len(request.photo_file_ids)))
    if request.latitude is not None and request.longitude is not None:
        url = map_link(request.latitude, request.longitude)
        lines.append(_('📍 <a href="{url}">Locatie op de kaart</a>').format(url=url))
    lines.append(_("👍 Steunbetuigingen: {count}").format(count=supporters(session, request_id=request.id)))
    lines.append(_("Status: {status}").format(status=status_label(request.status)))
    if request.priority:
        lines.append(priority_label())
    changes = history(session, request_id=request.id)
    if with_history:
        lines += ["", _("<b>Geschiedenis</b>")] + ["• " + action_line(c, tz) for c in changes]
    elif changes and changes[-1].action != "submit":
        lines.append("✍️ " + action_line(changes[-1], tz))
    return "\n".join(lines)


def priority_label() -> str:
    """The mark of a request the residents voted a priority of the wijk."""
    return _("⭐ Prioriteit")


def card_buttons(request: Request) -> InlineKeyboardMarkup | None:
    """The actions the request's status still allows."""
    rid = request.id
    assert rid is not None
    if request.status in (RequestStatus.SUBMITTED, RequestStatus.AWAITING_RESIDENT):
        rows = [[(_("➡️ Doorzetten"), TriageRoute(rid)), (_("📣 Melding"), TriageMelding(rid))],
                [(_("♊ Dubbel"), TriageDuplicate(rid)), (_("🚫 Buiten wijkcontract"), TriagePrompt("out_of_scope", rid))]]
        last = [(_("✂️ Tekst aanpassen"), TriagePrompt("redact", rid))]
        if request.status == RequestStatus.SUBMITTED:
            last.insert(0, (_("❓ Vraag aan bewoner"), TriagePrompt("ask", rid)))
        rows.append(last)
        if request.photo_file_ids:
            rows.append([(_("🗑️ Foto's verwijderen"), TriageRemovePhotos(rid))])
        return inline(rows)
    if request.status == RequestStatus.SOLVED_DIRECTLY:
        return inline([[(_("➡️ Toch doorzetten"), TriageRoute(rid))]])
    return None
