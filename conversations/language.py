"""/taal: the resident picks the language the bot speaks to them."""

from __future__ import annotations

from telegram import Update

from bot.context import WijkContext
from bot.i18n import LOCALES, _
from conversations.buttons import LanguageChoice
from conversations.keyboards import inline

LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}


async def ask(update: Update, context: WijkContext) -> None:
    """Offer the languages."""
    context.reply(_("In welke taal wil je berichten ontvangen?"),
                  inline([[(LANGUAGE_NAMES[code], LanguageChoice(code)) for code in LOCALES]]))


async def chosen(update: Update, context: WijkContext) -> None:
    """Store the language and confirm in it."""
    pressed = LanguageChoice.parse(update.callback_query.data)
    code = pressed.code if pressed is not None else None
    if code not in LOCALES:
        context.answer(_("Deze knop werkt niet meer."), alert=True)
        return
    context.switch_language(code)
    context.answer()
    context.edit_markup()
    context.reply(_("Ik spreek vanaf nu Nederlands met je."))
