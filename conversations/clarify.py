"""The resident answers a question the wijkraad relayed; the answer goes back to the card."""

from __future__ import annotations

import html
from typing import Any

from sqlmodel import select
from telegram import Update
from telegram.ext import BaseHandler

from bot.context import WijkContext
from bot.i18n import _, use_locale
from bot.unit import current_unit
from conversations.notices import GROUP_LOCALE, refresh_cards, to_groups
from storage.models import Person
from storage.triage import answer_clarification, open_clarification
from storage.dialogs import load_dialog

MAX_ANSWER = 1000


class ClarificationAnswer(BaseHandler[Update, WijkContext, Any]):
    """Private text from a resident with an open question: a reply to it, or any text outside a dialog."""

    def __init__(self) -> None:
        super().__init__(receive_answer, block=True)

    def check_update(self, update: object) -> Any:
        """Only when the resident has an unanswered question (and is not busy with a dialog)."""
        if not isinstance(update, Update) or update.message is None or update.effective_chat is None:
            return None
        message = update.message
        if update.effective_chat.type != "private" or not message.text or message.text.startswith("/"):
            return None
        session = current_unit().session
        person = session.exec(select(Person).where(Person.telegram_id == update.effective_user.id)).first()
        if person is None or open_clarification(session, resident=person) is None:
            return None
        replying = message.reply_to_message is not None and message.reply_to_message.from_user is not None \
            and message.reply_to_message.from_user.is_bot
        busy = load_dialog(session, chat_id=update.effective_chat.id, user_id=update.effective_user.id,
                           name="intake") is not None
        if busy and not replying:
            return None
        return True


async def receive_answer(update: Update, context: WijkContext) -> None:
    """Record the answer and post it under the card, without the resident's identity."""
    clarification = open_clarification(context.db, resident=context.person)
    assert clarification is not None  # check_update found it in this same transaction
    answer = (update.effective_message.text or "").strip()[:MAX_ANSWER]
    request = answer_clarification(context.db, clarification=clarification, resident=context.person, answer=answer)
    with use_locale(GROUP_LOCALE):
        to_groups(context.db, wijk_id=request.wijk_id,
                  text_nl=_("💬 Antwoord van de bewoner op {reference}:\n{answer}").format(
                      reference=request.reference, answer=html.escape(answer)),
                  reply_to=(clarification.group_chat_id, clarification.card_message_id or 0))
    refresh_cards(context.db, request=request, tz=context.settings.tz)
    context.reply(_("Dank je! Je antwoord is doorgegeven aan de wijkraad."))
