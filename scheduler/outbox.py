"""The outbox dispatcher: sends committed outbox rows, in order per chat, and records the result.

A row is marked sent right after Telegram accepts it; a crash in between may repeat at most
that one message. Network errors and 5xx are retried with backoff, 429 pauses only that chat,
403 (blocked) marks the person inactive, other 400s are recorded as failed.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import select
from bot.telegram_api import Blocked, BotApi, Refused, RetryLater
from storage.db import Database
from storage.models import OutboxMessage, OutboxStatus, Person, utcnow

log = logging.getLogger(__name__)
BATCH = 500


@dataclass
class Outcome:
    """What happened to one row."""

    row_id: int
    status: OutboxStatus
    message_id: int | None = None
    error: str | None = None
    retry_at: datetime | None = None
    blocked_chat: int | None = None
    attempts: int = 0


class OutboxDispatcher:
    """Drains the outbox whenever woken (after each commit) and at least every second."""

    def __init__(self, db: Database, api: BotApi, *, idle_seconds: float = 1.0) -> None:
        self.db = db
        self.api = api
        self.idle_seconds = idle_seconds
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Something was committed: look now."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Send until `stop` is set."""
        while not stop.is_set():
            self._wake.clear()
            try:
                if await self.drain_once():
                    continue
            except Exception:
                log.exception("outbox pass failed; retrying")
            waiter = asyncio.ensure_future(self._wake.wait())
            stopper = asyncio.ensure_future(stop.wait())
            await asyncio.wait({waiter, stopper}, timeout=self.idle_seconds, return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            stopper.cancel()

    async def drain_once(self) -> int:
        """Send every due row once; returns how many rows were settled."""
        now = utcnow()
        with self.db.read() as session:
            rows = session.exec(
                select(OutboxMessage)
                .where(OutboxMessage.status == OutboxStatus.PENDING)
                .order_by(OutboxMessage.id)
                .limit(BATCH)
            ).all()
        per_chat: dict[int, list[OutboxMessage]] = defaultdict(list)
        waiting: set[int] = set()
        for row in rows:
            # A chat's later rows wait behind an earlier row that is not yet due (order per chat).
            if row.chat_id in waiting or _aware(row.not_before) > now:
                waiting.add(row.chat_id)
                continue
            per_chat[row.chat_id].append(row)
        if not per_chat:
            return 0
        results = await asyncio.gather(*(self._send_chat(chat_rows) for chat_rows in per_chat.values()))
        outcomes = [outcome for chat_outcomes in results for outcome in chat_outcomes]
        await self._record(outcomes)
        return sum(1 for o in outcomes if o.status != OutboxStatus.PENDING)

    async def _send_chat(self, rows: list[OutboxMessage]) -> list[Outcome]:
        """Send one chat's rows in order; stop at the first that must be retried."""
        outcomes: list[Outcome] = []
        for row in rows:
            outcome = await self._send_one(row)
            outcomes.append(outcome)
            if outcome.status == OutboxStatus.PENDING or outcome.blocked_chat is not None:
                break
        return outcomes

    async def _send_one(self, row: OutboxMessage) -> Outcome:
        """One Bot API call and what it means for the row."""
        outcome = await self._try(row)
        if outcome.status != OutboxStatus.SENT:
            outcome.attempts = row.attempts + 1
        return outcome

    async def _try(self, row: OutboxMessage) -> Outcome:
        """Make the call and classify the answer."""
        try:
            result = await self.api.call(row.method, row.payload)
        except RetryLater as error:
            delay = error.retry_after if error.retry_after is not None else min(2 ** min(row.attempts, 8), 300)
            return Outcome(row.id, OutboxStatus.PENDING, error=str(error), retry_at=utcnow() + timedelta(seconds=delay))
        except Blocked as error:
            return Outcome(row.id, OutboxStatus.FAILED, error=str(error), blocked_chat=row.chat_id)
        except Refused as error:
            if "not modified" in str(error).lower():
                return Outcome(row.id, OutboxStatus.SENT)
            log.warning("outbox row %s refused: %s", row.id, error)
            return Outcome(row.id, OutboxStatus.FAILED, error=str(error))
        message_id = result.get("message_id") if isinstance(result, dict) else None
        return Outcome(row.id, OutboxStatus.SENT, message_id=message_id)

    async def _record(self, outcomes: list[Outcome]) -> None:
        """Write every outcome in one transaction (one executemany by primary key)."""
        now = utcnow()
        changes: list[dict[str, Any]] = []
        for outcome in outcomes:
            change: dict[str, Any] = {"id": outcome.row_id, "status": outcome.status, "last_error": outcome.error}
            if outcome.status == OutboxStatus.SENT:
                change.update(sent_at=now, sent_message_id=outcome.message_id)
            else:
                change["attempts"] = outcome.attempts
            if outcome.retry_at is not None:
                change["not_before"] = outcome.retry_at
            changes.append(change)
        async with self.db.transaction() as session:
            for keys in {tuple(sorted(c)) for c in changes}:
                same_shape = [c for c in changes if tuple(sorted(c)) == keys]
                session.execute(update(OutboxMessage), same_shape)
            for outcome in outcomes:
                if outcome.blocked_chat is not None:
                    _stop_messaging(session, outcome.blocked_chat)


def _stop_messaging(session, chat_id: int) -> None:  # type: ignore[no-untyped-def]
    """The person blocked the bot: mark them inactive and drop what is still owed to them."""
    person = session.exec(select(Person).where(Person.telegram_id == chat_id)).first()
    if person is not None:
        person.active = False
        session.add(person)
    for row in session.exec(select(OutboxMessage).where(
        OutboxMessage.chat_id == chat_id, OutboxMessage.status == OutboxStatus.PENDING
    )).all():
        row.status, row.last_error = OutboxStatus.FAILED, "recipient blocked the bot"
        session.add(row)


def _aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes; they are UTC."""
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)
