"""The outbox dispatcher: sends committed outbox rows, in order per chat, within Telegram's limits.

- One worker per chat sends that chat's due rows in order; chats proceed independently, so a
  chat that must wait (its own limit, a 429, quiet hours) holds up no one else.
- The limiter keeps Telegram's limits up front (see scheduler/limits.py); a 429 pauses only
  that chat for `retry_after`.
- Network errors and 5xx are retried with backoff; 403 (blocked) marks the person inactive.
- Notices to residents (`quiet` rows) wait during the quiet hours and go out in the morning,
  oldest first.
- A row is marked sent right after Telegram accepts it (outcomes are written in batches); a
  crash in between may repeat at most the messages in that small batch.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, update
from sqlmodel import Session, select

from bot.telegram_api import Blocked, BotApi, Refused, RetryLater
from scheduler.limits import Limiter, RateLimits
from storage.db import Database
from storage.invitations import expand_invitation_link
from storage.models import OutboxMessage, OutboxStatus, Person, utcnow
from storage.municipality import MunicipalitySettings, municipality_settings

log = logging.getLogger(__name__)
FETCH = 1000
RECORD_EVERY = 0.05  # seconds between batched outcome writes
PASS_GAP = 0.005  # at most one pass over the outbox per this many seconds
MAX_BACKOFF = 300
UNLIMITED = {"answerCallbackQuery"}  # not a message: outside the flood limits


@dataclass
class Outcome:
    """What happened to one row."""

    row_id: int
    status: OutboxStatus
    message_id: int | None = None
    error: str | None = None
    retry_at: datetime | None = None
    blocked_chat: int | None = None
    attempts: int | None = None  # None: unchanged (a deferral is not an attempt)
    forget: bool = False  # delete the row once settled (a goodbye to an erased person)


class OutboxDispatcher:
    """Sends the outbox; woken after each commit, and looks at least every `idle_seconds`."""

    def __init__(self, db: Database, api: BotApi, *, tz: ZoneInfo, limits: RateLimits | None = None,
                 idle_seconds: float = 1.0, clock: Any = utcnow) -> None:
        self.db = db
        self.api = api
        self.tz = tz
        self.limiter = Limiter(limits or RateLimits())
        self.idle_seconds = idle_seconds
        self.clock = clock
        self._wake = asyncio.Event()
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._in_flight: set[int] = set()  # handed to a worker, outcome not yet written
        self._unsettled: set[int] = set()  # of those: not yet known to be sent (they hold their chat)
        self._skipped: set[int] = set()  # chats with due rows the last pass had to leave for later
        self._outcomes: list[Outcome] = []
        self._recorded = asyncio.Event()
        self._quiet: MunicipalitySettings | None = None

    def wake(self) -> None:
        """Something was committed: look now."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Send until `stop` is set; then finish what is in flight and record it."""
        recorder = asyncio.create_task(self._record_loop(stop))
        try:
            while not stop.is_set():
                self._wake.clear()
                try:
                    self._dispatch_due()
                except Exception:
                    log.exception("outbox pass failed; retrying")
                await _wait_any(self._wake, stop, timeout=self.idle_seconds)
                await asyncio.sleep(PASS_GAP)  # wake-ups close together make one pass
        finally:
            if self._workers:
                await asyncio.gather(*self._workers.values(), return_exceptions=True)
            await self._flush()
            recorder.cancel()

    def _settings(self) -> MunicipalitySettings:
        """Quiet hours (read once; the configuration changes only with `wijkbot init` and a restart)."""
        if self._quiet is None:
            with self.db.read() as session:
                self._quiet = municipality_settings(session)
        return self._quiet

    def _dispatch_due(self) -> int:
        """Start a worker for every chat with due rows and no worker yet; returns how many started.

        Reads only due rows, plus, per chat, the first row that is not due yet: later rows of
        that chat wait behind it (order per chat). A resident's notice held for the night holds
        only their later notices, never a reply to something they just did.
        """
        now = self.clock()
        with self.db.read() as session:
            rows = session.exec(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING,
                                                            OutboxMessage.not_before <= now)
                                .order_by(OutboxMessage.id).limit(FETCH)).all()
            waiting = session.exec(
                select(OutboxMessage.chat_id, OutboxMessage.quiet, OutboxMessage.attempts, func.min(OutboxMessage.id))
                .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.not_before > now)
                .group_by(OutboxMessage.chat_id, OutboxMessage.quiet, OutboxMessage.attempts)).all()
        first_blocking: dict[int, int] = {}
        first_night_notice: dict[int, int] = {}
        for chat_id, quiet, attempts, first in waiting:
            target = first_night_notice if quiet and attempts == 0 else first_blocking
            target[chat_id] = min(first, target.get(chat_id, first))
        per_chat: dict[int, list[OutboxMessage]] = defaultdict(list)
        held: set[int] = set(self._workers)
        skipped: set[int] = set()
        for row in rows:
            if row.chat_id in held:
                if row.id not in self._in_flight:
                    skipped.add(row.chat_id)
                continue
            if row.id in self._in_flight:  # being sent, or sent and not yet recorded
                if row.id in self._unsettled:  # the chat's later rows wait until it is sent
                    held.add(row.chat_id)
                continue
            if row.id > first_blocking.get(row.chat_id, row.id) or (
                    row.quiet and row.id > first_night_notice.get(row.chat_id, row.id)):
                continue
            per_chat[row.chat_id].append(row)
        for chat_id, chat_rows in per_chat.items():
            self._in_flight.update(r.id for r in chat_rows)
            self._unsettled.update(r.id for r in chat_rows)
            task = asyncio.create_task(self._send_chat(chat_id, chat_rows))
            self._workers[chat_id] = task
            task.add_done_callback(lambda _t, c=chat_id: self._worker_done(c))
        self._skipped = skipped
        self.limiter.forget_idle(set(self._workers))
        return len(per_chat)

    def _worker_done(self, chat_id: int) -> None:
        """A chat is done for now: look again if it has rows that waited for this worker."""
        self._workers.pop(chat_id, None)
        if chat_id in self._skipped:
            self._wake.set()

    async def _send_chat(self, chat_id: int, rows: list[OutboxMessage]) -> None:
        """Send one chat's rows in order; stop at the first that must wait."""
        for index, row in enumerate(rows):
            try:
                outcome = await self._send_one(row)
            except Exception:  # a bug or an unexpected answer: the rows stay pending, nothing is lost
                log.exception("sending outbox row %s failed unexpectedly", row.id)
                self._release([r.id for r in rows[index:]])
                return
            self._outcomes.append(outcome)
            if outcome.status != OutboxStatus.PENDING:
                self._unsettled.discard(row.id)
            if outcome.status == OutboxStatus.PENDING or outcome.blocked_chat is not None:
                # The rest stay pending, untouched, and are looked at again later in order.
                self._release([r.id for r in rows[index + 1:]])
                return

    def _release(self, row_ids: list[int]) -> None:
        """Rows not attempted, or recorded, are no longer in flight."""
        self._in_flight.difference_update(row_ids)
        self._unsettled.difference_update(row_ids)

    def _quiet_until(self, row: OutboxMessage) -> datetime | None:
        """For a resident's notice during quiet hours: the end of the quiet hours."""
        if not row.quiet or row.chat_id < 0:
            return None
        settings = self._settings()
        local = self.clock().astimezone(self.tz)
        if not settings.is_quiet(local.time()):
            return None
        end = local.replace(hour=settings.quiet_end.hour, minute=settings.quiet_end.minute, second=0, microsecond=0)
        if end <= local:
            end += timedelta(days=1)
        return end.astimezone(UTC)

    async def _send_one(self, row: OutboxMessage) -> Outcome:
        """One Bot API call (within the limits) and what it means for the row."""
        outcome = await self._attempt(row)
        outcome.forget = bool(row.payload.get("_forget")) and outcome.status != OutboxStatus.PENDING
        return outcome

    async def _attempt(self, row: OutboxMessage) -> Outcome:
        """Make the call and classify the answer."""
        held_until = self._quiet_until(row)
        if held_until is not None:
            return Outcome(row.id, OutboxStatus.PENDING, retry_at=held_until)
        if row.method not in UNLIMITED:
            await self.limiter.wait_turn(row.chat_id)
        try:
            # An invitation's token is put in only now: the outbox never holds it (storage/invitations.py).
            result = await self.api.call(row.method, expand_invitation_link(row.payload))
        except RetryLater as error:
            if error.retry_after is not None:
                self.limiter.pause(row.chat_id, error.retry_after)
                delay = error.retry_after
            else:
                delay = min(2 ** min(row.attempts, 8), MAX_BACKOFF)
            return Outcome(row.id, OutboxStatus.PENDING, error=str(error), attempts=row.attempts + 1,
                           retry_at=self.clock() + timedelta(seconds=delay))
        except Blocked as error:
            return Outcome(row.id, OutboxStatus.FAILED, error=str(error), blocked_chat=row.chat_id,
                           attempts=row.attempts + 1)
        except Refused as error:
            if "not modified" in str(error).lower():
                return Outcome(row.id, OutboxStatus.SENT)
            log.warning("outbox row %s refused: %s", row.id, error)
            return Outcome(row.id, OutboxStatus.FAILED, error=str(error), attempts=row.attempts + 1)
        message_id = result.get("message_id") if isinstance(result, dict) else None
        return Outcome(row.id, OutboxStatus.SENT, message_id=message_id)

    async def _record_loop(self, stop: asyncio.Event) -> None:
        """Write outcomes in small batches."""
        while True:
            await asyncio.sleep(RECORD_EVERY)
            await self._flush()

    async def _flush(self) -> None:
        """Write the outcomes collected so far in one transaction."""
        if not self._outcomes:
            return
        outcomes, self._outcomes = self._outcomes, []
        try:
            await self._record(outcomes)
        except Exception:
            log.exception("could not record %d outbox outcomes; will retry", len(outcomes))
            self._outcomes = outcomes + self._outcomes
            return
        self._release([o.row_id for o in outcomes])
        if self._skipped or any(o.status == OutboxStatus.PENDING for o in outcomes):
            self._wake.set()  # rows that waited behind these (same chat) can go now

    async def _record(self, outcomes: list[Outcome]) -> None:
        """One executemany per shape of change, plus inactive people."""
        now = self.clock()
        changes: list[dict[str, Any]] = []
        for outcome in outcomes:
            change: dict[str, Any] = {"id": outcome.row_id, "status": outcome.status, "last_error": outcome.error}
            if outcome.status == OutboxStatus.SENT:
                change.update(sent_at=now, sent_message_id=outcome.message_id)
            if outcome.attempts is not None:
                change["attempts"] = outcome.attempts
            if outcome.retry_at is not None:
                change["not_before"] = outcome.retry_at
            changes.append(change)
        async with self.db.transaction() as session:
            for keys in {tuple(sorted(c)) for c in changes}:
                session.execute(update(OutboxMessage), [c for c in changes if tuple(sorted(c)) == keys])
            forgotten = [o.row_id for o in outcomes if o.forget]
            if forgotten:
                session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(forgotten)))
            for outcome in outcomes:
                if outcome.blocked_chat is not None:
                    _stop_messaging(session, outcome.blocked_chat)

    async def drain(self, timeout: float = 30.0) -> None:
        """Send everything that can go now and wait until it is recorded (for tools and tests)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            started = self._dispatch_due()
            if self._workers:
                await asyncio.gather(*self._workers.values(), return_exceptions=True)
            await self._flush()
            if not started and not self._workers and not self._in_flight:
                return
            await asyncio.sleep(0)


def _stop_messaging(session: Session, chat_id: int) -> None:
    """The person blocked the bot: mark them inactive and drop what is still owed to them."""
    person = session.exec(select(Person).where(Person.telegram_id == chat_id)).first()
    if person is not None:
        person.active = False
        session.add(person)
    session.execute(update(OutboxMessage).where(OutboxMessage.chat_id == chat_id,
                                                OutboxMessage.status == OutboxStatus.PENDING)
                    .values(status=OutboxStatus.FAILED, last_error="recipient blocked the bot"))


async def _wait_any(event: asyncio.Event, stop: asyncio.Event, timeout: float) -> None:
    """Until `event` or `stop` is set, or `timeout` passes."""
    waiters = [asyncio.ensure_future(event.wait()), asyncio.ensure_future(stop.wait())]
    await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    for waiter in waiters:
        waiter.cancel()
