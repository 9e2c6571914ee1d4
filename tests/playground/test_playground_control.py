"""The control API itself: validation, views and reset."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from telegram import Bot

from bot.playground import ControlApiError, PlaygroundClient, PlaygroundServer

from .conftest import ANNA, BOB, GROUP


async def test_chats_and_messages_views(bot: Bot, pg: PlaygroundClient) -> None:
    await pg.send_text(ANNA, "/start")
    await bot.send_message(ANNA["id"], "hoi")
    await pg.send_text(BOB, "hallo", chat=GROUP)
    chats = {chat["id"]: chat for chat in await pg.chats()}
    assert chats[ANNA["id"]]["type"] == "private"
    assert chats[GROUP["id"]]["creator_id"] == BOB["id"]
    messages = await pg.messages(ANNA["id"])
    assert [(m["message_id"], m["from_bot"]) for m in messages] == [(1, False), (2, True)]
    assert [m["text"] for m in await pg.messages(ANNA["id"], since=1)] == ["hoi"]
    assert [m["text"] for m in await pg.bot_messages(ANNA["id"])] == ["hoi"]
    assert await pg.messages(999) == []


@pytest.mark.parametrize(
    "body",
    [
        {"text": "no user"},
        {"user": ANNA},
        {"user": ANNA, "text": "a", "sticker": "b"},
        {"user": ANNA, "text": "a", "caption": "b"},
        {"user": ANNA, "chat": {"id": 5, "type": "private"}, "text": "x"},
        {"user": ANNA, "photo": "not base64!"},
    ],
)
async def test_message_validation(server: PlaygroundServer, body: dict[str, Any]) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.post(f"{server.url}/playground/message", json=body)
    assert response.status_code == 400
    assert response.json()["ok"] is False


async def test_reset_and_index(server: PlaygroundServer, pg: PlaygroundClient) -> None:
    await pg.send_text(ANNA, "hoi")
    await pg.reset()
    assert await pg.chats() == []
    async with httpx.AsyncClient() as http:
        index = (await http.get(f"{server.url}/playground/")).json()
    assert "POST /playground/message" in index["endpoints"]


async def test_press_unknown_chat_is_404(pg: PlaygroundClient) -> None:
    with pytest.raises(ControlApiError) as error:
        await pg.press(ANNA, 12345, 1, "x")
    assert error.value.status == 404
