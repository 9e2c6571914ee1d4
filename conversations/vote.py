"""The prioritisation vote: the wijkraad opens it in its group, the wijk's followers vote in private chat.

In the wijkraad group, `/stemming` by a wijkraad member of the group's wijk (or a coordinator
of it) sets a vote up as a stored dialog per member; every press re-checks that role:

    /stemming ─► CHOOSING (toggle open requests, paged) ─ Verder ─► MAX_CHOICES (1–5)
              ─► DURATION (7 / 14 / 21 days, closing at 20:00 local time that day)
              ─► CONFIRMING ─ Openen ─► vote open, ballots to the followers ─► END
    (Annuleren at any step ─► END; while a vote is open, /stemming shows its state and "Nu sluiten")

Residents who follow the wijk get a ballot in private chat (in their language, held in the quiet
hours): toggles that only change the buttons, and "Stem opslaan", which stores their ONE ballot
(pressing it again later replaces it). `/stem` sends the ballots of open votes again. When the vote
closes (by the scheduler at its closing time, or "Nu sluiten"), the ranked results go to the
wijkraad group(s) and to every voter.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlmodel import Session
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.context import WijkContext
from bot.i18n import _, fmt_datetime, ngettext, use_locale
from conversations.buttons import (
    BallotPick,
    BallotSave,
    Button,
    VoteClose,
    VoteSetupCancel,
    VoteSetupChoices,
    VoteSetupDays,
    VoteSetupNext,
    VoteSetupOpen,
    VoteSetupPage,
    VoteSetupPick,
)
from conversations.card import priority_label
from conversations.dialog import END, Dialog
from conversations.fallbacks import stale_button
from conversations.keyboards import inline
from conversations.notices import GROUP_LOCALE
from conversations.texts import former_member, kind_label
from storage.groups import group_of, wijkraad_groups
from storage.models import Area, Person, PriorityVote, Request, utcnow
from storage.outbox import edit_message, send_message
from storage.people import pseudonym
from storage.roles import active_memberships, coordinates, wijkraad_membership
from storage.visibility import publicly_visible
from storage.votes import (
    MAX_PRIORITIES,
    MIN_OPTIONS,
    VoteRefused,
    ballot_count,
    ballot_of,
    ballot_options,
    cast_ballot,
    close_vote,
    followers,
    is_open,
    lock_vote,
    open_vote,
    open_votes_for,
    options_of,
    results,
    start_vote,
    votable_requests,
    voters,
)

GROUPS = filters.ChatType.GROUPS
PRIVATE = filters.ChatType.PRIVATE
PAGE = 8
MAX_CHOICES = 5
DURATIONS = (7, 14, 21)
CLOSES_AT = time(20, 0)  # local time on the last day: results arrive before the quiet hours
CHECKED = "✅ "
UNCHECKED = "▫️ "
DATE_TIME = "d MMMM y, HH:mm"


class State(StrEnum):
    """Steps of setting up a vote in the wijkraad group."""

    CHOOSING = "choosing"
    MAX_CHOICES = "max_choices"
    DURATION = "duration"
    CONFIRMING = "confirming"


@dataclass
class VoteDraft:
    """The vote being set up: which wijk, which requests, how many choices, how long."""

    wijk_id: int | None = None
    chosen: list[int] = field(default_factory=list)
    page: int = 0
    max_choices: int | None = None
    days: int | None = None


# ── who may run a vote ───────────────────────────────────────────────────────────────────

def _may_run(context: WijkContext, wijk_id: int) -> bool:
    """A wijkraad member of the wijk, or a coordinator of it (checked on every press)."""
    return (wijkraad_membership(context.db, person=context.person, wijk_id=wijk_id) is not None
            or coordinates(context.db, person=context.person, area_id=wijk_id))


def _refusal(wijk: Area | None) -> str:
    """The friendly no for everyone else."""
    return _("Alleen leden van de wijkraad van {wijk} of een coördinator kunnen een stemming starten of "
             "sluiten.").format(wijk=html.escape(wijk.name if wijk else "?"))


def _member_name(context: WijkContext, wijk_id: int) -> str | None:
    """How the member is called on the vote (their membership's name)."""
    membership = wijkraad_membership(context.db, person=context.person, wijk_id=wijk_id)
    if membership is None:
        membership = next((m for m in active_memberships(context.db, person=context.person) if m.display_name), None)
    return membership.display_name if membership else None


def _group_wijk(update: Update, context: WijkContext) -> Area | None:
    """The wijk this group is the wijkraad group of (None after saying so)."""
    group = group_of(context.db, chat_id=update.effective_chat.id)
    if group is None or group.area_id is None:
        context.refuse(_("Deze groep is nog niet gekoppeld aan een wijk. Een wijkraadlid typt hier /koppel."))
        return None
    return context.db.get(Area, group.area_id)


def _when(value: datetime, tz: ZoneInfo) -> str:
    """A closing moment in the active locale."""
    return fmt_datetime(value, tz, DATE_TIME)


def closes_at(today_local: datetime, days: int, tz: ZoneInfo) -> datetime:
    """The closing moment: 20:00 local time, `days` days from today (UTC)."""
    day = today_local.astimezone(tz).date() + timedelta(days=days)
    return datetime.combine(day, CLOSES_AT, tzinfo=tz).astimezone(UTC)


def _edit_pressed(context: WijkContext, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Replace the pressed message's text and buttons."""
    message = context.incoming.callback_query.message if context.incoming.callback_query else None
    if message is None:
        return
    edit_message(context.db, chat_id=message.chat.id, message_id=message.message_id, text=text,
                 reply_markup=markup.to_dict() if markup else None)


def _short(request: Request, length: int) -> str:
    """A request's text cut to `length` characters (not escaped)."""
    text = " ".join(request.text.split())
    return text if len(text) <= length else text[:length - 1] + "…"


# ── setting a vote up (the dialog) ───────────────────────────────────────────────────────

def _picker(context: WijkContext, wijk: Area, draft: VoteDraft) -> tuple[str, InlineKeyboardMarkup]:
    """One page of the wijk's open requests with toggles, paging, Verder and Annuleren."""
    candidates = votable_requests(context.db, wijk_id=wijk.id)
    pages = max(1, (len(candidates) + PAGE - 1) // PAGE)
    draft.page = max(0, min(draft.page, pages - 1))
    shown = candidates[draft.page * PAGE:(draft.page + 1) * PAGE]
    lines = [_("🗳️ <b>Nieuwe stemming voor {wijk}</b>").format(wijk=html.escape(wijk.name)),
             _("Kies de open verzoeken en initiatieven waarover de bewoners die de wijk volgen stemmen "
               "(minstens twee). Gekozen: {count}.").format(count=len(draft.chosen))]
    if pages > 1:
        lines.append(_("Pagina {page}/{pages}").format(page=draft.page + 1, pages=pages))
    for request in shown:
        lines.append(f"• <b>{request.reference}</b> ({kind_label(request.kind)}): {html.escape(_short(request, 80))}")
    rows: list[list[tuple[str, Button]]] = [
        [((CHECKED if r.id in draft.chosen else UNCHECKED) + f"{r.reference}: {_short(r, 30)}", VoteSetupPick(r.id))]
        for r in shown]
    nav: list[tuple[str, Button]] = []
    if draft.page > 0:
        nav.append((_("◀️ Vorige"), VoteSetupPage(draft.page - 1)))
    if draft.page < pages - 1:
        nav.append((_("Volgende ▶️"), VoteSetupPage(draft.page + 1)))
    if nav:
        rows.append(nav)
    rows.append([(_("Verder ({count})").format(count=len(draft.chosen)), VoteSetupNext()),
                 (_("✖️ Annuleren"), VoteSetupCancel())])
    return "\n".join(lines), inline(rows)


def _setup(update: Update, context: WijkContext) -> Area | None:
    """The draft's wijk when the presser may still set a vote up there (else None after an alert)."""
    draft: VoteDraft = context.draft
    group = group_of(context.db, chat_id=update.effective_chat.id)
    wijk = context.db.get(Area, draft.wijk_id) if draft.wijk_id else None
    if wijk is None or group is None or group.area_id != wijk.id or not _may_run(context, wijk.id):
        context.answer(_refusal(wijk), alert=True)
        return None
    return wijk


async def start(update: Update, context: WijkContext) -> State | str:
    """/stemming: the open vote's state, or the first step of a new one."""
    wijk = _group_wijk(update, context)
    if wijk is None:
        return END
    if not _may_run(context, wijk.id):
        context.refuse(_refusal(wijk))
        return END
    vote = open_vote(context.db, wijk_id=wijk.id)
    if vote is not None:
        context.reply(*_status(context.db, vote=vote, wijk=wijk, tz=context.settings.tz))
        return END
    if len(votable_requests(context.db, wijk_id=wijk.id)) < MIN_OPTIONS:
        context.reply(_("{wijk} heeft minder dan twee open verzoeken of initiatieven; een stemming heeft er minstens "
                        "twee nodig.").format(wijk=html.escape(wijk.name)))
        return END
    context.draft = VoteDraft(wijk_id=wijk.id)
    context.reply(*_picker(context, wijk, context.draft))
    return State.CHOOSING


async def toggle(update: Update, context: WijkContext) -> State | str | None:
    """Tick or untick a request."""
    wijk = _setup(update, context)
    if wijk is None:
        return END
    draft: VoteDraft = context.draft
    pressed = VoteSetupPick.parse(update.callback_query.data)
    request_id = pressed.request_id if pressed is not None else None
    if request_id not in {r.id for r in votable_requests(context.db, wijk_id=wijk.id)}:
        context.answer(_("Dit verzoek is niet meer open."), alert=True)
        draft.chosen = [i for i in draft.chosen if i != request_id]
    elif request_id in draft.chosen:
        draft.chosen.remove(request_id)
        context.answer()
    else:
        draft.chosen.append(request_id)
        context.answer()
    _edit_pressed(context, *_picker(context, wijk, draft))
    return None


async def page(update: Update, context: WijkContext) -> State | str | None:
    """Another page of open requests."""
    wijk = _setup(update, context)
    if wijk is None:
        return END
    pressed = VoteSetupPage.parse(update.callback_query.data)
    context.draft.page = pressed.page if pressed is not None else 0
    context.answer()
    _edit_pressed(context, *_picker(context, wijk, context.draft))
    return None


async def chosen(update: Update, context: WijkContext) -> State | str | None:
    """Done choosing: how many choices each resident gets."""
    wijk = _setup(update, context)
    if wijk is None:
        return END
    draft: VoteDraft = context.draft
    open_ids = {r.id for r in votable_requests(context.db, wijk_id=wijk.id)}
    draft.chosen = [i for i in draft.chosen if i in open_ids]
    if len(draft.chosen) < MIN_OPTIONS:
        context.answer(_("Kies minstens twee verzoeken."), alert=True)
        return None
    context.answer()
    most = min(MAX_CHOICES, len(draft.chosen))
    _edit_pressed(context, _("🗳️ {count} verzoeken gekozen. Hoeveel keuzes krijgt elke bewoner?").format(
        count=len(draft.chosen)), inline([[(str(n), VoteSetupChoices(n)) for n in range(1, most + 1)],
                                           [(_("✖️ Annuleren"), VoteSetupCancel())]]))
    return State.MAX_CHOICES


async def max_chosen(update: Update, context: WijkContext) -> State | str | None:
    """The number of choices: now how long the vote runs."""
    wijk = _setup(update, context)
    if wijk is None:
        return END
    draft: VoteDraft = context.draft
    pressed = VoteSetupChoices.parse(update.callback_query.data)
    number = pressed.number if pressed is not None else 0
    if not 1 <= number <= min(MAX_CHOICES, len(draft.chosen)):
        context.answer(_("Deze knop werkt niet meer."), alert=True)
        return None
    draft.max_choices = number
    context.answer()
    _edit_pressed(context, _("🗳️ Hoe lang loopt de stemming? Ze sluit om 20:00 uur op de laatste dag."), inline(
        [[(_("{days} dagen").format(days=days), VoteSetupDays(days)) for days in DURATIONS],
         [(_("✖️ Annuleren"), VoteSetupCancel())]]))
    return State.DURATION


def _summary(context: WijkContext, wijk: Area, draft: VoteDraft) -> str:
    """What will be opened."""
    tz = context.settings.tz
    requests = [context.db.get(Request, i) for i in draft.chosen]
    lines = [_("🗳️ <b>Stemming voor {wijk}</b>").format(wijk=html.escape(wijk.name)), ""]
    lines += [f"{n}. <b>{r.reference}</b>: {html.escape(_short(r, 80))}" for n, r in enumerate(requests, 1) if r]
    lines += ["", _("Elke bewoner die de wijk volgt kiest er hoogstens {choices}. De {priorities} met de meeste "
                    "stemmen worden prioriteit van de wijk. De stemming sluit op {closes}.").format(
        choices=draft.max_choices, priorities=min(MAX_PRIORITIES, len(draft.chosen)),
        closes=_when(closes_at(utcnow(), draft.days or DURATIONS[0], tz), tz))]
    return "\n".join(lines)


async def duration(update: Update, context: WijkContext) -> State | str | None:
    """How long: now the summary to confirm."""
    wijk = _setup(update, context)
    if wijk is None:
        return END
    pressed = VoteSetupDays.parse(update.callback_query.data)
    days = pressed.days if pressed is not None else None
    if days not in DURATIONS:
        context.answer(_("Deze knop werkt niet meer."), alert=True)
        return None
    context.draft.days = days
    context.answer()
    _edit_pressed(context, _summary(context, wijk, context.draft),
                  inline([[(_("✅ Stemming openen"), VoteSetupOpen()), (_("✖️ Annuleren"), VoteSetupCancel())]]))
    return State.CONFIRMING


async def confirm(update: Update, context: WijkContext) -> State | str | None:
    """Open the vote and send every follower their ballot."""
    wijk = _setup(update, context)
    if wijk is None:
        return END
    draft: VoteDraft = context.draft
    tz = context.settings.tz
    now = utcnow()
    name = _member_name(context, wijk.id)
    try:
        vote = start_vote(context.db, wijk_id=wijk.id, request_ids=draft.chosen, max_choices=draft.max_choices or 1,
                          closes_at=closes_at(now, draft.days or DURATIONS[0], tz), now=now,
                          actor=pseudonym(context.person), started_by=name,
                          group_chat_id=update.effective_chat.id)
    except VoteRefused as refused:
        text = {"already_open": _("Er loopt al een stemming in deze wijk. Typ /stemming om die te zien."),
                "not_open": _("Een of meer gekozen verzoeken zijn niet meer open. Begin opnieuw met /stemming.")}
        context.answer(text.get(refused.code, _("Dit kan zo niet. Begin opnieuw met /stemming.")), alert=True)
        _edit_pressed(context, _("🗳️ Er is geen stemming geopend."))
        return END
    sent = ballots_to_followers(context.db, vote=vote, tz=tz)
    context.answer(_("De stemming is geopend."))
    _edit_pressed(context, _summary(context, wijk, draft) + "\n\n" + ngettext(
        "✅ Geopend door {name}. {count} bewoner die de wijk volgt kreeg een stembiljet; wie de wijk later "
        "volgt (/volg), stemt met /stem.",
        "✅ Geopend door {name}. {count} bewoners die de wijk volgen kregen een stembiljet; wie de wijk later "
        "volgt (/volg), stemt met /stem.", sent).format(name=html.escape(name or "?"), count=sent))
    return END


async def cancel(update: Update, context: WijkContext) -> str:
    """Stop setting the vote up; nothing is opened."""
    context.answer()
    _edit_pressed(context, _("🗳️ Er is geen stemming geopend."))
    return END


async def stray(update: Update, context: WijkContext) -> None:
    """A set-up button pressed by someone who is not setting this vote up."""
    group = group_of(context.db, chat_id=update.effective_chat.id)
    wijk = context.db.get(Area, group.area_id) if group and group.area_id else None
    if wijk is None or not _may_run(context, wijk.id):
        context.answer(_refusal(wijk), alert=True)
        return
    context.answer(_("Deze knoppen zijn van wie de stemming opstelt. Begin zelf met /stemming."), alert=True)


# ── the open vote in the group ───────────────────────────────────────────────────────────

def _status(session: Session, *, vote: PriorityVote, wijk: Area, tz: ZoneInfo) -> tuple[str, InlineKeyboardMarkup]:
    """The open vote's state with "Nu sluiten"."""
    lines = [_("🗳️ <b>De stemming in {wijk} loopt.</b>").format(wijk=html.escape(wijk.name)),
             _("Gestart door {name}; sluit op {closes}.").format(
                 name=html.escape(vote.started_by or former_member()), closes=_when(vote.closes_at, tz)),
             _cast_line(ballot_count(session, vote_id=vote.id)), ""]
    lines += [f"{n}. <b>{r.reference}</b>: {html.escape(_short(r, 60))}"
              for n, (_option, r) in enumerate(options_of(session, vote_id=vote.id), 1)]
    return "\n".join(lines), inline([[(_("⏹️ Nu sluiten"), VoteClose(vote.id))]])


async def close_pressed(update: Update, context: WijkContext) -> None:
    """"Nu sluiten": close the vote now (same roles as opening it)."""
    pressed = VoteClose.parse(update.callback_query.data)
    vote = lock_vote(context.db, vote_id=pressed.vote_id) if pressed is not None else None
    wijk = context.db.get(Area, vote.wijk_id) if vote else None
    if vote is None or wijk is None:
        context.answer(_("Deze stemming bestaat niet (meer)."), alert=True)
        return
    if not _may_run(context, wijk.id):
        context.answer(_refusal(wijk), alert=True)
        return
    closed = close_vote(context.db, vote_id=vote.id, now=utcnow(), actor=pseudonym(context.person))
    if closed is None:
        context.answer(_("Deze stemming is al gesloten."), alert=True)
        context.edit_markup()
        return
    context.answer(_("De stemming is gesloten."))
    _edit_pressed(context, _("🗳️ De stemming in {wijk} is gesloten door {name}.").format(
        wijk=html.escape(wijk.name), name=html.escape(_member_name(context, wijk.id) or "?")))
    announce_results(context.db, vote=closed, tz=context.settings.tz)


# ── ballots in private chat ──────────────────────────────────────────────────────────────

def ballot_text(session: Session, *, vote: PriorityVote, person: Person, tz: ZoneInfo) -> str:
    """The ballot in the active locale: the options, the rules, the closing time, the current choice."""
    wijk = session.get(Area, vote.wijk_id)
    options = ballot_options(session, vote_id=vote.id)
    lines = [_("🗳️ <b>Stemming: wat komt eerst in {wijk}?</b>").format(wijk=html.escape(wijk.name if wijk else "?")),
             _("De wijkraad vraagt je te kiezen welke verzoeken en initiatieven voorrang krijgen. Kies er hoogstens "
               "{choices} en druk op ‘Stem opslaan’. Je kunt je stem veranderen tot de stemming sluit op "
               "{closes}.").format(choices=vote.max_choices, closes=_when(vote.closes_at, tz)), ""]
    lines += [f"{n}. <b>{r.reference}</b> ({kind_label(r.kind)}): {html.escape(_short(r, 150))}"
              for n, (_option, r) in enumerate(options, 1)]
    ballot = ballot_of(session, vote_id=vote.id, person_id=person.id)
    lines.append("")
    if ballot is None:
        lines.append(_("Je hebt nog niet gestemd."))
    else:
        references = {r.id: r.reference for _option, r in options}
        lines.append(_("Je stem nu: {choices}").format(
            choices=", ".join(references[i] for i in ballot.request_ids if i in references)))
    return "\n".join(lines)


def ballot_markup(session: Session, *, vote: PriorityVote, ticked: set[int]) -> InlineKeyboardMarkup:
    """A toggle per option and "Stem opslaan"."""
    rows: list[list[tuple[str, Button]]] = [
        [((CHECKED if r.id in ticked else UNCHECKED) + f"{r.reference}: {_short(r, 30)}", BallotPick(vote.id, r.id))]
        for _option, r in ballot_options(session, vote_id=vote.id)]
    rows.append([(_("💾 Stem opslaan"), BallotSave(vote.id))])
    return inline(rows)


def send_ballot(session: Session, *, vote: PriorityVote, person: Person, tz: ZoneInfo, quiet: bool) -> None:
    """The person's ballot, in their language, ticked as they voted so far."""
    ballot = ballot_of(session, vote_id=vote.id, person_id=person.id)
    with use_locale(person.language):
        markup = ballot_markup(session, vote=vote, ticked=set(ballot.request_ids) if ballot else set())
        send_message(session, chat_id=person.telegram_id, quiet=quiet,
                     text=ballot_text(session, vote=vote, person=person, tz=tz), reply_markup=markup.to_dict())


def ballots_to_followers(session: Session, *, vote: PriorityVote, tz: ZoneInfo) -> int:
    """Every follower of the wijk gets a ballot (a resident notice: held in the quiet hours)."""
    people = followers(session, wijk_id=vote.wijk_id)
    for person in people:
        send_ballot(session, vote=vote, person=person, tz=tz, quiet=True)
    return len(people)


def _ticked_on(update: Update) -> set[int]:
    """Which options are ticked on the pressed ballot (UI state only: checked again when saving)."""
    message = update.callback_query.message
    markup = message.reply_markup if message else None
    ticked: set[int] = set()
    for row in (markup.inline_keyboard if markup else ()):
        for button in row:
            pick = BallotPick.parse(button.callback_data if isinstance(button.callback_data, str) else None)
            if pick is not None and button.text.startswith(CHECKED):
                ticked.add(pick.request_id)
    return ticked


def _votable(context: WijkContext, vote_id: int | None) -> PriorityVote | None:
    """The vote if it still takes ballots (else None after saying so and removing the buttons)."""
    vote = context.db.get(PriorityVote, vote_id) if vote_id is not None else None
    if vote is None or not is_open(vote, now=utcnow()):
        context.answer(_("Deze stemming is gesloten."), alert=True)
        context.edit_markup()
        return None
    return vote


async def ballot_toggle(update: Update, context: WijkContext) -> None:
    """Tick or untick an option on the ballot (at most the vote's number of choices)."""
    pressed = BallotPick.parse(update.callback_query.data)
    if pressed is None:
        await stale_button(update, context)
        return
    vote = _votable(context, pressed.vote_id)
    if vote is None:
        return
    request_id = pressed.request_id
    if request_id not in {option.request_id for option, _request in ballot_options(context.db, vote_id=vote.id)}:
        context.answer(_("Deze knop werkt niet meer."), alert=True)
        return
    ticked = _ticked_on(update) ^ {request_id}
    if len(ticked) > vote.max_choices:
        context.answer(_("Je kunt er hoogstens {choices} kiezen. Haal eerst een ander vinkje weg.").format(
            choices=vote.max_choices), alert=True)
        return
    context.answer()
    context.edit_markup(ballot_markup(context.db, vote=vote, ticked=ticked))


async def ballot_save(update: Update, context: WijkContext) -> None:
    """"Stem opslaan": store the one ballot (a later press replaces it)."""
    pressed = BallotSave.parse(update.callback_query.data)
    vote = _votable(context, pressed.vote_id if pressed is not None else None)
    if vote is None:
        return
    ticked = _ticked_on(update)
    wijk = context.db.get(Area, vote.wijk_id)
    try:
        cast_ballot(context.db, vote_id=vote.id, person=context.person, request_ids=sorted(ticked), now=utcnow())
    except VoteRefused as refused:
        text = {
            "closed": _("Deze stemming is gesloten."),
            "not_following": _("Alleen wie {wijk} volgt kan stemmen. Volg de wijk met /volg.").format(
                wijk=html.escape(wijk.name if wijk else "?")),
            "too_many": _("Je kunt er hoogstens {choices} kiezen. Haal eerst een ander vinkje weg.").format(
                choices=vote.max_choices),
        }
        context.answer(text.get(refused.code, _("Kies eerst minstens één verzoek.")), alert=True)
        return
    context.answer(_("Je stem is opgeslagen. Je kunt hem veranderen tot de stemming sluit."))
    _edit_pressed(context, ballot_text(context.db, vote=vote, person=context.person, tz=context.settings.tz),
                  ballot_markup(context.db, vote=vote, ticked=ticked))


async def ballots_command(update: Update, context: WijkContext) -> None:
    """/stem: the ballots of the open votes in the wijken the person follows."""
    now = utcnow()
    votes = [v for v in open_votes_for(context.db, person_id=context.person.id) if is_open(v, now=now)]
    if not votes:
        context.reply(_("Er loopt nu geen stemming in een wijk die je volgt. Volg je wijk met /volg; dan krijg je een "
                        "stembiljet zodra de wijkraad een stemming opent."))
        return
    for vote in votes:
        send_ballot(context.db, vote=vote, person=context.person, tz=context.settings.tz, quiet=False)


# ── results ──────────────────────────────────────────────────────────────────────────────

def _cast_line(count: int) -> str:
    """'Uitgebracht: 3 stemmen.'"""
    return ngettext("Uitgebracht: {count} stem.", "Uitgebracht: {count} stemmen.", count).format(count=count)


def _voted_line(count: int) -> str:
    """'3 bewoners hebben gestemd.'"""
    return ngettext("{count} bewoner heeft gestemd.", "{count} bewoners hebben gestemd.", count).format(count=count)


def results_text(session: Session, *, vote: PriorityVote, for_residents: bool = False) -> str:
    """The ranked results with vote counts and the priorities marked, in the active locale (for residents:
    only the requests they may see now)."""
    wijk = session.get(Area, vote.wijk_id)
    rows = [row for row in results(session, vote_id=vote.id)
            if not for_residents or publicly_visible(row.request.status)]
    lines = [_("🗳️ <b>Uitslag van de stemming in {wijk}</b>").format(wijk=html.escape(wijk.name if wijk else "?")),
             _voted_line(ballot_count(session, vote_id=vote.id)), ""]
    for row in rows:
        mark = " " + priority_label() if row.priority else ""
        lines.append(ngettext("{rank}. <b>{reference}</b> – {votes} stem{mark}: {text}",
                              "{rank}. <b>{reference}</b> – {votes} stemmen{mark}: {text}", row.votes).format(
            rank=row.rank, reference=row.request.reference, votes=row.votes, mark=mark,
            text=html.escape(_short(row.request, 80))))
    if any(row.priority for row in rows):
        lines += ["", _("De verzoeken met ⭐ zijn nu de prioriteiten van de wijk.")]
    else:
        lines += ["", _("Er zijn geen stemmen uitgebracht; er zijn geen prioriteiten gekozen.")]
    return "\n".join(lines)


def announce_results(session: Session, *, vote: PriorityVote, tz: ZoneInfo) -> int:
    """The results to the wijkraad group(s) and to every voter in their language; returns how many voters."""
    chats = {group.chat_id for group in wijkraad_groups(session, wijk_id=vote.wijk_id)}
    if vote.group_chat_id is not None:
        group = group_of(session, chat_id=vote.group_chat_id)
        if group is not None and group.area_id == vote.wijk_id:
            chats.add(vote.group_chat_id)
    with use_locale(GROUP_LOCALE):
        text = results_text(session, vote=vote)
        for chat_id in sorted(chats):
            send_message(session, chat_id=chat_id, text=text)
    people = voters(session, vote_id=vote.id)
    for person in people:
        with use_locale(person.language):
            text = results_text(session, vote=vote, for_residents=True) + "\n\n" + _("Dank je voor je stem!")
            send_message(session, chat_id=person.telegram_id, quiet=True, text=text)
    return len(people)


# ── registration ─────────────────────────────────────────────────────────────────────────

SETUP_CANCEL = CallbackQueryHandler(cancel, pattern=VoteSetupCancel.pattern)
# Any set-up button, pressed when no set-up is under way (or by someone else).
SETUP_BUTTONS = re.compile("|".join(kind.pattern.pattern for kind in (
    VoteSetupPick, VoteSetupPage, VoteSetupNext, VoteSetupChoices, VoteSetupDays, VoteSetupOpen, VoteSetupCancel)))
SETUP_RESTART = CommandHandler("stemming", start, filters=GROUPS)


def build() -> Dialog[VoteDraft]:
    """Setting a vote up, stored per member per group."""
    return Dialog(
        name="vote",
        draft_type=VoteDraft,
        entry_points=[SETUP_RESTART],
        states={
            State.CHOOSING: [CallbackQueryHandler(toggle, pattern=VoteSetupPick.pattern),
                             CallbackQueryHandler(page, pattern=VoteSetupPage.pattern),
                             CallbackQueryHandler(chosen, pattern=VoteSetupNext.pattern)],
            State.MAX_CHOICES: [CallbackQueryHandler(max_chosen, pattern=VoteSetupChoices.pattern)],
            State.DURATION: [CallbackQueryHandler(duration, pattern=VoteSetupDays.pattern)],
            State.CONFIRMING: [CallbackQueryHandler(confirm, pattern=VoteSetupOpen.pattern)],
        },
        fallbacks=[SETUP_CANCEL, SETUP_RESTART],
    )


def handlers() -> list[CallbackQueryHandler | CommandHandler]:
    """Everything outside the set-up dialog: stray set-up presses, "Nu sluiten", ballots and /stem."""
    return [
        CallbackQueryHandler(stray, pattern=SETUP_BUTTONS),
        CallbackQueryHandler(close_pressed, pattern=VoteClose.pattern),
        CallbackQueryHandler(ballot_toggle, pattern=BallotPick.pattern),
        CallbackQueryHandler(ballot_save, pattern=BallotSave.pattern),
        CommandHandler("stem", ballots_command, filters=PRIVATE),
    ]

