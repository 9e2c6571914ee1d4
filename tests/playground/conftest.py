"""Fixtures: a playground server, a control client and a real telegram.Bot talking to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Bot

from bot.playground import PlaygroundClient, PlaygroundServer, start_playground

ANNA: dict[str, Any] = {"id": 101, "first_name": "Anna", "username": "anna", "language_code": "nl"}
BOB: dict[str, Any] = {"id": 102, "first_name": "Bob", "language_code": "en"}
GROUP: dict[str, Any] = {"id": -1001, "type": "group", "title": "Buurtgroep"}


@pytest.fixture
async def server() -> AsyncIterator[PlaygroundServer]:
    """A playground on a free port."""
    running = await start_playground()
    yield running
    await running.stop()


@pytest.fixture
async def pg(server: PlaygroundServer) -> AsyncIterator[PlaygroundClient]:
    """The control API client."""
    async with PlaygroundClient(server.url) as client:
        yield client


@pytest.fixture
async def bot(server: PlaygroundServer) -> AsyncIterator[Bot]:
    """A real python-telegram-bot Bot pointed at the playground."""
    telegram_bot = Bot(
        token="123:ABC", base_url=f"{server.url}/bot", base_file_url=f"{server.url}/file/bot"
    )
    async with telegram_bot:
        yield telegram_bot
