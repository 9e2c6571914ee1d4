"""Messages to people other than the sender (residents, wijkraad groups), in their own language.

Called inside the transaction that caused them; they are outbox rows, sent after commit.
"""

from __future__ import annotations

import html
from datetime import date
from typing import Any

from sqlmodel import Session
from telegram import ForceReply
from zoneinfo import ZoneInfo

from bot.i18n import _, fmt_date, use_locale
from conversations.buttons import AnswerBegin, Satisfaction
from conversations.card import card_buttons, card_text
from storage.groups import wijkraad_groups
from storage.models import Organisation, Person, Request
from storage.municipality import municipality_settings
from storage.outbox import edit_message, enqueue, send_message, sent_messages

GROUP_LOCALE = "nl"  # wijkraad groups read Dutch
CARD = "card"  # the kind of a request's card in a wijkraad group (its subject: the request); see SentMessage


def _resident(session: Session, request: Request) -> Person | None:
    """The resident behind a request, if still linked and reachable."""
    if request.resident_id is None:
        return None
    person = session.get(Person, request.resident_id)
    return person if person is not None and person.active else None


def card_to_groups(session: Session, *, request: Request, tz: ZoneInfo) -> int:
    """Post the new request's card (photos first) in every wijkraad group of its wijk."""
    groups = wijkraad_groups(session, wijk_id=request.wijk_id)
    with use_locale(GROUP_LOCALE):
        text = card_text(session, request=request, tz=tz)
        buttons = card_buttons(request)
        for group in groups:
            for file_id in request.photo_file_ids:
                enqueue(session, chat_id=group.chat_id, method="sendPhoto", payload={
                    "chat_id": group.chat_id, "photo": file_id,
                    "caption": _("Foto bij {reference}").format(reference=request.reference)},
                    subject_type="request", subject_id=request.id)
            send_message(session, chat_id=group.chat_id, text=text, reply_markup=buttons.to_dict() if buttons else None,
                         kind=CARD, subject_type="request", subject_id=request.id)
    return len(groups)


def refresh_cards(session: Session, *, request: Request, tz: ZoneInfo) -> int:
    """Bring every card of the request already in a wijkraad group of its wijk up to date (status, last
    action, the buttons still open); returns how many edits are owed."""
    chats = [group.chat_id for group in wijkraad_groups(session, wijk_id=request.wijk_id)]
    if not chats or request.id is None:
        return 0
    sent = sent_messages(session, subject_type="request", subject_id=request.id, kind=CARD, chat_ids=chats)
    with use_locale(GROUP_LOCALE):
        text = card_text(session, request=request, tz=tz)
        buttons = card_buttons(request)
        for message in sent:
            edit_message(session, chat_id=message.chat_id, message_id=message.message_id, text=text,
                         reply_markup=buttons.to_dict() if buttons else None, subject_type="request",
                         subject_id=request.id)
    return len(sent)


def to_groups(session: Session, *, wijk_id: int, text_nl: str, reply_to: tuple[int, int] | None = None) -> None:
    """A Dutch message to the wijk's wijkraad groups (optionally replying to a card there)."""
    for group in wijkraad_groups(session, wijk_id=wijk_id):
        reply = reply_to[1] if reply_to and reply_to[0] == group.chat_id else None
        send_message(session, chat_id=group.chat_id, text=text_nl, reply_to=reply)


def routed(session: Session, *, request: Request, organisations: list[Organisation], deadline: date, tz: ZoneInfo) -> None:
    """Tell the resident who will answer and by when."""
    resident = _resident(session, request)
    if resident is None:
        return
    with use_locale(resident.language):
        names = ", ".join(html.escape(o.name) for o in organisations)
        send_message(session, quiet=True, chat_id=resident.telegram_id, text=_(
            "Je verzoek <b>{reference}</b> is door de wijkraad doorgezet naar: {names}. Zij geven uiterlijk "
            "{deadline} antwoord; dat krijg je hier.").format(
                reference=request.reference, names=names, deadline=fmt_date(deadline, tz)))


def melding(session: Session, *, request: Request) -> None:
    """Tell the resident it is a report for the reporting desk, with its contact."""
    resident = _resident(session, request)
    if resident is None:
        return
    desk = municipality_settings(session).meldpunt
    contact = ", ".join(html.escape(part) for part in (desk.name, desk.phone, desk.email, desk.url) if part) if desk else ""
    with use_locale(resident.language):
        text = _("Je verzoek <b>{reference}</b> is een melding die direct kan worden opgelost. De wijkraad heeft "
                 "het zo afgehandeld.").format(reference=request.reference)
        if contact:
            text += "\n" + _("Voor meldingen kun je ook direct terecht bij: {contact}").format(contact=contact)
        send_message(session, quiet=True, chat_id=resident.telegram_id, text=text)


def duplicate(session: Session, *, request: Request, original: Request) -> None:
    """Tell the resident where to follow from now on."""
    resident = _resident(session, request)
    if resident is None:
        return
    with use_locale(resident.language):
        send_message(session, quiet=True, chat_id=resident.telegram_id, text=_(
            "Je verzoek <b>{reference}</b> gaat over hetzelfde als <b>{original}</b>. De wijkraad heeft ze "
            "samengevoegd: je steunt nu {original} en krijgt daarover bericht.").format(
                reference=request.reference, original=original.reference))


def out_of_scope(session: Session, *, request: Request, reason: str) -> None:
    """Tell the resident kindly, with the reason and where to go instead."""
    resident = _resident(session, request)
    if resident is None:
        return
    with use_locale(resident.language):
        referral = municipality_settings(session).referral(resident.language)
        text = _("Dank je voor je verzoek <b>{reference}</b>. De wijkraad heeft gekeken en het past helaas niet "
                 "in het wijkcontract. De reden: {reason}").format(reference=request.reference, reason=html.escape(reason))
        if referral:
            text += "\n\n" + html.escape(referral)
        send_message(session, quiet=True, chat_id=resident.telegram_id, text=text)


def question(session: Session, *, request: Request, text: str) -> None:
    """Relay the wijkraad's question; the resident answers by replying."""
    resident = _resident(session, request)
    if resident is None:
        return
    with use_locale(resident.language):
        send_message(session, quiet=True, chat_id=resident.telegram_id, text=_(
            "De wijkraad heeft een vraag over je verzoek <b>{reference}</b>:\n\n{question}\n\n"
            "Typ je antwoord als reactie op dit bericht.").format(reference=request.reference, question=html.escape(text)),
            reply_markup=ForceReply(input_field_placeholder=_("Je antwoord")).to_dict())


def partner_recipients(session: Session, *, organisation_id: int) -> list[tuple[int, str]]:
    """(chat id, locale) to reach an organisation: its linked group, else each member privately."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is not None and organisation.group_chat_id:
        return [(organisation.group_chat_id, GROUP_LOCALE)]
    from storage.answers import partner_members

    recipients = []
    for membership in partner_members(session, organisation_id=organisation_id):
        member = session.get(Person, membership.person_id)
        if member is not None and member.active:
            recipients.append((member.telegram_id, member.language))
    return recipients


def coordinator_recipients(session: Session, *, wijk_id: int) -> list[tuple[int, str]]:
    """Coordinators of the wijk (or of an area above it), privately."""
    from sqlmodel import select

    from storage.models import Membership, MembershipRole
    from storage.roles import area_ancestors

    areas = area_ancestors(session, area_id=wijk_id)
    rows = session.exec(select(Membership).where(Membership.role == MembershipRole.COORDINATOR,
                                                 Membership.revoked_at.is_(None), Membership.area_id.in_(areas))).all()
    people = [session.get(Person, m.person_id) for m in rows]
    return sorted({(p.telegram_id, p.language) for p in people if p is not None and p.active})


def to_partner(session: Session, *, request: Request, route_id: int, organisation_id: int, deadline: date,
               tz: ZoneInfo, note: str | None = None) -> None:
    """The routed request in the organisation's queue, with Answer / Not ours / Pass on."""
    from storage.models import Area, Theme
    from storage.themes import theme_name
    from conversations.texts import kind_label
    from conversations.keyboards import inline

    organisation = session.get(Organisation, organisation_id)
    wijk = session.get(Area, request.wijk_id)
    theme = session.get(Theme, request.theme_id)
    for chat_id, locale in partner_recipients(session, organisation_id=organisation_id):
        with use_locale(locale):
            lines = [_("📬 Verzoek <b>{reference}</b> voor <b>{organisation}</b>").format(
                         reference=request.reference, organisation=html.escape(organisation.name if organisation else "?")),
                     _("Wijk: {wijk} · {kind} · {theme}").format(
                         wijk=html.escape(wijk.name if wijk else "?"), kind=kind_label(request.kind),
                         theme=html.escape(theme_name(theme, locale) if theme else "?")),
                     "", html.escape(request.text)]
            if request.own_contribution:
                lines.append(_("Eigen inzet bewoners: {text}").format(text=html.escape(request.own_contribution)))
            if note:
                lines += ["", html.escape(note)]
            lines += ["", _("⏰ Antwoord uiterlijk {deadline}.").format(deadline=fmt_date(deadline, tz)),
                      _("<i>De bewoner blijft anoniem; je antwoord gaat via mij naar de bewoner en de wijkraad.</i>")]
            buttons = inline([[(_("✍️ Beantwoorden"), AnswerBegin("start", route_id))],
                              [(_("🙅 Niet van ons"), AnswerBegin("notours", route_id)),
                               (_("↪️ Doorgeven"), AnswerBegin("pass", route_id))]])
            send_message(session, chat_id=chat_id, text="\n".join(lines), reply_markup=buttons.to_dict())


def answer_to_resident(session: Session, *, request: Request, answer: Any, organisation: str, fields: Any,
                       tz: ZoneInfo) -> None:
    """The answer, in the resident's language, with the partner's own text as written; then how satisfied."""
    from conversations.answer_texts import answer_body
    from conversations.keyboards import inline

    resident = _resident(session, request)
    if resident is None:
        return
    with use_locale(resident.language):
        text = _("📨 Antwoord van <b>{organisation}</b> op je verzoek <b>{reference}</b>:").format(
            organisation=html.escape(organisation), reference=request.reference) + "\n\n" + answer_body(fields, tz)
        buttons = inline([[(_("🙂 Tevreden"), Satisfaction(answer.id, "yes")), (_("🙁 Niet tevreden"), Satisfaction(answer.id, "no"))]])
        send_message(session, quiet=True, chat_id=resident.telegram_id, text=text, reply_markup=buttons.to_dict())


def answer_to_wijkraad(session: Session, *, request: Request, organisation: str, fields: Any, tz: ZoneInfo) -> None:
    """The answer for the wijkraad group."""
    from conversations.answer_texts import answer_body

    with use_locale(GROUP_LOCALE):
        to_groups(session, wijk_id=request.wijk_id, text_nl=_(
            "📨 {organisation} heeft {reference} beantwoord:").format(
            organisation=html.escape(organisation), reference=request.reference) + "\n\n"
            + answer_body(fields, tz, with_means=True))
    refresh_cards(session, request=request, tz=tz)


def handed_back(session: Session, *, request: Request, organisation: str, reason: str, back_with_wijkraad: bool,
                tz: ZoneInfo) -> None:
    """"Not ours": the wijkraad and the coordinators hear it; the card comes back when no one else has it."""
    refresh_cards(session, request=request, tz=tz)
    with use_locale(GROUP_LOCALE):
        to_groups(session, wijk_id=request.wijk_id, text_nl=_(
            "↩️ {organisation} geeft {reference} terug: “{reason}”").format(
            organisation=html.escape(organisation), reference=request.reference, reason=html.escape(reason)))
    for chat_id, locale in coordinator_recipients(session, wijk_id=request.wijk_id):
        with use_locale(locale):
            send_message(session, chat_id=chat_id, text=_(
                "↩️ {organisation} geeft {reference} terug: “{reason}”. De wijkraad zet het opnieuw door; "
                "let erop dat het niet tussen wal en schip valt.").format(
                organisation=html.escape(organisation), reference=request.reference, reason=html.escape(reason)))
    resident = _resident(session, request)
    if resident is not None:
        with use_locale(resident.language):
            send_message(session, quiet=True, chat_id=resident.telegram_id, text=_(
                "{organisation} heeft laten weten dat je verzoek <b>{reference}</b> niet bij hen hoort. De wijkraad "
                "zorgt dat het bij de juiste partner terechtkomt.").format(
                organisation=html.escape(organisation), reference=request.reference))
    if back_with_wijkraad:
        card_to_groups(session, request=request, tz=tz)


def reopened(session: Session, *, request: Request, tz: ZoneInfo) -> None:
    """The resident is not satisfied with a category 1 or 5 answer: back on the wijkraad's table."""
    refresh_cards(session, request=request, tz=tz)
    with use_locale(GROUP_LOCALE):
        to_groups(session, wijk_id=request.wijk_id, text_nl=_(
            "🔁 De bewoner is niet tevreden met het antwoord op {reference} en vraagt de wijkraad er opnieuw "
            "naar te kijken.").format(reference=request.reference))
    card_to_groups(session, request=request, tz=tz)


def outcome(session: Session, *, request: Request | None, organisation: str, outcome: str) -> None:
    """The decided prioritisation (category 4) for the wijkraad and the resident."""
    if request is None:
        return
    with use_locale(GROUP_LOCALE):
        to_groups(session, wijk_id=request.wijk_id, text_nl=_(
            "📋 Uitkomst van de prioritering voor {reference} ({organisation}): {outcome}").format(
            reference=request.reference, organisation=html.escape(organisation), outcome=html.escape(outcome)))
    resident = _resident(session, request)
    if resident is not None:
        with use_locale(resident.language):
            send_message(session, quiet=True, chat_id=resident.telegram_id, text=_(
                "📋 Er is besloten over je verzoek <b>{reference}</b> ({organisation}): {outcome}").format(
                reference=request.reference, organisation=html.escape(organisation), outcome=html.escape(outcome)))


def progress_to_subscribers(session: Session, *, request: Request | None, organisation: str, percent: int,
                            text: str, done: bool) -> None:
    """Progress on an afspraak, to everyone following the request."""
    if request is None:
        return
    from sqlmodel import select

    from storage.models import Subscription

    subscriptions = session.exec(select(Subscription).where(Subscription.request_id == request.id)).all()
    for subscription in subscriptions:
        person = session.get(Person, subscription.person_id)
        if person is None or not person.active:
            continue
        with use_locale(person.language):
            if done:
                head = _("✅ De afspraak bij <b>{reference}</b> is uitgevoerd ({organisation}).")
            else:
                head = _("🔧 Voortgang bij <b>{reference}</b> ({organisation}): {percent}%")
            send_message(session, quiet=True, chat_id=person.telegram_id, text=head.format(
                reference=request.reference, organisation=html.escape(organisation), percent=percent)
                + "\n" + html.escape(text))
