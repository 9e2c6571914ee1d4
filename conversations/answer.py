"""A partner answers a routed request, hands it back ("not ours"), or passes it on.

Buttons under the routed request start this dialog in the member's private chat (pressed in a
partner group, the bot continues privately). Every step is stored; every press is checked
against the database (an active member of the route's organisation, the route still open).

    ✍️ ─► CHOOSING_CATEGORY ─┬─ 1 ───────────────────────────────────────────────┐
                             ├─ 2 ─► PLANNED_DATE (within the period) ─► MEANS ──┤
                             ├─ 3 ─► PLANNING_DATE ─► ADJUSTED ─(no)─► MOTIVATION ─► MEANS ─┤
                             ├─ 4 ─► DECISION_DATE ──────────────────────────────┤
                             └─ 5 ─► REASON_TYPE ─► MOTIVATION ──────────────────┤
                                                                                 ▼
                                                   TEXT (for the resident) ─► PREVIEW ─ send ─► END
    🙅 ─► NOT_OURS_REASON ─► END (back to the wijkraad and the coordinator when no one else has it)
    ↪️ ─► PASS_CHOOSING ─► PASS_REASON ─► END (the new partner gets its own deadline)
    (category 4, at the decision date) ─► OUTCOME ─► END
"""

from __future__ import annotations

import dataclasses
import html
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlmodel import select
from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.context import WijkContext
from bot.i18n import _, fmt_date, use_locale
from conversations import notices
from conversations.answer_texts import answer_body, category_label
from conversations.buttons import (
    AnswerAdjusted,
    AnswerBegin,
    AnswerCancel,
    AnswerCategoryChosen,
    AnswerNoMeans,
    AnswerOutcome,
    AnswerPassTo,
    AnswerReason,
    AnswerRestart,
    AnswerSend,
)
from conversations.dates import DateNotUnderstood, DateProblem, parse_date
from conversations.dialog import END, Dialog
from conversations.keyboards import inline
from storage.answers import (
    REASON_TYPES,
    AnswerFields,
    AnswerIncomplete,
    give_answer,
    lock_route,
    not_ours,
    organisation_name,
    pass_on,
    record_outcome,
)
from storage.contracts import period_of
from storage.dialogs import load_dialog, save_dialog
from storage.models import Answer, AnswerCategory, Organisation, Request, RequestRoute, RouteStatus, utcnow
from storage.municipality import municipality_settings
from storage.people import pseudonym
from storage.roles import active_memberships, is_partner_member
from storage.triage import lock_request
from storage.workflow import Actor, Role

MIN_TEXT, MAX_TEXT = 10, 2000
NAME = "answer"


class State(StrEnum):
    """Steps of the partner's dialog."""

    CHOOSING_CATEGORY = "choosing_category"
    PLANNED_DATE = "planned_date"
    PLANNING_DATE = "planning_date"
    ADJUSTED = "planning_adjusted"
    MOTIVATION = "motivation"
    DECISION_DATE = "decision_date"
    REASON_TYPE = "reason_type"
    MEANS = "means"
    TEXT = "text"
    PREVIEW = "preview"
    NOT_OURS_REASON = "not_ours_reason"
    PASS_CHOOSING = "pass_choosing"
    PASS_REASON = "pass_reason"
    OUTCOME = "outcome"


@dataclass
class AnswerDraft:
    """The answer (or hand-back) being written."""

    route_id: int | None = None
    answer_id: int | None = None  # for a category-4 outcome
    category: str | None = None
    planned_date: str | None = None
    planning_date: str | None = None
    planning_adjusted: bool | None = None
    decision_date: str | None = None
    reason_type: str | None = None
    motivation: str | None = None
    means: str | None = None
    means_done: bool = False
    text: str | None = None
    pass_to: int | None = None

    def fields(self) -> AnswerFields:
        """As the domain's answer fields."""
        def day(value: str | None) -> date | None:
            return date.fromisoformat(value) if value else None

        return AnswerFields(category=self.category, text=self.text, planned_date=day(self.planned_date),
                            planning_date=day(self.planning_date), planning_adjusted=self.planning_adjusted,
                            decision_date=day(self.decision_date), reason_type=self.reason_type,
                            motivation=self.motivation, means=self.means)


# ── checks ───────────────────────────────────────────────────────────────────────────────

def _member_actor(context: WijkContext, organisation_id: int) -> Actor | None:
    """The acting partner member, if they belong to the organisation."""
    if not is_partner_member(context.db, person=context.person, organisation_id=organisation_id):
        return None
    name = next((m.display_name for m in active_memberships(context.db, person=context.person)
                 if m.organisation_id == organisation_id), None)
    return Actor(Role.PARTNER, context.person.id, pseudonym(context.person), name)


def _open_route(context: WijkContext, route_id: int | None) -> tuple[RequestRoute, Request, Actor] | None:
    """The still-open route, its request and the member; None after saying why not."""
    route = lock_route(context.db, route_id=route_id) if route_id else None
    actor = _member_actor(context, route.organisation_id) if route else None
    if route is None or actor is None:
        _say(context, _("Dit kan alleen een lid van de organisatie waar dit verzoek ligt."))
        return None
    request = lock_request(context.db, request_id=route.request_id)
    if route.status != RouteStatus.OPEN or request is None:
        _say(context, _("Dit verzoek ligt niet meer open bij jullie."))
        return None
    return route, request, actor


def _say(context: WijkContext, text: str) -> None:
    """An alert for a button, a message otherwise."""
    if context.incoming.callback_query:
        context.answer(text, alert=True)
    else:
        context.reply(text)


def _today(context: WijkContext) -> date:
    """Today in the municipality."""
    return utcnow().astimezone(context.settings.tz).date()


def _settings(context: WijkContext) -> tuple[int, int]:
    """(answer deadline in working days, contract period in years)."""
    settings = municipality_settings(context.db)
    return settings.answer_deadline_working_days, settings.contract_period_years


# ── the questions ────────────────────────────────────────────────────────────────────────

def _next_step(draft: AnswerDraft) -> State:
    """The first thing still missing for the chosen category; the preview when nothing is."""
    category = draft.category
    if category is None:
        return State.CHOOSING_CATEGORY
    if category == AnswerCategory.WITHIN_PERIOD and not draft.planned_date:
        return State.PLANNED_DATE
    if category == AnswerCategory.IN_PLANNING:
        if not draft.planning_date:
            return State.PLANNING_DATE
        if draft.planning_adjusted is None:
            return State.ADJUSTED
        if draft.planning_adjusted is False and not draft.motivation:
            return State.MOTIVATION
    if category == AnswerCategory.PRIORITISATION and not draft.decision_date:
        return State.DECISION_DATE
    if category == AnswerCategory.NOT_POSSIBLE:
        if draft.reason_type not in REASON_TYPES:
            return State.REASON_TYPE
        if not draft.motivation:
            return State.MOTIVATION
    if category in (AnswerCategory.WITHIN_PERIOD, AnswerCategory.IN_PLANNING) and not draft.means_done:
        return State.MEANS
    if not draft.text:
        return State.TEXT
    return State.PREVIEW


def _ask(context: WijkContext, state: State) -> State:
    """Send the question for `state`."""
    draft: AnswerDraft = context.draft
    examples = _("Typ een datum, bijvoorbeeld 15-3-2027, 15 maart 2027, maart 2027, week 12 of Q2 2027.")
    if state is State.CHOOSING_CATEGORY:
        rows = [[(category_label(c), AnswerCategoryChosen(c))] for c in AnswerCategory]
        context.reply(_("Welk antwoord geef je? (de vijf antwoorden van het wijkcontract)"), inline(rows))
    elif state is State.PLANNED_DATE:
        context.reply(_("Wanneer is het klaar? De datum moet binnen de contractperiode vallen.") + "\n" + examples)
    elif state is State.PLANNING_DATE:
        context.reply(_("Wanneer staat het in de meerjarenplanning?") + "\n" + examples)
    elif state is State.ADJUSTED:
        context.reply(_("Wordt de planning naar aanleiding van dit verzoek aangepast?"),
                      inline([[(_("Ja"), AnswerAdjusted("yes")), (_("Nee"), AnswerAdjusted("no"))]]))
    elif state is State.MOTIVATION:
        if draft.category == AnswerCategory.NOT_POSSIBLE:
            context.reply(_("Leg uit waarom het niet kan of mag. De bewoner en de wijkraad lezen dit."))
        else:
            context.reply(_("Waarom wordt de planning niet aangepast? De bewoner en de wijkraad lezen dit."))
    elif state is State.DECISION_DATE:
        context.reply(_("Wanneer wordt over de prioritering besloten? Op die datum vraag ik je om de uitkomst.")
                      + "\n" + examples)
    elif state is State.REASON_TYPE:
        context.reply(_("Waarom kan of mag het niet?"),
                      inline([[(_("Wettelijk"), AnswerReason("legal")), (_("Beleidsmatig"), AnswerReason("policy")),
                               (_("Financieel"), AnswerReason("financial"))]]))
    elif state is State.MEANS:
        context.reply(_("Met welke middelen (budget of capaciteit)? Dit komt in de afspraak."),
                      inline([[(_("Overslaan"), AnswerNoMeans())]]))
    elif state is State.TEXT:
        context.reply(_("Schrijf nu je antwoord aan de bewoner, in je eigen woorden ({min} tot {max} tekens). "
                        "Het gaat zoals je het schrijft naar de bewoner en de wijkraad.").format(min=MIN_TEXT, max=MAX_TEXT))
    elif state is State.PREVIEW:
        route = context.db.get(RequestRoute, draft.route_id)
        request = context.db.get(Request, route.request_id) if route else None
        context.reply(_("<b>Voorbeeld</b> – zo krijgt de bewoner je antwoord op {reference}:").format(
            reference=request.reference if request else "?") + "\n\n"
                      + answer_body(draft.fields(), context.settings.tz, with_means=True),
                      inline([[(_("✅ Versturen"), AnswerSend())],
                              [(_("✏️ Opnieuw"), AnswerRestart()), (_("✖️ Annuleren"), AnswerCancel())]]))
    return state


def _advance(context: WijkContext) -> State:
    """Ask whatever is still missing."""
    return _ask(context, _next_step(context.draft))


# ── starting (from the routed request's buttons) ─────────────────────────────────────────

async def begin(update: Update, context: WijkContext) -> State | str | None:
    """✍️ / 🙅 / ↪️ under a routed request."""
    pressed = AnswerBegin.parse(update.callback_query.data)
    found = _open_route(context, pressed.route_id if pressed is not None else None)
    if found is None or pressed is None:
        return None if context.draft and context.draft.route_id else END
    route, request, _actor = found
    context.answer()
    draft = AnswerDraft(route_id=route.id)
    private = update.effective_chat.type == "private"
    if not private:
        # Continue in the member's private chat, so typing works whatever the group's privacy mode.
        _continue_privately(context, draft, pressed.action)
        context.answer(_("Ik ga verder in een privégesprek met je."))
        return None
    context.draft = draft
    return _first_question(context, pressed.action, request)


def _first_question(context: WijkContext, action: str, request: Request) -> State:
    """The first question of the chosen action."""
    if action == "start":
        context.reply(_("Je beantwoordt <b>{reference}</b>.").format(reference=request.reference))
        return _ask(context, State.CHOOSING_CATEGORY)
    if action == "notours":
        context.reply(_("Waarom is <b>{reference}</b> niet voor jullie? Het verzoek gaat terug naar de wijkraad "
                        "en de coördinator.").format(reference=request.reference))
        return State.NOT_OURS_REASON
    organisations = context.db.exec(select(Organisation).where(Organisation.active).order_by(Organisation.name)).all()
    route = context.db.get(RequestRoute, context.draft.route_id)
    rows = [[(o.name, AnswerPassTo(o.id))] for o in organisations if o.id != route.organisation_id]
    context.reply(_("Aan welke partner geef je <b>{reference}</b> door?").format(reference=request.reference), inline(rows))
    return State.PASS_CHOOSING


def _continue_privately(context: WijkContext, draft: AnswerDraft, action: str) -> None:
    """Store the dialog for the member's private chat and ask the first question there."""
    user_id = context.incoming.effective_user.id
    request = context.db.get(Request, context.db.get(RequestRoute, draft.route_id).request_id)
    context.draft = draft
    context.redirect_chat = user_id
    state = _first_question(context, action, request)
    existing = load_dialog(context.db, chat_id=user_id, user_id=user_id, name=NAME)
    save_dialog(context.db, row=existing, chat_id=user_id, user_id=user_id, name=NAME, state=state.value,
                draft=dataclasses.asdict(draft))


# ── the steps ────────────────────────────────────────────────────────────────────────────

async def category_chosen(update: Update, context: WijkContext) -> State:
    """One of the five answers."""
    context.answer()
    context.edit_markup()
    pressed = AnswerCategoryChosen.parse(update.callback_query.data)
    draft = AnswerDraft(route_id=context.draft.route_id)
    draft.category = pressed.category if pressed is not None else None
    context.draft = draft
    return _advance(context)


def _date_from(context: WijkContext, text: str) -> date | None:
    """A typed date in the future, or None after a clear message."""
    try:
        return parse_date(text, today=_today(context))
    except DateNotUnderstood as error:
        messages = {
            DateProblem.EMPTY: _("Typ een datum."),
            DateProblem.UNKNOWN_FORMAT: _("Die datum begrijp ik niet."),
            DateProblem.NO_SUCH_DAY: _("Die dag bestaat niet."),
            DateProblem.IN_THE_PAST: _("Die datum ligt in het verleden."),
        }
        context.reply(messages[error.problem] + " " + _(
            "Typ een datum, bijvoorbeeld 15-3-2027, 15 maart 2027, maart 2027, week 12 of Q2 2027."))
        return None


async def planned_date(update: Update, context: WijkContext) -> State | None:
    """Category 2: the planned date, within the contract period."""
    day = _date_from(context, update.effective_message.text or "")
    if day is None:
        return None
    route = context.db.get(RequestRoute, context.draft.route_id)
    request = context.db.get(Request, route.request_id)
    _days, years = _settings(context)
    start, end = period_of(context.db, wijk_id=request.wijk_id, today=_today(context), years=years)
    if not start <= day <= end:
        tz = context.settings.tz
        context.reply(_("{date} valt buiten de contractperiode ({start} t/m {end}). Kies een datum binnen de "
                        "periode, of kies antwoord 3 of 4 (/annuleer en opnieuw).").format(
            date=fmt_date(day, tz), start=fmt_date(start, tz), end=fmt_date(end, tz)))
        return None
    context.draft.planned_date = day.isoformat()
    return _advance(context)


async def planning_date(update: Update, context: WijkContext) -> State | None:
    """Category 3: when it is planned."""
    day = _date_from(context, update.effective_message.text or "")
    if day is None:
        return None
    context.draft.planning_date = day.isoformat()
    return _advance(context)


async def adjusted(update: Update, context: WijkContext) -> State:
    """Category 3: is the planning adjusted?"""
    context.answer()
    context.edit_markup()
    pressed = AnswerAdjusted.parse(update.callback_query.data)
    context.draft.planning_adjusted = pressed is not None and pressed.adjusted == "yes"
    return _advance(context)


async def motivation(update: Update, context: WijkContext) -> State | None:
    """Why not (category 3 not adjusted, category 5)."""
    text = (update.effective_message.text or "").strip()
    if not MIN_TEXT <= len(text) <= MAX_TEXT:
        context.reply(_("Een motivering is verplicht: {min} tot {max} tekens.").format(min=MIN_TEXT, max=MAX_TEXT))
        return None
    context.draft.motivation = text
    return _advance(context)


async def decision_date(update: Update, context: WijkContext) -> State | None:
    """Category 4: when the prioritisation is decided."""
    day = _date_from(context, update.effective_message.text or "")
    if day is None:
        return None
    context.draft.decision_date = day.isoformat()
    return _advance(context)


async def reason_type(update: Update, context: WijkContext) -> State:
    """Category 5: legal, policy or financial."""
    context.answer()
    context.edit_markup()
    pressed = AnswerReason.parse(update.callback_query.data)
    context.draft.reason_type = pressed.reason if pressed is not None else None
    return _advance(context)


async def means(update: Update, context: WijkContext) -> State | None:
    """Categories 2 and 3: the means (optional)."""
    if update.callback_query:
        context.answer()
        context.edit_markup()
    else:
        text = (update.effective_message.text or "").strip()
        if not 2 <= len(text) <= 500:
            context.reply(_("Beschrijf de middelen in 2 tot 500 tekens, of kies Overslaan."))
            return None
        context.draft.means = text
    context.draft.means_done = True
    return _advance(context)


async def answer_text(update: Update, context: WijkContext) -> State | None:
    """The answer for the resident, as the partner writes it."""
    text = (update.effective_message.text or "").strip()
    if not MIN_TEXT <= len(text) <= MAX_TEXT:
        context.reply(_("Het antwoord aan de bewoner is verplicht: {min} tot {max} tekens.").format(
            min=MIN_TEXT, max=MAX_TEXT))
        return None
    context.draft.text = text
    return _advance(context)


async def send(update: Update, context: WijkContext) -> str | None:
    """Record the answer; the resident and the wijkraad get it after commit."""
    found = _open_route(context, context.draft.route_id)
    if found is None:
        return END
    route, request, actor = found
    fields = context.draft.fields()
    try:
        answer = give_answer(context.db, route=route, request=request, fields=fields, by=actor)
    except AnswerIncomplete:
        context.answer(_("Er ontbreekt nog iets."), alert=True)
        return _advance(context)
    context.answer()
    context.edit_markup()
    organisation = organisation_name(context.db, organisation_id=route.organisation_id)
    notices.answer_to_resident(context.db, request=request, answer=answer, organisation=organisation,
                               fields=fields, tz=context.settings.tz)
    notices.answer_to_wijkraad(context.db, request=request, organisation=organisation, fields=fields,
                               tz=context.settings.tz)
    made = _(" Er is een afspraak van gemaakt; meld de voortgang met /voortgang.") if answer.category in (
        AnswerCategory.WITHIN_PERIOD, AnswerCategory.IN_PLANNING) else ""
    context.reply(_("Verstuurd naar de bewoner en de wijkraad.") + made)
    return END


async def restart(update: Update, context: WijkContext) -> State:
    """Start the answer again."""
    context.answer()
    context.edit_markup()
    context.draft = AnswerDraft(route_id=context.draft.route_id)
    return _advance(context)


async def cancel(update: Update, context: WijkContext) -> str:
    """Stop; nothing is sent."""
    context.answer()
    context.edit_markup()
    context.reply(_("Gestopt; er is niets verstuurd. Het verzoek staat nog in je /inbox."))
    return END


def _reason(update: Update, context: WijkContext) -> str | None:
    """A required reason of sensible length, or None after saying so."""
    text = (update.effective_message.text or "").strip()
    if MIN_TEXT <= len(text) <= MAX_TEXT:
        return text
    context.reply(_("Een reden is verplicht: {min} tot {max} tekens.").format(min=MIN_TEXT, max=MAX_TEXT))
    return None


async def not_ours_reason(update: Update, context: WijkContext) -> str | None:
    """Hand back with a reason: to the wijkraad and the coordinator, never into a void."""
    text = _reason(update, context)
    if text is None:
        return None
    found = _open_route(context, context.draft.route_id)
    if found is None:
        return END
    route, request, actor = found
    back = not_ours(context.db, route=route, request=request, by=actor, reason=text)
    organisation = organisation_name(context.db, organisation_id=route.organisation_id)
    notices.handed_back(context.db, request=request, organisation=organisation, reason=text,
                        back_with_wijkraad=back == "return", tz=context.settings.tz)
    context.reply(_("Teruggegeven. De wijkraad en de coördinator zijn ingelicht."))
    return END


async def pass_choose(update: Update, context: WijkContext) -> State | None:
    """The partner to pass it to."""
    pressed = AnswerPassTo.parse(update.callback_query.data)
    organisation = context.db.get(Organisation, pressed.organisation_id) if pressed is not None else None
    if organisation is None or not organisation.active:
        context.answer(_("Die organisatie bestaat niet (meer)."), alert=True)
        return None
    route = context.db.get(RequestRoute, context.draft.route_id) if context.draft.route_id else None
    if route is not None and organisation.id == route.organisation_id:
        context.answer(_("Het verzoek ligt al bij jullie. Kies een andere partner, of stop met /annuleer."),
                       alert=True)
        return None
    context.answer()
    context.edit_markup()
    context.draft.pass_to = organisation.id
    context.reply(_("Waarom geef je het door aan {organisation}? Zij lezen deze reden.").format(
        organisation=html.escape(organisation.name)))
    return State.PASS_REASON


async def pass_reason(update: Update, context: WijkContext) -> str | None:
    """Pass on with a reason; the new partner gets its own deadline."""
    text = _reason(update, context)
    if text is None:
        return None
    found = _open_route(context, context.draft.route_id)
    if found is None:
        return END
    route, request, actor = found
    days, _years = _settings(context)
    new = pass_on(context.db, route=route, request=request, organisation_id=context.draft.pass_to, by=actor,
                  reason=text, today=_today(context), answer_days=days)
    sender = organisation_name(context.db, organisation_id=route.organisation_id)
    receiver = organisation_name(context.db, organisation_id=new.organisation_id)
    with use_locale(notices.GROUP_LOCALE):
        note = _("Doorgegeven door {organisation}: {reason}").format(organisation=sender, reason=text)
    notices.to_partner(context.db, request=request, route_id=new.id, organisation_id=new.organisation_id,
                       deadline=new.deadline, tz=context.settings.tz, note=note)
    with use_locale(notices.GROUP_LOCALE):
        notices.to_groups(context.db, wijk_id=request.wijk_id, text_nl=_(
            "↪️ {sender} heeft {reference} doorgegeven aan {receiver}: {reason}").format(
            sender=html.escape(sender), reference=request.reference, receiver=html.escape(receiver),
            reason=html.escape(text)))
    context.reply(_("Doorgegeven aan {organisation}.").format(organisation=html.escape(receiver)))
    return END


# ── category 4: the outcome, asked at the decision date ──────────────────────────────────

def _awaits_outcome(context: WijkContext, answer: Answer) -> bool:
    """A category-4 answer of the member's organisation whose outcome has not been given yet."""
    return (answer.category == AnswerCategory.PRIORITISATION and answer.outcome is None
            and _member_actor(context, answer.organisation_id) is not None)


async def outcome_begin(update: Update, context: WijkContext) -> State | str:
    """The member starts giving the outcome."""
    pressed = AnswerOutcome.parse(update.callback_query.data)
    answer = context.db.get(Answer, pressed.answer_id) if pressed is not None else None
    if answer is None or not _awaits_outcome(context, answer):
        context.answer(_("Dit kan alleen een lid van de organisatie, bij een antwoord 4 (prioritering) waarvan de "
                         "uitkomst nog niet gegeven is. Er is niets veranderd."), alert=True)
        return END
    context.answer()
    context.draft = AnswerDraft(answer_id=answer.id)
    request = context.db.get(Request, answer.request_id)
    context.reply(_("Wat is de uitkomst van de prioritering voor {reference}? De wijkraad en de bewoner lezen dit.")
                  .format(reference=request.reference if request else "?"))
    return State.OUTCOME


async def outcome_text(update: Update, context: WijkContext) -> str | None:
    """Record the outcome and tell the wijkraad and the resident."""
    text = (update.effective_message.text or "").strip()
    if not MIN_TEXT <= len(text) <= MAX_TEXT:
        context.reply(_("Beschrijf de uitkomst in {min} tot {max} tekens.").format(min=MIN_TEXT, max=MAX_TEXT))
        return None
    answer = context.db.get(Answer, context.draft.answer_id) if context.draft.answer_id else None
    if answer is None or not _awaits_outcome(context, answer):
        context.reply(_("De uitkomst is al gegeven."))
        return END
    record_outcome(context.db, answer=answer, outcome=text)
    request = context.db.get(Request, answer.request_id)
    notices.outcome(context.db, request=request, organisation=organisation_name(
        context.db, organisation_id=answer.organisation_id), outcome=text)
    context.reply(_("Dank je. De wijkraad en de bewoner krijgen de uitkomst."))
    return END


# ── registration ─────────────────────────────────────────────────────────────────────────

PRIVATE = filters.ChatType.PRIVATE
TEXT = PRIVATE & filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
BEGIN = CallbackQueryHandler(begin, pattern=AnswerBegin.pattern)
OUTCOME = CallbackQueryHandler(outcome_begin, pattern=AnswerOutcome.pattern)


async def unexpected(update: Update, context: WijkContext) -> None:
    """Something that does not fit the step: repeat the question."""
    context.reply(_("Dat past niet bij deze stap.") + " " + _("Stoppen kan met /annuleer."))


def build() -> Dialog[AnswerDraft]:
    """The partner's dialog."""
    return Dialog(
        name=NAME,
        draft_type=AnswerDraft,
        entry_points=[BEGIN, OUTCOME],
        states={
            State.CHOOSING_CATEGORY: [CallbackQueryHandler(category_chosen, pattern=AnswerCategoryChosen.pattern)],
            State.PLANNED_DATE: [MessageHandler(TEXT, planned_date)],
            State.PLANNING_DATE: [MessageHandler(TEXT, planning_date)],
            State.ADJUSTED: [CallbackQueryHandler(adjusted, pattern=AnswerAdjusted.pattern)],
            State.MOTIVATION: [MessageHandler(TEXT, motivation)],
            State.DECISION_DATE: [MessageHandler(TEXT, decision_date)],
            State.REASON_TYPE: [CallbackQueryHandler(reason_type, pattern=AnswerReason.pattern)],
            State.MEANS: [CallbackQueryHandler(means, pattern=AnswerNoMeans.pattern), MessageHandler(TEXT, means)],
            State.TEXT: [MessageHandler(TEXT, answer_text)],
            State.PREVIEW: [CallbackQueryHandler(send, pattern=AnswerSend.pattern),
                            CallbackQueryHandler(restart, pattern=AnswerRestart.pattern),
                            CallbackQueryHandler(cancel, pattern=AnswerCancel.pattern)],
            State.NOT_OURS_REASON: [MessageHandler(TEXT, not_ours_reason)],
            State.PASS_CHOOSING: [CallbackQueryHandler(pass_choose, pattern=AnswerPassTo.pattern)],
            State.PASS_REASON: [MessageHandler(TEXT, pass_reason)],
            State.OUTCOME: [MessageHandler(TEXT, outcome_text)],
        },
        fallbacks=[BEGIN, OUTCOME, MessageHandler(PRIVATE & filters.UpdateType.MESSAGE & ~filters.COMMAND, unexpected)],
    )
