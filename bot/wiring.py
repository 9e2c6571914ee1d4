"""Registers every handler, in explicit groups, and sets the command menus per scope.

Group GUARDS runs first and silences what the bot never acts on. Group MAIN holds the
rest in priority order: the first matching handler wins and stops the others.
"""

from __future__ import annotations

from telegram import BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats, Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.context import WijkContext
from bot.i18n import LOCALES, _, use_locale
from bot.unit import current_unit
from conversations import (
    admin,
    afspraken,
    answer,
    budget,
    buttons,
    clarify,
    contract,
    feedback,
    follow,
    fallbacks,
    intake,
    language,
    membership,
    my_requests,
    privacy,
    stand,
    triage,
    vote,
    welcome,
    wijk_requests,
)

GUARDS = -1
MAIN = 0
PRIVATE = filters.ChatType.PRIVATE
GROUPS = filters.ChatType.GROUPS


async def _silence(update: object, context: WijkContext) -> None:
    """Stop processing: nothing the bot should answer."""
    raise ApplicationHandlerStop


class NoiseHandler(TypeHandler):
    """Matches only the updates `_is_noise` rejects."""

    def check_update(self, update: object) -> bool:
        """True for noise."""
        return _is_noise(update)


def _is_noise(update: object) -> bool:
    """Edited messages, updates without a person, and anything from other bots."""
    if not isinstance(update, Update):
        return True
    user = update.effective_user
    return update.edited_message is not None or user is None or user.is_bot


async def on_error(update: object, context: WijkContext) -> None:
    """A handler failed: remember it so the update loop rolls the transaction back."""
    current_unit().error = context.error


def register(application: Application) -> None:
    """Register every handler."""
    add = application.add_handler

    # Guards: edits, channel posts, other bots and updates without a person are ignored.
    add(NoiseHandler(object, _silence), group=GUARDS)

    # Leaving any dialog comes before the dialogs themselves.
    add(CommandHandler("annuleer", fallbacks.leave, filters=PRIVATE), group=MAIN)

    # A resident answering the wijkraad's question comes before their other dialogs.
    add(clarify.ClarificationAnswer(), group=MAIN)

    # Dialogs (state and draft stored per step).
    add(intake.build(), group=MAIN)
    add(triage.build_dialog(), group=MAIN)
    add(answer.build(), group=MAIN)
    add(feedback.build(), group=MAIN)
    add(afspraken.build(), group=MAIN)

    # Triage in the wijkraad group: the card's buttons, /wachtrij, /verzoek.
    for handler in triage.button_handlers():
        add(handler, group=MAIN)
    add(CommandHandler("wachtrij", triage.queue_command, filters=GROUPS), group=MAIN)
    add(CommandHandler("verzoek", triage.request_command, filters=GROUPS), group=MAIN)

    # Partners: buttons under a routed request pressed outside a dialog, and their lists.
    add(answer.BEGIN, group=MAIN)
    add(answer.OUTCOME, group=MAIN)
    add(CommandHandler("inbox", afspraken.inbox, filters=PRIVATE), group=MAIN)
    add(CommandHandler("afspraken", afspraken.list_afspraken, filters=PRIVATE), group=MAIN)

    # Residents' rights.
    add(CommandHandler("privacy", privacy.explain, filters=PRIVATE), group=MAIN)
    add(CommandHandler("mijngegevens", privacy.export, filters=PRIVATE), group=MAIN)
    add(CommandHandler("vergeetmij", privacy.ask_erase, filters=PRIVATE), group=MAIN)
    add(CallbackQueryHandler(privacy.erase, pattern=buttons.PrivacyErase.pattern), group=MAIN)
    add(CallbackQueryHandler(privacy.erase, pattern=buttons.PrivacyKeep.pattern), group=MAIN)

    # Following a whole wijk.
    add(CommandHandler("volg", follow.follow, filters=PRIVATE), group=MAIN)
    add(CallbackQueryHandler(follow.follow_pressed, pattern=buttons.FollowWijk.pattern), group=MAIN)
    add(CommandHandler("ontvolg", follow.unfollow, filters=PRIVATE), group=MAIN)

    # Supporting other residents' requests.
    add(CommandHandler("wijk", wijk_requests.list_open, filters=PRIVATE), group=MAIN)
    add(CallbackQueryHandler(wijk_requests.support_pressed, pattern=buttons.SupportRequest.pattern), group=MAIN)

    # Roles: invitations arrive as /start inv_<token>; groups are linked with /koppel.
    add(CommandHandler("start", membership.redeem, filters=PRIVATE & filters.Regex(r"^/start inv_")), group=MAIN)
    add(CommandHandler("koppel", membership.link_command, filters=GROUPS), group=MAIN)
    for kind in (buttons.GroupLinkChoose, buttons.GroupLinkConfirm, buttons.GroupLinkDecline):
        add(CallbackQueryHandler(membership.link_pressed, pattern=kind.pattern), group=MAIN)

    # Wijk budgets: /budget (a coordinator grants initiatives all, part or none of what they ask, with a
    # motivation, and books spending; every press re-checks the role) and the amount per wijk in /beheer.
    add(budget.build(), group=MAIN)
    add(admin.build_budget_dialog(), group=MAIN)
    add(CallbackQueryHandler(admin.budgets, pattern=buttons.AdminBudgets.pattern), group=MAIN)

    # Coordinators: /beheer and its buttons (each press re-checks the role).
    add(CommandHandler("beheer", admin.menu, filters=PRIVATE), group=MAIN)
    add(CallbackQueryHandler(admin.menu, pattern=buttons.AdminMenu.pattern), group=MAIN)
    add(CallbackQueryHandler(admin.members, pattern=buttons.AdminMembers.pattern), group=MAIN)
    add(CallbackQueryHandler(admin.revoke_pressed, pattern=buttons.AdminRevoke.pattern), group=MAIN)
    add(CallbackQueryHandler(admin.revoke_confirmed, pattern=buttons.AdminRevokeConfirm.pattern), group=MAIN)
    add(CallbackQueryHandler(admin.invite, pattern=buttons.AdminInvite.pattern), group=MAIN)
    add(CallbackQueryHandler(admin.invite_role, pattern=buttons.AdminInviteRole.pattern), group=MAIN)
    add(CallbackQueryHandler(admin.invite_create, pattern=buttons.AdminInviteWijkraad.pattern), group=MAIN)
    add(CallbackQueryHandler(admin.invite_create, pattern=buttons.AdminInvitePartner.pattern), group=MAIN)
    add(CallbackQueryHandler(admin.rounds, pattern=buttons.AdminRounds.pattern), group=MAIN)
    add(CallbackQueryHandler(admin.round_toggle, pattern=buttons.AdminRoundToggle.pattern), group=MAIN)
    add(CallbackQueryHandler(admin.periods, pattern=buttons.AdminPeriods.pattern), group=MAIN)
    add(CallbackQueryHandler(admin.period_start, pattern=buttons.AdminPeriodStart.pattern), group=MAIN)

    # The wijkcontract: /contract (private chat and wijkraad groups) and the buttons under the document
    # (each press re-checks the presser's role and that the version is still the current one).
    add(CommandHandler("contract", contract.contract_command), group=MAIN)
    add(CallbackQueryHandler(contract.wijk_pressed, pattern=buttons.ContractWijk.pattern), group=MAIN)
    add(CallbackQueryHandler(contract.versions_pressed, pattern=buttons.ContractVersions.pattern), group=MAIN)
    add(CallbackQueryHandler(contract.get_pressed, pattern=buttons.ContractGet.pattern), group=MAIN)
    add(CallbackQueryHandler(contract.html_pressed, pattern=buttons.ContractHtml.pattern), group=MAIN)
    add(CallbackQueryHandler(contract.start_pressed, pattern=buttons.ContractStartSigning.pattern), group=MAIN)
    add(CallbackQueryHandler(contract.sign_pressed, pattern=buttons.ContractSignRole.pattern), group=MAIN)
    add(CallbackQueryHandler(contract.sign_pressed, pattern=buttons.ContractSignOrganisation.pattern), group=MAIN)

    # Prioritisation vote: /stemming in the wijkraad group (a stored set-up dialog; every press re-checks
    # the role), "Nu sluiten", the residents' ballots in private chat and /stem.
    add(vote.build(), group=MAIN)
    for handler in vote.handlers():
        add(handler, group=MAIN)

    # Progress: /stand (chart + summary) in a wijkraad group, or to a coordinator in private chat.
    add(CommandHandler("stand", stand.stand_command), group=MAIN)
    add(CallbackQueryHandler(stand.wijk_pressed, pattern=buttons.StandWijk.pattern), group=MAIN)

    # Commands and their buttons in private chat.
    add(CommandHandler("start", welcome.start, filters=PRIVATE), group=MAIN)
    add(CommandHandler("help", welcome.help_command, filters=PRIVATE), group=MAIN)
    add(CommandHandler("taal", language.ask, filters=PRIVATE), group=MAIN)
    add(CallbackQueryHandler(language.chosen, pattern=buttons.LanguageChoice.pattern), group=MAIN)
    add(CommandHandler("mijnverzoeken", my_requests.list_requests, filters=PRIVATE), group=MAIN)

    # Fallbacks: old buttons, unknown commands and odd input in private chat; silence in groups.
    add(CallbackQueryHandler(fallbacks.stale_button), group=MAIN)
    add(MessageHandler(PRIVATE & filters.UpdateType.MESSAGE & filters.COMMAND, fallbacks.unknown_command), group=MAIN)
    add(MessageHandler(PRIVATE & filters.UpdateType.MESSAGE, fallbacks.not_understood), group=MAIN)

    application.add_error_handler(on_error)


def private_commands() -> list[BotCommand]:
    """The command menu in private chats, in the active locale."""
    return [
        BotCommand("nieuw", _("Een wens, vraag of initiatief indienen")),
        BotCommand("mijnverzoeken", _("Je verzoeken en hun status")),
        BotCommand("wijk", _("Open verzoeken in je wijk steunen")),
        BotCommand("stem", _("Stemmen over de prioriteiten van je wijk")),
        BotCommand("volg", _("Een wijk volgen: maandelijks overzicht")),
        BotCommand("ontvolg", _("Stoppen met een wijk volgen")),
        BotCommand("inbox", _("Partners: open verzoeken op deadline")),
        BotCommand("afspraken", _("Partners: afspraken op deadline")),
        BotCommand("voortgang", _("Voortgang van een afspraak melden")),
        BotCommand("contract", _("Het wijkcontract als PDF, en ondertekenen")),
        BotCommand("budget", _("Coördinatoren: het wijkbudget voor initiatieven")),
        BotCommand("stand", _("Coördinatoren: de stand per wijk en partner")),
        BotCommand("taal", _("Taal kiezen")),
        BotCommand("privacy", _("Wat ik over je bewaar, en je rechten")),
        BotCommand("annuleer", _("Stoppen met waar je mee bezig bent")),
        BotCommand("help", _("Wat kan ik?")),
    ]


def group_commands() -> list[BotCommand]:
    """The command menu in groups, in the active locale."""
    return [
        BotCommand("wachtrij", _("Verzoeken die op de wijkraad wachten")),
        BotCommand("verzoek", _("Eén verzoek met zijn geschiedenis, bijvoorbeeld /verzoek W-0042")),
        BotCommand("koppel", _("Deze groep koppelen aan je wijkraad of organisatie")),
        BotCommand("contract", _("Het wijkcontract van deze wijk als PDF, en ondertekenen")),
        BotCommand("stand", _("De stand van de wijk: grafiek en cijfers")),
        BotCommand("stemming", _("Bewoners laten stemmen over de prioriteiten van de wijk")),
    ]


async def post_init(application: Application) -> None:
    """Set the command menus per scope and language."""
    bot = application.bot
    for locale in LOCALES:
        with use_locale(locale):
            await bot.set_my_commands(private_commands(), scope=BotCommandScopeAllPrivateChats(),
                                      language_code=None if locale == "nl" else locale)
    for locale in LOCALES:
        with use_locale(locale):
            await bot.set_my_commands(group_commands(), scope=BotCommandScopeAllGroupChats(),
                                      language_code=None if locale == "nl" else locale)
