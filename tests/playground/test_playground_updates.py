"""getMe, getUpdates semantics, raw updates and the pending counter."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from telegram import Bot, Update
from telegram.error import Conflict

from bot.playground import BOT_ID, BOT_USERNAME, PlaygroundClient, PlaygroundServer

from .conftest import ANNA


async def test_get_me(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == BOT_ID
    assert me.username == BOT_USERNAME
    assert me.first_name == "Wijkbot"
    assert me.is_bot and me.can_join_groups
    assert me.can_read_all_group_messages is False
    assert me.supports_inline_queries is False


async def test_offset_confirms_and_redelivers(bot: Bot, pg: PlaygroundClient) -> None:
    first = await pg.send_text(ANNA, "een")
    second = await pg.send_text(ANNA, "twee")
    assert (first["update_id"], second["update_id"]) == (1, 2)

    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [1, 2]
    again = await bot.get_updates()
    assert [u.update_id for u in again] == [1, 2], "not confirmed, so delivered again"

    confirmed = await bot.get_updates(offset=2)
    assert [u.update_id for u in confirmed] == [2]
    assert (await pg.pending())["pending"] == 1
    assert (await pg.pending())["last_confirmed_update_id"] == 1

    assert await bot.get_updates(offset=3) == ()
    info = await pg.pending()
    assert info["pending"] == 0 and info["last_confirmed_update_id"] == 2
    assert await bot.get_updates() == (), "confirmed updates never come back"


async def test_redeliver_confirmed_update(bot: Bot, pg: PlaygroundClient) -> None:
    sent = await pg.send_text(ANNA, "/start")
    later = await pg.send_text(ANNA, "daarna")
    assert [u.update_id for u in await bot.get_updates(offset=3)] == []
    again = await pg.redeliver(sent["update_id"])
    assert again["update_id"] == sent["update_id"] and again["message"]["text"] == "/start"
    redelivered = await bot.get_updates(offset=3, timeout=1)
    assert [u.update_id for u in redelivered] == [sent["update_id"]]
    assert await bot.get_updates(offset=sent["update_id"] + 1) == ()
    assert (await pg.pending())["pending"] == 0
    assert later["update_id"] == 2


async def test_limit_and_negative_offset(bot: Bot, pg: PlaygroundClient) -> None:
    for index in range(5):
        await pg.send_text(ANNA, f"bericht {index}")
    assert [u.update_id for u in await bot.get_updates(limit=2)] == [1, 2]
    assert [u.update_id for u in await bot.get_updates(offset=-2)] == [4, 5]
    assert (await pg.pending())["pending"] == 2


async def test_long_poll_times_out_empty(bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 <= time.monotonic() - started < 3


async def test_long_poll_returns_early(bot: Bot, pg: PlaygroundClient) -> None:
    async def inject_later() -> None:
        await asyncio.sleep(0.3)
        await pg.send_text(ANNA, "hallo")

    started = time.monotonic()
    injector = asyncio.create_task(inject_later())
    updates = await bot.get_updates(timeout=10)
    await injector
    assert time.monotonic() - started < 3
    assert [u.message.text for u in updates if u.message] == ["hallo"]


async def test_second_poll_terminates_first(bot: Bot, server: PlaygroundServer) -> None:
    async with httpx.AsyncClient() as http:
        first = asyncio.create_task(
            http.post(f"{server.url}/bot123:ABC/getUpdates", json={"timeout": 5})
        )
        await asyncio.sleep(0.2)
        assert await bot.get_updates(timeout=0) == ()
        response = await first
    assert response.status_code == 409
    assert "terminated by other getUpdates request" in response.json()["description"]


async def test_webhook_blocks_get_updates(bot: Bot) -> None:
    assert await bot.set_webhook("https://example.org/hook")
    assert (await bot.get_webhook_info()).url == "https://example.org/hook"
    with pytest.raises(Conflict, match=r"(?i)webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""
    assert await bot.get_updates() == ()


async def test_raw_unknown_update_parses(bot: Bot, pg: PlaygroundClient) -> None:
    injected = await pg.raw({"some_future_update": {"foo": 1}})
    poll = await pg.raw(
        {
            "poll": {
                "id": "p1",
                "question": "Koffie?",
                "options": [
                    {"persistent_id": "o1", "text": "ja", "voter_count": 1},
                    {"persistent_id": "o2", "text": "nee", "voter_count": 0},
                ],
                "total_voter_count": 1,
                "is_closed": False,
                "is_anonymous": True,
                "type": "regular",
                "allows_multiple_answers": False,
                "allows_revoting": False,
                "members_only": False,
            }
        }
    )
    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [injected["update_id"], poll["update_id"]]
    unknown = updates[0]
    assert isinstance(unknown, Update)
    assert unknown.api_kwargs == {"some_future_update": {"foo": 1}}
    assert updates[1].poll is not None and updates[1].poll.question == "Koffie?"


async def test_default_allowed_updates_skip_reactions(bot: Bot, pg: PlaygroundClient) -> None:
    reaction = {
        "chat": {"id": 101, "type": "private", "first_name": "Anna"},
        "message_id": 1,
        "user": {"id": 101, "is_bot": False, "first_name": "Anna"},
        "date": 1,
        "old_reaction": [],
        "new_reaction": [{"type": "emoji", "emoji": "👍"}],
    }
    await pg.raw({"message_reaction": reaction})
    assert await bot.get_updates() == ()
    assert (await pg.pending())["filtered_out"] == 1

    await pg.raw({"message_reaction": reaction})
    updates = await bot.get_updates(allowed_updates=["message", "message_reaction"])
    assert updates[0].message_reaction is not None


async def test_reset_keeps_update_ids_increasing(bot: Bot, pg: PlaygroundClient) -> None:
    await pg.send_text(ANNA, "een")
    await pg.reset()
    assert (await pg.pending())["pending"] == 0
    assert await pg.chats() == []
    again = await pg.send_text(ANNA, "twee")
    assert again["update_id"] == 2


async def test_plain_http_envelopes(server: PlaygroundServer, pg: PlaygroundClient) -> None:
    await pg.send_text(ANNA, "/start")
    api = f"{server.url}/bot123:ABC"
    async with httpx.AsyncClient() as http:
        response = await http.post(f"{api}/noSuchMethod")
        assert response.status_code == 404
        assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        get_me = await http.get(f"{api}/getme")
        assert get_me.json()["result"]["id"] == BOT_ID
        keyboard = {"inline_keyboard": [[{"text": "Ja", "callback_data": "yes"}]]}
        sent = await http.post(
            f"{api}/sendMessage", json={"chat_id": 101, "text": "hoi", "reply_markup": keyboard}
        )
        assert sent.json()["result"]["reply_markup"] == keyboard
        query = await http.get(f"{api}/sendMessage", params={"chat_id": "101", "text": "q"})
        assert query.json()["result"]["text"] == "q"
        bad = await http.post(
            f"{api}/sendMessage", data={"chat_id": "101", "text": "a < b", "parse_mode": "HTML"}
        )
        assert bad.status_code == 400
        assert bad.json()["error_code"] == 400
        assert bad.json()["description"].startswith("Bad Request: can't parse entities: ")
