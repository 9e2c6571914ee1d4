"""The callback context handlers get: the update's transaction, the person, and reply helpers.

Replies are outbox rows in the update's transaction; the dispatcher sends them after commit.
"""

from __future__ import annotations

import time
from typing import Any

from sqlmodel import Session
from telegram import ReplyKeyboardRemove, Update
from telegram import InlineKeyboardMarkup, ReplyKeyboardMarkup
from telegram.ext import Application, CallbackContext, ExtBot

from bot.i18n import current_locale, set_locale
from bot.settings import Settings
from bot.unit import Unit, current_unit
from storage.models import Person
from storage.outbox import enqueue, send_message
from storage.people import get_or_create_person

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove

REFUSAL_INTERVAL = 60.0  # seconds: at most one refusal per person per group in this time
REFUSAL_MEMORY = 10_000  # remembered (group, person) pairs before old ones are forgotten


def _refusal_due(memory: dict[tuple[int, int], float], key: tuple[int, int], now: float) -> bool:
    """Whether this person may be told no in this group now (and remember that they were)."""
    last = memory.get(key)
    if last is not None and now - last < REFUSAL_INTERVAL:
        return False
    if len(memory) >= REFUSAL_MEMORY:
        for old in [k for k, at in memory.items() if now - at >= REFUSAL_INTERVAL]:
            del memory[old]
    memory[key] = now
    return True


class WijkContext(CallbackContext[ExtBot, dict, dict, dict]):
    """CallbackContext bound to the current unit of work."""

    incoming: Update  # the update being handled (CallbackContext.update is a method)
    draft: Any = None
    redirect_chat: int | None = None  # replies go here instead (a dialog continued in private chat)

    @classmethod
    def from_update(cls, update: object, application: Application) -> "WijkContext":  # type: ignore[override]
        """Remember the update so replies know their chat."""
        context = super().from_update(update, application)
        context.incoming = update  # type: ignore[assignment]
        return context  # type: ignore[return-value]

    @property
    def unit(self) -> Unit:
        """The current unit of work."""
        return current_unit()

    @property
    def db(self) -> Session:
        """The update's transaction."""
        return self.unit.session

    @property
    def settings(self) -> Settings:
        """Runtime settings."""
        return self.unit.settings

    @property
    def person(self) -> Person:
        """The person who sent the update (created on first contact)."""
        if "person" not in self.unit.cache:
            user = self.incoming.effective_user
            assert user is not None
            self.unit.cache["person"] = get_or_create_person(
                self.db, telegram_id=user.id, language=current_locale()
            )
        person: Person = self.unit.cache["person"]
        if not person.active:  # they write to us again, so they can be reached again
            person.active = True
            self.db.add(person)
        return person

    def switch_language(self, language: str) -> None:
        """Store the person's language and speak it from now on."""
        self.person.language = language
        self.db.add(self.person)
        set_locale(language)

    def reply(self, text: str, markup: Markup | None = None, *, chat_id: int | None = None,
              reply_to: int | None = None) -> None:
        """Send `text` (HTML; escape user text!) to the current chat (or `chat_id`) after commit."""
        target = chat_id if chat_id is not None else self.redirect_chat
        if target is None:
            target = self.incoming.effective_chat.id  # type: ignore[union-attr]
        send_message(self.db, chat_id=target, text=text, reply_markup=markup.to_dict() if markup else None,
                     reply_to=reply_to)

    def refuse(self, text: str) -> None:
        """Say no kindly, changing nothing: as the pressed button's answer, as a reply in private chat,
        and in a group at most once per person per minute (strangers typing commands must not flood it)."""
        if self.incoming.callback_query is not None:
            self.answer(text, alert=True)
            return
        chat, user = self.incoming.effective_chat, self.incoming.effective_user
        if self.redirect_chat is None and chat is not None and chat.type != "private":
            memory = self.application.bot_data.setdefault("group_refusals", {})
            if not _refusal_due(memory, (chat.id, user.id if user else 0), time.monotonic()):
                return
        self.reply(text)

    def answer(self, text: str | None = None, *, alert: bool = False) -> None:
        """Answer the pressed button (always needed, so the client stops its spinner)."""
        query = self.incoming.callback_query
        if query is None:
            return
        payload: dict[str, Any] = {"callback_query_id": query.id}
        if text:
            payload.update(text=text, show_alert=alert)
        enqueue(self.db, chat_id=self.incoming.effective_chat.id if self.incoming.effective_chat else 0,
                method="answerCallbackQuery", payload=payload)

    def edit_markup(self, markup: InlineKeyboardMarkup | None = None) -> None:
        """Replace (or remove) the buttons under the pressed message."""
        query = self.incoming.callback_query
        if query is None or query.message is None:
            return
        payload: dict[str, Any] = {"chat_id": query.message.chat.id, "message_id": query.message.message_id}
        if markup is not None:
            payload["reply_markup"] = markup.to_dict()
        enqueue(self.db, chat_id=query.message.chat.id, method="editMessageReplyMarkup", payload=payload)
