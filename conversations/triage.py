"""Triage in the wijkraad group: the card's buttons, the typed follow-ups, /wachtrij and /verzoek.

Every press is checked against the database: the presser must be a wijkraad member of the
request's wijk (whatever chat the button is in), and the request's current status must
allow the action (`transition()` decides). A stale or forged button changes nothing.

Typed follow-ups (a reason, a question, a reference) are a small stored dialog per member:

    🚫 / ❓ / "type a reference" ─► AWAITING_{REASON,QUESTION,REFERENCE} ─ reply to the prompt ─► action ─► END
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from telegram import ForceReply, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import WijkContext
from bot.i18n import _, use_locale
from conversations import notices
from conversations.buttons import (
    Button,
    TriageBack,
    TriageDuplicate,
    TriageDuplicateOf,
    TriageMelding,
    TriagePage,
    TriagePrompt,
    TriageRemovePhotos,
    TriageRoute,
    TriageRoutePick,
    TriageRouteSend,
    TriageShow,
)
from conversations.card import card_buttons, card_text, priority_label
from conversations.dialog import END, Dialog
from conversations.keyboards import inline
from conversations.texts import status_label
from storage.groups import group_of
from storage.models import Area, Request, utcnow
from storage.municipality import municipality_settings
from storage.roles import wijkraad_membership
from storage.similar import similar_open_requests
from storage.triage import (
    ask_resident,
    lock_request,
    mark_duplicate,
    melding,
    out_of_scope,
    partners_for,
    queue,
    redact,
    request_by_reference,
    route,
    routes_of,
    wijkraad_actor,
)
from storage.workflow import Actor, TransitionRefused

MIN_NOTE, MAX_NOTE = 5, 500
PAGE = 5
CHECKED = "✅ "
UNCHECKED = "▫️ "


class State(StrEnum):
    """Steps of a typed follow-up."""

    AWAITING_REASON = "awaiting_reason"
    AWAITING_QUESTION = "awaiting_question"
    AWAITING_REFERENCE = "awaiting_reference"
    AWAITING_REDACTION = "awaiting_redaction"


@dataclass
class TriageDraft:
    """Which request and card the member is typing for."""

    request_id: int | None = None
    card_chat_id: int | None = None
    card_message_id: int | None = None


# ── authorisation and the card ───────────────────────────────────────────────────────────

_CardButton = (TriageRoute | TriageRoutePick | TriageRouteSend | TriageBack | TriageMelding | TriageDuplicate
               | TriageDuplicateOf | TriagePrompt | TriageRemovePhotos | TriageShow)


def _request_id(update: Update, kind: type[_CardButton]) -> int | None:
    """The request id on the pressed button of this kind (None when its data is not one)."""
    pressed = kind.parse(update.callback_query.data)
    return pressed.request_id if pressed is not None else None


def _authorised(context: WijkContext, request_id: int | None) -> tuple[Request, Actor] | None:
    """The locked request and the acting member, or None after telling the presser why not."""
    request = lock_request(context.db, request_id=request_id) if request_id is not None else None
    if request is None:
        context.answer(_("Dit verzoek bestaat niet (meer)."), alert=True)
        return None
    membership = wijkraad_membership(context.db, person=context.person, wijk_id=request.wijk_id)
    if membership is None:
        wijk = context.db.get(Area, request.wijk_id)
        context.answer(_("Alleen leden van de wijkraad van {wijk} kunnen dit doen.").format(
            wijk=wijk.name if wijk else "?"), alert=True)
        return None
    return request, wijkraad_actor(context.person, membership.display_name)


def _open_card(update: Update, context: WijkContext, kind: type[_CardButton]) -> tuple[Request, Actor] | None:
    """Like `_authorised`, and the request must still have open actions (else the card is refreshed)."""
    found = _authorised(context, _request_id(update, kind))
    if found is not None and card_buttons(found[0]) is None:
        _stale(context, found[0])
        return None
    return found


def _refresh_card(context: WijkContext, request: Request, markup: InlineKeyboardMarkup | None = None,
                  *, chat_id: int | None = None, message_id: int | None = None) -> None:
    """Edit the card to its current state (the pressed message unless another is named)."""
    from storage.outbox import edit_message

    query = context.incoming.callback_query
    if chat_id is None and query is not None and query.message is not None:
        chat_id, message_id = query.message.chat.id, query.message.message_id
    if chat_id is None or message_id is None:
        return
    with use_locale(notices.GROUP_LOCALE):  # the card reads the same whoever pressed
        buttons = markup if markup is not None else card_buttons(request)
        text = card_text(context.db, request=request, tz=context.settings.tz)
    edit_message(context.db, chat_id=chat_id, message_id=message_id, text=text,
                 reply_markup=buttons.to_dict() if buttons else None)


def _stale(context: WijkContext, request: Request) -> None:
    """The action no longer fits: say what happened instead and show the current card."""
    context.answer(_("Dit kan niet meer: het verzoek is nu {status}.").format(status=status_label(request.status)),
                   alert=True)
    _refresh_card(context, request)


# ── the card's buttons ───────────────────────────────────────────────────────────────────

async def route_start(update: Update, context: WijkContext) -> None:
    """Show the wijk's partners to choose from."""
    found = _open_card(update, context, TriageRoute)
    if found is None:
        return
    request, _actor = found
    partners = partners_for(context.db, wijk_id=request.wijk_id)
    if not partners:
        context.answer(_("Deze wijk heeft nog geen partnerorganisaties (zie de configuratie)."), alert=True)
        return
    context.answer()
    context.edit_markup(_route_keyboard(request.id, [(p.id, p.name) for p in partners], set()))


def _route_keyboard(request_id: int, partners: list[tuple[int, str]], chosen: set[int]) -> InlineKeyboardMarkup:
    """Partner toggles plus confirm and back."""
    rows: list[list[tuple[str, Button]]] = [
        [((CHECKED if pid in chosen else UNCHECKED) + name, TriageRoutePick(request_id, pid))] for pid, name in partners]
    rows.append([(_("➡️ Doorzetten ({count})").format(count=len(chosen)), TriageRouteSend(request_id)),
                 (_("↩️ Terug"), TriageBack(request_id))])
    return inline(rows)


def _chosen_on(update: Update) -> set[int]:
    """Which partners are ticked on the pressed keyboard (UI state only: checked again on confirm)."""
    markup = update.callback_query.message.reply_markup if update.callback_query.message else None
    chosen: set[int] = set()
    for row in (markup.inline_keyboard if markup else ()):
        for button in row:
            pick = TriageRoutePick.parse(button.callback_data if isinstance(button.callback_data, str) else None)
            if pick is not None and button.text.startswith(CHECKED):
                chosen.add(pick.organisation_id)
    return chosen


async def route_toggle(update: Update, context: WijkContext) -> None:
    """Tick or untick a partner."""
    pick = TriageRoutePick.parse(update.callback_query.data)
    found = _authorised(context, pick.request_id if pick is not None else None)
    if found is None or pick is None:
        return
    request, _actor = found
    partners = [(p.id, p.name) for p in partners_for(context.db, wijk_id=request.wijk_id)]
    partner_id = pick.organisation_id
    if partner_id not in {pid for pid, _name in partners} or card_buttons(request) is None:
        _stale(context, request)
        return
    chosen = _chosen_on(update) ^ {partner_id}
    context.answer()
    context.edit_markup(_route_keyboard(request.id, partners, chosen))


async def route_confirm(update: Update, context: WijkContext) -> None:
    """Route to the ticked partners, each with its answer deadline."""
    found = _authorised(context, _request_id(update, TriageRouteSend))
    if found is None:
        return
    request, actor = found
    chosen = sorted(_chosen_on(update))
    if not chosen:
        context.answer(_("Kies eerst een of meer partners."), alert=True)
        return
    days = municipality_settings(context.db).answer_deadline_working_days
    today = utcnow().astimezone(context.settings.tz).date()
    try:
        result = route(context.db, request=request, organisation_ids=chosen, by=actor, today=today, answer_days=days)
    except (TransitionRefused, ValueError):
        _stale(context, request)
        return
    context.answer(_("Doorgezet."))
    _refresh_card(context, request)
    notices.routed(context.db, request=request, organisations=result.organisations, deadline=result.deadline,
                   tz=context.settings.tz)
    for route_row, organisation in routes_of(context.db, request_id=request.id):
        if organisation.id in {o.id for o in result.organisations}:
            notices.to_partner(context.db, request=request, route_id=route_row.id, organisation_id=organisation.id,
                               deadline=route_row.deadline, tz=context.settings.tz)


async def back(update: Update, context: WijkContext) -> None:
    """Back to the card's own buttons."""
    found = _authorised(context, _request_id(update, TriageBack))
    if found is None:
        return
    context.answer()
    _refresh_card(context, found[0])


async def as_melding(update: Update, context: WijkContext) -> None:
    """A simple report: solved directly; the resident gets the meldpunt's contact."""
    found = _authorised(context, _request_id(update, TriageMelding))
    if found is None:
        return
    request, actor = found
    try:
        melding(context.db, request=request, by=actor)
    except TransitionRefused:
        _stale(context, request)
        return
    context.answer(_("Afgehandeld als melding."))
    _refresh_card(context, request)
    notices.melding(context.db, request=request)


async def duplicate_start(update: Update, context: WijkContext) -> None:
    """Offer similar open requests, or typing a reference."""
    found = _open_card(update, context, TriageDuplicate)
    if found is None:
        return
    request, _actor = found
    context.answer()
    alike = [r for r in similar_open_requests(context.db, wijk_id=request.wijk_id, text=request.text, limit=4)
             if r.id != request.id][:3]
    rows: list[list[tuple[str, Button]]] = [
        [(f"{r.reference}: {r.text[:40]}", TriageDuplicateOf(request.id, r.id))] for r in alike]
    rows.append([(_("⌨️ Nummer typen"), TriagePrompt("duplicate_number", request.id)),
                 (_("↩️ Terug"), TriageBack(request.id))])
    context.edit_markup(inline(rows))


def _merge(context: WijkContext, request: Request, actor: Actor, original: Request | None) -> bool:
    """Merge into `original`; False (after saying why) when that is not possible."""
    if original is None or original.id == request.id or original.wijk_id != request.wijk_id:
        context.reply(_("Dat nummer is geen ander verzoek uit deze wijk."))
        return False
    try:
        mark_duplicate(context.db, request=request, original=original, by=actor)
    except (TransitionRefused, ValueError):
        context.reply(_("Samenvoegen kan niet: {reference} is niet (meer) open.").format(reference=original.reference))
        return False
    notices.duplicate(context.db, request=request, original=original)
    return True


async def duplicate_of(update: Update, context: WijkContext) -> None:
    """Merge into the chosen similar request."""
    pressed = TriageDuplicateOf.parse(update.callback_query.data)
    found = _authorised(context, pressed.request_id if pressed is not None else None)
    if found is None or pressed is None:
        return
    request, actor = found
    if card_buttons(request) is None:
        _stale(context, request)
        return
    original = lock_request(context.db, request_id=pressed.original_id)
    context.answer()
    if _merge(context, request, actor, original):
        _refresh_card(context, request)


async def prompt(update: Update, context: WijkContext) -> State | str:
    """Ask the member to type a reason, a question or a reference (as a reply, so privacy mode delivers it)."""
    pressed = TriagePrompt.parse(update.callback_query.data)
    found = _authorised(context, pressed.request_id if pressed is not None else None)
    if found is None or pressed is None:
        return END
    request, _actor = found
    if card_buttons(request) is None:
        _stale(context, request)
        return END
    context.answer()
    message = update.callback_query.message
    context.draft = TriageDraft(request_id=request.id, card_chat_id=message.chat.id if message else None,
                                card_message_id=message.message_id if message else None)
    texts = {
        "out_of_scope": (State.AWAITING_REASON, _("Waarom valt {reference} buiten het wijkcontract? De bewoner krijgt deze "
                                         "reden te lezen. Typ hem als antwoord op dit bericht.")),
        "ask": (State.AWAITING_QUESTION, _("Welke vraag wil je de bewoner stellen over {reference}? Typ hem als "
                                           "antwoord op dit bericht; de bewoner ziet niet wie hem stelt.")),
        "duplicate_number": (State.AWAITING_REFERENCE, _("Met welk verzoek is {reference} dubbel? Typ het nummer "
                                               "(bijvoorbeeld W-0042) als antwoord op dit bericht.")),
        "redact": (State.AWAITING_REDACTION, _("Typ de nieuwe tekst van {reference}, zonder de persoonsgegevens, "
                                               "als antwoord op dit bericht. De oude tekst wordt niet bewaard.")),
    }
    state, text = texts[pressed.action]
    context.reply(text.format(reference=request.reference),
                  ForceReply(selective=True, input_field_placeholder=request.reference))
    return state


def _typed(update: Update, context: WijkContext) -> tuple[Request, Actor, str] | None:
    """The draft's request (checked again), the member and the typed text."""
    draft: TriageDraft = context.draft
    found = _authorised(context, draft.request_id)
    if found is None:
        context.refuse(_("Dat mag alleen een lid van de wijkraad van deze wijk."))
        return None
    request, actor = found
    return request, actor, (update.effective_message.text or "").strip()


def _note_ok(context: WijkContext, text: str) -> bool:
    """A reason or question of sensible length."""
    if MIN_NOTE <= len(text) <= MAX_NOTE:
        return True
    context.reply(_("Typ {min} tot {max} tekens, als antwoord op mijn vraag.").format(min=MIN_NOTE, max=MAX_NOTE))
    return False


async def _apply_note(update: Update, context: WijkContext, action: Callable[[Request, Actor, str], None],
                      done: str) -> str | None:
    """A typed reason or question: checked, applied, the card refreshed and the member told `done`."""
    typed = _typed(update, context)
    if typed is None:
        return END
    request, actor, text = typed
    if not _note_ok(context, text):
        return None
    try:
        action(request, actor, text)
    except TransitionRefused:
        context.reply(_("Dit kan niet meer: het verzoek is nu {status}.").format(status=status_label(request.status)))
        return END
    draft: TriageDraft = context.draft
    _refresh_card(context, request, chat_id=draft.card_chat_id, message_id=draft.card_message_id)
    context.reply(done.format(reference=request.reference))
    return END


async def reason_typed(update: Update, context: WijkContext) -> str | None:
    """Out of scope with this reason; the resident is told kindly."""
    def apply(request: Request, actor: Actor, text: str) -> None:
        out_of_scope(context.db, request=request, by=actor, reason=text)
        notices.out_of_scope(context.db, request=request, reason=text)

    return await _apply_note(update, context, apply,
                             _("{reference} staat buiten het wijkcontract; de bewoner is ingelicht."))


async def question_typed(update: Update, context: WijkContext) -> str | None:
    """Relay the question to the resident."""
    draft: TriageDraft = context.draft

    def apply(request: Request, actor: Actor, text: str) -> None:
        ask_resident(context.db, request=request, by=actor, question=text,
                     group_chat_id=draft.card_chat_id or update.effective_chat.id, card_message_id=draft.card_message_id)
        notices.question(context.db, request=request, text=text)

    return await _apply_note(update, context, apply, _(
        "De vraag is doorgestuurd. Het antwoord van de bewoner verschijnt hier bij {reference}."))


async def reference_typed(update: Update, context: WijkContext) -> str | None:
    """Merge into the typed reference."""
    typed = _typed(update, context)
    if typed is None:
        return END
    request, actor, text = typed
    original = request_by_reference(context.db, reference=text)
    if original is not None:
        original = lock_request(context.db, request_id=original.id)
    if not _merge(context, request, actor, original):
        return None
    draft: TriageDraft = context.draft
    _refresh_card(context, request, chat_id=draft.card_chat_id, message_id=draft.card_message_id)
    context.reply(_("{reference} is samengevoegd met {original}.").format(reference=request.reference,
                                                                          original=original.reference))
    return END


async def redaction_typed(update: Update, context: WijkContext) -> str | None:
    """Replace the text (personal data removed); the history keeps only that it happened."""
    typed = _typed(update, context)
    if typed is None:
        return END
    request, actor, text = typed
    if not 20 <= len(text) <= 1000:
        context.reply(_("Typ 20 tot 1.000 tekens, als antwoord op mijn vraag."))
        return None
    try:
        redact(context.db, request=request, by=actor, text=text)
    except ValueError:
        context.reply(_("Dit kan alleen voordat het verzoek is doorgezet."))
        return END
    draft: TriageDraft = context.draft
    _refresh_card(context, request, chat_id=draft.card_chat_id, message_id=draft.card_message_id)
    context.reply(_("De tekst van {reference} is aangepast.").format(reference=request.reference))
    return END


async def remove_photos(update: Update, context: WijkContext) -> None:
    """Drop the request's photos before routing."""
    found = _authorised(context, _request_id(update, TriageRemovePhotos))
    if found is None:
        return
    request, actor = found
    try:
        redact(context.db, request=request, by=actor, remove_photos=True)
    except ValueError:
        _stale(context, request)
        return
    context.answer(_("Foto's verwijderd."))
    _refresh_card(context, request)


async def leave(update: Update, context: WijkContext) -> str:
    """/annuleer in the group: stop typing."""
    context.reply(_("Gestopt; er is niets veranderd."))
    return END


# ── /wachtrij and /verzoek ───────────────────────────────────────────────────────────────

def _group_wijk(update: Update, context: WijkContext) -> Area | None:
    """The wijk this group belongs to, if the sender is a member of its wijkraad."""
    group = group_of(context.db, chat_id=update.effective_chat.id)
    if group is None or group.area_id is None:
        context.refuse(_("Deze groep is nog niet gekoppeld aan een wijk. Een wijkraadlid typt hier /koppel."))
        return None
    if wijkraad_membership(context.db, person=context.person, wijk_id=group.area_id) is None:
        context.refuse(_("Dit is alleen voor leden van de wijkraad."))
        return None
    return context.db.get(Area, group.area_id)


def _queue_page(context: WijkContext, wijk: Area, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of the queue with buttons to open a card."""
    waiting = queue(context.db, wijk_id=wijk.id)
    if not waiting:
        return _("Er wachten geen verzoeken in {wijk}. 🎉").format(wijk=html.escape(wijk.name)), None
    pages = (len(waiting) + PAGE - 1) // PAGE
    page = max(0, min(page, pages - 1))
    shown = waiting[page * PAGE:(page + 1) * PAGE]
    lines = [_("<b>Wachtrij {wijk}</b> ({count}, oudste eerst) – pagina {page}/{pages}").format(
        wijk=html.escape(wijk.name), count=len(waiting), page=page + 1, pages=pages)]
    for r in shown:
        mark = f" {priority_label()}" if r.priority else ""
        lines.append(f"• <b>{r.reference}</b> ({status_label(r.status)}): {html.escape(r.text[:60])}{mark}")
    rows: list[list[tuple[str, Button]]] = [
        [(_("Open {reference}").format(reference=r.reference), TriageShow(r.id)) for r in shown]]
    nav: list[tuple[str, Button]] = []
    if page > 0:
        nav.append((_("◀️ Vorige"), TriagePage(wijk.id, page - 1)))
    if page < pages - 1:
        nav.append((_("Volgende ▶️"), TriagePage(wijk.id, page + 1)))
    if nav:
        rows.append(nav)
    return "\n".join(lines), inline(rows)


async def queue_command(update: Update, context: WijkContext) -> None:
    """/wachtrij: untriaged and waiting requests, oldest first, paged."""
    wijk = _group_wijk(update, context)
    if wijk is None:
        return
    text, markup = _queue_page(context, wijk, 0)
    context.reply(text, markup)


async def queue_page(update: Update, context: WijkContext) -> None:
    """Another page of /wachtrij."""
    pressed = TriagePage.parse(update.callback_query.data)
    wijk = context.db.get(Area, pressed.wijk_id) if pressed is not None else None
    if pressed is None or wijk is None or wijkraad_membership(context.db, person=context.person, wijk_id=wijk.id) is None:
        context.answer(_("Dit is alleen voor leden van de wijkraad."), alert=True)
        return
    context.answer()
    from storage.outbox import edit_message

    text, markup = _queue_page(context, wijk, pressed.page)
    message = update.callback_query.message
    edit_message(context.db, chat_id=message.chat.id, message_id=message.message_id, text=text,
                 reply_markup=markup.to_dict() if markup else None)


async def show(update: Update, context: WijkContext) -> None:
    """Post a request's card (from the queue)."""
    found = _authorised(context, _request_id(update, TriageShow))
    if found is None:
        return
    request, _actor = found
    context.answer()
    buttons = card_buttons(request)
    context.reply(card_text(context.db, request=request, tz=context.settings.tz), buttons)


async def request_command(update: Update, context: WijkContext) -> None:
    """/verzoek W-0042: the card with its history."""
    wijk = _group_wijk(update, context)
    if wijk is None:
        return
    reference = (context.args or [""])[0]
    request = request_by_reference(context.db, reference=reference)
    if request is None or request.wijk_id != wijk.id:
        context.reply(_("Ik vind geen verzoek {reference} in {wijk}. Gebruik bijvoorbeeld /verzoek W-0042.").format(
            reference=html.escape(reference[:20]), wijk=html.escape(wijk.name)))
        return
    context.reply(card_text(context.db, request=request, tz=context.settings.tz, with_history=True),
                  card_buttons(request))


# ── registration helpers ─────────────────────────────────────────────────────────────────

GROUPS = filters.ChatType.GROUPS
REPLY_TEXT = GROUPS & filters.UpdateType.MESSAGE & filters.TEXT & filters.REPLY & ~filters.COMMAND
PROMPTS = CallbackQueryHandler(prompt, pattern=TriagePrompt.pattern)


def build_dialog() -> Dialog[TriageDraft]:
    """The typed follow-ups, stored per member per group."""
    return Dialog(
        name="triage",
        draft_type=TriageDraft,
        entry_points=[PROMPTS],
        states={
            State.AWAITING_REASON: [MessageHandler(REPLY_TEXT, reason_typed)],
            State.AWAITING_QUESTION: [MessageHandler(REPLY_TEXT, question_typed)],
            State.AWAITING_REFERENCE: [MessageHandler(REPLY_TEXT, reference_typed)],
            State.AWAITING_REDACTION: [MessageHandler(REPLY_TEXT, redaction_typed)],
        },
        fallbacks=[PROMPTS, CommandHandler("annuleer", leave, filters=GROUPS)],
    )


def button_handlers() -> list[CallbackQueryHandler]:
    """The card's other buttons."""
    return [
        CallbackQueryHandler(route_start, pattern=TriageRoute.pattern),
        CallbackQueryHandler(route_toggle, pattern=TriageRoutePick.pattern),
        CallbackQueryHandler(route_confirm, pattern=TriageRouteSend.pattern),
        CallbackQueryHandler(back, pattern=TriageBack.pattern),
        CallbackQueryHandler(as_melding, pattern=TriageMelding.pattern),
        CallbackQueryHandler(duplicate_start, pattern=TriageDuplicate.pattern),
        CallbackQueryHandler(duplicate_of, pattern=TriageDuplicateOf.pattern),
        CallbackQueryHandler(show, pattern=TriageShow.pattern),
        CallbackQueryHandler(remove_photos, pattern=TriageRemovePhotos.pattern),
        CallbackQueryHandler(queue_page, pattern=TriagePage.pattern),
    ]
