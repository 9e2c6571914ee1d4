"""Intake: a resident files a wish, question or initiative for their wijk (private chat).

State diagram (every step is stored, so a restart resumes where the resident was):

    /nieuw ─► CHOOSING_WIJK ─► CHOOSING_KIND ─┬─► CHOOSING_THEME ─► DESCRIBING ─► ADDING_PHOTO
              (name, postcode │                └─ "about me personally" ─► referral ─► END
               or location)   │
                              │   ADDING_PHOTO ─► ADDING_LOCATION ─┬─ wish/question ───────► CONFIRMING
                              │                                    └─ initiative ─► DESCRIBING_CONTRIBUTION
                              │   DESCRIBING_CONTRIBUTION ─► COUNTING_VOLUNTEERS ─► ASKING_BUDGET ─► CONFIRMING
                              │
    CONFIRMING ─ confirm ─► request filed (reference W-0042, resident subscribed) ─► END
               ─ change ──► pick a field ─► that field's step ─► CONFIRMING
               ─ cancel ──► END (nothing stored)
    /annuleer anywhere ─► END

After each answer the dialog asks for the first thing still missing (`_next_step`), so a
changed field returns straight to the summary and a switch to "initiative" asks its extras.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from telegram import KeyboardButton, ReplyKeyboardRemove, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import WijkContext
from bot.i18n import _, current_locale, fmt_euros, fmt_number
from conversations import notices
from conversations.buttons import (
    Button,
    IntakeCancel,
    IntakeChange,
    IntakeConfirm,
    IntakeEdit,
    IntakeKind,
    IntakeSkip,
    IntakeStart,
    IntakeSupport,
    IntakeTheme,
    parse_number,
)
from conversations.dialog import END, Dialog
from conversations.keyboards import in_rows, inline, reply
from conversations.texts import kind_label
from conversations.wijk_requests import support_request
from storage.areas import list_wijken, wijk_at, wijk_by_name, wijken_by_postcode
from storage.location import street_level
from storage.models import Area, Request, RequestKind, Theme
from storage.municipality import municipality_settings
from storage.requests import NewRequest, count_filed_today, file_request, requests_today
from storage.similar import similar_open_requests
from storage.themes import active_themes, theme_name
from storage.visibility import SUPPORTABLE

MIN_TEXT, MAX_TEXT = 20, 1000
MIN_CONTRIBUTION, MAX_CONTRIBUTION = 10, 1000
MAX_PHOTOS = 3
MAX_VOLUNTEERS = 1000
MAX_BUDGET_CENTS = 100_000_000
POSTCODE = re.compile(r"^\s*(\d{4})\s*([A-Za-z]{2})?\s*$")
PERSONAL = "personal"
WIJK_LINK_PREFIX = "wijk_"  # deep-link payload of a poster: wijk_<code>


class State(StrEnum):
    """Steps of the intake dialog (stored as these words)."""

    CHOOSING_WIJK = "choosing_wijk"
    CHOOSING_KIND = "choosing_kind"
    CHOOSING_THEME = "choosing_theme"
    DESCRIBING = "describing"
    ADDING_PHOTO = "adding_photo"
    ADDING_LOCATION = "adding_location"
    DESCRIBING_CONTRIBUTION = "describing_contribution"
    COUNTING_VOLUNTEERS = "counting_volunteers"
    ASKING_BUDGET = "asking_budget"
    CONFIRMING = "confirming"


@dataclass
class IntakeDraft:
    """What the resident has told so far."""

    wijk_id: int | None = None
    kind: str | None = None
    theme_id: int | None = None
    text: str | None = None
    photo_file_ids: list[str] = field(default_factory=list)
    photo_done: bool = False
    latitude: float | None = None
    longitude: float | None = None
    location_done: bool = False
    own_contribution: str | None = None
    volunteers_needed: int | None = None
    budget_requested_cents: int | None = None
    similar_offered: bool = False

    @property
    def is_initiative(self) -> bool:
        """Initiatives ask what residents do themselves, volunteers and budget."""
        return self.kind == RequestKind.INITIATIVE

    def to_new_request(self) -> NewRequest:
        """The confirmed draft as a domain value."""
        assert self.wijk_id and self.kind and self.theme_id and self.text
        initiative = self.is_initiative
        return NewRequest(
            wijk_id=self.wijk_id, kind=RequestKind(self.kind), theme_id=self.theme_id, text=self.text,
            photo_file_ids=tuple(self.photo_file_ids), latitude=self.latitude, longitude=self.longitude,
            own_contribution=self.own_contribution if initiative else None,
            volunteers_needed=self.volunteers_needed if initiative else None,
            budget_requested_cents=self.budget_requested_cents if initiative else None,
        )


# ── the questions ─────────────────────────────────────────────────────────────────────────

def _next_step(draft: IntakeDraft) -> State:
    """The first thing still missing; the summary when nothing is."""
    if draft.wijk_id is None:
        return State.CHOOSING_WIJK
    if draft.kind is None:
        return State.CHOOSING_KIND
    if draft.theme_id is None:
        return State.CHOOSING_THEME
    if draft.text is None:
        return State.DESCRIBING
    if not draft.photo_done:
        return State.ADDING_PHOTO
    if not draft.location_done:
        return State.ADDING_LOCATION
    if draft.is_initiative:
        if draft.own_contribution is None:
            return State.DESCRIBING_CONTRIBUTION
        if draft.volunteers_needed is None:
            return State.COUNTING_VOLUNTEERS
        if draft.budget_requested_cents is None:
            return State.ASKING_BUDGET
    return State.CONFIRMING


def _ask(context: WijkContext, state: State) -> State:
    """Send the question for `state` and return it as the next state."""
    draft: IntakeDraft = context.draft
    if state is State.CHOOSING_WIJK:
        names = [wijk.name for wijk in list_wijken(context.db)]
        rows: list[list[str | KeyboardButton]] = [list(row) for row in in_rows(names)]
        rows.append([KeyboardButton(_("📍 Deel mijn locatie"), request_location=True)])
        context.reply(_("Voor welke wijk is het? Kies je wijk, typ je postcode (bijvoorbeeld 2011) "
                        "of deel je locatie."), reply(rows, placeholder=_("Wijk of postcode")))
    elif state is State.CHOOSING_KIND:
        context.reply(_("Wat wil je doorgeven?\n\n"
                        "• <b>Wens</b>: iets wat beter kan in de wijk\n"
                        "• <b>Vraag</b>: iets wat je wilt weten over de wijk\n"
                        "• <b>Bewonersinitiatief</b>: iets wat je samen met buren zelf wilt doen"),
                      inline([[(_("Wens"), IntakeKind("wish")), (_("Vraag"), IntakeKind("question"))],
                              [(_("Bewonersinitiatief"), IntakeKind("initiative"))],
                              [(_("Het gaat over mij persoonlijk"), IntakeKind(PERSONAL))]]))
    elif state is State.CHOOSING_THEME:
        locale = current_locale()
        buttons: list[tuple[str, Button]] = [(theme_name(t, locale), IntakeTheme(t.code))
                                             for t in active_themes(context.db)]
        context.reply(_("Over welk thema gaat het?"), inline(in_rows(buttons)))
    elif state is State.DESCRIBING:
        context.reply(_("Beschrijf in je eigen woorden wat er speelt en wat je graag zou zien "
                        "({min} tot {max} tekens).").format(min=MIN_TEXT, max=fmt_number(MAX_TEXT)))
    elif state is State.ADDING_PHOTO:
        context.reply(_("Wil je een foto toevoegen? Stuur hem nu, of kies Overslaan."),
                      inline([[(_("Overslaan"), IntakeSkip())]]))
    elif state is State.ADDING_LOCATION:
        context.reply(_("Wil je een plek op de kaart doorgeven? Deel een locatie, of kies Overslaan."),
                      reply([[KeyboardButton(_("📍 Deel een locatie"), request_location=True)],
                             [_("Overslaan")]]))
    elif state is State.DESCRIBING_CONTRIBUTION:
        context.reply(_("Wat gaan de bewoners zelf doen om dit initiatief waar te maken?"))
    elif state is State.COUNTING_VOLUNTEERS:
        context.reply(_("Hoeveel vrijwilligers zijn er nodig? Typ een aantal (0 als dat niet nodig is)."))
    elif state is State.ASKING_BUDGET:
        context.reply(_("Hoeveel geld vraag je voor het initiatief? Typ een bedrag in euro's, "
                        "bijvoorbeeld 250 of 1.250,50 (0 als je geen geld nodig hebt)."))
    elif state is State.CONFIRMING:
        _offer_similar(context, draft)
        context.reply(_summary(context, draft), _confirm_buttons())
    return state


def _offer_similar(context: WijkContext, draft: IntakeDraft) -> None:
    """Once per draft: open requests in the wijk that look alike, to support instead."""
    if draft.similar_offered or draft.wijk_id is None or not draft.text:
        return
    draft.similar_offered = True
    alike = similar_open_requests(context.db, wijk_id=draft.wijk_id, text=draft.text,
                                  exclude_person_id=context.person.id, statuses=SUPPORTABLE)
    if not alike:
        return
    lines = [_("Er zijn al verzoeken in je wijk die erop lijken. Je kunt er een steunen in plaats van een nieuw "
               "verzoek in te dienen:")]
    lines += [f"• <b>{r.reference}</b>: {html.escape(r.text[:150])}" for r in alike]
    context.reply("\n".join(lines), inline([[(_("👍 Steun {reference}").format(reference=r.reference),
                                              IntakeSupport(r.id))] for r in alike]))


def _advance(context: WijkContext) -> State:
    """Ask whatever is still missing."""
    return _ask(context, _next_step(context.draft))


def _summary(context: WijkContext, draft: IntakeDraft) -> str:
    """The draft as the resident will confirm it, with the expectation-management line."""
    wijk = context.db.get(Area, draft.wijk_id)
    theme = context.db.get(Theme, draft.theme_id)
    lines = [
        _("<b>Je verzoek</b>"),
        _("Wijk: {wijk}").format(wijk=html.escape(wijk.name if wijk else "?")),
        _("Soort: {kind}").format(kind=kind_label(draft.kind or "")),
        _("Thema: {theme}").format(theme=html.escape(theme_name(theme, current_locale()) if theme else "?")),
        _("Beschrijving: {text}").format(text=html.escape(draft.text or "")),
        _("Foto's: {count}").format(count=len(draft.photo_file_ids)),
        _("Locatie: {where}").format(where=_("doorgegeven") if draft.latitude is not None else _("geen")),
    ]
    if draft.is_initiative:
        lines += [
            _("Wat bewoners zelf doen: {text}").format(text=html.escape(draft.own_contribution or "")),
            _("Vrijwilligers nodig: {count}").format(count=fmt_number(draft.volunteers_needed or 0)),
            _("Gevraagd budget: {amount}").format(amount=fmt_euros(draft.budget_requested_cents or 0)),
        ]
    lines += ["", _("<i>Goed om te weten: er is geen extra geld of personeel. De partners in de wijk "
                    "beantwoorden elk verzoek binnen hun bestaande middelen, en je krijgt altijd "
                    "een antwoord.</i>")]
    return "\n".join(lines)


def _confirm_buttons():  # type: ignore[no-untyped-def]
    """Confirm, change or cancel."""
    return inline([[(_("✅ Versturen"), IntakeConfirm())],
                   [(_("✏️ Iets wijzigen"), IntakeChange()), (_("✖️ Annuleren"), IntakeCancel())]])


# ── callbacks ────────────────────────────────────────────────────────────────────────────

async def start(update: Update, context: WijkContext) -> State:
    """Begin a new request (from /nieuw or the start button)."""
    if update.callback_query:
        context.answer()
    context.draft = IntakeDraft()
    return _ask(context, State.CHOOSING_WIJK)


async def start_for_wijk(update: Update, context: WijkContext) -> State:
    """Begin with the wijk already chosen (from a poster's deep link `/start wijk_<code>`)."""
    context.draft = IntakeDraft()
    code = (context.args or [""])[0].removeprefix(WIJK_LINK_PREFIX)
    wijk = next((w for w in list_wijken(context.db) if w.code == code), None)
    context.reply(_("Welkom! Via mij geef je wensen, vragen en initiatieven voor je wijk door aan de wijkraad."))
    if wijk is None:
        return _ask(context, State.CHOOSING_WIJK)
    return _choose_wijk(context, wijk)


def _choose_wijk(context: WijkContext, wijk: Area) -> State:
    """Remember the wijk (also as the resident's own) and move on."""
    context.draft.wijk_id = wijk.id
    context.person.wijk_id = wijk.id
    context.db.add(context.person)
    context.reply(_("Wijk: <b>{wijk}</b>").format(wijk=html.escape(wijk.name)), ReplyKeyboardRemove())
    return _advance(context)


async def wijk_from_text(update: Update, context: WijkContext) -> State | None:
    """A wijk name or a 4-digit postcode."""
    text = update.effective_message.text or ""
    postcode = POSTCODE.match(text)
    if postcode:
        found = wijken_by_postcode(context.db, postcode=postcode.group(1))
        if len(found) == 1:
            return _choose_wijk(context, found[0])
        if len(found) > 1:
            context.reply(_("Die postcode hoort bij meer wijken. Welke is het?"),
                          reply([[wijk.name] for wijk in found]))
            return None
        context.reply(_("Postcode {postcode} hoort niet bij een wijk die meedoet. Kies je wijk uit de lijst.")
                      .format(postcode=html.escape(postcode.group(1))))
        return None
    wijk = wijk_by_name(context.db, text=text[:200])
    if wijk is None:
        context.reply(_("Die wijk ken ik niet. Kies je wijk uit de lijst of typ je postcode (4 cijfers)."))
        return None
    return _choose_wijk(context, wijk)


async def wijk_from_location(update: Update, context: WijkContext) -> State | None:
    """A shared location inside a wijk's boundary."""
    location = update.effective_message.location
    wijk = wijk_at(context.db, latitude=location.latitude, longitude=location.longitude)
    if wijk is None:
        context.reply(_("Die plek ligt niet in een wijk die ik ken. Kies je wijk uit de lijst."))
        return None
    return _choose_wijk(context, wijk)


async def kind_chosen(update: Update, context: WijkContext) -> State | str:
    """Wish, question, initiative, or a personal matter (which is not filed)."""
    context.answer()
    context.edit_markup()
    pressed = IntakeKind.parse(update.callback_query.data)
    kind = pressed.kind if pressed is not None else PERSONAL  # the pattern lets only these four through
    if kind == PERSONAL:
        referral = municipality_settings(context.db).referral(current_locale()) or _(
            "Voor persoonlijke zaken kun je terecht bij het klantcontactcentrum van je gemeente.")
        context.reply(_("Wijkbot is er voor wensen en vragen over de wijk, niet voor persoonlijke zaken. "
                        "{referral}\n\nEr is niets opgeslagen.").format(referral=html.escape(referral)))
        return END
    context.draft.kind = RequestKind(kind)
    return _advance(context)


async def theme_chosen(update: Update, context: WijkContext) -> State | None:
    """A theme from the list."""
    pressed = IntakeTheme.parse(update.callback_query.data)
    code = pressed.code if pressed is not None else None
    theme = next((t for t in active_themes(context.db) if t.code == code), None)
    if theme is None:
        context.answer(_("Dit thema bestaat niet meer. Kies een ander thema."), alert=True)
        return None
    context.answer()
    context.edit_markup()
    context.draft.theme_id = theme.id
    return _advance(context)


async def description(update: Update, context: WijkContext) -> State | None:
    """The description, within the length limits."""
    text = (update.effective_message.text or "").strip()
    if len(text) < MIN_TEXT:
        context.reply(_("Dat is wat kort. Beschrijf het in minstens {min} tekens, zodat de wijkraad "
                        "begrijpt wat je bedoelt.").format(min=MIN_TEXT))
        return None
    if len(text) > MAX_TEXT:
        context.reply(_("Dat is te lang: {length} tekens. Houd het bij {max} tekens; details kun je later "
                        "nog geven.").format(length=fmt_number(len(text)), max=fmt_number(MAX_TEXT)))
        return None
    context.draft.text = text
    return _advance(context)


async def photo(update: Update, context: WijkContext) -> State | None:
    """A photo (up to MAX_PHOTOS)."""
    draft: IntakeDraft = context.draft
    if len(draft.photo_file_ids) >= MAX_PHOTOS:
        context.reply(_("Je hebt al {max} foto's toegevoegd; meer kan niet.").format(max=MAX_PHOTOS),
                      inline([[(_("Verder"), IntakeSkip())]]))
        return None
    draft.photo_file_ids.append(update.effective_message.photo[-1].file_id)
    if len(draft.photo_file_ids) >= MAX_PHOTOS:
        draft.photo_done = True
        return _advance(context)
    context.reply(_("Foto ontvangen. Stuur er nog een, of kies Verder."),
                  inline([[(_("Verder"), IntakeSkip())]]))
    return None


async def skip_photo(update: Update, context: WijkContext) -> State:
    """No (more) photos."""
    context.answer()
    context.edit_markup()
    context.draft.photo_done = True
    return _advance(context)


async def location(update: Update, context: WijkContext) -> State:
    """A point on the map."""
    shared = update.effective_message.location
    context.draft.latitude, context.draft.longitude = street_level(shared.latitude), street_level(shared.longitude)
    context.draft.location_done = True
    context.reply(_("Locatie ontvangen."), ReplyKeyboardRemove())
    return _advance(context)


async def location_text(update: Update, context: WijkContext) -> State | None:
    """Text while a location is asked: only "skip" moves on."""
    text = (update.effective_message.text or "").strip().casefold()
    if text not in {_("Overslaan").casefold(), "overslaan", "skip"}:
        context.reply(_("Deel een locatie met de knop hieronder, of kies Overslaan."))
        return None
    context.draft.location_done = True
    context.reply(_("Geen locatie, prima."), ReplyKeyboardRemove())
    return _advance(context)


async def contribution(update: Update, context: WijkContext) -> State | None:
    """What the residents will do themselves."""
    text = (update.effective_message.text or "").strip()
    if not MIN_CONTRIBUTION <= len(text) <= MAX_CONTRIBUTION:
        context.reply(_("Beschrijf in {min} tot {max} tekens wat bewoners zelf doen.")
                      .format(min=MIN_CONTRIBUTION, max=fmt_number(MAX_CONTRIBUTION)))
        return None
    context.draft.own_contribution = text
    return _advance(context)


async def volunteers(update: Update, context: WijkContext) -> State | None:
    """How many volunteers are needed."""
    number = parse_number((update.effective_message.text or "").strip())  # "²" is a digit to isdigit(), not to int()
    if number is None or number > MAX_VOLUNTEERS:
        context.reply(_("Typ een aantal als cijfer, van 0 tot {max}.").format(max=fmt_number(MAX_VOLUNTEERS)))
        return None
    context.draft.volunteers_needed = number
    return _advance(context)


async def budget(update: Update, context: WijkContext) -> State | None:
    """The budget asked, typed the Dutch way (1.250,50) or plainly (1250.50)."""
    cents = parse_euros(update.effective_message.text or "")
    if cents is None or cents > MAX_BUDGET_CENTS:
        context.reply(_("Dat bedrag begrijp ik niet. Typ bijvoorbeeld 250 of 1.250,50."))
        return None
    context.draft.budget_requested_cents = cents
    return _advance(context)


async def confirm(update: Update, context: WijkContext) -> str | None:
    """File the request, give the reference and subscribe the resident."""
    limit = context.settings.max_requests_per_day
    if requests_today(context.db, resident=context.person, tz=context.settings.tz) >= limit:
        context.answer(_("Je hebt vandaag al {count} verzoeken ingediend; dat is het maximum per dag. Je concept "
                         "blijft bewaard: probeer het morgen nog eens.").format(count=limit), alert=True)
        return None
    context.answer()
    context.edit_markup()
    request = file_request(context.db, resident=context.person, new=context.draft.to_new_request())
    count_filed_today(context.db, resident=context.person, tz=context.settings.tz)  # survives /vergeetmij
    notices.card_to_groups(context.db, request=request, tz=context.settings.tz)
    context.reply(_("Dank je wel! Je verzoek is ingediend met nummer <b>{reference}</b>.\n\n"
                    "De wijkraad bekijkt het en zet het door naar de juiste partner. Je krijgt hier "
                    "bericht zodra er nieuws is. Met /mijnverzoeken zie je hoe het ervoor staat.")
                  .format(reference=request.reference))
    return END


async def support_instead(update: Update, context: WijkContext) -> str | None:
    """Support a similar request instead of filing this one."""
    pressed = IntakeSupport.parse(update.callback_query.data)
    request = context.db.get(Request, pressed.request_id) if pressed is not None else None
    if request is None or request.wijk_id != context.draft.wijk_id:
        context.answer(_("Deze knop werkt niet meer."), alert=True)
        return None
    if not support_request(context, request):
        return None
    context.edit_markup()
    context.reply(_("Je eigen verzoek is niet ingediend; je steunt nu {reference}. Met /nieuw begin je opnieuw.")
                  .format(reference=request.reference))
    return END


async def change(update: Update, context: WijkContext) -> None:
    """Show which field to change."""
    context.answer()
    fields: list[tuple[str, Button]] = [
        (_("Wijk"), IntakeEdit("wijk")), (_("Soort"), IntakeEdit("kind")), (_("Thema"), IntakeEdit("theme")),
        (_("Beschrijving"), IntakeEdit("text")), (_("Foto's"), IntakeEdit("photo")),
        (_("Locatie"), IntakeEdit("location"))]
    if context.draft.is_initiative:
        fields += [(_("Eigen inzet"), IntakeEdit("contribution")), (_("Vrijwilligers"), IntakeEdit("volunteers")),
                   (_("Budget"), IntakeEdit("budget"))]
    rows = in_rows(fields, per_row=3) + [[(_("↩️ Terug"), IntakeEdit("back"))]]
    context.edit_markup(inline(rows))


async def edit_field(update: Update, context: WijkContext) -> State:
    """Clear one field and ask for it again."""
    context.answer()
    context.edit_markup()
    draft: IntakeDraft = context.draft
    pressed = IntakeEdit.parse(update.callback_query.data)
    name = pressed.field if pressed is not None else "back"  # the pattern lets only these fields through
    if name == "back":
        return _ask(context, State.CONFIRMING)
    if name == "wijk":
        draft.wijk_id = None
    elif name == "kind":
        draft.kind = None
    elif name == "theme":
        draft.theme_id = None
    elif name == "text":
        draft.text = None
    elif name == "photo":
        draft.photo_file_ids, draft.photo_done = [], False
    elif name == "location":
        draft.latitude = draft.longitude = None
        draft.location_done = False
    elif name == "contribution":
        draft.own_contribution = None
    elif name == "volunteers":
        draft.volunteers_needed = None
    elif name == "budget":
        draft.budget_requested_cents = None
    return _advance(context)


async def cancel(update: Update, context: WijkContext) -> str:
    """Stop without filing anything."""
    context.answer()
    context.edit_markup()
    context.reply(_("Gestopt. Er is niets opgeslagen. Met /nieuw begin je opnieuw."), ReplyKeyboardRemove())
    return END


async def unexpected(update: Update, context: WijkContext) -> None:
    """Anything that does not fit the current step: say what is expected, change nothing."""
    hints = {
        State.CHOOSING_WIJK: _("Kies je wijk uit de lijst, typ je postcode (4 cijfers) of deel je locatie."),
        State.CHOOSING_KIND: _("Kies met een van de knoppen wat je wilt doorgeven."),
        State.CHOOSING_THEME: _("Kies een thema met een van de knoppen."),
        State.DESCRIBING: _("Beschrijf je verzoek in een tekstbericht."),
        State.ADDING_PHOTO: _("Stuur een foto, of kies Overslaan."),
        State.ADDING_LOCATION: _("Deel een locatie met de knop, of kies Overslaan."),
        State.DESCRIBING_CONTRIBUTION: _("Beschrijf in een tekstbericht wat bewoners zelf doen."),
        State.COUNTING_VOLUNTEERS: _("Typ het aantal vrijwilligers als cijfer."),
        State.ASKING_BUDGET: _("Typ het gevraagde bedrag in euro's."),
        State.CONFIRMING: _("Kies Versturen, Iets wijzigen of Annuleren onder de samenvatting."),
    }
    step = _next_step(context.draft)
    context.reply(hints[step] + "\n" + _("Stoppen kan met /annuleer."))


def parse_euros(text: str) -> int | None:
    """Euros typed as `250`, `€ 1.250,50`, `1250.5` → cents; None when not an amount."""
    cleaned = text.strip().replace("€", "").replace("EUR", "").replace(" ", "").rstrip(",-")
    if not cleaned or not re.fullmatch(r"[\d.,]+", cleaned):
        return None
    if "," in cleaned and "." in cleaned:  # the separator that comes last is the decimal one
        thousands = "." if cleaned.rfind(",") > cleaned.rfind(".") else ","
        cleaned = cleaned.replace(thousands, "").replace(",", ".")
    elif "," in cleaned:
        cleaned = cleaned.replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+", cleaned):
        cleaned = cleaned.replace(".", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None
    if amount < 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        return None
    return int(amount * 100)


# ── the dialog ───────────────────────────────────────────────────────────────────────────

PRIVATE = filters.ChatType.PRIVATE
TEXT = PRIVATE & filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
ANY_MESSAGE = PRIVATE & filters.UpdateType.MESSAGE & ~filters.COMMAND
NEW = CommandHandler("nieuw", start, filters=PRIVATE)
NEW_BUTTON = CallbackQueryHandler(start, pattern=IntakeStart.pattern)
FROM_POSTER = CommandHandler("start", start_for_wijk, filters=PRIVATE & filters.Regex(rf"^/start {WIJK_LINK_PREFIX}"))


def build() -> Dialog[IntakeDraft]:
    """The intake dialog, ready to register."""
    location_msg = PRIVATE & filters.UpdateType.MESSAGE & filters.LOCATION
    return Dialog(
        name="intake",
        draft_type=IntakeDraft,
        entry_points=[NEW, NEW_BUTTON, FROM_POSTER],
        states={
            State.CHOOSING_WIJK: [MessageHandler(location_msg, wijk_from_location),
                                  MessageHandler(TEXT, wijk_from_text)],
            State.CHOOSING_KIND: [CallbackQueryHandler(kind_chosen, pattern=IntakeKind.pattern)],
            State.CHOOSING_THEME: [CallbackQueryHandler(theme_chosen, pattern=IntakeTheme.pattern)],
            State.DESCRIBING: [MessageHandler(TEXT, description)],
            State.ADDING_PHOTO: [MessageHandler(PRIVATE & filters.UpdateType.MESSAGE & filters.PHOTO, photo),
                                 CallbackQueryHandler(skip_photo, pattern=IntakeSkip.pattern)],
            State.ADDING_LOCATION: [MessageHandler(location_msg, location), MessageHandler(TEXT, location_text)],
            State.DESCRIBING_CONTRIBUTION: [MessageHandler(TEXT, contribution)],
            State.COUNTING_VOLUNTEERS: [MessageHandler(TEXT, volunteers)],
            State.ASKING_BUDGET: [MessageHandler(TEXT, budget)],
            State.CONFIRMING: [CallbackQueryHandler(confirm, pattern=IntakeConfirm.pattern),
                               CallbackQueryHandler(support_instead, pattern=IntakeSupport.pattern),
                               CallbackQueryHandler(change, pattern=IntakeChange.pattern),
                               CallbackQueryHandler(edit_field, pattern=IntakeEdit.pattern),
                               CallbackQueryHandler(cancel, pattern=IntakeCancel.pattern)],
        },
        fallbacks=[NEW, NEW_BUTTON, FROM_POSTER, MessageHandler(ANY_MESSAGE, unexpected)],
    )
