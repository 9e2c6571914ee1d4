"""Lossless long polling: an update is confirmed to Telegram only after its effects commit.

PTB's Updater confirms updates (the next getUpdates offset) before handlers have run them.
Here each update is handled inside one database transaction that also records its
update_id; only then does the next getUpdates call move the offset past it. A redelivered
update (after a crash, or a duplicate) finds its update_id recorded and changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any


from sqlmodel import select
from telegram import Update
from telegram.ext import Application

from bot.i18n import _, pick_locale, set_locale
from bot.settings import Settings
from bot.telegram_api import BotApi, RetryLater
from bot.unit import Unit, enter_unit, leave_unit
from storage.db import Database
from storage.models import Person
from storage.outbox import enqueue
from storage.updates import is_processed, mark_processed, next_offset

log = logging.getLogger(__name__)


class UpdateLoop:
    """Fetches updates and handles them one by one, each in its own transaction."""

    def __init__(self, application: Application, db: Database, settings: Settings,
                 on_commit: Callable[[], None]) -> None:
        self.application = application
        self.db = db
        self.settings = settings
        self.on_commit = on_commit
        self._highest_seen: int | None = None
        self._recent: dict[int, deque[float]] = {}
        self._warned: dict[int, float] = {}

    async def run(self, stop: asyncio.Event, api: BotApi) -> None:
        """Poll until `stop` is set."""
        with self.db.read() as session:
            offset = next_offset(session)
        self._highest_seen = None if offset is None else offset - 1
        backoff = 0.5
        while not stop.is_set():
            try:
                raw_updates = await api.get_updates(offset=offset, timeout=self.settings.poll_timeout)
                backoff = 0.5
            except RetryLater as failure:
                wait = failure.retry_after or backoff
                log.warning("getUpdates failed (%s); retrying in %.1fs", failure, wait)
                await _sleep_or_stop(stop, wait)
                backoff = min(backoff * 2, 30)
                continue
            for raw in raw_updates:
                await self.handle_raw(raw)
                offset = int(raw["update_id"]) + 1
                if stop.is_set():
                    break

    async def handle_raw(self, raw: dict[str, Any]) -> None:
        """Parse one update on its own, so one odd update cannot block the others."""
        try:
            update = Update.de_json(raw, self.application.bot)
        except Exception:
            log.exception("update %s could not be parsed; skipping it", raw.get("update_id"))
            async with self.db.transaction() as session:
                if not is_processed(session, update_id=int(raw["update_id"])):
                    mark_processed(session, update_id=int(raw["update_id"]))
            return
        await self.handle(update)

    async def handle(self, update: Update) -> None:
        """Handle one update exactly once: effects, dialog state and replies commit together."""
        if self._flooding(update):
            await self._ignore_flood(update)
            self._highest_seen = max(self._highest_seen or 0, update.update_id)
            self.on_commit()
            return
        try:
            async with self.db.transaction() as session:
                if self._maybe_seen(update.update_id) and is_processed(session, update_id=update.update_id):
                    return
                unit = Unit(session=session, settings=self.settings)
                self._set_locale(unit, update)
                token = enter_unit(unit)
                try:
                    await self.application.process_update(update)
                finally:
                    leave_unit(token)
                if unit.error is not None:
                    raise unit.error
                mark_processed(session, update_id=update.update_id)
        except Exception:
            log.exception("update %s failed; its changes were rolled back", update.update_id)
            await self._record_failure(update)
        self._highest_seen = max(self._highest_seen or 0, update.update_id)
        self.on_commit()

    def _flooding(self, update: Update) -> bool:
        """More than `flood_messages` updates from one person within `flood_seconds` (by when they were sent)."""
        user = update.effective_user
        if user is None:
            return False
        message = update.message or update.edited_message
        moment = message.date.timestamp() if message is not None else time.time()
        window = self._recent.setdefault(user.id, deque())
        while window and window[0] < moment - self.settings.flood_seconds:
            window.popleft()
        window.append(moment)
        if len(self._recent) > 10_000:  # forget people who went quiet
            self._recent = {uid: q for uid, q in self._recent.items() if q and q[-1] >= moment - self.settings.flood_seconds}
        return len(window) > self.settings.flood_messages

    async def _ignore_flood(self, update: Update) -> None:
        """Mark the update handled without effects; say so once per burst, politely."""
        user = update.effective_user
        async with self.db.transaction() as session:
            if self._maybe_seen(update.update_id) and is_processed(session, update_id=update.update_id):
                return
            mark_processed(session, update_id=update.update_id)
            chat = update.effective_chat
            if chat is None or chat.type != chat.PRIVATE or time.time() - self._warned.get(user.id, 0) < self.settings.flood_seconds:
                return
            self._warned[user.id] = time.time()
            self._set_locale(Unit(session=session, settings=self.settings), update)
            enqueue(session, chat_id=chat.id, method="sendMessage", payload={
                "chat_id": chat.id,
                "text": _("Even rustig aan: je stuurt veel berichten kort na elkaar. Wacht een paar seconden en "
                          "probeer het dan opnieuw."),
            })

    def _maybe_seen(self, update_id: int) -> bool:
        """Telegram's update ids only grow: one above everything committed cannot be a redelivery."""
        return self._highest_seen is None or update_id <= self._highest_seen

    @staticmethod
    def _set_locale(unit: Unit, update: Update) -> None:
        """Speak the person's stored language, else their Telegram language (the person is cached)."""
        user = update.effective_user
        if user is None:
            set_locale("nl")
            return
        person = unit.session.exec(select(Person).where(Person.telegram_id == user.id)).first()
        if person is not None:
            unit.cache["person"] = person
        set_locale(person.language if person else pick_locale(user.language_code))

    async def _record_failure(self, update: Update) -> None:
        """Mark a failing update handled (so it cannot loop forever) and apologise in private chats."""
        async with self.db.transaction() as session:
            if is_processed(session, update_id=update.update_id):
                return
            mark_processed(session, update_id=update.update_id)
            chat = update.effective_chat
            if chat is not None and chat.type == chat.PRIVATE:
                enqueue(session, chat_id=chat.id, method="sendMessage", payload={
                    "chat_id": chat.id,
                    "text": _("Sorry, er ging iets mis bij mij. Er is niets veranderd; probeer het zo nog eens."),
                })


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    """Sleep, but wake early when stopping."""
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        pass
