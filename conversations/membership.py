"""Joining a role by invitation (/start inv_…) and linking a group chat (/koppel).

Who may link a group is `storage.groups.link_refusal`; the command and every button ask it (the
Telegram group-admin status only when the rule needs it). An existing link changes only after a
confirm button, and the coordinators of the wijken concerned are told.
"""

from __future__ import annotations

import html
import logging

from sqlmodel import select
from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

from bot.context import WijkContext
from bot.i18n import _, use_locale
from conversations.buttons import GroupLinkChoose, GroupLinkConfirm, GroupLinkDecline
from conversations.keyboards import inline
from conversations.notices import GROUP_LOCALE, coordinator_recipients
from storage.groups import LinkChange, LinkProblem, LinkTarget, link_change, link_group, link_refusal, target_wijken
from storage.invitations import InvitationProblem, InvitationRefused, redeem_invitation
from storage.models import Area, MembershipRole, Organisation, OrganisationWijk
from storage.outbox import send_message
from storage.roles import active_memberships, coordinated_wijken, describe

log = logging.getLogger(__name__)

MAX_CHOICES = 12  # more than this: /koppel with a name narrows the choice


async def redeem(update: Update, context: WijkContext) -> None:
    """Use the invitation in the deep link and say which role it gave."""
    payload = (context.args or [""])[0]
    try:
        user = update.effective_user
        membership = redeem_invitation(context.db, payload=payload, person=context.person,
                                       display_name=user.full_name[:120] if user else None)
    except InvitationRefused as refused:
        reasons = {
            InvitationProblem.UNKNOWN: _("Deze uitnodiging ken ik niet. Controleer de link of vraag om een nieuwe."),
            InvitationProblem.USED: _("Deze uitnodiging is al gebruikt. Vraag je coördinator om een nieuwe."),
            InvitationProblem.EXPIRED: _("Deze uitnodiging is verlopen. Vraag je coördinator om een nieuwe."),
        }
        context.reply(reasons[refused.problem])
        return
    where = html.escape(describe(context.db, membership=membership))
    texts = {
        MembershipRole.WIJKRAAD: _("Welkom! Je bent nu lid van de wijkraad van <b>{where}</b>. Voeg mij toe aan "
                                   "de groep van de wijkraad en typ daar /koppel."),
        MembershipRole.PARTNER: _("Welkom! Je bent nu aangemeld voor <b>{where}</b>. Verzoeken voor jullie "
                                  "organisatie komen hier binnen (of in jullie groep: typ daar /koppel)."),
        MembershipRole.COORDINATOR: _("Welkom! Je bent nu coördinator voor <b>{where}</b>. Met /beheer "
                                      "beheer je leden, intakerondes en contractperiodes."),
        MembershipRole.ADMIN: _("Welkom! Je bent nu beheerder van Wijkbot."),
    }
    context.reply(texts[MembershipRole(membership.role)].format(where=where))


def _target_name(context: WijkContext, target: LinkTarget) -> str:
    """"the wijkraad of X" or the organisation's name, in the active locale (HTML-escaped)."""
    if target.area_id is not None:
        wijk = context.db.get(Area, target.area_id)
        return _("de wijkraad van {wijk}").format(wijk=html.escape(wijk.name if wijk else "?"))
    organisation = context.db.get(Organisation, target.organisation_id)
    return html.escape(organisation.name if organisation else "?")


def _data(target: LinkTarget, *, confirmed: bool = False) -> GroupLinkChoose | GroupLinkConfirm:
    """The button to link the group to `target` (or to confirm that)."""
    kind = GroupLinkConfirm if confirmed else GroupLinkChoose
    if target.area_id is not None:
        return kind("wijk", target.area_id)
    assert target.organisation_id is not None
    return kind("organisation", target.organisation_id)


def _link_choices(context: WijkContext) -> list[tuple[str, LinkTarget]]:
    """What this person might link a group to: their wijkraden and organisations, and what they coordinate."""
    targets: list[LinkTarget] = []
    for membership in active_memberships(context.db, person=context.person):
        if membership.role == MembershipRole.WIJKRAAD and membership.area_id is not None:
            targets.append(LinkTarget(area_id=membership.area_id))
        elif membership.role == MembershipRole.PARTNER and membership.organisation_id is not None:
            targets.append(LinkTarget(organisation_id=membership.organisation_id))
    wijken = coordinated_wijken(context.db, person=context.person)
    targets += [LinkTarget(area_id=wijk.id) for wijk in wijken]
    if wijken:
        serving = select(OrganisationWijk.organisation_id).where(
            OrganisationWijk.wijk_id.in_([wijk.id for wijk in wijken]))
        targets += [LinkTarget(organisation_id=organisation.id) for organisation in context.db.exec(
            select(Organisation).where(Organisation.id.in_(serving), Organisation.active)
            .order_by(Organisation.name)).all()]
    return [(_label(context, target), target) for target in dict.fromkeys(targets)]


def _label(context: WijkContext, target: LinkTarget) -> str:
    """A choice's button label (plain text)."""
    if target.area_id is not None:
        wijk = context.db.get(Area, target.area_id)
        return _("Wijkraad {wijk}").format(wijk=wijk.name if wijk else "?")
    organisation = context.db.get(Organisation, target.organisation_id)
    return organisation.name if organisation else "?"


async def link_command(update: Update, context: WijkContext) -> None:
    """/koppel [naam] in a group: link it to a wijkraad or organisation the sender may link it to."""
    choices = _link_choices(context)
    if not choices:
        context.refuse(_("Alleen geregistreerde leden van een wijkraad of partnerorganisatie kunnen een groep "
                         "koppelen. Vraag je coördinator om een uitnodiging."))
        return
    wanted = " ".join(context.args or []).strip().casefold()
    if wanted:
        choices = [choice for choice in choices if wanted in choice[0].casefold()]
        if not choices:
            context.refuse(_("Ik vind niets met die naam waaraan jij deze groep kunt koppelen. Typ /koppel "
                             "zonder naam voor de keuzes."))
            return
    if len(choices) == 1:
        await _attempt(update, context, choices[0][1], confirmed=False)
        return
    if len(choices) > MAX_CHOICES:
        context.reply(_("Waaraan wil je deze groep koppelen? Typ de naam erbij, bijvoorbeeld "
                        "<code>/koppel {example}</code>.").format(example=html.escape(choices[0][0])))
        return
    context.reply(_("Waaraan wil je deze groep koppelen?"),
                  inline([[(label, _data(target))] for label, target in choices]))


async def link_pressed(update: Update, context: WijkContext) -> None:
    """A choice from /koppel, or the confirm of a relink; everything is checked again."""
    data = update.callback_query.data
    if GroupLinkDecline.parse(data) is not None:
        context.answer(_("Er is niets veranderd."))
        context.edit_markup()
        return
    pressed = GroupLinkChoose.parse(data) or GroupLinkConfirm.parse(data)
    if pressed is None:  # no such id; a forged number must not reach the database
        context.refuse(_problem_text(LinkProblem.UNKNOWN_TARGET))
        return
    if pressed.target == "wijk":
        target = LinkTarget(area_id=pressed.target_id)
    else:
        target = LinkTarget(organisation_id=pressed.target_id)
    await _attempt(update, context, target, confirmed=isinstance(pressed, GroupLinkConfirm))


async def _is_group_admin(update: Update, context: WijkContext) -> bool | None:
    """Whether the sender administers this Telegram group (None when Telegram could not say)."""
    chat, user = update.effective_chat, update.effective_user
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError as error:
        log.warning("getChatMember failed for /koppel: %s", error)
        return None
    return member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)


async def _refusal(update: Update, context: WijkContext, target: LinkTarget) -> LinkProblem | None:
    """The rule, asking Telegram about group admins only when the answer depends on it."""
    chat_id = update.effective_chat.id
    problem = link_refusal(context.db, person=context.person, chat_id=chat_id, target=target, group_admin=None)
    if problem is LinkProblem.ADMIN_UNKNOWN:
        problem = link_refusal(context.db, person=context.person, chat_id=chat_id, target=target,
                               group_admin=await _is_group_admin(update, context))
    return problem


def _problem_text(problem: LinkProblem) -> str:
    """Why not, kindly."""
    return {
        LinkProblem.UNKNOWN_TARGET: _("Die wijk of organisatie ken ik niet (meer). Er is niets veranderd."),
        LinkProblem.NO_ROLE: _("Dit mag alleen een coördinator, of een lid van die wijkraad of organisatie. "
                               "Er is niets veranderd."),
        LinkProblem.NOT_GROUP_ADMIN: _("Alleen een beheerder van deze Telegram-groep kan de groep koppelen. "
                                       "Vraag een beheerder van de groep om jou beheerder te maken, of vraag je "
                                       "coördinator. Er is niets veranderd."),
        LinkProblem.NOT_CURRENT_HOLDER: _("Deze groep hoort nu bij een andere wijkraad of organisatie. Alleen een "
                                          "coördinator daarvan, of een lid daarvan dat beheerder is van deze groep, "
                                          "kan de koppeling veranderen. Er is niets veranderd."),
        LinkProblem.ADMIN_UNKNOWN: _("Ik kon niet nagaan of je beheerder bent van deze groep. Probeer het zo "
                                     "nog eens. Er is niets veranderd."),
    }[problem]


async def _attempt(update: Update, context: WijkContext, target: LinkTarget, *, confirmed: bool) -> None:
    """Link the group if the sender may; ask first when an existing link would change."""
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        context.refuse(_("Een groep koppel je in die groep zelf, met /koppel."))
        return
    problem = await _refusal(update, context, target)
    if problem is not None:
        context.refuse(_problem_text(problem))
        return
    context.answer()
    context.edit_markup()
    change = link_change(context.db, chat_id=chat.id, target=target)
    name = _target_name(context, target)
    if change.already:
        context.reply(_("Deze groep is al gekoppeld aan {target}. Er is niets veranderd.").format(target=name))
        return
    if change.relink and not confirmed:
        lines = _change_lines(context, change, target, done=False)
        lines.append(_("Wil je deze groep koppelen aan {target}? De coördinator krijgt daar bericht van.").format(
            target=name))
        context.reply("\n".join(lines), inline([[(_("✅ Ja, koppelen"), _data(target, confirmed=True)),
                                                 (_("Nee"), GroupLinkDecline())]]))
        return
    link_group(context.db, chat_id=chat.id, title=chat.title, by=context.person, area_id=target.area_id,
               organisation_id=target.organisation_id)
    if target.area_id is not None:
        wijk = context.db.get(Area, target.area_id)
        text = _("Deze groep is nu de wijkraadgroep van <b>{wijk}</b>. Nieuwe verzoeken uit de wijk "
                 "verschijnen hier.").format(wijk=html.escape(wijk.name))
    else:
        organisation = context.db.get(Organisation, target.organisation_id)
        text = _("Deze groep is nu de groep van <b>{organisation}</b>. Verzoeken voor jullie komen hier "
                 "binnen.").format(organisation=html.escape(organisation.name))
    if change.relink:
        text += "\n" + _("De coördinator is op de hoogte gebracht.")
        _tell_about_relink(update, context, change, target)
    context.reply(text)


def _change_lines(context: WijkContext, change: LinkChange, target: LinkTarget, *, done: bool) -> list[str]:
    """What a relink changes (or changed, when `done`), in the active locale."""
    lines = []
    if change.previous is not None:
        previous = _target_name(context, change.previous)
        lines.append(_("Daarvoor was de groep gekoppeld aan {previous}.").format(previous=previous) if done else
                     _("Deze groep is nu gekoppeld aan {previous}.").format(previous=previous))
    for other in change.replaced:
        values = {"target": _target_name(context, target), "title": html.escape(other.title or str(other.chat_id))}
        lines.append(_("De groep “{title}” van {target} is ontkoppeld.").format(**values) if done else
                     _("Er is al een groep van {target}: “{title}”. Die wordt dan ontkoppeld.").format(**values))
    return lines


def _tell_about_relink(update: Update, context: WijkContext, change: LinkChange, target: LinkTarget) -> None:
    """The coordinators of every wijk concerned hear it privately; unlinked groups hear it too."""
    chat, user = update.effective_chat, update.effective_user
    wijken = target_wijken(context.db, target=target)
    if change.previous is not None:
        wijken += target_wijken(context.db, target=change.previous)
    recipients = sorted({r for wijk_id in dict.fromkeys(wijken)
                         for r in coordinator_recipients(context.db, wijk_id=wijk_id)})
    who = html.escape(user.full_name if user else "?")
    for chat_id, locale in recipients:
        if user is not None and chat_id == user.id:
            continue  # they did it themselves
        with use_locale(locale):
            lines = [_("🔗 {who} heeft de groep “{group}” gekoppeld aan {target}.").format(
                who=who, group=html.escape(chat.title or str(chat.id)), target=_target_name(context, target))]
            lines += _change_lines(context, change, target, done=True)
            send_message(context.db, chat_id=chat_id, text="\n".join(lines))
    with use_locale(GROUP_LOCALE):
        for other in change.replaced:
            send_message(context.db, chat_id=other.chat_id, text=_(
                "Deze groep is niet meer gekoppeld aan {target}: dat is nu de groep “{group}”.").format(
                target=_target_name(context, target), group=html.escape(chat.title or str(chat.id))))
