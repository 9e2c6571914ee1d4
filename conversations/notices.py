"""Messages to people other than the sender (residents, wijkraad groups), in their own language.

Called inside the transaction that caused them; they are outbox rows, sent after commit.
"""

from __future__ import annotations

import html
from datetime import date

from sqlmodel import Session
from telegram import ForceReply
from zoneinfo import ZoneInfo

from bot.i18n import _, fmt_date, use_locale
from conversations.card import card_buttons, card_text
from storage.groups import wijkraad_groups
from storage.models import Organisation, Person, Request
from storage.municipality import municipality
from storage.outbox import enqueue, send_message

GROUP_LOCALE = "nl"  # wijkraad groups read Dutch


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
                    "caption": _("Foto bij {reference}").format(reference=request.reference)})
            send_message(session, chat_id=group.chat_id, text=text,
                         reply_markup=buttons.to_dict() if buttons else None)
    return len(groups)


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
        send_message(session, chat_id=resident.telegram_id, text=_(
            "Je verzoek <b>{reference}</b> is door de wijkraad doorgezet naar: {names}. Zij geven uiterlijk "
            "{deadline} antwoord; dat krijg je hier.").format(
                reference=request.reference, names=names, deadline=fmt_date(deadline, tz)))


def melding(session: Session, *, request: Request) -> None:
    """Tell the resident it is a report for the reporting desk, with its contact."""
    resident = _resident(session, request)
    if resident is None:
        return
    top = municipality(session)
    desk = (top.details if top else {}).get("meldpunt") or {}
    contact = ", ".join(html.escape(str(desk[key])) for key in ("name", "phone", "url") if desk.get(key))
    with use_locale(resident.language):
        text = _("Je verzoek <b>{reference}</b> is een melding die direct kan worden opgelost. De wijkraad heeft "
                 "het zo afgehandeld.").format(reference=request.reference)
        if contact:
            text += "\n" + _("Voor meldingen kun je ook direct terecht bij: {contact}").format(contact=contact)
        send_message(session, chat_id=resident.telegram_id, text=text)


def duplicate(session: Session, *, request: Request, original: Request) -> None:
    """Tell the resident where to follow from now on."""
    resident = _resident(session, request)
    if resident is None:
        return
    with use_locale(resident.language):
        send_message(session, chat_id=resident.telegram_id, text=_(
            "Je verzoek <b>{reference}</b> gaat over hetzelfde als <b>{original}</b>. De wijkraad heeft ze "
            "samengevoegd: je steunt nu {original} en krijgt daarover bericht.").format(
                reference=request.reference, original=original.reference))


def out_of_scope(session: Session, *, request: Request, reason: str) -> None:
    """Tell the resident kindly, with the reason and where to go instead."""
    resident = _resident(session, request)
    if resident is None:
        return
    top = municipality(session)
    details = top.details if top else {}
    with use_locale(resident.language):
        referral = (details.get("referral_text_en") if resident.language == "en" else None) or details.get("referral_text")
        text = _("Dank je voor je verzoek <b>{reference}</b>. De wijkraad heeft gekeken en het past helaas niet "
                 "in het wijkcontract. De reden: {reason}").format(reference=request.reference, reason=html.escape(reason))
        if referral:
            text += "\n\n" + html.escape(referral)
        send_message(session, chat_id=resident.telegram_id, text=text)


def question(session: Session, *, request: Request, text: str) -> None:
    """Relay the wijkraad's question; the resident answers by replying."""
    resident = _resident(session, request)
    if resident is None:
        return
    with use_locale(resident.language):
        send_message(session, chat_id=resident.telegram_id, text=_(
            "De wijkraad heeft een vraag over je verzoek <b>{reference}</b>:\n\n{question}\n\n"
            "Typ je antwoord als reactie op dit bericht.").format(reference=request.reference, question=html.escape(text)),
            reply_markup=ForceReply(input_field_placeholder=_("Je antwoord")).to_dict())
