"""Faults a bot must ride out: another instance polling (409 on getUpdates), update ids no real
Bot API would send, and when each bot message was stored (for ordering tests)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Bot
from telegram.error import Conflict

from bot.playground import PlaygroundClient, PlaygroundServer

from .conftest import ANNA


@pytest.fixture
async def api(server: PlaygroundServer) -> AsyncIterator[httpx.AsyncClient]:
    """Raw Bot API access, to see exact status codes and bodies."""
    async with httpx.AsyncClient(base_url=f"{server.url}/bot123:ABC") as http:
        yield http


async def test_conflict_fault_fails_only_get_updates_for_a_while(
    bot: Bot, pg: PlaygroundClient, api: httpx.AsyncClient
) -> None:
    await pg.send_text(ANNA, "/start")
    faults = await pg.fault_conflict(1.0)
    assert 0 < faults["conflict"]["remaining_seconds"] <= 1.0
    response = await api.post("/getUpdates")
    assert response.status_code == 409
    assert response.json() == {
        "ok": False,
        "error_code": 409,
        "description": "Conflict: terminated by other getUpdates request; "
        "make sure that only one bot instance is running",
    }
    with pytest.raises(Conflict):
        await bot.get_updates()
    await bot.send_message(ANNA["id"], "sturen gaat gewoon door")  # only polling is in conflict
    assert (await pg.pending())["pending"] == 1
    await asyncio.sleep(1.5)  # the 1 s fault has surely lapsed, with room for a busy machine
    assert "conflict" not in await pg.faults()
    (update,) = await bot.get_updates()
    assert update.message is not None and update.message.text == "/start"


async def test_conflict_fault_is_cleared_with_the_others(pg: PlaygroundClient, api: httpx.AsyncClient) -> None:
    await pg.fault_conflict(60)
    await pg.clear_faults()
    assert (await api.post("/getUpdates")).status_code == 200


async def test_forged_update_keeps_its_id_and_leaves_the_numbering_alone(
    bot: Bot, pg: PlaygroundClient
) -> None:
    huge = 2**63
    message = {"message_id": 1, "date": int(time.time()), "chat": {"id": ANNA["id"], "type": "private"},
               "from": {"id": ANNA["id"], "is_bot": False, "first_name": "Anna"}, "text": "/start"}
    forged = await pg.forged(huge, {"update_id": 5, "message": message})
    assert forged["update_id"] == huge
    normal = await pg.send_text(ANNA, "hallo")
    assert normal["update_id"] == 1
    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [huge, 1]
    with pytest.raises(Exception, match="update_id must be an integer"):
        await pg.forged("veel", {"message": message})  # type: ignore[arg-type]


async def test_messages_record_when_they_were_stored(bot: Bot, pg: PlaygroundClient) -> None:
    await pg.send_text(ANNA, "/start")
    before = time.time()
    await bot.send_message(ANNA["id"], "hallo")
    (sent,) = await pg.bot_messages(ANNA["id"])
    assert before <= sent["stored_at"] <= time.time()


async def test_faults_view_shows_a_running_conflict(pg: PlaygroundClient) -> None:
    assert "conflict" not in await pg.faults()
    await pg.fault_conflict(5)
    assert (await pg.faults())["conflict"]["remaining_seconds"] > 4
