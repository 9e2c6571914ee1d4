"""Shared fixtures: an isolated database per test (SQLite, or PostgreSQL when
WIJKBOT_TEST_DATABASE_URL is set), the local playground, and the real bot against it."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.playground import PlaygroundClient, start_playground
from bot.runner import serve
from bot.settings import PLAYGROUND_TOKEN, Settings
from storage.db import Database
from storage.migrate import upgrade
from tests.harness import Harness

POSTGRES_URL = os.environ.get("WIJKBOT_TEST_DATABASE_URL")


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a private PostgreSQL schema dropped afterwards."""
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path / 'wijkbot.db'}"
        return
    base = Settings(database_url=POSTGRES_URL).database_url
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """A migrated database for storage-level tests."""
    upgrade(database_url)
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
async def playground() -> AsyncIterator[PlaygroundClient]:
    """The local Bot API playground on a free port, and a client for it."""
    server = await start_playground("127.0.0.1", 0)
    try:
        async with PlaygroundClient(server.url) as client:
            client.url = server.url  # type: ignore[attr-defined]
            yield client
    finally:
        await server.stop()


def bot_settings(database_url: str, api_url: str) -> Settings:
    """Settings for the bot under test."""
    # People in tests type faster than Telegram's per-chat limit allows; the limits have tests of their own.
    return Settings(token=PLAYGROUND_TOKEN, database_url=database_url, telegram_api_url=api_url,
                    poll_timeout=1, rate_private_per_second=1000, rate_private_burst=1000,
                    rate_group_per_minute=10000, status_refresh_seconds=0, _env_file=None)


def daytime_clock(settings: Settings) -> Callable[[], datetime]:
    """Real time, moved forward to the next local noon when the tests run during the quiet hours.

    Resident notices are held at night; without this, tests run at night would wait for the morning.
    """
    now = datetime.now(UTC)
    local = now.astimezone(settings.tz)
    offset = timedelta(0)
    if local.hour >= 20 or local.hour < 9:
        noon = local.replace(hour=12, minute=0, second=0, microsecond=0)
        if noon <= local:
            noon += timedelta(days=1)
        offset = noon - local
    return lambda: datetime.now(UTC) + offset


@asynccontextmanager
async def running_bot(playground: PlaygroundClient, database_url: str, **overrides: Any) -> AsyncIterator[Harness]:
    """The real bot with the test settings (and `overrides`), served in this process until the block ends."""
    settings = bot_settings(database_url, playground.url).model_copy(update=overrides)  # type: ignore[attr-defined]
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, token=PLAYGROUND_TOKEN, stop=stop, clock=daytime_clock(settings)))
    harness = Harness(playground, Database(database_url))
    try:
        await harness.wait_until_ready(task)
        yield harness
    finally:
        stop.set()
        with suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=10)
        harness.db.dispose()


@pytest.fixture
async def bot(playground: PlaygroundClient, database_url: str) -> AsyncIterator[Harness]:
    """The real bot, served in this process the way `wijkbot run` serves it, against the playground."""
    async with running_bot(playground, database_url) as harness:
        yield harness
