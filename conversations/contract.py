"""/contract: the wijkcontract as a PDF document, and signing it in chat.

    /contract [WIJK] ─► (which wijk?) ─► the current version as PDF, with buttons:
        📝 Ter ondertekening aanbieden   a coordinator, while it is a concept
        ✍️ Ondertekenen namens <party>   while it lies for signing, per party not yet signed
        🌐 HTML · 🗂 Eerdere versies
    /contract vorige ─► every version so far, each sent again exactly as it was.

Private chat: coordinators, wijkraad members and partner members (their wijken); a linked
wijkraad group: its wijk. Every press is checked again against the database: the presser must
hold the role for that party now, and the version must still be the current one; a press on
a document that has since changed signs nothing and brings the new version instead.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable

from datetime import date
from zoneinfo import ZoneInfo

from sqlmodel import Session, select
from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ChatType

from bot.context import WijkContext
from bot.i18n import _, fmt_date, use_locale
from conversations import notices
from conversations.buttons import (
    Button,
    ContractGet,
    ContractHtml,
    ContractSignOrganisation,
    ContractSignRole,
    ContractStartSigning,
    ContractVersions,
    ContractWijk,
)
from conversations.contract_render import (
    SignatureInfo,
    describe,
    filename,
    period_text,
    render_html,
    render_pdf,
    status_text,
)
from conversations.keyboards import inline
from storage.contracts import (
    COORDINATOR,
    ORGANISATION,
    WIJKRAAD,
    ContractRefused,
    current_version,
    lock_version,
    may_sign_for,
    may_view,
    organisation_party,
    parties_of,
    period_of,
    refreshed,
    sign,
    signatures_of,
    signing_membership,
    start_signing,
    store_rendering,
    unsigned_parties,
    versions_of,
    viewable_wijken,
)
from storage.groups import group_of, wijkraad_groups
from storage.models import Area, ContractStatus, ContractVersion, Membership, MembershipRole, Person, utcnow
from storage.municipality import municipality_settings
from storage.outbox import enqueue

OLDER = ("vorige", "eerder", "eerdere", "previous", "older")
MAX_VERSIONS = 12


# ── rendering and sending ────────────────────────────────────────────────────────────────

def _today(context: WijkContext) -> date:
    """Today in the municipality's time zone."""
    return utcnow().astimezone(context.settings.tz).date()


def ensure_rendered(session: Session, *, version: ContractVersion, tz: ZoneInfo) -> None:
    """Render the document when its content, status or signatures changed since the last time."""
    if version.pdf is not None and version.html is not None:
        return
    signatures = [SignatureInfo(s.party, s.name, s.signed_at) for s in signatures_of(session, version_id=version.id)]
    document = describe(version.content, number=version.number, status=version.status, signatures=signatures, tz=tz)
    store_rendering(session, version=version, pdf=render_pdf(document), html=render_html(document))


def _current(context: WijkContext, wijk_id: int) -> ContractVersion:
    """The wijk's current version for today's period, up to date and rendered."""
    today = _today(context)
    starts_on, ends_on = period_of(context.db, wijk_id=wijk_id, today=today,
                                   years=municipality_settings(context.db).contract_period_years)
    version = current_version(context.db, wijk_id=wijk_id, starts_on=starts_on, ends_on=ends_on, today=today,
                              tz=context.settings.tz)
    ensure_rendered(context.db, version=version, tz=context.settings.tz)
    return version


def _party_label(version: ContractVersion, party: str) -> str:
    """A party as buttons and messages name it."""
    if party == WIJKRAAD:
        return _("de wijkraad")
    if party == COORDINATOR:
        return _("de coördinator")
    names = {p["key"]: p["name"] for p in version.content.get("parties", [])}
    return str(names.get(party, "?"))


def _sign_button(version_id: int, party: str) -> ContractSignRole | ContractSignOrganisation:
    """The button to sign for a party (a party key of the contract's content)."""
    if party == WIJKRAAD or party == COORDINATOR:
        return ContractSignRole(version_id, party)
    return ContractSignOrganisation(version_id, int(party.removeprefix(ORGANISATION)))


def _party_of(pressed: ContractSignRole | ContractSignOrganisation) -> str:
    """The party key a sign button names."""
    if isinstance(pressed, ContractSignRole):
        return pressed.party
    return organisation_party(pressed.organisation_id)


def _caption(session: Session, version: ContractVersion, intro: str | None = None) -> str:
    """What the document message says, in the reader's language."""
    content = version.content
    parties = parties_of(version)
    signed = len(parties) - len(unsigned_parties(session, version=version))
    lines = [intro] if intro else []
    lines += [_("📄 <b>Wijkcontract {wijk}</b>").format(wijk=html.escape(content["wijk"])),
              period_text(content),
              _("Versie {number}: {status}").format(number=version.number, status=status_text(version.status))]
    if version.status != ContractStatus.CONCEPT:
        lines.append(_("Getekend door {signed} van {total} partijen.").format(signed=signed, total=len(parties)))
    if version.superseded_at is not None:
        lines.append(_("<i>Vervangen door een nieuwere versie.</i>"))
    return "\n".join(lines)


def _buttons(session: Session, version: ContractVersion, parties: list[str], *,
             may_start: bool) -> InlineKeyboardMarkup:
    """Buttons under a document: start signing, sign for `parties` (those still unsigned), HTML, older versions."""
    rows: list[list[tuple[str, Button]]] = []
    current = version.superseded_at is None
    if current and may_start and version.status == ContractStatus.CONCEPT:
        rows.append([(_("📝 Ter ondertekening aanbieden"), ContractStartSigning(version.id))])
    if current and version.status == ContractStatus.SIGNING:
        open_parties = unsigned_parties(session, version=version)
        for party in (p for p in open_parties if p in parties):
            label = _("✍️ Ondertekenen namens {party}").format(party=_party_label(version, party)[:48])
            rows.append([(label, _sign_button(version.id, party))])
    extra: list[tuple[str, Button]] = [(_("🌐 HTML"), ContractHtml(version.id))]
    if version.number > 1 or len(versions_of(session, wijk_id=version.wijk_id)) > 1:
        extra.append((_("🗂 Eerdere versies"), ContractVersions(version.wijk_id)))
    rows.append(extra)
    return inline(rows)


def _buttons_for(context: WijkContext, version: ContractVersion) -> InlineKeyboardMarkup:
    """The buttons this person sees in this chat: their own parties, and in a group the group's party."""
    parties = may_sign_for(context.db, person=context.person, version=version)
    chat = context.incoming.effective_chat
    group = group_of(context.db, chat_id=chat.id) if chat is not None and chat.type != ChatType.PRIVATE else None
    if group is not None and group.area_id == version.wijk_id:
        parties.append(WIJKRAAD)
    if group is not None and group.organisation_id is not None:
        parties.append(organisation_party(group.organisation_id))
    may_start = signing_membership(context.db, person=context.person, wijk_id=version.wijk_id,
                                   party=COORDINATOR) is not None
    return _buttons(context.db, version, parties, may_start=may_start)


def send_document(session: Session, *, chat_id: int, version: ContractVersion, caption: str,
                  markup: InlineKeyboardMarkup | None) -> None:
    """Owe the version's PDF (as stored) to a chat, with a caption and buttons."""
    payload = {"chat_id": chat_id, "caption": caption, "parse_mode": "HTML",
               "document": {"filename": filename(version.content, version.number) + ".pdf",
                            "mime_type": "application/pdf",
                            "content_base64": base64.b64encode(version.pdf or b"").decode("ascii")}}
    if markup is not None:
        payload["reply_markup"] = markup.to_dict()
    enqueue(session, chat_id=chat_id, method="sendDocument", payload=payload)


def _reply_document(context: WijkContext, version: ContractVersion, intro: str | None = None) -> None:
    """The version's PDF to the current chat, with the buttons for this person."""
    chat_id = context.incoming.effective_chat.id  # type: ignore[union-attr]
    send_document(context.db, chat_id=chat_id, version=version, caption=_caption(context.db, version, intro),
                  markup=_buttons_for(context, version))


# ── /contract ────────────────────────────────────────────────────────────────────────────

async def contract_command(update: Update, context: WijkContext) -> None:
    """/contract [vorige] [WIJK]: the current version (or the list of versions) of a wijk's contract."""
    args = list(context.args or [])
    older = bool(args) and args[0].casefold() in OLDER
    if older:
        args = args[1:]
    chat = update.effective_chat
    if chat.type != ChatType.PRIVATE:
        group = group_of(context.db, chat_id=chat.id)
        wijk_id = group.area_id if group is not None else None
        if wijk_id is None:
            context.refuse(_("In de groep van een partner: vraag /contract in je privéchat met mij.")
                          if group is not None and group.organisation_id is not None else
                          _("Deze groep is nog niet gekoppeld aan een wijk. Een wijkraadlid typt hier /koppel."))
            return
        if not may_view(context.db, person=context.person, wijk_id=wijk_id):
            context.refuse(_("Het wijkcontract is er voor de wijkraad, de partners en de coördinator van de wijk."))
            return
        wijk = context.db.get(Area, wijk_id)
    else:
        wijken = viewable_wijken(context.db, person=context.person)
        if not wijken:
            context.reply(_("/contract is er voor coördinatoren, wijkraadleden en partners. Heb je een uitnodiging "
                            "gekregen? Open dan die link."))
            return
        name = " ".join(args).strip().casefold()
        matches = [w for w in wijken if name in (w.name.casefold(), w.code)] or (
            [w for w in wijken if name in w.name.casefold()] if name else [])
        if len(matches) == 1 or len(wijken) == 1:
            wijk = matches[0] if len(matches) == 1 else wijken[0]
        else:
            kind = ContractVersions if older else ContractWijk
            rows = [[(w.name, kind(w.id))] for w in (matches or wijken)]
            context.reply(_("Van welke wijk wil je het wijkcontract?"), inline(rows))
            return
    if older:
        _list_versions(context, wijk)
    else:
        _reply_document(context, _current(context, wijk.id))


def _wijk_from(update: Update, context: WijkContext, kind: type[ContractWijk | ContractVersions]) -> Area | None:
    """The wijk named in the pressed button of this kind, if the presser may see its contract."""
    pressed = kind.parse(update.callback_query.data)
    wijk = context.db.get(Area, pressed.wijk_id) if pressed is not None else None
    if wijk is None or not may_view(context.db, person=context.person, wijk_id=wijk.id):
        context.answer(_("Dit wijkcontract is er voor de wijkraad, de partners en de coördinator van de wijk."),
                       alert=True)
        return None
    return wijk


async def wijk_pressed(update: Update, context: WijkContext) -> None:
    """The chosen wijk's current contract."""
    wijk = _wijk_from(update, context, ContractWijk)
    if wijk is None:
        return
    context.answer()
    _reply_document(context, _current(context, wijk.id))


def _list_versions(context: WijkContext, wijk: Area) -> None:
    """Every version so far, newest first, each with a button to get it again."""
    _current(context, wijk.id)  # so the list includes what /contract would show now
    versions = versions_of(context.db, wijk_id=wijk.id)[:MAX_VERSIONS]
    tz = context.settings.tz
    lines = [_("<b>Versies van het wijkcontract {wijk}</b>").format(wijk=html.escape(wijk.name))]
    rows = []
    for version in versions:
        when = version.signed_at or version.signing_at or version.created_at
        state = status_text(version.status)
        if version.superseded_at is not None:
            state = _("{status}, vervangen").format(status=state)
        lines.append(_("• {period}, versie {number}: {status} ({date})").format(
            period=period_text(version.content), number=version.number, status=state, date=fmt_date(when, tz)))
        rows.append([(_("📄 {year} versie {number}").format(year=version.starts_on.year, number=version.number),
                      ContractGet(version.id))])
    context.reply("\n".join(lines), inline(rows))


async def versions_pressed(update: Update, context: WijkContext) -> None:
    """🗂 Eerdere versies."""
    wijk = _wijk_from(update, context, ContractVersions)
    if wijk is None:
        return
    context.answer()
    _list_versions(context, wijk)


def _version_from(context: WijkContext, version_id: int | None) -> ContractVersion | None:
    """The version named in the pressed button (locked), if the presser may see its wijk's contract."""
    version = lock_version(context.db, version_id=version_id) if version_id is not None else None
    if version is None or not may_view(context.db, person=context.person, wijk_id=version.wijk_id):
        context.answer(_("Dit wijkcontract is er voor de wijkraad, de partners en de coördinator van de wijk."),
                       alert=True)
        return None
    return version


def _version_id(update: Update, kind: type[ContractGet | ContractHtml | ContractStartSigning]) -> int | None:
    """The version id on the pressed button of this kind (None when its data is not one)."""
    pressed = kind.parse(update.callback_query.data)
    return pressed.version_id if pressed is not None else None


async def get_pressed(update: Update, context: WijkContext) -> None:
    """One version's PDF again, exactly as it was last sent."""
    version = _version_from(context, _version_id(update, ContractGet))
    if version is None:
        return
    context.answer()
    ensure_rendered(context.db, version=version, tz=context.settings.tz)
    _reply_document(context, version)


async def html_pressed(update: Update, context: WijkContext) -> None:
    """The version as an HTML page."""
    version = _version_from(context, _version_id(update, ContractHtml))
    if version is None:
        return
    context.answer()
    ensure_rendered(context.db, version=version, tz=context.settings.tz)
    chat_id = update.effective_chat.id
    enqueue(context.db, chat_id=chat_id, method="sendDocument", payload={
        "chat_id": chat_id, "caption": _("Het wijkcontract als webpagina (versie {number}).").format(
            number=version.number),
        "document": {"filename": filename(version.content, version.number) + ".html", "mime_type": "text/html",
                     "content": version.html or ""}})


# ── signing ──────────────────────────────────────────────────────────────────────────────

def _outdated(context: WijkContext, old: ContractVersion, current: ContractVersion) -> None:
    """A press on a document that has changed since: nothing signed; here is the current version."""
    ensure_rendered(context.db, version=current, tz=context.settings.tz)
    context.answer(_("Het wijkcontract is gewijzigd sinds dit document. Er is niets getekend; je krijgt nu "
                     "versie {number}.").format(number=current.number), alert=True)
    context.edit_markup(_buttons(context.db, old, [], may_start=False))
    _reply_document(context, current, _("Het wijkcontract is gewijzigd. Dit is de nieuwe versie:"))


async def start_pressed(update: Update, context: WijkContext) -> None:
    """📝 A coordinator offers the concept for signing; every party gets it with its button."""
    version = _version_from(context, _version_id(update, ContractStartSigning))
    if version is None:
        return
    wijk = context.db.get(Area, version.wijk_id)
    if signing_membership(context.db, person=context.person, wijk_id=version.wijk_id, party=COORDINATOR) is None:
        context.answer(_("Alleen een coördinator van {wijk} kan het wijkcontract ter ondertekening aanbieden.").format(
            wijk=wijk.name if wijk else "?"), alert=True)
        return
    current = refreshed(context.db, version=version, today=_today(context), tz=context.settings.tz)
    if current.id != version.id:
        _outdated(context, version, current)
        return
    try:
        start_signing(context.db, version=current, person=context.person)
    except ContractRefused as refused:
        texts = {"empty": _("Er staan nog geen antwoorden of afspraken in dit wijkcontract."),
                 "not_concept": _("Dit kan niet meer: het wijkcontract is nu {status}.").format(
                     status=status_text(current.status))}
        context.answer(texts.get(refused.code, _("Dit kan niet meer.")), alert=True)
        return
    ensure_rendered(context.db, version=current, tz=context.settings.tz)
    context.answer(_("Ter ondertekening aangeboden."))
    context.edit_markup(_buttons(context.db, current, [], may_start=False))
    _reply_document(context, current, _("Het wijkcontract ligt nu ter ondertekening. Alle partijen hebben het "
                                        "gekregen met een knop om te tekenen."))
    _to_parties(context.db, version=current, skip_chat=update.effective_chat.id, intro=lambda: _(
        "✍️ Het wijkcontract van {wijk} ligt ter ondertekening. Lees het en teken met de knop hieronder.").format(
        wijk=html.escape(current.content["wijk"])))


async def sign_pressed(update: Update, context: WijkContext) -> None:
    """✍️ Sign for a party: the presser must hold that role now, and the document must still be current."""
    pressed = ContractSignRole.parse(update.callback_query.data) or ContractSignOrganisation.parse(
        update.callback_query.data)
    version = _version_from(context, pressed.version_id if pressed is not None else None)
    if version is None or pressed is None:
        return
    party = _party_of(pressed)
    if party not in parties_of(version):
        context.answer(_("Deze partij hoeft dit wijkcontract niet te tekenen."), alert=True)
        return
    if signing_membership(context.db, person=context.person, wijk_id=version.wijk_id, party=party) is None:
        context.answer(_("Alleen een lid van {party} kan daarvoor tekenen.").format(
            party=_party_label(version, party)), alert=True)
        return
    current = refreshed(context.db, version=version, today=_today(context), tz=context.settings.tz)
    if current.id != version.id:
        _outdated(context, version, current)
        return
    label = _party_label(current, party)
    try:
        signed = sign(context.db, version=current, party=party, person=context.person)
    except ContractRefused as refused:
        texts = {"already": _("Er is al getekend namens {party}.").format(party=label),
                 "not_signing": _("Dit wijkcontract ligt niet ter ondertekening: het is {status}.").format(
                     status=status_text(current.status))}
        context.answer(texts.get(refused.code, _("Dit kan niet meer.")), alert=True)
        context.edit_markup(_buttons_for(context, current))
        return
    ensure_rendered(context.db, version=current, tz=context.settings.tz)
    context.answer(_("Getekend namens {party}.").format(party=label))
    context.edit_markup(_buttons_for(context, current))
    name = html.escape(signed.signature.name or _("een lid"))
    if not signed.complete:
        waiting = ", ".join(html.escape(_party_label(current, p)) for p in unsigned_parties(context.db, version=current))
        context.reply(_("✍️ {name} heeft getekend namens {party} (versie {number}). Nog te tekenen: {waiting}.").format(
            name=name, party=html.escape(label), number=current.number, waiting=waiting))
        return
    _reply_document(context, current, _("✅ {name} heeft als laatste getekend, namens {party}. Het wijkcontract is "
                                        "getekend door alle partijen.").format(name=name, party=html.escape(label)))
    _to_parties(context.db, version=current, skip_chat=update.effective_chat.id, intro=lambda: _(
        "✅ Het wijkcontract van {wijk} is getekend door alle partijen. Afspraak is afspraak.").format(
        wijk=html.escape(current.content["wijk"])))


def _recipients(session: Session, *, version: ContractVersion) -> dict[int, tuple[str, list[str]]]:
    """Chat id → (locale, the parties it signs for): partners' groups or members, wijkraad groups, coordinators."""
    out: dict[int, tuple[str, list[str]]] = {}

    def add(chat_id: int, locale: str, party: str) -> None:
        known = out.setdefault(chat_id, (locale, []))
        known[1].append(party)

    for party in parties_of(version):
        if party == WIJKRAAD:
            groups = wijkraad_groups(session, wijk_id=version.wijk_id)
            for group in groups:
                add(group.chat_id, notices.GROUP_LOCALE, party)
            if not groups:
                for member in _wijkraad_members(session, wijk_id=version.wijk_id):
                    add(member.telegram_id, member.language, party)
        elif party == COORDINATOR:
            for chat_id, locale in notices.coordinator_recipients(session, wijk_id=version.wijk_id):
                add(chat_id, locale, party)
        else:
            organisation_id = int(party.split(":", 1)[1])
            for chat_id, locale in notices.partner_recipients(session, organisation_id=organisation_id):
                add(chat_id, locale, party)
    return out


def _wijkraad_members(session: Session, *, wijk_id: int) -> list[Person]:
    """Active wijkraad members of the wijk who can be reached."""
    rows = session.exec(select(Membership).where(Membership.role == MembershipRole.WIJKRAAD,
                                                 Membership.area_id == wijk_id, Membership.revoked_at.is_(None))).all()
    people = [session.get(Person, m.person_id) for m in rows]
    return [p for p in people if p is not None and p.active]


def _to_parties(session: Session, *, version: ContractVersion, skip_chat: int, intro: Callable[[], str]) -> None:
    """The document to every party's chat (except the one where it was pressed), with that chat's buttons."""
    for chat_id, (locale, parties) in sorted(_recipients(session, version=version).items()):
        if chat_id == skip_chat:
            continue
        with use_locale(locale):
            send_document(session, chat_id=chat_id, version=version, caption=_caption(session, version, intro()),
                          markup=_buttons(session, version, parties, may_start=False))
