"""Partners' work lists and progress: /inbox, /afspraken and /voortgang.

    /voortgang ─► CHOOSING (an afspraak you own) ─► DESCRIBING (text, or a photo with caption)
               ─► CHOOSING_PERCENT (25/50/75/done) ─► saved, subscribers told ─► END
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import select
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import WijkContext
from bot.i18n import _, fmt_date
from conversations import notices
from conversations.buttons import AnswerBegin, ProgressPercent, ProgressPick
from conversations.dialog import END, Dialog
from conversations.keyboards import inline
from storage.answers import afspraken_of, open_routes, organisation_name, report_progress
from storage.models import Afspraak, AfspraakStatus, MembershipRole, Request
from storage.people import pseudonym
from storage.roles import active_memberships
from storage.workflow import Actor, Role

MIN_TEXT, MAX_TEXT = 5, 1000
MAX_LISTED = 20


def _organisations(context: WijkContext) -> list[int]:
    """The organisations the person is a member of."""
    return [m.organisation_id for m in active_memberships(context.db, person=context.person)
            if m.role == MembershipRole.PARTNER and m.organisation_id is not None]


def _reportable(context: WijkContext) -> list[Afspraak]:
    """Open afspraken this person may report on: their organisations', or their own initiative's."""
    mine = [a for a in afspraken_of(context.db, organisation_ids=_organisations(context)) if a.status == AfspraakStatus.OPEN]
    own = context.db.exec(select(Afspraak).join(Request, Request.id == Afspraak.request_id).where(
        Afspraak.owner_kind == "residents", Request.resident_id == context.person.id,
        Afspraak.status == AfspraakStatus.OPEN)).all()
    return sorted({a.id: a for a in [*mine, *own]}.values(), key=lambda a: (a.deadline, a.id))


def _reference(context: WijkContext, afspraak: Afspraak) -> str:
    """The linked request's reference."""
    request = context.db.get(Request, afspraak.request_id) if afspraak.request_id else None
    return request.reference if request and request.reference else "–"


async def inbox(update: Update, context: WijkContext) -> None:
    """/inbox: the organisation's open requests by deadline, each with an answer button."""
    organisations = _organisations(context)
    if not organisations:
        context.reply(_("/inbox is er voor partnerorganisaties."))
        return
    rows = open_routes(context.db, organisation_ids=organisations)[:MAX_LISTED]
    if not rows:
        context.reply(_("Er liggen geen open verzoeken bij jullie. 🎉"))
        return
    tz = context.settings.tz
    lines = [_("<b>Open verzoeken</b> (eerste deadline eerst)")]
    for route, request in rows:
        lines.append(_("• <b>{reference}</b> – antwoord uiterlijk {deadline}: {text}").format(
            reference=request.reference, deadline=fmt_date(route.deadline, tz), text=html.escape(request.text[:80])))
    buttons = [[(_("✍️ {reference} beantwoorden").format(reference=request.reference), AnswerBegin("start", route.id))]
               for route, request in rows]
    context.reply("\n".join(lines), inline(buttons))


async def list_afspraken(update: Update, context: WijkContext) -> None:
    """/afspraken: the afspraken you own, by deadline."""
    organisations = _organisations(context)
    afspraken = afspraken_of(context.db, organisation_ids=organisations) if organisations else _reportable(context)
    if not afspraken:
        context.reply(_("Je hebt (nog) geen afspraken."))
        return
    tz = context.settings.tz
    lines = [_("<b>Afspraken</b> (op deadline)")]
    for afspraak in afspraken[:MAX_LISTED]:
        state = _("✅ klaar") if afspraak.status == AfspraakStatus.DONE else f"{afspraak.percent_done}%"
        lines.append(_("• {reference} · {owner} · uiterlijk {deadline} · {state}\n  {what}").format(
            reference=_reference(context, afspraak), owner=html.escape(
                organisation_name(context.db, organisation_id=afspraak.organisation_id)),
            deadline=fmt_date(afspraak.deadline, tz), state=state, what=html.escape(afspraak.what[:120])))
    context.reply("\n".join(lines))


class State(StrEnum):
    """Steps of /voortgang."""

    CHOOSING = "choosing_afspraak"
    DESCRIBING = "describing_progress"
    CHOOSING_PERCENT = "choosing_percent"


@dataclass
class ProgressDraft:
    """The progress report being written."""

    afspraak_id: int | None = None
    text: str | None = None
    photo_file_id: str | None = None


async def start(update: Update, context: WijkContext) -> State | str:
    """Pick the afspraak to report on."""
    afspraken = _reportable(context)
    if not afspraken:
        context.reply(_("Er zijn geen open afspraken waarvan jij de voortgang kunt melden."))
        return END
    context.draft = ProgressDraft()
    rows = [[(f"{_reference(context, a)}: {a.what[:40]}", ProgressPick(a.id))] for a in afspraken[:MAX_LISTED]]
    context.reply(_("Over welke afspraak meld je voortgang?"), inline(rows))
    return State.CHOOSING


async def picked(update: Update, context: WijkContext) -> State | None:
    """The afspraak (checked again against what this person may report on)."""
    pressed = ProgressPick.parse(update.callback_query.data)
    allowed = {a.id for a in _reportable(context)}
    if pressed is None or pressed.afspraak_id not in allowed:
        context.answer(_("Deze afspraak kun jij niet bijwerken."), alert=True)
        return None
    context.answer()
    context.edit_markup()
    context.draft.afspraak_id = pressed.afspraak_id
    context.reply(_("Wat is er gedaan? Typ het, of stuur een foto met een bijschrift."))
    return State.DESCRIBING


async def described(update: Update, context: WijkContext) -> State | None:
    """The text (and optional photo)."""
    message = update.effective_message
    text = (message.text or message.caption or "").strip()
    if not MIN_TEXT <= len(text) <= MAX_TEXT:
        context.reply(_("Beschrijf de voortgang in {min} tot {max} tekens (bij een foto: als bijschrift).").format(
            min=MIN_TEXT, max=MAX_TEXT))
        return None
    context.draft.text = text
    context.draft.photo_file_id = message.photo[-1].file_id if message.photo else None
    context.reply(_("Hoe ver is het?"), inline([[("25%", ProgressPercent(25)), ("50%", ProgressPercent(50)),
                                                 ("75%", ProgressPercent(75))],
                                                [(_("✅ Klaar"), ProgressPercent(100))]]))
    return State.CHOOSING_PERCENT


async def percent_chosen(update: Update, context: WijkContext) -> str | None:
    """Save the report; subscribers of the request hear it."""
    afspraak = context.db.get(Afspraak, context.draft.afspraak_id)
    if afspraak is None or afspraak.id not in {a.id for a in _reportable(context)}:
        context.answer(_("Deze afspraak kun jij niet (meer) bijwerken."), alert=True)
        return END
    context.answer()
    context.edit_markup()
    pressed = ProgressPercent.parse(update.callback_query.data)
    percent = pressed.percent if pressed is not None else 0  # the pattern allows 25, 50, 75 and 100 only
    name = next((m.display_name for m in active_memberships(context.db, person=context.person)
                 if m.organisation_id == afspraak.organisation_id), None)
    actor = Actor(Role.PARTNER, context.person.id, pseudonym(context.person), name)
    report_progress(context.db, afspraak=afspraak, text=context.draft.text, percent=percent,
                    photo_file_id=context.draft.photo_file_id, by=actor)
    request = context.db.get(Request, afspraak.request_id) if afspraak.request_id else None
    notices.progress_to_subscribers(context.db, request=request, organisation=organisation_name(
        context.db, organisation_id=afspraak.organisation_id), percent=percent, text=context.draft.text,
        done=afspraak.status == AfspraakStatus.DONE)
    context.reply(_("Opgeslagen. Wie het verzoek volgt, krijgt bericht.") if percent < 100
                  else _("Afspraak uitgevoerd. Wie het verzoek volgt, krijgt bericht. Dank je!"))
    return END


PRIVATE = filters.ChatType.PRIVATE
START = CommandHandler("voortgang", start, filters=PRIVATE)


def build() -> Dialog[ProgressDraft]:
    """The /voortgang dialog."""
    return Dialog(
        name="progress",
        draft_type=ProgressDraft,
        entry_points=[START],
        states={
            State.CHOOSING: [CallbackQueryHandler(picked, pattern=ProgressPick.pattern)],
            State.DESCRIBING: [MessageHandler(PRIVATE & filters.UpdateType.MESSAGE & (filters.TEXT | filters.PHOTO)
                                              & ~filters.COMMAND, described)],
            State.CHOOSING_PERCENT: [CallbackQueryHandler(percent_chosen, pattern=ProgressPercent.pattern)],
        },
        fallbacks=[START],
    )
