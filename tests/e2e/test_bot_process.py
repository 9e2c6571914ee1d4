"""The bot as its own process: a whole intake in Dutch and English, and a SIGKILL under load."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from storage.db import Database
from storage.models import Conversation, OutboxMessage, OutboxStatus, Person, ProcessedUpdate, Request
from tests.botprocess import BotProcess
from tests.harness import Harness, last_with_buttons, person, texts


@pytest.fixture
async def process_bot(playground, database_url: str, tmp_path: Path) -> AsyncIterator[tuple[Harness, BotProcess]]:  # type: ignore[no-untyped-def]
    """The bot started as `wijkbot run` in a child process."""
    bot = BotProcess(api_url=playground.url, database_url=database_url, workdir=tmp_path)
    harness = Harness(playground, Database(database_url))
    bot.start()
    try:
        await wait_ready(harness, bot)
        yield harness, bot
    finally:
        code = await asyncio.to_thread(bot.stop)
        harness.db.dispose()
    assert code == 0, bot.output()


async def wait_ready(harness: Harness, bot: BotProcess, timeout: float = 30) -> None:
    """Until the child has set its command menus."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert bot.process and bot.process.poll() is None, bot.output()
        if await harness.pg.commands():
            return
        await asyncio.sleep(0.1)
    raise TimeoutError(bot.output())


@pytest.mark.parametrize(("language", "thanks"), [("nl", "Dank je wel"), ("en", "Thank you")])
async def test_from_start_to_reference(process_bot, language: str, thanks: str) -> None:  # type: ignore[no-untyped-def]
    bot, _process = process_bot
    user = person(400, language)
    greeting = await bot.say(user, "/start")
    replies = await bot.press(user, last_with_buttons(greeting), "intake:start")
    replies = await bot.say(user, "2035")
    replies = await bot.press(user, last_with_buttons(replies), "intake:kind:question")
    replies = await bot.press(user, last_with_buttons(replies), "intake:theme:verkeer")
    replies = await bot.say(user, "Wanneer komt er een zebrapad bij de school aan de Briandlaan?")
    replies = await bot.press(user, last_with_buttons(replies), "intake:skip")
    replies = await bot.send(user, "location", lat=52.36, lon=4.66)
    done = await bot.press(user, last_with_buttons(replies), "intake:confirm")
    assert thanks in texts(done) and "W-0001" in texts(done)
    with bot.db.read() as session:
        request = session.exec(select(Request)).one()
        assert (request.reference, request.kind, request.latitude) == ("W-0001", "question", 52.36)


async def bring_to_summary(bot: Harness, user: dict) -> dict:  # type: ignore[type-arg]
    """A resident who has filled everything in and sees the summary."""
    await bot.say(user, "/nieuw")
    replies = await bot.say(user, "Leidsebuurt")
    replies = await bot.press(user, last_with_buttons(replies), "intake:kind:wish")
    replies = await bot.press(user, last_with_buttons(replies), "intake:theme:schoon")
    replies = await bot.say(user, f"Bewoner {user['id']} vraagt om vaker vegen in de Leidsestraat.")
    replies = await bot.press(user, last_with_buttons(replies), "intake:skip")
    replies = await bot.say(user, "Overslaan")
    return last_with_buttons(replies)


async def test_sigkill_under_load_loses_nothing_and_duplicates_nothing(process_bot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bot, process = process_bot
    confirming = [person(1000 + i) for i in range(40)]
    starting = [person(2000 + i) for i in range(100)]
    summaries = {}
    for group in range(0, len(confirming), 10):
        batch = confirming[group:group + 10]
        found = await asyncio.gather(*(bring_to_summary(bot, user) for user in batch))
        summaries.update({user["id"]: summary for user, summary in zip(batch, found)})
    with bot.db.read() as session:
        processed_before = session.exec(select(func.count()).select_from(ProcessedUpdate)).one()

    # A burst of queued updates: 40 confirmations and 100 residents starting, in 340 updates.
    burst = []
    for user in confirming:
        burst.append(bot.pg.press(user, user["id"], summaries[user["id"]]["message_id"], "intake:confirm"))
    for user in starting:
        burst.append(bot.pg.send_text(user, "/nieuw"))
    for user in starting:
        burst.append(bot.pg.send_text(user, "Leidsebuurt"))
    for user in starting[:60]:
        burst.append(bot.pg.send_text(user, "/help"))
    injected = []
    for call in burst:  # in order, so each resident's messages queue in sequence
        injected.append(await call)
    total = processed_before + len(injected)

    # Kill the bot while it is working through the queue.
    while True:
        with bot.db.read() as session:
            processed = session.exec(select(func.count()).select_from(ProcessedUpdate)).one()
        if processed >= processed_before + 30:
            break
        await asyncio.sleep(0.002)
    process.kill()
    with bot.db.read() as session:
        processed_at_kill = session.exec(select(func.count()).select_from(ProcessedUpdate)).one()
    assert processed_at_kill < total, "the bot finished before it was killed; the test proves nothing"

    process.start()
    await wait_ready(bot, process)
    await bot.settle(injected[-1]["update_id"], timeout=60)

    with bot.db.read() as session:
        requests = session.exec(select(Request)).all()
        owners = {r.resident_id for r in requests}
        assert len(requests) == len(confirming) == len(owners)
        ids = {p.id for p in session.exec(select(Person).where(Person.telegram_id < 2000)).all()}
        assert owners == ids
        states = {c.user_id: c.state for c in session.exec(select(Conversation))}
        assert {uid: state for uid, state in states.items()} == {u["id"]: "choosing_kind" for u in starting}

    # Every resident's next message continues their conversation.
    for user in starting[:20]:
        kind_question = last_with_buttons(await bot.pg.bot_messages(user["id"]))
        replies = await bot.press(user, kind_question, "intake:kind:wish")
        assert "Over welk thema" in texts(replies)
    for user in confirming[:5]:
        await bot.new_messages(user["id"])  # skip what the burst produced
        replies = await bot.say(user, "/mijnverzoeken")
        assert texts(replies).count("W-") == 1


async def test_redelivered_update_files_one_request(process_bot) -> None:  # type: ignore[no-untyped-def]
    bot, _process = process_bot
    user = person(500)
    summary = await bring_to_summary(bot, user)
    sent = await bot.pg.press(user, user["id"], summary["message_id"], "intake:confirm")
    await bot.settle(sent["update_id"])
    again = await bot.pg.redeliver(sent["update_id"])
    assert again["update_id"] == sent["update_id"]
    await asyncio.sleep(1.5)  # one poll cycle
    assert (await bot.pg.pending())["pending"] == 0
    with bot.db.read() as session:
        assert len(session.exec(select(Request)).all()) == 1
    confirmations = [m for m in await bot.pg.bot_messages(user["id"]) if "W-0001" in (m["text"] or "")]
    assert len(confirmations) == 1


def sends_in_flight(db: Database) -> int:
    """Rows a dispatcher has claimed for sending and whose outcome is not written: only these may repeat."""
    with db.read() as session:
        claimed = OutboxMessage.claimed_by.is_not(None)  # type: ignore[union-attr]
        return session.exec(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.status == OutboxStatus.PENDING, claimed)).one()


async def test_sigkill_while_300_residents_start_repeats_only_the_sends_in_flight(
        playground, database_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pg = playground
    process = BotProcess(api_url=pg.url, database_url=database_url, workdir=tmp_path)
    process.env["WIJKBOT_RATE_GLOBAL_PER_SECOND"] = "100"  # Telegram's 30/s would only make the test slower
    harness = Harness(pg, Database(database_url))
    residents = [person(60_000 + n) for n in range(300)]
    process.start()
    try:
        await wait_ready(harness, process)
        for start in range(0, len(residents), 50):
            await asyncio.gather(*(pg.send_text(user, "/start") for user in residents[start:start + 50]))

        # Kill it while the replies are going out.
        deadline = time.monotonic() + 30
        while (await pg.stats())["sent"] < 30:
            assert time.monotonic() < deadline, process.output()
            await asyncio.sleep(0.005)
        process.kill()
        in_flight = sends_in_flight(harness.db)  # the process is gone: this is what it held at the kill
        sent_at_kill = (await pg.stats())["sent"]
        assert sent_at_kill < len(residents), "every reply went out before the kill; the test proves nothing"

        process.start()
        await wait_ready(harness, process)
        deadline = time.monotonic() + 40
        while True:
            with harness.db.read() as session:
                owed = session.exec(select(func.count()).select_from(OutboxMessage).where(
                    OutboxMessage.status == OutboxStatus.PENDING)).one()
            if owed == 0 and (await pg.pending())["pending"] == 0:
                break
            assert time.monotonic() < deadline, f"{owed} rows still owed"
            await asyncio.sleep(0.1)

        replies = {user["id"]: [m["text"] for m in await pg.bot_messages(user["id"])] for user in residents}
        lost = [chat for chat, texts in replies.items() if not texts]
        assert lost == [], f"{len(lost)} residents never got their reply"
        first = replies[residents[0]["id"]]
        assert all(set(texts) == set(first) for texts in replies.values())
        repeated = sum(len(texts) - len(set(texts)) for texts in replies.values())
        assert repeated <= in_flight, f"{repeated} replies went out twice; only {in_flight} sends were in flight"
    finally:
        code = await asyncio.to_thread(process.stop)
        harness.db.dispose()
    assert code == 0, process.output()
