"""Switching language, changing a field from the summary, and `wijkbot run` without a token."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

from sqlmodel import select

from bot.playground import PlaygroundClient
from storage.models import Person, Request
from tests.harness import Harness, last_with_buttons, person, texts


async def test_taal_switches_language_and_it_sticks(bot: Harness) -> None:
    user = person(600, "nl")
    replies = await bot.say(user, "/taal")
    assert "In welke taal" in texts(replies)
    replies = await bot.press(user, last_with_buttons(replies), "English")
    assert "I'll speak English with you from now on." in texts(replies)
    replies = await bot.say(user, "/help")
    assert "What can I do?" in texts(replies)
    assert "Wat kan ik" not in texts(replies)
    with bot.db.read() as session:
        assert session.exec(select(Person).where(Person.telegram_id == 600)).one().language == "en"
    replies = await bot.say(user, "/taal")
    replies = await bot.press(user, last_with_buttons(replies), "Nederlands")
    assert "Ik spreek vanaf nu Nederlands met je." in texts(replies)


async def test_change_a_field_from_the_summary(bot: Harness) -> None:
    user = person(601)
    await bot.say(user, "/nieuw")
    replies = await bot.say(user, "Leidsebuurt")
    replies = await bot.press(user, last_with_buttons(replies), "intake:kind:wish")
    replies = await bot.press(user, last_with_buttons(replies), "intake:theme:groen")
    replies = await bot.say(user, "Er staan geen bomen meer in de Leidsestraat sinds de werkzaamheden.")
    replies = await bot.press(user, last_with_buttons(replies), "intake:skip")
    replies = await bot.say(user, "Overslaan")
    summary = last_with_buttons(replies)
    await bot.press(user, summary, "intake:change")
    edited = [m for m in await bot.pg.bot_messages(user["id"]) if m["message_id"] == summary["message_id"]][0]
    replies = await bot.press(user, edited, "intake:edit:wijk")
    assert "Voor welke wijk" in texts(replies)
    replies = await bot.say(user, "Boerhaavewijk")
    summary = last_with_buttons(replies)  # straight back to the summary
    assert "Boerhaavewijk" in summary["text"] and "Er staan geen bomen" in summary["text"]
    await bot.press(user, summary, "intake:change")
    edited = [m for m in await bot.pg.bot_messages(user["id"]) if m["message_id"] == summary["message_id"]][0]
    replies = await bot.press(user, edited, "intake:edit:kind")
    replies = await bot.press(user, last_with_buttons(replies), "intake:kind:initiative")
    # Switching to an initiative asks its extra questions before the summary.
    assert "zelf doen" in texts(replies)
    replies = await bot.say(user, "Wij planten zelf de bomen en geven ze water.")
    replies = await bot.say(user, "veel")
    assert "als cijfer" in texts(replies)
    replies = await bot.say(user, "4")
    replies = await bot.say(user, "€ 300")
    summary = last_with_buttons(replies)
    assert "€ 300,00" in summary["text"].replace("\xa0", " ")
    await bot.press(user, summary, "intake:confirm")
    with bot.db.read() as session:
        request = session.exec(select(Request)).one()
        assert (request.kind, request.volunteers_needed, request.budget_requested_cents) == ("initiative", 4, 30000)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_run_without_token_starts_the_playground(tmp_path: Path) -> None:
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("WIJKBOT_")}
    env.update(WIJKBOT_PLAYGROUND_PORT=str(port), WIJKBOT_POLL_TIMEOUT="1")
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], env=env, cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = await asyncio.to_thread(process.stdout.readline)
        assert re.search(rf"local playground at http://127\.0\.0\.1:{port}", line), line
        async with PlaygroundClient(f"http://127.0.0.1:{port}") as pg:
            for _ in range(100):
                if await pg.commands():
                    break
                await asyncio.sleep(0.1)
            await pg.send_text(person(700), "/start")
            replies = await pg.wait_for(700, count=1, timeout=10)
            assert "Wijkbot" in replies[0]["text"]
        assert (tmp_path / "wijkbot.db").exists()  # the default SQLite file in the working directory
    finally:
        process.terminate()
        await asyncio.to_thread(process.wait, 15)
        process.stdout.close()
    assert process.returncode == 0
