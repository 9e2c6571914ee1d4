"""The outbox dispatcher against the playground over real HTTP.

Notifications are written the way the application writes them (outbox rows committed in a
transaction); the real dispatcher sends them through the real Bot API client. Only the edges
are fake: the Telegram server (the playground, with its flood limits and injected faults) and,
for quiet hours, the clock.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.playground import PlaygroundClient
from bot.runner import serve
from bot.settings import PLAYGROUND_TOKEN
from bot.telegram_api import BotApi
from scheduler.limits import RateLimits
from scheduler.outbox import FETCH, OutboxDispatcher
from storage.db import Database
from storage.models import OutboxMessage, OutboxStatus, Person, utcnow
from storage.municipality import example_config, load_municipality
from storage.outbox import send_message
from storage.people import get_or_create_person
from tests.botprocess import BotProcess
from tests.conftest import bot_settings, daytime_clock
from tests.harness import Harness, person

TZ = ZoneInfo("Europe/Amsterdam")
Notice = tuple[int, str, bool]  # chat id, text, quiet


def residents(ids: Iterable[int]) -> list[dict[str, Any]]:
    """Users whose private chats the playground lets the bot write to."""
    return [{"id": user_id, "first_name": f"Bewoner {user_id}", "language_code": "nl"} for user_id in ids]


def interleaved(texts_per_chat: dict[int, list[str]], *, quiet: bool = False) -> list[Notice]:
    """Round-robin over the chats, so the rows of one chat are spread over the table."""
    longest = max(len(texts) for texts in texts_per_chat.values())
    return [(chat, texts[n], quiet) for n in range(longest) for chat, texts in texts_per_chat.items() if n < len(texts)]


async def notify(db: Database, notices: list[Notice]) -> None:
    """Owe the notices in one transaction, as a handler or job does."""
    async with db.transaction() as session:
        for chat_id, text, quiet in notices:
            send_message(session, chat_id=chat_id, text=text, quiet=quiet)


def outbox(db: Database) -> list[OutboxMessage]:
    """All rows, oldest first."""
    with db.read() as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def aware(value: datetime) -> datetime:
    """SQLite gives naive UTC datetimes back."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def until_all_sent(db: Database, timeout: float, alive: Callable[[], None] = lambda: None) -> list[OutboxMessage]:
    """Until no row is pending; then all rows."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive()
        rows = outbox(db)
        if rows and all(row.status != OutboxStatus.PENDING for row in rows):
            return rows
        await asyncio.sleep(0.05)
    states: defaultdict[str, int] = defaultdict(int)
    for row in outbox(db):
        states[row.status] += 1
    raise TimeoutError(f"rows still pending after {timeout} s: {dict(states)}")


async def delivered(pg: PlaygroundClient, chat_id: int) -> list[str]:
    """The texts the bot sent in a chat, in the order they arrived."""
    return [message["text"] for message in await pg.bot_messages(chat_id)]


@asynccontextmanager
async def dispatching(db: Database, pg: PlaygroundClient, *, limits: RateLimits | None = None,
                      clock: Callable[[], datetime] = utcnow) -> AsyncIterator[OutboxDispatcher]:
    """The dispatcher, running as the bot runs it, against the playground."""
    async with BotApi(pg.url, PLAYGROUND_TOKEN) as api:
        dispatcher = OutboxDispatcher(db, api, tz=TZ, limits=limits, clock=clock)
        stop = asyncio.Event()
        task = asyncio.create_task(dispatcher.run(stop))
        try:
            yield dispatcher
        finally:
            stop.set()
            await asyncio.wait_for(task, timeout=10)


@asynccontextmanager
async def idle_dispatcher(db: Database, pg: PlaygroundClient, *, limits: RateLimits | None = None,
                          clock: Callable[[], datetime] = utcnow) -> AsyncIterator[OutboxDispatcher]:
    """A dispatcher that is not running (for `drain`)."""
    async with BotApi(pg.url, PLAYGROUND_TOKEN) as api:
        yield OutboxDispatcher(db, api, tz=TZ, limits=limits, clock=clock)


# --- 429: only the chat concerned waits ----------------------------------------------------------


async def test_429_pauses_only_that_chat_and_everything_arrives_once(
        db: Database, playground: PlaygroundClient) -> None:
    pg = playground
    a, others = 501, [502, 503, 504, 505]
    await pg.register_users(residents([a, *others]))
    await pg.set_limits(enabled=True)  # Telegram's limits, enforced: the dispatcher must keep them itself
    await pg.fault_429(count=2, retry_after=1, chat_id=a)
    expected = {chat: [f"Melding {n} voor {chat}" for n in range(1, 4)] for chat in [a, *others]}
    await notify(db, interleaved(expected))

    start = utcnow()
    async with dispatching(db, pg, limits=RateLimits()) as dispatcher:
        dispatcher.wake()
        rows = await until_all_sent(db, timeout=15)

    assert {row.status for row in rows} == {OutboxStatus.SENT}
    for chat, texts in expected.items():
        assert await delivered(pg, chat) == texts, f"chat {chat}: lost, repeated or out of order"
    seconds = {chat: [(aware(r.sent_at) - start).total_seconds()  # type: ignore[arg-type]
                      for r in rows if r.chat_id == chat] for chat in expected}
    for chat in others:
        assert max(seconds[chat]) < 0.5, f"chat {chat} waited for chat {a}'s 429: {seconds[chat]}"
    # Two 429s with retry_after=1: A's first message was tried three times, a second apart.
    assert min(seconds[a]) >= 2 * 1.0 - 0.05, seconds[a]
    assert max(seconds[a]) < 8
    stats = await pg.stats()
    assert stats["429"] == 2 == stats["by_chat"][a]["429"], "the dispatcher overstepped the flood limits"
    assert stats["sent"] == 15
    assert sum(row.attempts for row in rows if row.chat_id == a) == 2
    assert all(row.attempts == 0 for row in rows if row.chat_id != a)


# --- an outage: 502 for two seconds --------------------------------------------------------------


async def test_outage_is_retried_without_losing_or_repeating_anything(
        db: Database, playground: PlaygroundClient) -> None:
    pg = playground
    chats = [601, 602, 603, 604, 605]
    await pg.register_users(residents(chats))
    await pg.fault_status(502, 2)
    expected = {chat: [f"Update {n} voor {chat}" for n in range(1, 5)] for chat in chats}
    await notify(db, interleaved(expected))

    async with dispatching(db, pg, limits=RateLimits()) as dispatcher:
        dispatcher.wake()
        rows = await until_all_sent(db, timeout=15)

    assert {row.status for row in rows} == {OutboxStatus.SENT}
    for chat, texts in expected.items():
        assert await delivered(pg, chat) == texts, f"chat {chat}: lost, repeated or out of order"
    stats = await pg.stats()
    assert stats["sent"] == 20
    # Every 502 the playground answered is counted on its row, and each chat's first row hit one.
    assert sum(row.attempts for row in rows) == stats["faults"] > 0
    firsts = {chat: next(row for row in rows if row.chat_id == chat) for chat in chats}
    assert all(row.attempts > 0 for row in firsts.values()), {c: r.attempts for c, r in firsts.items()}
    assert all(row.last_error is None and row.sent_message_id for row in rows)


# --- 403: the resident blocked the bot -----------------------------------------------------------


async def test_blocked_resident_is_marked_inactive_and_others_are_unaffected(
        db: Database, playground: PlaygroundClient) -> None:
    pg = playground
    blocker, other = 701, 702
    await pg.register_users(residents([blocker, other]))
    async with db.transaction() as session:
        for user_id in (blocker, other):
            get_or_create_person(session, telegram_id=user_id, language="nl")
    await pg.block(blocker)
    expected = {blocker: ["Eerste", "Tweede", "Derde"], other: ["Een", "Twee", "Drie"]}
    await notify(db, interleaved(expected))

    async with idle_dispatcher(db, pg) as dispatcher:
        await dispatcher.drain(timeout=3)

    rows = outbox(db)
    assert {row.status for row in rows if row.chat_id == blocker} == {OutboxStatus.FAILED}
    assert {row.status for row in rows if row.chat_id == other} == {OutboxStatus.SENT}
    assert await delivered(pg, blocker) == []
    assert await delivered(pg, other) == expected[other]
    with db.read() as session:
        people = {p.telegram_id: p.active for p in session.exec(select(Person))}
    assert people == {blocker: False, other: True}


# --- quiet hours ---------------------------------------------------------------------------------


class Clock:
    """A clock the test sets (UTC, timezone-aware)."""

    def __init__(self, local: datetime) -> None:
        self.now = local.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def set(self, local: datetime) -> None:
        self.now = local.astimezone(UTC)


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in Europe/Amsterdam."""
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


@pytest.mark.parametrize(("evening", "morning_utc"), [
    (local(2027, 6, 15, 23), datetime(2027, 6, 16, 6, 0, tzinfo=UTC)),  # summer time (UTC+2)
    (local(2027, 3, 27, 23), datetime(2027, 3, 28, 6, 0, tzinfo=UTC)),  # clocks go forward at 02:00
    (local(2027, 10, 30, 23), datetime(2027, 10, 31, 7, 0, tzinfo=UTC)),  # clocks go back at 03:00
    (local(2027, 10, 31, 0, 30), datetime(2027, 10, 31, 7, 0, tzinfo=UTC)),  # after midnight: the same morning
], ids=["summer", "spring-forward", "fall-back", "after-midnight"])
async def test_quiet_notices_wait_until_eight_local(db: Database, playground: PlaygroundClient,
                                                    evening: datetime, morning_utc: datetime) -> None:
    pg = playground
    async with db.transaction() as session:
        load_municipality(session, config=example_config())  # quiet hours 21:00-08:00
    night_owl, sleepers, group = 801, [802, 803], -1000801
    await pg.register_users(residents([night_owl, *sleepers]))
    await pg.send_text(residents([night_owl])[0], "hallo", chat={"id": group, "type": "group", "title": "Wijkraad"})
    await notify(db, [
        (sleepers[0], "Nieuws 1", True),
        (sleepers[1], "Nieuws 2", True),
        (night_owl, "Antwoord op jouw vraag", False),  # a reply to someone awake now
        (group, "Nieuw verzoek voor de wijkraad", True),  # groups are not residents: not held
        (sleepers[0], "Nieuws 3", True),
        (sleepers[1], "Nieuws 4", True),
    ])
    clock = Clock(evening)
    # A global spacing makes the dispatcher's sending order visible in the playground's order.
    limits = RateLimits(private_per_second=100, private_burst=10, global_per_second=20, global_burst=3)
    async with idle_dispatcher(db, pg, limits=limits, clock=clock) as dispatcher:
        await dispatcher.drain(timeout=3)
        assert await delivered(pg, night_owl) == ["Antwoord op jouw vraag"]
        assert await delivered(pg, group) == ["Nieuw verzoek voor de wijkraad"]
        for chat in sleepers:
            assert await delivered(pg, chat) == []
        held = [row for row in outbox(db) if row.status == OutboxStatus.PENDING]
        assert [row.payload["text"] for row in held] == ["Nieuws 1", "Nieuws 2", "Nieuws 3", "Nieuws 4"]
        for chat in sleepers:
            first, *later = [row for row in held if row.chat_id == chat]
            assert aware(first.not_before) == morning_utc  # held until 08:00 local the next morning
            assert aware(first.not_before).astimezone(TZ).strftime("%H:%M") == "08:00"
            assert all(aware(row.not_before) <= morning_utc for row in later)  # queued behind it
        assert all(row.attempts == 0 for row in held)  # holding is not an attempt

        clock.set(morning_utc.astimezone(TZ) - timedelta(minutes=1))  # 07:59: still quiet
        await dispatcher.drain(timeout=3)
        assert len([row for row in outbox(db) if row.status == OutboxStatus.PENDING]) == 4

        clock.set(morning_utc.astimezone(TZ) + timedelta(minutes=1))  # 08:01
        await dispatcher.drain(timeout=3)

    rows = outbox(db)
    assert {row.status for row in rows} == {OutboxStatus.SENT}
    assert await delivered(pg, sleepers[0]) == ["Nieuws 1", "Nieuws 3"]
    assert await delivered(pg, sleepers[1]) == ["Nieuws 2", "Nieuws 4"]
    morning = sorted([m for chat in sleepers for m in await pg.bot_messages(chat)], key=lambda m: m["seq"])
    assert [m["text"] for m in morning] == ["Nieuws 1", "Nieuws 2", "Nieuws 3", "Nieuws 4"]  # oldest first


async def test_reply_at_night_is_not_held_behind_a_quiet_notice_to_the_same_resident(
        db: Database, playground: PlaygroundClient) -> None:
    """A resident who talks to the bot at 23:00 gets its replies now, even with a notice waiting."""
    pg = playground
    async with db.transaction() as session:
        load_municipality(session, config=example_config())
    resident = 901
    await pg.register_users(residents([resident]))
    await notify(db, [(resident, "Je verzoek W-0001 is beantwoord", True)])
    await notify(db, [(resident, "Dit zijn jouw verzoeken: W-0001", False)])  # the resident typed /mijnverzoeken
    clock = Clock(local(2027, 6, 15, 23))
    async with idle_dispatcher(db, pg, clock=clock) as dispatcher:
        await dispatcher.drain(timeout=3)
        assert await delivered(pg, resident) == ["Dit zijn jouw verzoeken: W-0001"]
        clock.set(local(2027, 6, 16, 8, 1))
        await dispatcher.drain(timeout=3)
    assert await delivered(pg, resident) == ["Dit zijn jouw verzoeken: W-0001", "Je verzoek W-0001 is beantwoord"]


async def test_a_night_full_of_held_notices_does_not_hold_up_replies(
        db: Database, playground: PlaygroundClient) -> None:
    """More held notices than the dispatcher reads in one pass (a wijk-wide notice at 22:00)."""
    pg = playground
    async with db.transaction() as session:
        load_municipality(session, config=example_config())
    subscribers = list(range(20_001, 20_001 + FETCH + 50))
    resident = 19_999
    await pg.register_users(residents([resident]))
    await notify(db, [(chat, "Nieuws uit de wijk", True) for chat in subscribers])
    await notify(db, [(resident, "Dit zijn jouw verzoeken: W-0001", False)])
    async with idle_dispatcher(db, pg, clock=Clock(local(2027, 6, 15, 22))) as dispatcher:
        await dispatcher.drain(timeout=3)
    assert await delivered(pg, resident) == ["Dit zijn jouw verzoeken: W-0001"]
    assert (await pg.stats())["sent"] == 1


# --- restart after SIGKILL -----------------------------------------------------------------------


async def wait_started(pg: PlaygroundClient, process: BotProcess, timeout: float = 30) -> None:
    """Until the child process has set its command menus."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.process is not None and process.process.poll() is None, process.output()
        if await pg.commands():
            return
        await asyncio.sleep(0.05)
    raise TimeoutError(process.output())


async def wait_running(process: BotProcess, timeout: float = 30) -> None:
    """Until the child process says it is running (its dispatcher looks at the outbox from then on)."""
    deadline = time.monotonic() + timeout
    while "is running against" not in process.output():
        assert process.process is not None and process.process.poll() is None, process.output()
        assert time.monotonic() < deadline, process.output()
        await asyncio.sleep(0.05)


async def test_rows_written_while_the_bot_is_down_are_sent_once_after_restart(
        database_url: str, playground: PlaygroundClient, tmp_path: Path) -> None:
    pg = playground
    process = BotProcess(api_url=pg.url, database_url=database_url, workdir=tmp_path)
    # Telegram's 30/s would make 300 messages take ~10 s; the limits have tests of their own.
    process.env["WIJKBOT_RATE_GLOBAL_PER_SECOND"] = "150"
    process.start()  # migrates and seeds the database
    db: Database | None = None
    try:
        await wait_started(pg, process)
        process.kill()

        chats = list(range(10_001, 10_101))
        await pg.register_users(residents(chats))
        expected = {chat: [f"Herinnering {n} voor {chat}" for n in range(1, 4)] for chat in chats}
        db = Database(database_url)
        with db.transaction_sync() as session:  # as a job writes them: due now, not quiet
            for chat_id, text, quiet in interleaved(expected):
                send_message(session, chat_id=chat_id, text=text, quiet=quiet)
        assert len(outbox(db)) == 300

        process.start()

        def alive() -> None:
            assert process.process is not None and process.process.poll() is None, process.output()

        rows = await until_all_sent(db, timeout=45, alive=alive)
        assert {row.status for row in rows} == {OutboxStatus.SENT}
        for chat, texts in expected.items():
            assert await delivered(pg, chat) == texts, f"chat {chat}: lost, repeated or out of order"
        per_chat: defaultdict[int, int] = defaultdict(int)
        for row in rows:
            per_chat[row.chat_id] += 1
        stats = await pg.stats()
        assert {chat: counts["sent"] for chat, counts in stats["by_chat"].items() if chat in per_chat} == per_chat
    finally:
        code = await asyncio.to_thread(process.stop)
        if db is not None:
            db.dispose()
    assert code == 0, process.output()


# --- /vergeetmij while the person's messages are being sent ---------------------------------------


async def test_erasure_during_sends_loses_no_outcome_and_forgets_the_goodbye(
        database_url: str, playground: PlaygroundClient) -> None:
    """The erase deletes rows the dispatcher is sending; every later outcome is still written."""
    pg = playground
    # One message a second per private chat (Telegram's pace), so the resident's notices are still
    # being sent when they press "erase".
    settings = bot_settings(database_url, pg.url).model_copy(  # type: ignore[attr-defined]
        update={"rate_private_per_second": 2.0, "rate_private_burst": 1})
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, token=PLAYGROUND_TOKEN, stop=stop, clock=daytime_clock(settings)))
    bot = Harness(pg, Database(database_url))
    leaver, others = person(4001), [person(4002 + n) for n in range(4)]
    try:
        await bot.wait_until_ready(task)
        for user in [leaver, *others]:
            await bot.say(user, "/start")
        notices = {user["id"]: [f"Nieuws {n} voor {user['id']}" for n in range(1, 7)] for user in [leaver, *others]}
        await notify(bot.db, interleaved(notices))  # as a job writes them
        while len(await delivered(pg, leaver["id"])) < 3:  # /start's reply and two notices
            await asyncio.sleep(0.02)
        first = (await pg.bot_messages(leaver["id"]))[-1]
        pressed = await pg.press(leaver, leaver["id"], first["message_id"], "privacy:erase")

        # Everything settles: no row stays pending (outcomes written), later outcomes are not blocked.
        await bot.settle(pressed["update_id"], timeout=20)
        goodbye = (await pg.bot_messages(leaver["id"]))[-1]
        assert "Je gegevens zijn gewist" in goodbye["text"]
        for user in others:
            received = [text for text in await delivered(pg, user["id"]) if text.startswith("Nieuws")]
            assert received == notices[user["id"]], f"chat {user['id']}: lost, repeated or out of order"
        rows = outbox(bot.db)
        assert {row.status for row in rows} == {OutboxStatus.SENT}
        assert all(row.sent_message_id for row in rows if row.method == "sendMessage")
        # The goodbye went out and was forgotten: nothing in the outbox still names the person.
        assert [row.id for row in rows if row.chat_id == leaver["id"]
                or str(leaver["id"]) in repr(row.payload)] == []
        with bot.db.read() as session:
            assert session.exec(select(Person).where(Person.telegram_id == leaver["id"])).first() is None
    finally:
        stop.set()
        with suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=10)
    sent = (await pg.stats())["sent"]

    # A restart sends nothing again: every message that went out was recorded.
    async with idle_dispatcher(bot.db, pg) as dispatcher:
        await dispatcher.drain(timeout=3)
    assert (await pg.stats())["sent"] == sent
    bot.db.dispose()


# --- two processes on one database ---------------------------------------------------------------


async def test_two_dispatchers_on_one_database_send_every_message_exactly_once(
        database_url: str, db: Database, playground: PlaygroundClient) -> None:
    """An operator started a second bot, or a restart overlaps the old process: nothing goes out twice."""
    pg = playground
    chats = list(range(30_001, 30_201))
    await pg.register_users(residents(chats))
    expected = {chat: [f"Antwoord {n} voor {chat}" for n in range(1, 4)] for chat in chats}
    await notify(db, interleaved(expected))
    assert len(outbox(db)) == 600
    other = Database(database_url)  # the second process's own engine and write lock
    limits = RateLimits(private_per_second=100, private_burst=10, global_per_second=1000, global_burst=100)
    try:
        async with dispatching(db, pg, limits=limits) as first, dispatching(other, pg, limits=limits) as second:
            first.wake()
            second.wake()
            rows = await until_all_sent(db, timeout=30)
    finally:
        other.dispose()
    assert {row.status for row in rows} == {OutboxStatus.SENT}
    stats = await pg.stats()
    twice = {chat: counts["sent"] for chat, counts in stats["by_chat"].items() if counts["sent"] != 3}
    assert twice == {}, f"{sum(twice.values()) - 3 * len(twice)} messages went out twice"
    assert stats["sent"] == 600
    for chat, texts in expected.items():
        assert await delivered(pg, chat) == texts, f"chat {chat}: lost, repeated or out of order"


async def test_two_bot_processes_on_one_database_send_every_message_exactly_once(
        database_url: str, playground: PlaygroundClient, tmp_path: Path) -> None:
    """Two `wijkbot run` on one database: each sees the other alive and leaves its claimed rows alone."""
    pg = playground
    first = BotProcess(api_url=pg.url, database_url=database_url, workdir=tmp_path)
    (tmp_path / "second").mkdir()
    second = BotProcess(api_url=pg.url, database_url=database_url, workdir=tmp_path / "second")
    for process in (first, second):
        process.env["WIJKBOT_RATE_GLOBAL_PER_SECOND"] = "300"
        process.env["WIJKBOT_RATE_PRIVATE_PER_SECOND"] = "2"  # each chat takes a few seconds: both are at work
        process.env["WIJKBOT_RATE_PRIVATE_BURST"] = "1"
    first.start()  # migrates and seeds the database
    db: Database | None = None
    try:
        await wait_started(pg, first)
        second.start()
        await wait_running(second)
        chats = list(range(40_001, 40_101))
        await pg.register_users(residents(chats))
        expected = {chat: [f"Bericht {n} voor {chat}" for n in range(1, 7)] for chat in chats}
        db = Database(database_url)
        with db.transaction_sync() as session:  # as a job of either writes them; both look within a second
            for chat_id, text, quiet in interleaved(expected):
                send_message(session, chat_id=chat_id, text=text, quiet=quiet)

        def alive() -> None:
            for process in (first, second):
                assert process.process is not None and process.process.poll() is None, process.output()

        rows = await until_all_sent(db, timeout=45, alive=alive)
        assert {row.status for row in rows} == {OutboxStatus.SENT}
        stats = await pg.stats()
        twice = {chat: counts["sent"] for chat, counts in stats["by_chat"].items() if chat in expected
                 and counts["sent"] != 6}
        assert twice == {}, "messages went out twice"
        for chat, texts in expected.items():
            assert await delivered(pg, chat) == texts, f"chat {chat}: lost, repeated or out of order"
    finally:
        codes = [await asyncio.to_thread(process.stop) for process in (first, second)]
        if db is not None:
            db.dispose()
    assert codes == [0, 0], first.output() + second.output()
