"""/stand and the pinned status message, through the playground."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from contextlib import suppress
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from sqlmodel import select

from bot.playground import BOT_ID, PlaygroundClient
from bot.runner import serve
from bot.settings import PLAYGROUND_TOKEN
from scheduler.status import refresh_status_messages
from storage.db import Database
from storage.models import GroupChat, Request, RequestRoute, Theme, utcnow
from storage.people import get_or_create_person
from storage.requests import NewRequest, file_request
from tests.conftest import bot_settings, daytime_clock
from tests.e2e.test_contract import CORA, GROUP, PIM, RESIDENT, STAN, WIM, YARA
from tests.e2e.test_privacy import download
from tests.harness import Harness, last_with_buttons, person, texts
from tests.unit.test_contract import World, build_world

TZ = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
async def world(bot: Harness) -> tuple[Harness, World]:
    """Leidsebuurt with two requests of this period (one answered by two partners), members in chat."""
    today = datetime.now(TZ).date()
    with bot.db.transaction_sync() as session:
        built = build_world(session, today=today)
        for route, request in session.exec(select(RequestRoute, Request).join(Request)).all():
            route.routed_at = request.created_at  # routed the day it was filed
            session.add(route)
    for user in (WIM, CORA, STAN, RESIDENT, PIM, YARA):
        await bot.say(user, "/start")
    await bot.say(WIM, "/wachtrij", chat=GROUP)  # the group exists (it was linked in build_world)
    await bot.new_messages(GROUP["id"])
    return bot, built


def photos(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The photo messages among the bot's messages."""
    return [m for m in messages if "photo" in m]


async def png_size(bot: Harness, message: dict[str, Any]) -> tuple[int, int]:
    """The chart's pixel size, read from the file itself (which must be a PNG)."""
    data = await download(bot, message["photo"][-1]["file_id"])
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return Image.open(io.BytesIO(data)).size


async def test_stand_in_the_wijkraad_group(world: tuple[Harness, World]) -> None:
    bot, _w = world
    replies = await bot.say(WIM, "/stand", chat=GROUP)
    [chart] = photos(replies)
    assert "Stand van Leidsebuurt" in chart["caption"]
    assert await png_size(bot, chart) == (1200, 760)
    summary = texts(replies)
    # This period: the swing (answered by both partners the day it was routed), the café bench (out of scope),
    # the façade gardens (waiting for the wijkraad); the bench of the period before is not counted.
    assert "3 verzoeken" in summary
    assert "beantwoord: 1" in summary and "buiten het contract: 1" in summary and "bij de wijkraad: 1" in summary
    assert "Beantwoord: 2 van 2 (100%)" in summary
    assert "Binnen de termijn: 2 van 2 (100%)" in summary
    assert "Mediaan tot een antwoord: 0 werkdagen" in summary
    assert "Per partner" not in summary  # that is for coordinators


async def test_stand_refuses_strangers_and_residents(world: tuple[Harness, World]) -> None:
    bot, _w = world
    replies = await bot.say(STAN, "/stand", chat=GROUP)
    assert not photos(replies)
    assert "voor de wijkraad en de coördinator" in texts(replies)
    replies = await bot.say(RESIDENT, "/stand")
    assert not photos(replies)
    assert "/mijnverzoeken" in texts(replies)


async def test_a_partner_gets_their_own_figures_in_words(world: tuple[Harness, World]) -> None:
    bot, _w = world
    replies = await bot.say(PIM, "/stand")
    assert not photos(replies)
    summary = texts(replies)
    assert "Je cijfers over verzoeken ingediend van 1 januari" in summary
    assert "Gemeente Haarlem, Beheer openbare ruimte" in summary and "Beantwoord:" in summary
    assert "Politie" not in summary  # only their own organisation
    assert "nog niets te meten" in texts(await bot.say(YARA, "/stand"))  # Ymere got nothing routed


async def test_a_coordinator_chooses_a_wijk_and_sees_the_partners(world: tuple[Harness, World]) -> None:
    bot, _w = world
    replies = await bot.say(CORA, "/stand")
    choice = last_with_buttons(replies)
    assert "Van welke wijk" in choice["text"]
    # A stranger pressing the coordinator's button gets nothing but a refusal.
    data = next(b["callback_data"] for row in choice["reply_markup"]["inline_keyboard"] for b in row
                if b["text"] == "Leidsebuurt")
    refused = await bot.press_data(STAN, CORA["id"], choice["message_id"], data)
    assert refused["show_alert"]
    assert not photos(await bot.new_messages(CORA["id"]))
    replies = await bot.press(CORA, choice, "Leidsebuurt")
    assert len(photos(replies)) == 1
    summary = texts(replies)
    assert "Per partner" in summary
    assert "Gemeente Haarlem, Beheer openbare ruimte" in summary and "Politie" in summary


async def test_the_status_message_is_pinned_and_follows_the_figures(world: tuple[Harness, World]) -> None:
    bot, w = world
    await bot.pg.set_admin(GROUP["id"], BOT_ID)

    def refresh() -> int:
        with bot.db.transaction_sync() as session:
            return refresh_status_messages(session, now=utcnow(), tz=TZ)

    assert refresh() == 1
    status = await first_message(bot, lambda m: "Stand van Leidsebuurt" in (m.get("text") or ""))
    assert "3 verzoeken" in status["text"] and "Bijgewerkt" in status["text"]
    # Once the dispatcher has recorded the message as sent, the next run pins it (nothing else changed).
    for _attempt in range(100):
        if (pinned := refresh()) or await asyncio.sleep(0.05):
            break
    assert pinned == 1
    chat = await pinned_chat(bot)
    assert chat["pinned_message_ids"] == [status["message_id"]]
    assert refresh() == 0  # nothing changed: no calls at all

    # A new request in the wijk: the same message now counts four.
    with bot.db.transaction_sync() as session:
        resident = get_or_create_person(session, telegram_id=RESIDENT["id"], language="nl")
        theme = session.exec(select(Theme).where(Theme.code == "groen")).one()
        file_request(session, resident=resident, new=NewRequest(wijk_id=w.wijk, kind="wish", theme_id=theme.id,
                                                                text="Meer bomen op het Leidseplein."))
    assert refresh() == 1
    await first_message(bot, lambda m: m["message_id"] == status["message_id"] and "4 verzoeken" in m.get("text", ""))
    messages = [m for m in await bot.pg.bot_messages(GROUP["id"]) if "Stand van" in (m.get("text") or "")]
    assert len(messages) == 1  # edited in place, never a second one
    with bot.db.read() as session:
        group = session.get(GroupChat, GROUP["id"])
        assert group is not None and group.status_message_id == status["message_id"]


async def first_message(bot: Harness, wanted: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The group's first bot message (as it is now) that `wanted` accepts, once the dispatcher sent it."""
    for _attempt in range(200):
        found = [m for m in await bot.pg.bot_messages(GROUP["id"]) if wanted(m)]
        if found:
            return found[0]
        await asyncio.sleep(0.05)
    raise AssertionError("no such message in the group")


async def pinned_chat(bot: Harness) -> dict[str, Any]:
    """The group as the playground sees it, once the pin arrived."""
    for _attempt in range(100):
        chat = next(c for c in await bot.pg.chats() if c["id"] == GROUP["id"])
        if chat.get("pinned_message_ids"):
            return chat
        await asyncio.sleep(0.05)
    raise AssertionError("the status message was never pinned")


async def test_the_running_bot_keeps_the_status_pinned_by_itself(playground: PlaygroundClient,
                                                                  database_url: str) -> None:
    """The scheduler, not the test, sends, pins and edits the status message (refreshed every second)."""
    settings = bot_settings(database_url, playground.url).model_copy(  # type: ignore[attr-defined]
        update={"status_refresh_seconds": 1})
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, token=PLAYGROUND_TOKEN, stop=stop, clock=daytime_clock(settings)))
    bot = Harness(playground, Database(database_url))
    try:
        await bot.wait_until_ready(task)
        # The group exists, with the bot as its admin, before it is linked to the wijk.
        await bot.say(person(7999), "/wachtrij", chat=GROUP)
        await playground.set_admin(GROUP["id"], BOT_ID)
        with bot.db.transaction_sync() as session:
            built = build_world(session, today=datetime.now(TZ).date())
        status = await first_message(bot, lambda m: "Stand van Leidsebuurt" in (m.get("text") or ""))
        assert "3 verzoeken" in status["text"]
        assert (await pinned_chat(bot))["pinned_message_ids"] == [status["message_id"]]
        with bot.db.transaction_sync() as session:
            resident = get_or_create_person(session, telegram_id=RESIDENT["id"], language="nl")
            theme = session.exec(select(Theme).where(Theme.code == "groen")).one()
            file_request(session, resident=resident, new=NewRequest(wijk_id=built.wijk, kind="wish",
                                                                    theme_id=theme.id, text="Meer bomen."))
        await first_message(bot, lambda m: m["message_id"] == status["message_id"]
                            and "4 verzoeken" in m.get("text", ""))
    finally:
        stop.set()
        with suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=10)
        bot.db.dispose()
