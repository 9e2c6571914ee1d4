"""The outbox dispatcher: sends committed outbox rows, in order per chat, within Telegram's limits.

- One worker per chat sends that chat's due rows in order; chats proceed independently, so a
  chat that must wait (its own limit, a 429, quiet hours) holds up no one else.
- The limiter keeps Telegram's limits up front (see scheduler/limits.py); a 429 pauses only
  that chat for `retry_after`.
- Network errors and 5xx are retried with backoff; 403 (blocked) marks the person inactive.
- Notices to residents (`quiet` rows) wait during the quiet hours and go out in the morning,
  oldest first.

Never twice. Telegram's sendMessage has no idempotency key, so a row may only be repeated when
nobody can know whether it went out: it was being sent when the process died.
- A row is *claimed* in the database right before its call (`claimed_by` this dispatcher, with a
  lease `claimed_until`), and the claim is cleared with the outcome. A claim is granted in one
  UPDATE only to a pending row that is unclaimed (or whose claim lapsed) of a chat nobody else
  is sending to, so a second dispatcher on the same database (an operator's mistake, a restart
  overlapping the old process) never sends a row that is claimed, and never a chat's rows out of
  order. We chose claimed rows over one dispatcher per database (a lock): they need no extra
  table or connection, survive the lock holder's death the same way, and let several workers
  share the outbox on PostgreSQL later (each keeps Telegram's limits on its own today).
- Claims and outcomes are written by group commit: a write starts as soon as there is anything
  to write, and the next right after the previous commits, so an answered send is recorded within
  a few milliseconds, and its claim keeps everyone else off it until then.
- After a crash only claimed rows can repeat: a claim of a dead process on this host (its pid
  is gone, or it was an earlier life of our own pid) is taken over at once; one from another host
  once its lease has lapsed.
- Outcomes are plain UPDATEs by id that skip rows no longer there (an erased person's rows) and
  rows someone else has claimed since; a batch that cannot be written is retried with backoff
  while the database is away (said once in the log), and otherwise written row by row, so one
  outcome that cannot be written is logged once and holds up no other.
- Ids are never reused (AUTOINCREMENT on SQLite, sequences on PostgreSQL): an outcome cannot land
  on a newer row.

What was sent is recorded: with the outcome of every delivered send (a message, photo, document)
the same transaction writes a `SentMessage` row (chat, message id, the outbox row's kind and
subject), where edits, pins, the status message and redaction find it. A row to be forgotten
(`forget_after_send`, the goodbye to an erased person) is deleted once settled and leaves no record.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import bindparam, case, delete, exists, func, or_, update
from sqlmodel import Session, select

from bot.telegram_api import Blocked, BotApi, Refused, RetryLater
from scheduler.limits import Limiter, RateLimits
from storage.db import Database, database_unavailable
from storage.invitations import expand_invitation_link
from storage.models import OutboxMessage, OutboxStatus, Person, SentMessage, as_utc, utcnow
from storage.municipality import MunicipalitySettings, municipality_settings

log = logging.getLogger(__name__)
FETCH = 1000
PASS_GAP = 0.005  # at most one pass over the outbox per this many seconds
MAX_BACKOFF = 300
UNLIMITED = {"answerCallbackQuery"}  # not a message: outside the flood limits
LEASE = timedelta(seconds=60)  # a claim outlives the longest call (30 s timeout) and its outcome write
WRITE_RETRY_MAX = 2.0  # seconds between attempts to write while the database is away
FLUSH_AT_STOP = 5.0  # seconds to write the last outcomes when stopping
HOST = socket.gethostname()
_LIVE_OWNERS: set[str] = set()  # the dispatchers of this process (tests run two in one process)
_TABLE = OutboxMessage.__table__  # type: ignore[attr-defined]
# A delivered send's record, copied from its outbox row once the outcome is written there (executemany).
_RECORD_SENT = sa.insert(SentMessage.__table__).from_select(  # type: ignore[attr-defined]
    ["chat_id", "message_id", "outbox_id", "kind", "subject_type", "subject_id", "sent_at"],
    sa.select(_TABLE.c.chat_id, _TABLE.c.sent_message_id, _TABLE.c.id, func.coalesce(_TABLE.c.kind, _TABLE.c.method),
              _TABLE.c.subject_type, _TABLE.c.subject_id, _TABLE.c.sent_at)
    .where(_TABLE.c.id == bindparam("r_id"), _TABLE.c.status == str(OutboxStatus.SENT),
           _TABLE.c.sent_message_id == bindparam("r_message_id", type_=sa.BigInteger),
           _TABLE.c.claimed_by.is_(None)))


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
    recorded: bool = False  # a delivered send: written to SentMessage with the outcome


@dataclass
class Claimed:
    """A row as it is when claimed (redaction may have changed its payload since the pass read it)."""

    method: str
    payload: dict[str, Any]
    forget_after_send: bool
    invitation_nonce: str | None


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
        self.owner = f"{HOST}:{os.getpid()}:{secrets.token_hex(6)}"
        _LIVE_OWNERS.add(self.owner)
        self._wake = asyncio.Event()
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._in_flight: set[int] = set()  # handed to a worker, outcome not yet written
        self._unsettled: set[int] = set()  # of those: not yet known to be sent (they hold their chat)
        self._skipped: set[int] = set()  # chats with due rows the last pass had to leave for later
        self._outcomes: list[Outcome] = []  # to write in the next round
        self._claims: dict[int, asyncio.Future[Claimed | None]] = {}  # to claim in the next round
        self._writer: asyncio.Task[None] | None = None
        self._write_failing = False
        self._read_failing = False  # the last pass could not read the outbox (said once in the log)
        self._unwritable: set[int] = set()  # rows whose outcome could not be written (logged once)
        self._gone: set[str] = set()  # claim owners known to be dead
        self._stopping = False
        self._quiet: MunicipalitySettings | None = None

    def wake(self) -> None:
        """Something was committed: look now."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Send until `stop` is set; then finish the sends in flight and record them."""
        try:
            while not stop.is_set():
                self._wake.clear()
                try:
                    self._dispatch_due()
                except Exception as error:
                    if not database_unavailable(error):
                        log.exception("outbox pass failed; retrying")
                    elif not self._read_failing:  # an outage is said once, not every second
                        log.warning("cannot read the outbox (%s); looking again until the database answers",
                                    type(error).__name__)
                        self._read_failing = True
                else:
                    if self._read_failing:
                        log.warning("reading the outbox again")
                        self._read_failing = False
                await _wait_any(self._wake, stop, timeout=self.idle_seconds)
                await asyncio.sleep(PASS_GAP)  # wake-ups close together make one pass
        finally:
            self._stopping = True  # workers stop after the send they are making
            if self._workers:
                await asyncio.gather(*self._workers.values(), return_exceptions=True)
            try:
                await asyncio.wait_for(self._flush(), timeout=FLUSH_AT_STOP)
            except TimeoutError:
                log.warning("stopped with %d outbox outcomes unwritten; those rows may be sent again",
                            len(self._outcomes))

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
        only their later notices, never a reply to something they just did. A chat another
        dispatcher is sending to is left to it.
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
        lease_now = utcnow()
        claimed_elsewhere = {row.chat_id for row in rows if row.id not in self._in_flight
                             and self._claim_holds(row.claimed_by, row.claimed_until, lease_now)}
        per_chat: dict[int, list[OutboxMessage]] = defaultdict(list)
        held: set[int] = set(self._workers)
        skipped: set[int] = set()
        for row in rows:
            if row.chat_id in claimed_elsewhere:
                continue
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

    def _claim_holds(self, owner: str | None, until: datetime | None, lease_now: datetime) -> bool:
        """Whether a claim keeps everyone else (us included) off its row: its lease runs and its owner may live."""
        if owner is None or until is None or as_utc(until) <= lease_now:
            return False
        return not self._owner_gone(owner)

    def _owner_gone(self, owner: str) -> bool:
        """A claim owner known to be dead: a process on this host whose pid is gone, or an earlier life
        of our own pid (in a container the bot may get the same pid after every restart)."""
        if owner in self._gone:
            return True
        parts = owner.rsplit(":", 2)  # host:pid:token
        if len(parts) != 3 or parts[0] != HOST or not parts[1].isdigit():
            return False  # another host: only its lease tells
        pid = int(parts[1])
        gone = owner not in _LIVE_OWNERS if pid == os.getpid() else not _pid_alive(pid)
        if gone:
            self._gone.add(owner)
        return gone

    def _worker_done(self, chat_id: int) -> None:
        """A chat is done for now: look again if it has rows that waited for this worker."""
        self._workers.pop(chat_id, None)
        if chat_id in self._skipped:
            self._wake.set()

    async def _send_chat(self, chat_id: int, rows: list[OutboxMessage]) -> None:
        """Send one chat's rows in order; stop at the first that must wait, or is not ours to send."""
        for index, row in enumerate(rows):
            if self._stopping:
                self._release([r.id for r in rows[index:]])
                return
            try:
                outcome = await self._send_one(row)
            except Exception:  # a bug or an unexpected answer: the row stays pending, nothing is lost
                log.exception("sending outbox row %s failed unexpectedly", row.id)
                backoff = timedelta(seconds=min(2 ** min(row.attempts, 8), MAX_BACKOFF))
                outcome = Outcome(row.id, OutboxStatus.PENDING, error="unexpected error", attempts=row.attempts + 1,
                                  retry_at=self.clock() + backoff)
            if outcome is None:  # claimed by another dispatcher, sent already, or deleted (erasure)
                self._release([r.id for r in rows[index:]])
                return
            self._outcomes.append(outcome)
            self._write_soon()
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

    async def _send_one(self, row: OutboxMessage) -> Outcome | None:
        """Claim the row, make its Bot API call (within the limits), and say what it means for the row.

        None: the row is not ours to send (claimed by someone else, or gone).
        """
        held_until = self._quiet_until(row)
        if held_until is not None:
            return Outcome(row.id, OutboxStatus.PENDING, retry_at=held_until)
        if row.method not in UNLIMITED:
            await self.limiter.wait_turn(row.chat_id)
        claimed = await self._claim(row.id)
        if claimed is None:
            return None
        outcome = await self._attempt(row, claimed)
        outcome.forget = claimed.forget_after_send and outcome.status != OutboxStatus.PENDING
        outcome.recorded = (claimed.method.startswith("send") and outcome.message_id is not None
                            and not outcome.forget)
        return outcome

    async def _attempt(self, row: OutboxMessage, claimed: Claimed) -> Outcome:
        """Make the call and classify the answer."""
        try:
            # An invitation's token is put in only now: the outbox never holds it (storage/invitations.py).
            result = await self.api.call(claimed.method,
                                         expand_invitation_link(claimed.payload, nonce=claimed.invitation_nonce))
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

    # --- writing: claims and outcomes, by group commit ------------------------------------------

    async def _claim(self, row_id: int) -> Claimed | None:
        """Claim the row for sending (in the next write); the row as claimed, or None if not granted."""
        future: asyncio.Future[Claimed | None] = asyncio.get_running_loop().create_future()
        self._claims[row_id] = future
        self._write_soon()
        return await future

    def _write_soon(self) -> None:
        """Start writing now, unless a write is under way (it picks this up right after it commits)."""
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_rounds())

    async def _write_rounds(self) -> None:
        """Write until nothing waits; while the database is away, retry with backoff."""
        delay = 0.0
        while self._outcomes or self._claims:
            if delay:
                await asyncio.sleep(delay)
            written = await self._write_round()
            delay = 0.0 if written else min(max(delay * 2, 0.05), WRITE_RETRY_MAX)

    async def _flush(self) -> None:
        """Until everything collected so far is written."""
        while self._outcomes or self._claims or (self._writer is not None and not self._writer.done()):
            self._write_soon()
            assert self._writer is not None
            await self._writer

    async def _write_round(self) -> bool:
        """Write the outcomes and claims collected so far in one transaction; False: try again later."""
        outcomes: list[Outcome] = []
        claims: dict[int, asyncio.Future[Claimed | None]] = {}
        try:
            async with self.db.transaction() as session:
                outcomes, self._outcomes = self._outcomes, []
                claims, self._claims = self._claims, {}
                self._record(session, outcomes)
                granted = self._claim_rows(session, list(claims)) if claims else {}
        except Exception as error:
            _answer(claims, {})  # nothing claimed: those rows stay for a later pass
            if database_unavailable(error):
                self._outcomes = outcomes + self._outcomes
                if not self._write_failing:
                    log.warning("cannot write to the outbox (%s); retrying until the database answers",
                                type(error).__name__)
                    self._write_failing = True
                return False
            log.warning("could not write to the outbox (%s: %s); writing the %d outcomes one by one",
                        type(error).__name__, error, len(outcomes))
            return await self._record_one_by_one(outcomes)
        if self._write_failing:
            log.warning("writing to the outbox again")
            self._write_failing = False
        _answer(claims, granted)
        self._recorded(outcomes)
        return True

    async def _record_one_by_one(self, outcomes: list[Outcome]) -> bool:
        """Each outcome in its own transaction: one that cannot be written holds up no other."""
        for index, outcome in enumerate(outcomes):
            try:
                async with self.db.transaction() as session:
                    self._record(session, [outcome])
            except Exception as error:
                if database_unavailable(error):
                    self._outcomes = outcomes[index:] + self._outcomes
                    return False
                if outcome.row_id not in self._unwritable:
                    self._unwritable.add(outcome.row_id)
                    log.exception("the outcome of outbox row %s (%s) cannot be written; left as it is",
                                  outcome.row_id, outcome.status)
            self._recorded([outcome])
        return True

    def _recorded(self, outcomes: list[Outcome]) -> None:
        """Outcomes are written (or given up): their rows are free, and rows behind them may go."""
        if not outcomes:
            return
        self._release([o.row_id for o in outcomes])
        if self._skipped or any(o.status == OutboxStatus.PENDING for o in outcomes):
            self._wake.set()  # rows that waited behind these (same chat) can go now

    def _record(self, session: Session, outcomes: list[Outcome]) -> None:
        """Outcomes by id, in one executemany; a row that is gone, or claimed by someone else since, is left."""
        if not outcomes:
            return
        now = self.clock()
        session.connection().execute(self._outcome_statement(), [{
            "b_id": o.row_id, "b_status": str(o.status), "b_error": o.error, "b_attempts": o.attempts,
            "b_not_before": o.retry_at, "b_sent_at": now if o.status == OutboxStatus.SENT else None,
            "b_message_id": o.message_id} for o in outcomes])
        delivered = [{"r_id": o.row_id, "r_message_id": o.message_id} for o in outcomes if o.recorded]
        if delivered:  # only where the outcome above landed (the row is there, and no longer claimed)
            session.connection().execute(_RECORD_SENT, delivered)
        forgotten = [o.row_id for o in outcomes if o.forget]
        if forgotten:  # the goodbye to an erased person: sent, so nothing of them stays
            session.connection().execute(delete(_TABLE).where(_TABLE.c.id.in_(forgotten)))
        for outcome in outcomes:
            if outcome.blocked_chat is not None:
                _stop_messaging(session, outcome.blocked_chat)

    def _outcome_statement(self) -> Any:
        """UPDATE one row by id (executemany), clearing our claim; unchanged fields stay as they are."""
        t = _TABLE
        return (update(t)
                .where(t.c.id == bindparam("b_id"), or_(t.c.claimed_by.is_(None), t.c.claimed_by == self.owner))
                .values(status=bindparam("b_status"), last_error=bindparam("b_error"),
                        attempts=func.coalesce(bindparam("b_attempts", type_=sa.Integer), t.c.attempts),
                        not_before=func.coalesce(bindparam("b_not_before", type_=sa.DateTime(timezone=True)),
                                                 t.c.not_before),
                        sent_at=func.coalesce(bindparam("b_sent_at", type_=sa.DateTime(timezone=True)), t.c.sent_at),
                        sent_message_id=func.coalesce(bindparam("b_message_id", type_=sa.BigInteger),
                                                      t.c.sent_message_id),
                        claimed_by=None, claimed_until=None,
                        # an invitation's nonce is needed only until the message is settled
                        invitation_nonce=case((bindparam("b_status") == str(OutboxStatus.PENDING),
                                               t.c.invitation_nonce), else_=sa.null())))

    def _claim_rows(self, session: Session, row_ids: list[int]) -> dict[int, Claimed]:
        """Claim those of the rows that are still pending, not claimed by a live dispatcher, and of a chat
        no other dispatcher is sending to; returns each granted row as claimed."""
        t = _TABLE
        other = t.alias("other")
        lease_now = utcnow()
        gone = sorted(self._gone)
        free = or_(t.c.claimed_by.is_(None), t.c.claimed_until <= lease_now, t.c.claimed_by.in_(gone))
        busy_chat = exists().where(other.c.chat_id == t.c.chat_id, other.c.status == OutboxStatus.PENDING,
                                   other.c.claimed_by != self.owner, other.c.claimed_until > lease_now,
                                   other.c.claimed_by.not_in(gone))
        granted = session.connection().execute(
            update(t).where(t.c.id.in_(row_ids), t.c.status == OutboxStatus.PENDING, free, ~busy_chat)
            .values(claimed_by=self.owner, claimed_until=lease_now + LEASE)
            .returning(t.c.id, t.c.method, t.c.payload, t.c.forget_after_send, t.c.invitation_nonce)).all()
        return {row_id: Claimed(method, payload, bool(forget), nonce)
                for row_id, method, payload, forget, nonce in granted}

    async def drain(self, timeout: float = 30.0) -> None:
        """Send everything that can go now and wait until it is recorded (for tools and tests)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            started = self._dispatch_due()
            if self._workers:
                await asyncio.gather(*self._workers.values(), return_exceptions=True)
            await asyncio.wait_for(self._flush(), timeout=max(0.0, deadline - asyncio.get_running_loop().time()))
            if not started and not self._workers and not self._in_flight:
                return
            await asyncio.sleep(0)


def _answer(claims: dict[int, asyncio.Future[Any]], granted: dict[int, Any]) -> None:
    """Tell each waiting worker whether its row is claimed."""
    for row_id, future in claims.items():
        if not future.done():
            future.set_result(granted.get(row_id))


def _pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stop_messaging(session: Session, chat_id: int) -> None:
    """The person blocked the bot: mark them inactive and drop what is still owed to them."""
    person = session.exec(select(Person).where(Person.telegram_id == chat_id)).first()
    if person is not None:
        person.active = False
        session.add(person)
    session.execute(update(OutboxMessage).where(OutboxMessage.chat_id == chat_id,
                                                OutboxMessage.status == OutboxStatus.PENDING)
                    .values(status=OutboxStatus.FAILED, last_error="recipient blocked the bot",
                            claimed_by=None, claimed_until=None))


async def _wait_any(event: asyncio.Event, stop: asyncio.Event, timeout: float) -> None:
    """Until `event` or `stop` is set, or `timeout` passes."""
    waiters = [asyncio.ensure_future(event.wait()), asyncio.ensure_future(stop.wait())]
    await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    for waiter in waiters:
        waiter.cancel()
