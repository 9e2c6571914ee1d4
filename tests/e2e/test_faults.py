"""Faults the bot rides out: another instance polling (409), the database away or locked, stopping
in the middle of a long poll, a backlog of updates, and update ids no real Bot API would send."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.playground import PlaygroundClient
from bot.runner import serve
from bot.settings import PLAYGROUND_TOKEN
from storage.db import Database
from storage.models import ProcessedUpdate
from tests.conftest import POSTGRES_URL, bot_settings, daytime_clock
from tests.harness import Harness, person, texts

APOLOGY = "Sorry, er ging iets mis"


@dataclass
class RunningBot:
    """The bot served in this process, its stop switch and a harness on its database."""

    harness: Harness
    task: asyncio.Task[None]
    stop: asyncio.Event


@contextlib.asynccontextmanager
async def running_bot(playground: PlaygroundClient, database_url: str, *, bot_database_url: str | None = None,
                      **overrides: Any) -> AsyncIterator[RunningBot]:
    """The real bot, as the `bot` fixture serves it, with settings overridden (and optionally reaching
    the database by another URL than the test's own)."""
    settings = bot_settings(bot_database_url or database_url, playground.url)  # type: ignore[attr-defined]
    settings = settings.model_copy(update=overrides)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, token=PLAYGROUND_TOKEN, stop=stop, clock=daytime_clock(settings)))
    harness = Harness(playground, Database(database_url))
    try:
        await harness.wait_until_ready(task)
        yield RunningBot(harness, task, stop)
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=15)
        harness.db.dispose()


def logged(caplog: pytest.LogCaptureFixture, fragment: str) -> int:
    """How many log records contain `fragment`."""
    return sum(1 for record in caplog.records if fragment in record.getMessage())


def processed(db: Database, update_id: int) -> bool:
    with db.read() as session:
        return session.get(ProcessedUpdate, update_id) is not None


async def polling_failed(bot: Harness) -> None:
    """Until the playground has failed a getUpdates (the poll in flight when the fault began may
    still deliver): an update sent now reaches the bot only through a poll after the fault."""
    for _attempt in range(200):
        if (await bot.pg.stats())["faults"]:
            return
        await asyncio.sleep(0.05)
    raise TimeoutError("no getUpdates failed")


# --- 409 Conflict ----------------------------------------------------------------------------------


async def test_conflict_on_get_updates_is_ridden_out(bot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    """Another instance polling with the same token: the bot says so once, backs off, and goes on."""
    caplog.set_level(logging.INFO)
    resident = person(1301)
    await bot.pg.fault_conflict(4.0)  # getUpdates answers 409 for 4 s, as while another process polls
    await polling_failed(bot)
    sent = await bot.pg.send_text(resident, "/start")
    await bot.settle(sent["update_id"], timeout=40)
    replies = await bot.new_messages(resident["id"])
    assert replies and APOLOGY not in texts(replies)
    assert logged(caplog, "409 Conflict") == 1
    assert logged(caplog, "getUpdates works again") == 1


async def test_an_unexpected_get_updates_error_does_not_stop_the_bot(bot: Harness,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    """A refusal no Bot API should give to getUpdates (400) is logged once and polling goes on."""
    resident = person(1302)
    await bot.pg.fault_status(400, 3.0)  # every call fails meanwhile, sends too
    await polling_failed(bot)
    sent = await bot.pg.send_text(resident, "/start")
    await bot.settle(sent["update_id"], timeout=40)
    replies = await bot.new_messages(resident["id"])
    assert replies and APOLOGY not in texts(replies)
    assert logged(caplog, "getUpdates failed unexpectedly") == 1


# --- stopping ---------------------------------------------------------------------------------------


async def test_stop_does_not_wait_for_the_long_poll(playground: PlaygroundClient, database_url: str) -> None:
    async with running_bot(playground, database_url, poll_timeout=25) as running:
        await asyncio.sleep(1.0)  # the bot is in its 25 s long poll now
        running.stop.set()
        started = time.monotonic()
        await asyncio.wait_for(asyncio.shield(running.task), timeout=20)
        assert time.monotonic() - started < 3.0


# --- update ids -------------------------------------------------------------------------------------


def start_message(user: dict[str, Any]) -> dict[str, Any]:
    """A /start message as Telegram shapes it."""
    return {"message_id": 1, "date": int(time.time()), "chat": {"id": user["id"], "type": "private"},
            "from": {"id": user["id"], "is_bot": False, "first_name": "Forged"}, "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}


async def test_update_id_beyond_64_bits_is_skipped_and_a_restart_is_unaffected(
        playground: PlaygroundClient, database_url: str, caplog: pytest.LogCaptureFixture) -> None:
    pg = playground
    first, forged, after, later = person(1311), person(1312), person(1313), person(1314)
    # All three wait for the bot in one batch: a normal update, one with an id beyond 64 bits, a normal one.
    sent_first = await pg.send_text(first, "/start")
    await pg.forged(2**63, {"message": start_message(forged)})
    sent_after = await pg.send_text(after, "/start")
    async with running_bot(pg, database_url) as running:
        await running.harness.settle(sent_after["update_id"])
        assert await running.harness.new_messages(first["id"])
        assert await running.harness.new_messages(after["id"])
        assert not running.task.done()
    assert await pg.bot_messages(forged["id"]) == []
    assert logged(caplog, "not a 64-bit update id") == 1
    db = Database(database_url)
    try:
        with db.read() as session:
            stored = session.exec(select(ProcessedUpdate.update_id)).all()
        assert sorted(stored) == [sent_first["update_id"], sent_after["update_id"]]
    finally:
        db.dispose()

    async with running_bot(pg, database_url) as running:  # a restart: nothing stuck
        sent_later = await pg.send_text(later, "/start")
        await running.harness.settle(sent_later["update_id"])
        assert await running.harness.new_messages(later["id"])
    assert logged(caplog, "not a 64-bit update id") == 1


# --- a backlog of updates ---------------------------------------------------------------------------


async def test_replies_leave_while_a_backlog_is_being_handled(playground: PlaygroundClient, database_url: str) -> None:
    """300 /start wait for the bot when it starts: the first reply is delivered before the last update
    is committed (the sender gets turns between updates)."""
    pg = playground
    residents = [person(20_000 + n) for n in range(300)]
    sent = [await pg.send_text(resident, "/start") for resident in residents]
    async with running_bot(pg, database_url, rate_global_per_second=1000) as running:
        await running.harness.settle(sent[-1]["update_id"], timeout=120)
        with running.harness.db.read() as session:
            committed = sorted(at.replace(tzinfo=UTC).timestamp() if at.tzinfo is None else at.timestamp()
                               for at in session.exec(select(ProcessedUpdate.processed_at)).all())
            count = session.exec(select(func.count()).select_from(ProcessedUpdate)).one()
        assert count == 300
        delivered = [m["stored_at"] for resident in residents for m in await pg.bot_messages(resident["id"])]
    assert len(delivered) >= 300
    first_reply = min(delivered)
    before_first_reply = sum(1 for moment in committed if moment < first_reply)
    # The last update's commit (its processed_at is taken just before it) comes after the first reply.
    assert first_reply < committed[-1], f"the first reply left only after all {count} updates were handled"
    assert before_first_reply < 100, f"{before_first_reply} updates were handled before the first reply left"


# --- the database away ------------------------------------------------------------------------------


@pytest.mark.skipif(bool(POSTGRES_URL), reason="SQLite's write lock")
async def test_sqlite_write_lock_held_elsewhere_is_ridden_out_without_freezing(
        bot: Harness, database_url: str, caplog: pytest.LogCaptureFixture) -> None:
    """Another process holds SQLite's write lock for 8 s while a resident sends /start: the bot keeps
    running without freezing the event loop, and handles the update once, after the lock is gone."""
    pg = bot.pg
    resident = person(1322)
    await bot.say(person(1321), "/start")  # the bot is up and has written before
    path = database_url.removeprefix("sqlite:///")
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    ticks = 0

    async def probe() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.05)
            ticks += 1

    probing = asyncio.create_task(probe())
    try:
        other.execute("BEGIN IMMEDIATE")  # another process takes the write lock
        sent = await pg.send_text(resident, "/start")
        await asyncio.sleep(8)
        # Progress, not timing: a probe that wants 160 turns in 8 s got a fair share of them (a bot
        # waiting in SQLite's busy handler would have frozen it for 5 s at a time).
        assert ticks >= 40, f"the event loop was frozen: the probe ran {ticks} times in 8 s"
        assert not processed(bot.db, sent["update_id"])
        assert await pg.bot_messages(resident["id"]) == []
    finally:
        other.execute("ROLLBACK")
        other.close()
        probing.cancel()
    await bot.settle(sent["update_id"], timeout=30)
    replies = await bot.new_messages(resident["id"])
    assert replies and APOLOGY not in texts(replies)
    assert len({m["text"] for m in replies}) == len(replies), "a reply went out twice"
    assert logged(caplog, "database unavailable") == 1
    assert logged(caplog, "database available again") == 1


class CuttableProxy:
    """A TCP proxy in its own threads (the bot's database calls block the event loop): forwards to
    PostgreSQL until cut; while cut, open connections are dropped and new ones closed at once."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.cut = threading.Event()
        self.closed = threading.Event()
        self.lock = threading.Lock()
        self.sockets: set[socket.socket] = set()
        self.pumps: list[threading.Thread] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                client, _address = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self.cut.is_set():
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.sockets.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                pump = threading.Thread(target=self._pump, args=(source, sink), daemon=True)
                self.pumps.append(pump)
                pump.start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
            source.close()  # each socket is the source of exactly one pump

    def cut_off(self) -> None:
        self.cut.set()
        with self.lock:
            for end in self.sockets:
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
            self.sockets.clear()

    def restore(self) -> None:
        self.cut.clear()

    def close(self) -> None:
        self.closed.set()
        self.cut_off()
        self.thread.join(timeout=5)
        self.listener.close()
        for pump in self.pumps:
            pump.join(timeout=5)


@pytest.mark.skipif(not POSTGRES_URL, reason="PostgreSQL only (set WIJKBOT_TEST_DATABASE_URL)")
async def test_postgres_unreachable_for_twenty_seconds_is_ridden_out(
        playground: PlaygroundClient, database_url: str, caplog: pytest.LogCaptureFixture) -> None:
    proxy = CuttableProxy(("127.0.0.1", 5432))
    through_proxy = database_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    assert through_proxy != database_url
    before, resident = person(1331), person(1332)
    try:
        async with running_bot(playground, database_url, bot_database_url=through_proxy) as running:
            bot = running.harness
            await bot.say(before, "/start")
            proxy.cut_off()
            sent = await bot.pg.send_text(resident, "/start")
            await asyncio.sleep(20)
            assert not running.task.done(), "the bot stopped while the database was away"
            assert not processed(bot.db, sent["update_id"])
            assert await bot.pg.bot_messages(resident["id"]) == []
            proxy.restore()
            await bot.settle(sent["update_id"], timeout=30)
            replies = await bot.new_messages(resident["id"])
            assert replies and APOLOGY not in texts(replies)
            assert not running.task.done()
    finally:
        proxy.close()
    assert logged(caplog, "database unavailable") == 1
    assert logged(caplog, "database available again") == 1
    # The outbox says it once too, not with a traceback on every pass.
    assert logged(caplog, "outbox pass failed") == 0
    assert logged(caplog, "cannot read the outbox") == 1 and logged(caplog, "reading the outbox again") == 1
