"""The resident says whether an answer satisfies them; "not satisfied" with a category 1 or 5
answer puts the request back on the wijkraad's table. An optional comment follows.

    🙂 ─► thanks ─► END          🙁 ─► AWAITING_COMMENT ─ text or /overslaan ─► END
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from enum import StrEnum

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import WijkContext
from bot.i18n import _, use_locale
from conversations import notices
from conversations.buttons import Satisfaction
from conversations.dialog import END, Dialog
from storage.answers import rate
from storage.models import Answer, Request
from storage.people import pseudonym
from storage.workflow import Actor, Role

MAX_COMMENT = 1000


class State(StrEnum):
    """Steps of the feedback dialog."""

    AWAITING_COMMENT = "awaiting_comment"


@dataclass
class FeedbackDraft:
    """Which answer the comment is about."""

    answer_id: int | None = None


async def rated(update: Update, context: WijkContext) -> State | str:
    """Satisfied or not, once, by the resident the answer was for."""
    pressed = Satisfaction.parse(update.callback_query.data)
    answer = context.db.get(Answer, pressed.answer_id) if pressed is not None else None
    request = context.db.get(Request, answer.request_id) if answer else None
    if pressed is None or answer is None or request is None or request.resident_id != context.person.id:
        context.answer(_("Deze knop is niet voor jou."), alert=True)
        return END
    if answer.satisfaction is not None:
        context.answer(_("Je hebt dit antwoord al beoordeeld. Dank je!"), alert=True)
        return END
    context.answer()
    context.edit_markup()
    satisfied = pressed.verdict == "yes"
    reopened = rate(context.db, answer=answer, request=request, satisfied=satisfied,
                    by=Actor(Role.RESIDENT, context.person.id, pseudonym(context.person)))
    if reopened:
        notices.reopened(context.db, request=request, tz=context.settings.tz)
    if satisfied:
        context.reply(_("Fijn om te horen, dank je!"))
        return END
    context.draft = FeedbackDraft(answer_id=answer.id)
    text = _("Jammer. Wil je kort zeggen waarom? Typ het hieronder, of /overslaan.")
    if reopened:
        text = _("De wijkraad kijkt er opnieuw naar.") + " " + text
    context.reply(text)
    return State.AWAITING_COMMENT


async def comment(update: Update, context: WijkContext) -> str:
    """Store the comment and pass it to the wijkraad."""
    answer = context.db.get(Answer, context.draft.answer_id)
    text = (update.effective_message.text or "").strip()[:MAX_COMMENT]
    if answer is not None and text:
        answer.satisfaction_comment = text
        context.db.add(answer)
        request = context.db.get(Request, answer.request_id)
        with use_locale(notices.GROUP_LOCALE):
            notices.to_groups(context.db, wijk_id=request.wijk_id, text_nl=_(
                "💬 Reactie van de bewoner op het antwoord over {reference}: {comment}").format(
                reference=request.reference, comment=html.escape(text)))
    context.reply(_("Dank je, dat is doorgegeven aan de wijkraad."))
    return END


async def skip(update: Update, context: WijkContext) -> str:
    """No comment."""
    context.reply(_("Prima, dank je."))
    return END


PRIVATE = filters.ChatType.PRIVATE
RATE = CallbackQueryHandler(rated, pattern=Satisfaction.pattern)


def build() -> Dialog[FeedbackDraft]:
    """The feedback dialog."""
    return Dialog(
        name="feedback",
        draft_type=FeedbackDraft,
        entry_points=[RATE],
        states={State.AWAITING_COMMENT: [
            MessageHandler(PRIVATE & filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, comment)]},
        fallbacks=[RATE, CommandHandler("overslaan", skip, filters=PRIVATE)],
    )
