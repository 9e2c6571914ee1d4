"""What the bot says when nothing else fits: leaving a dialog, unknown commands, odd input, old buttons."""

from __future__ import annotations

from telegram import ReplyKeyboardRemove, Update

from bot.context import WijkContext
from bot.i18n import _
from storage.dialogs import end_dialog


async def leave(update: Update, context: WijkContext) -> None:
    """/annuleer: end whatever dialog the person is in; nothing half-done is stored."""
    chat, user = update.effective_chat, update.effective_user
    ended = end_dialog(context.db, chat_id=chat.id, user_id=user.id)
    if ended:
        context.reply(_("Gestopt. Er is niets opgeslagen. Met /nieuw begin je opnieuw."), ReplyKeyboardRemove())
    else:
        context.reply(_("Je was nergens mee bezig. Met /nieuw dien je een verzoek in."), ReplyKeyboardRemove())


async def unknown_command(update: Update, context: WijkContext) -> None:
    """A command the bot does not know."""
    context.reply(_("Die opdracht ken ik niet. Met /help zie je wat ik kan."))


async def not_understood(update: Update, context: WijkContext) -> None:
    """Text, stickers, voice, files… outside a dialog."""
    context.reply(_("Daar kan ik niets mee. Met /nieuw geef je een wens, vraag of initiatief door; "
                    "met /help zie je wat ik kan."))


async def stale_button(update: Update, context: WijkContext) -> None:
    """A button from an old message: say so, change nothing."""
    context.answer(_("Deze knop werkt niet meer. Begin opnieuw met /nieuw of kijk bij /help."), alert=True)


async def ignore(update: Update, context: WijkContext) -> None:
    """Updates the bot does not act on (edits, group chatter, unknown kinds): silence."""
