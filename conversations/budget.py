"""/budget: a coordinator grants initiatives money from the wijk budget (all, part or none) and books spending.

Every press is checked again against the database: the presser must coordinate the wijk of the
budget or request the button is about, whatever the callback data says. Refusals of the domain
(beyond the budget, already decided…) are worded kindly and change nothing.

    /budget ─► (a wijk, when several) ─► overview: budget, granted, spent, available,
               │                            initiatives without a decision, grants with money left
               ├─ an initiative ─► Alles / Deel / Niet toekennen
               │                    ├─ Deel ─► ASKING_AMOUNT ─┐
               │                    └─ Alles, Niet ───────────┴─► ASKING_MOTIVATION ─► CONFIRMING
               │                                                   ─► granted; resident and wijkraad told ─► END
               └─ Uitgave boeken ─► ASKING_SPEND_AMOUNT ─► ASKING_SPEND_WHAT ─► booked ─► END

The steps before a typed answer are buttons that work from anywhere (stored state is only kept
while the bot waits for typing or for the confirmation).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlmodel import Session
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import WijkContext
from bot.i18n import _, fmt_date, fmt_euros, use_locale
from conversations import notices
from conversations.buttons import (
    BudgetDecision,
    BudgetDiscard,
    BudgetRequest,
    BudgetSave,
    BudgetSpend,
    BudgetWijk,
    Button,
)
from conversations.dialog import END, Dialog
from conversations.intake import parse_euros
from conversations.keyboards import in_rows, inline
from storage.budgets import (
    BudgetRefused,
    grant,
    grant_of,
    pending_requests,
    record_spending,
    spendable_grants,
    spent_cents,
    summary,
)
from storage.models import (
    Area,
    BudgetGrant,
    GrantDecision,
    MembershipRole,
    Person,
    Request,
    utcnow,
)
from storage.outbox import send_message
from storage.people import pseudonym
from storage.roles import active_memberships, coordinated_wijken, coordinates

MIN_TEXT, MAX_TEXT = 3, 1000
MAX_LISTED = 20
GROUP_LOCALE = "nl"


class State(StrEnum):
    """Steps of /budget."""

    ASKING_AMOUNT = "asking_grant_amount"
    ASKING_MOTIVATION = "asking_grant_motivation"
    CONFIRMING = "confirming_grant"
    ASKING_SPEND_AMOUNT = "asking_spend_amount"
    ASKING_SPEND_WHAT = "asking_spend_what"


@dataclass
class BudgetDraft:
    """The decision or spending being prepared."""

    wijk_id: int | None = None
    request_id: int | None = None
    decision: str | None = None  # a GrantDecision value
    amount_cents: int | None = None  # the partial amount
    motivation: str | None = None
    grant_id: int | None = None
    spend_cents: int | None = None


# ── helpers ──────────────────────────────────────────────────────────────────────────────


def _today(context: WijkContext) -> date:
    """Today in the municipality's time zone."""
    return utcnow().astimezone(context.settings.tz).date()


def _may(context: WijkContext, wijk_id: int | None) -> bool:
    """Whether the person coordinates this wijk (checked on every step)."""
    return wijk_id is not None and coordinates(context.db, person=context.person, area_id=wijk_id)


def _refuse(context: WijkContext) -> str:
    """Not a coordinator of this wijk (any more): say so, change nothing, leave the dialog."""
    if context.incoming.callback_query:
        context.answer(_("Dit kan alleen een coördinator van deze wijk."), alert=True)
    else:
        context.reply(_("/budget is er voor coördinatoren: zij beslissen over het wijkbudget voor initiatieven."))
    return END




def _coordinator_name(context: WijkContext) -> str | None:
    """The name the person has as coordinator (or admin)."""
    return next((m.display_name for m in active_memberships(context.db, person=context.person)
                 if m.role in (MembershipRole.COORDINATOR, MembershipRole.ADMIN) and m.display_name), None)


def _decision_label(decision: str) -> str:
    """A decision as the buttons call it."""
    return {GrantDecision.FULL: _("Alles toekennen"), GrantDecision.PARTIAL: _("Deel toekennen"),
            GrantDecision.NONE: _("Niet toekennen")}.get(decision, decision)  # type: ignore[call-overload]


def _refusal_text(refusal: BudgetRefused) -> str:
    """Why the domain said no, kindly."""
    details = refusal.details
    texts = {
        "beyond_budget": lambda: _("Dat past niet meer in het wijkbudget: er is nog {available} beschikbaar. "
                                   "Er is niets opgeslagen; kies een lager bedrag of Niet toekennen.").format(
            available=fmt_euros(details.get("available_cents", 0))),
        "partial_amount": lambda: _("Een deel is meer dan niets en minder dan de gevraagde {requested}. "
                                    "Er is niets opgeslagen.").format(
            requested=fmt_euros(details.get("requested_cents", 0))),
        "already_decided": lambda: _("Over dit initiatief is al besloten. Er is niets opgeslagen."),
        "not_initiative": lambda: _("Dit is geen open bewonersinitiatief van deze wijk (meer). Er is niets opgeslagen."),
        "nothing_requested": lambda: _("Dit initiatief vraagt geen geld. Er is niets opgeslagen."),
        "motivation_required": lambda: _("Een motivatie is verplicht. Er is niets opgeslagen."),
        "beyond_grant": lambda: _("Dat is meer dan er van de toekenning over is ({left}). Er is niets geboekt.").format(
            left=fmt_euros(details.get("left_cents", 0))),
        "no_grant": lambda: _("Voor dit initiatief is geen geld toegekend. Er is niets geboekt."),
    }
    return texts.get(refusal.code, lambda: _("Dat kan niet. Er is niets opgeslagen."))()


# ── the overview ─────────────────────────────────────────────────────────────────────────


async def start(update: Update, context: WijkContext) -> str:
    """/budget: the overview of your wijk, or first the choice of wijk."""
    wijken = coordinated_wijken(context.db, person=context.person)
    if not wijken:
        return _refuse(context)
    if len(wijken) == 1:
        return _overview(context, wijken[0])
    context.reply(_("Het budget van welke wijk?"), inline(in_rows([(w.name, BudgetWijk(w.id)) for w in wijken])))
    return END


async def wijk_chosen(update: Update, context: WijkContext) -> str:
    """The wijk (checked again), then its overview."""
    pressed = BudgetWijk.parse(update.callback_query.data)
    wijk = context.db.get(Area, pressed.wijk_id) if pressed is not None else None
    if wijk is None or not _may(context, wijk.id):
        return _refuse(context)
    context.answer()
    context.edit_markup()
    return _overview(context, wijk)


def _overview(context: WijkContext, wijk: Area) -> str:
    """The budget's state, the initiatives waiting for a decision, and grants to book spending on."""
    tz, today = context.settings.tz, _today(context)
    state = summary(context.db, wijk_id=wijk.id, today=today)
    lines = [
        _("<b>Wijkbudget {wijk}</b>, {start} t/m {end}").format(
            wijk=html.escape(wijk.name), start=fmt_date(state.starts_on, tz), end=fmt_date(state.ends_on, tz)),
        _("Budget: {amount}").format(amount=fmt_euros(state.budget_cents)),
        _("Toegekend: {amount}").format(amount=fmt_euros(state.granted_cents)),
        _("Uitgegeven: {amount}").format(amount=fmt_euros(state.spent_cents)),
        _("Nog beschikbaar: <b>{amount}</b>").format(amount=fmt_euros(state.available_cents)),
    ]
    pending = pending_requests(context.db, wijk_id=wijk.id)
    buttons: list[list[tuple[str, Button]]] = []
    if pending:
        lines.append("")
        lines.append(_("<b>Initiatieven zonder besluit</b>: {count}, samen {amount}").format(
            count=state.pending_count, amount=fmt_euros(state.pending_cents)))
        for request in pending[:MAX_LISTED]:
            amount = fmt_euros(request.budget_requested_cents or 0)
            lines.append(f"• <b>{request.reference}</b> ({amount}): {html.escape(request.text[:80])}")
            buttons.append([(f"{request.reference} ({amount})", BudgetRequest(request.id))])
    else:
        lines.append(_("Er wachten geen initiatieven op een besluit."))
    for row, request, left in spendable_grants(context.db, wijk_id=wijk.id, today=today)[:MAX_LISTED]:
        buttons.append([(_("💶 Uitgave boeken: {reference} (nog {left})").format(
            reference=request.reference, left=fmt_euros(left)), BudgetSpend(row.id))])
    context.reply("\n".join(lines), inline(buttons) if buttons else None)
    return END


# ── deciding on an initiative ────────────────────────────────────────────────────────────


def _request_from(context: WijkContext, request_id: int | None) -> Request | None:
    """The request, if the person coordinates its wijk."""
    request = context.db.get(Request, request_id) if request_id is not None else None
    return request if request is not None and _may(context, request.wijk_id) else None


def _not_decidable(context: WijkContext, request: Request) -> str | None:
    """Why no decision can be taken on this request (any more), or None."""
    if request.id not in {r.id for r in pending_requests(context.db, wijk_id=request.wijk_id)}:
        code = "already_decided" if grant_of(context.db, request_id=request.id) is not None else "not_initiative"
        return _refusal_text(BudgetRefused(code))
    return None


async def request_chosen(update: Update, context: WijkContext) -> str:
    """One initiative: its text and amount, and the three decisions."""
    pressed = BudgetRequest.parse(update.callback_query.data)
    request = _request_from(context, pressed.request_id if pressed is not None else None)
    if request is None:
        return _refuse(context)
    context.answer()
    refusal = _not_decidable(context, request)
    if refusal:
        context.reply(refusal)
        return END
    state = summary(context.db, wijk_id=request.wijk_id, today=_today(context))
    lines = [_("<b>{reference}</b> – bewonersinitiatief").format(reference=request.reference),
             html.escape(request.text)]
    if request.own_contribution:
        lines.append(_("Wat bewoners zelf doen: {what}").format(what=html.escape(request.own_contribution)))
    lines.append(_("Gevraagd: <b>{amount}</b>").format(amount=fmt_euros(request.budget_requested_cents or 0)))
    lines.append(_("Nog beschikbaar in het wijkbudget: {amount}").format(amount=fmt_euros(state.available_cents)))
    context.reply("\n".join(lines), inline([
        [(_decision_label(GrantDecision.FULL), BudgetDecision(request.id, GrantDecision.FULL)),
         (_decision_label(GrantDecision.PARTIAL), BudgetDecision(request.id, GrantDecision.PARTIAL))],
        [(_decision_label(GrantDecision.NONE), BudgetDecision(request.id, GrantDecision.NONE))]]))
    return END


async def decision_chosen(update: Update, context: WijkContext) -> State | str | None:
    """All, part or none: part asks the amount; every decision asks a motivation."""
    pressed = BudgetDecision.parse(update.callback_query.data)
    request = _request_from(context, pressed.request_id if pressed is not None else None)
    if request is None or pressed is None:
        return _refuse(context)
    decision = pressed.decision
    requested = request.budget_requested_cents or 0
    refusal = _not_decidable(context, request)
    if refusal:
        context.answer()
        context.reply(refusal)
        return END
    if decision == GrantDecision.FULL:
        available = summary(context.db, wijk_id=request.wijk_id, today=_today(context)).available_cents
        if requested > available:
            context.answer()
            context.reply(_refusal_text(BudgetRefused("beyond_budget", available_cents=max(available, 0))))
            return END
    context.answer()
    context.edit_markup()
    context.draft = BudgetDraft(wijk_id=request.wijk_id, request_id=request.id, decision=decision.value)
    if decision == GrantDecision.PARTIAL:
        context.reply(_("Hoeveel ken je toe? Typ een bedrag in euro's, minder dan de gevraagde {requested}, "
                        "bijvoorbeeld 1.250,50.").format(requested=fmt_euros(requested)))
        return State.ASKING_AMOUNT
    context.reply(_motivation_question(decision))
    return State.ASKING_MOTIVATION


def _motivation_question(decision: GrantDecision) -> str:
    """Ask why; the resident reads the answer."""
    if decision == GrantDecision.NONE:
        return _("Waarom ken je geen geld toe? De bewoner krijgt je motivatie te lezen.")
    return _("Wat is je motivatie? De bewoner krijgt die te lezen.")


async def amount_typed(update: Update, context: WijkContext) -> State | str | None:
    """The partial amount: more than nothing, less than asked, within the budget."""
    request = _request_from(context, context.draft.request_id)
    if request is None:
        return _refuse(context)
    cents = parse_euros(update.effective_message.text or "")
    requested = request.budget_requested_cents or 0
    if cents is None or not 0 < cents < requested:
        context.reply(_("Typ een bedrag tussen nul en de gevraagde {requested}, bijvoorbeeld 1.250,50 of "
                        "1250.50.").format(requested=fmt_euros(requested)))
        return None
    available = summary(context.db, wijk_id=request.wijk_id, today=_today(context)).available_cents
    if cents > available:
        context.reply(_refusal_text(BudgetRefused("beyond_budget", available_cents=max(available, 0))))
        return None
    context.draft.amount_cents = cents
    context.reply(_motivation_question(GrantDecision.PARTIAL))
    return State.ASKING_MOTIVATION


async def motivation_typed(update: Update, context: WijkContext) -> State | str | None:
    """The motivation, then the preview to confirm."""
    request = _request_from(context, context.draft.request_id)
    if request is None:
        return _refuse(context)
    text = (update.effective_message.text or "").strip()
    if not MIN_TEXT <= len(text) <= MAX_TEXT:
        context.reply(_("Typ een motivatie van {min} tot {max} tekens.").format(min=MIN_TEXT, max=MAX_TEXT))
        return None
    context.draft.motivation = text
    draft = context.draft
    requested = request.budget_requested_cents or 0
    amount = _granted(draft.decision, requested, draft.amount_cents)
    context.reply("\n".join([
        _("<b>Besluit over {reference}</b>").format(reference=request.reference),
        _("Besluit: {decision}").format(decision=_decision_label(draft.decision)),
        _("Toegekend: <b>{amount}</b> van de gevraagde {requested}").format(
            amount=fmt_euros(amount), requested=fmt_euros(requested)),
        _("Motivatie: {motivation}").format(motivation=html.escape(text)),
        "",
        _("De bewoner en de wijkraad krijgen dit bericht. Klopt het?"),
    ]), inline([[(_("✅ Besluit opslaan"), BudgetSave()), (_("Niet opslaan"), BudgetDiscard())]]))
    return State.CONFIRMING


def _granted(decision: str | None, requested: int, partial: int | None) -> int:
    """The amount a decision grants."""
    if decision == GrantDecision.FULL:
        return requested
    if decision == GrantDecision.PARTIAL:
        return partial or 0
    return 0


async def confirmed(update: Update, context: WijkContext) -> str:
    """Grant (the domain checks the budget again, under a lock), then tell the resident and the wijkraad."""
    draft = context.draft
    request = _request_from(context, draft.request_id)
    if request is None or draft.decision is None:
        return _refuse(context)
    context.answer()
    context.edit_markup()
    try:
        row = grant(context.db, wijk_id=request.wijk_id, request_id=request.id, decision=draft.decision,
                    amount_cents=draft.amount_cents, today=_today(context), motivation=draft.motivation or "",
                    by=pseudonym(context.person), by_name=_coordinator_name(context))
    except BudgetRefused as refusal:
        context.reply(_refusal_text(refusal))
        return END
    available = summary(context.db, wijk_id=request.wijk_id, today=_today(context)).available_cents
    _tell_resident(context.db, request=request, row=row)
    with use_locale(GROUP_LOCALE):
        notices.to_groups(context.db, wijk_id=request.wijk_id, text_nl=_group_line(request, row, available))
    context.reply(_("Opgeslagen: {amount} voor {reference}. Nog beschikbaar: {available}. De bewoner en de "
                    "wijkraad krijgen bericht.").format(amount=fmt_euros(row.granted_cents),
                                                         reference=request.reference,
                                                         available=fmt_euros(available)))
    return END


async def cancelled(update: Update, context: WijkContext) -> str:
    """Stop without deciding."""
    context.answer()
    context.edit_markup()
    context.reply(_("Geannuleerd. Er is niets opgeslagen; met /budget begin je opnieuw."))
    return END


def _tell_resident(session: Session, *, request: Request, row: BudgetGrant) -> None:
    """The decision, amount and motivation, in the resident's language (held during the quiet hours)."""
    resident = session.get(Person, request.resident_id) if request.resident_id is not None else None
    if resident is None or not resident.active:
        return
    with use_locale(resident.language):
        motivation = html.escape(row.motivation)
        if row.decision == GrantDecision.FULL:
            text = _("Goed nieuws over je initiatief <b>{reference}</b>: de coördinator kent het hele gevraagde "
                     "bedrag toe, {amount}.\nMotivatie: {motivation}")
        elif row.decision == GrantDecision.PARTIAL:
            text = _("Over je initiatief <b>{reference}</b>: de coördinator kent {amount} toe van de gevraagde "
                     "{requested}.\nMotivatie: {motivation}")
        else:
            text = _("Over je initiatief <b>{reference}</b>: de coördinator kent helaas geen geld toe uit het "
                     "wijkbudget (gevraagd: {requested}).\nMotivatie: {motivation}")
        send = text.format(reference=request.reference, amount=fmt_euros(row.granted_cents),
                           requested=fmt_euros(row.requested_cents), motivation=motivation)
        send_message(session, quiet=True, chat_id=resident.telegram_id, text=send)


def _group_line(request: Request, row: BudgetGrant, available: int) -> str:
    """One line for the wijkraad group (in the active locale: Dutch)."""
    return _("💶 Wijkbudget, {reference}: {decision}, {amount} van {requested} toegekend. Nog beschikbaar: "
             "{available}.").format(reference=request.reference, decision=_decision_label(row.decision).lower(),
                                    amount=fmt_euros(row.granted_cents), requested=fmt_euros(row.requested_cents),
                                    available=fmt_euros(available))


# ── booking spending ─────────────────────────────────────────────────────────────────────


def _grant_from(context: WijkContext, grant_id: int | None) -> tuple[BudgetGrant, Request] | None:
    """The grant and its request, if the person coordinates the request's wijk."""
    row = context.db.get(BudgetGrant, grant_id) if grant_id is not None else None
    request = _request_from(context, row.request_id) if row is not None else None
    return (row, request) if row is not None and request is not None else None


async def spend_chosen(update: Update, context: WijkContext) -> State | str | None:
    """Book spending on a grant: first the amount."""
    pressed = BudgetSpend.parse(update.callback_query.data)
    found = _grant_from(context, pressed.grant_id if pressed is not None else None)
    if found is None:
        return _refuse(context)
    row, request = found
    context.answer()
    left = row.granted_cents - spent_cents(context.db, grant_id=row.id)
    if left <= 0:
        context.reply(_("Van de toekenning aan {reference} is niets meer over.").format(reference=request.reference))
        return END
    context.draft = BudgetDraft(wijk_id=request.wijk_id, request_id=request.id, grant_id=row.id)
    context.reply(_("Uitgave voor {reference}: hoeveel is er uitgegeven? Er is nog {left} over van de "
                    "toekenning.").format(reference=request.reference, left=fmt_euros(left)))
    return State.ASKING_SPEND_AMOUNT


async def spend_amount_typed(update: Update, context: WijkContext) -> State | str | None:
    """The amount spent; then what it was for."""
    found = _grant_from(context, context.draft.grant_id)
    if found is None:
        return _refuse(context)
    row, _request = found
    cents = parse_euros(update.effective_message.text or "")
    if not cents:
        context.reply(_("Typ het uitgegeven bedrag in euro's, bijvoorbeeld 125,50."))
        return None
    left = row.granted_cents - spent_cents(context.db, grant_id=row.id)
    if cents > left:
        context.reply(_refusal_text(BudgetRefused("beyond_grant", left_cents=max(left, 0))))
        return None
    context.draft.spend_cents = cents
    context.reply(_("Waaraan is het uitgegeven?"))
    return State.ASKING_SPEND_WHAT


async def spend_what_typed(update: Update, context: WijkContext) -> State | str | None:
    """What it was for; book it (the domain checks the grant again, under a lock)."""
    found = _grant_from(context, context.draft.grant_id)
    if found is None:
        return _refuse(context)
    row, request = found
    what = (update.effective_message.text or "").strip()
    if not MIN_TEXT <= len(what) <= MAX_TEXT:
        context.reply(_("Beschrijf in {min} tot {max} tekens waaraan het is uitgegeven.").format(min=MIN_TEXT, max=MAX_TEXT))
        return None
    try:
        record_spending(context.db, grant_id=row.id, amount_cents=context.draft.spend_cents or 0, what=what,
                        by=pseudonym(context.person), by_name=_coordinator_name(context))
    except BudgetRefused as refusal:
        context.reply(_refusal_text(refusal))
        return END
    left = row.granted_cents - spent_cents(context.db, grant_id=row.id)
    context.reply(_("Geboekt: {amount} voor {reference} ({what}). Nog over van de toekenning: {left}.").format(
        amount=fmt_euros(context.draft.spend_cents or 0), reference=request.reference, what=html.escape(what),
        left=fmt_euros(left)))
    return END


# ── the dialog ───────────────────────────────────────────────────────────────────────────

PRIVATE = filters.ChatType.PRIVATE
TEXT = PRIVATE & filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
START = CommandHandler("budget", start, filters=PRIVATE)
# The overview's buttons work from any step (and after the dialog ended): each checks the role again.
BUTTONS = [
    CallbackQueryHandler(wijk_chosen, pattern=BudgetWijk.pattern),
    CallbackQueryHandler(request_chosen, pattern=BudgetRequest.pattern),
    CallbackQueryHandler(decision_chosen, pattern=BudgetDecision.pattern),
    CallbackQueryHandler(spend_chosen, pattern=BudgetSpend.pattern),
]


def build() -> Dialog[BudgetDraft]:
    """The /budget dialog."""
    return Dialog(
        name="budget",
        draft_type=BudgetDraft,
        entry_points=[START, *BUTTONS],
        states={
            State.ASKING_AMOUNT: [MessageHandler(TEXT, amount_typed)],
            State.ASKING_MOTIVATION: [MessageHandler(TEXT, motivation_typed)],
            State.CONFIRMING: [CallbackQueryHandler(confirmed, pattern=BudgetSave.pattern),
                               CallbackQueryHandler(cancelled, pattern=BudgetDiscard.pattern)],
            State.ASKING_SPEND_AMOUNT: [MessageHandler(TEXT, spend_amount_typed)],
            State.ASKING_SPEND_WHAT: [MessageHandler(TEXT, spend_what_typed)],
        },
        fallbacks=[START, *BUTTONS],
    )
