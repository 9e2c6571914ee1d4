"""Lossless long polling: an update is confirmed to Telegram only after its effects commit.

PTB's Updater confirms updates (the next getUpdates offset) before handlers have run them.
Here each update is handled inside one database transaction that also records its
update_id; only then does the next getUpdates call move the offset past it. A redelivered
update (after a crash, or a duplicate) finds its update_id recorded and changes nothing.

Faults are ridden out, never fatal: a failing getUpdates (network, 5xx, 409 Conflict with another
instance, anything unexpected) is retried with backoff; while the database is unreachable or
locked, the same update is tried again with backoff and nothing is confirmed; the long poll is
raced against stop, so stopping takes no longer than the update in hand.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any


from sqlmodel import select
from telegram import Update
from telegram.ext import Application

from bot.i18n import _, pick_locale, set_locale
from bot.settings import Settings
from bot.telegram_api import BadToken, BotApi, Conflict, RetryLater
from bot.unit import Unit, enter_unit, leave_unit
from storage.db import Database, database_unavailable
from storage.models import Person
from storage.outbox import enqueue
from storage.updates import is_processed, mark_processed, next_offset

log = logging.getLogger(__name__)
UPDATE_ID_MAX = 2**63 - 1  # update ids are stored as signed 64-bit integers
POLL_BACKOFF_MAX = 30.0  # seconds between getUpdates attempts at most
OUTAGE_BACKOFF_MAX = 5.0  # seconds between attempts at an update while the database is away, at most


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
        self._outage_since: float | None = None  # when the database went away (None: it is there)
        self._outage_backoff = 0.5

    async def run(self, stop: asyncio.Event, api: BotApi) -> None:
        """Poll until `stop` is set."""
        with self.db.read() as session:
            offset = next_offset(session)
        self._highest_seen = None if offset is None else offset - 1
        backoff = 0.5
        trouble: str | None = None  # the kind of getUpdates failure logged, until a poll works again
        while not stop.is_set():
            try:
                polled = await _unless_stopped(stop, api.get_updates(offset=offset, timeout=self.settings.poll_timeout))
            except BadToken:
                raise  # a wrong token does not heal by waiting
            except Exception as failure:  # noqa: BLE001 - whatever went wrong, polling goes on
                wait = failure.retry_after if isinstance(failure, RetryLater) and failure.retry_after else backoff
                kind = type(failure).__name__  # logged once per spell of trouble of one kind
                if kind != trouble:
                    if isinstance(failure, Conflict):
                        log.warning("getUpdates: 409 Conflict (%s): another instance polls with this token, or a "
                                    "webhook is set; retrying with backoff", failure)
                    elif isinstance(failure, RetryLater):
                        log.warning("getUpdates failed (%s); retrying with backoff", failure)
                    else:
                        log.exception("getUpdates failed unexpectedly; retrying with backoff")
                    trouble = kind
                await _sleep_or_stop(stop, wait)
                backoff = min(backoff * 2, POLL_BACKOFF_MAX)
                continue
            if polled is None:  # stopping: the poll was cancelled, nothing in it was confirmed
                break
            if trouble is not None:
                log.warning("getUpdates works again")
                trouble = None
            backoff = 0.5
            for raw in polled:
                if not await self.handle_raw(raw, stop):
                    return  # stopped while waiting for the database: this update comes again next time
                update_id = raw.get("update_id")
                if _is_int(update_id) and (offset is None or update_id >= offset):
                    offset = update_id + 1
                # Give the dispatcher (and everything else) a turn between updates: replies leave
                # while a backlog is being worked through.
                await asyncio.sleep(0)
                if stop.is_set():
                    break

    async def handle_raw(self, raw: dict[str, Any], stop: asyncio.Event | None = None) -> bool:
        """Parse one update on its own, so one odd update cannot block the others.

        Returns False only when `stop` was set while the database was away (the update is not handled).
        """
        update_id = raw.get("update_id")
        if not _is_int(update_id) or not 0 <= update_id <= UPDATE_ID_MAX:
            log.warning("update with id %r skipped: not a 64-bit update id (never stored)", update_id)
            return True
        try:
            update = Update.de_json(raw, self.application.bot)
        except Exception:
            log.exception("update %s could not be parsed; skipping it", update_id)
            if not await self._while_database_away(stop, lambda: self._mark_unparsed(update_id)):
                return False
            self._database_back()
            return True
        return await self.handle(update, stop)

    async def _mark_unparsed(self, update_id: int) -> None:
        """Record an update that could not be parsed as handled, without effects."""
        async with self.db.transaction() as session:
            if not is_processed(session, update_id=update_id):
                mark_processed(session, update_id=update_id)

    async def handle(self, update: Update, stop: asyncio.Event | None = None) -> bool:
        """Handle one update exactly once: effects, dialog state and replies commit together.

        While the database is away the same update is tried again (nothing marked, no apology);
        returns False only when `stop` was set meanwhile.
        """
        if self._flooding(update):
            if not await self._while_database_away(stop, lambda: self._ignore_flood(update)):
                return False
        elif not await self._while_database_away(stop, lambda: self._handle_once(update)):
            return False
        self._database_back()
        self._highest_seen = max(self._highest_seen or 0, update.update_id)
        self.on_commit()
        return True

    async def _handle_once(self, update: Update) -> None:
        """One attempt; a handler's bug is rolled back, recorded and apologised for; an unavailable
        database is raised to the caller, which tries again."""
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
        except Exception as error:
            if database_unavailable(error):
                raise
            log.exception("update %s failed; its changes were rolled back", update.update_id)
            await self._record_failure(update)

    async def _while_database_away(self, stop: asyncio.Event | None, attempt: Callable[[], Awaitable[None]]) -> bool:
        """Run `attempt` until it gets through to the database, waiting with backoff while it is away.

        Says so once when the database goes away (and `_database_back` once when it is back).
        Returns False when `stop` was set while waiting.
        """
        while True:
            try:
                await attempt()
                return True
            except Exception as error:
                if not database_unavailable(error):
                    raise
                if self._outage_since is None:
                    self._outage_since = time.monotonic()
                    self._outage_backoff = 0.5
                    log.warning("database unavailable (%s); the update in hand waits, nothing is confirmed, "
                                "retrying with backoff", _short(error))
            if stop is None:
                await asyncio.sleep(self._outage_backoff)
            else:
                await _sleep_or_stop(stop, self._outage_backoff)
                if stop.is_set():
                    return False
            self._outage_backoff = min(self._outage_backoff * 2, OUTAGE_BACKOFF_MAX)

    def _database_back(self) -> None:
        """After an outage: say once that the database is back."""
        if self._outage_since is not None:
            log.warning("database available again after %.1f s", time.monotonic() - self._outage_since)
            self._outage_since = None

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
            query = update.callback_query
            if query is not None:  # a pressed button is always answered, or its spinner keeps turning
                self._set_locale(Unit(session=session, settings=self.settings), update)
                enqueue(session, chat_id=chat.id if chat else user.id, method="answerCallbackQuery",
                        payload={"callback_query_id": query.id, "text": _slow_down()})
                return
            if chat is None or chat.type != chat.PRIVATE or time.time() - self._warned.get(user.id, 0) < self.settings.flood_seconds:
                return
            self._warned[user.id] = time.time()
            self._set_locale(Unit(session=session, settings=self.settings), update)
            enqueue(session, chat_id=chat.id, method="sendMessage", payload={"chat_id": chat.id, "text": _slow_down()})

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


async def _unless_stopped(stop: asyncio.Event, call: Coroutine[Any, Any, Any]) -> Any:
    """The call's result, or None when `stop` is set first (the call is then cancelled)."""
    task = asyncio.ensure_future(call)
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
    except BaseException:
        task.cancel()
        raise
    finally:
        stopping.cancel()
    if task.done():
        return task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return None


def _is_int(value: object) -> bool:
    """An integer (not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _short(error: BaseException) -> str:
    """The first line of an error, without SQLAlchemy's long tail."""
    text = str(getattr(error, "orig", None) or error).strip().splitlines()
    return text[0] if text else type(error).__name__


def _slow_down() -> str:
    """What someone who sends too much too fast hears (short enough for a button's answer too)."""
    return _("Even rustig aan: je stuurt veel berichten kort na elkaar. Wacht een paar seconden en "
             "probeer het dan opnieuw.")
