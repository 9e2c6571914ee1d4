"""Joining a role by invitation (/start inv_…) and linking a group chat (/koppel)."""

from __future__ import annotations

import html

from telegram import Update

from bot.context import WijkContext
from bot.i18n import _
from conversations.keyboards import inline
from storage.groups import link_group
from storage.invitations import InvitationProblem, InvitationRefused, redeem_invitation
from storage.models import Area, MembershipRole, Organisation
from storage.roles import active_memberships, describe


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


def _link_choices(context: WijkContext) -> list[tuple[str, str]]:
    """What this person may link a group to: their wijkraden and organisations."""
    choices: list[tuple[str, str]] = []
    for membership in active_memberships(context.db, person=context.person):
        if membership.role == MembershipRole.WIJKRAAD and membership.area_id is not None:
            choices.append((_("Wijkraad {wijk}").format(wijk=describe(context.db, membership=membership)),
                            f"link:wijk:{membership.area_id}"))
        elif membership.role == MembershipRole.PARTNER and membership.organisation_id is not None:
            choices.append((describe(context.db, membership=membership), f"link:org:{membership.organisation_id}"))
    return choices


async def link_command(update: Update, context: WijkContext) -> None:
    """/koppel in a group: link it to the sender's wijkraad or organisation."""
    choices = _link_choices(context)
    if not choices:
        context.reply(_("Alleen geregistreerde leden van een wijkraad of partnerorganisatie kunnen een groep "
                        "koppelen. Vraag je coördinator om een uitnodiging."))
        return
    if len(choices) == 1:
        _link(update, context, choices[0][1])
        return
    context.reply(_("Waaraan wil je deze groep koppelen?"), inline([[choice] for choice in choices]))


async def link_pressed(update: Update, context: WijkContext) -> None:
    """A choice from /koppel; the sender's role is checked again."""
    data = update.callback_query.data
    if data not in {choice[1] for choice in _link_choices(context)}:
        context.answer(_("Dit mag alleen een lid van die wijkraad of organisatie."), alert=True)
        return
    context.answer()
    context.edit_markup()
    _link(update, context, data)


def _link(update: Update, context: WijkContext, data: str) -> None:
    """Store the link and say so in the group."""
    _prefix, kind, raw_id = data.split(":")
    chat = update.effective_chat
    if kind == "wijk":
        wijk = context.db.get(Area, int(raw_id))
        link_group(context.db, chat_id=chat.id, title=chat.title, by=context.person, area_id=wijk.id)
        context.reply(_("Deze groep is nu de wijkraadgroep van <b>{wijk}</b>. Nieuwe verzoeken uit de wijk "
                        "verschijnen hier.").format(wijk=html.escape(wijk.name)))
    else:
        organisation = context.db.get(Organisation, int(raw_id))
        link_group(context.db, chat_id=chat.id, title=chat.title, by=context.person,
                   organisation_id=organisation.id)
        context.reply(_("Deze groep is nu de groep van <b>{organisation}</b>. Verzoeken voor jullie komen hier "
                        "binnen.").format(organisation=html.escape(organisation.name)))
