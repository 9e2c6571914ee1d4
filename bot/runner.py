"""Builds the application and serves it: migrations, the update loop and the outbox dispatcher."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import Callable
from datetime import datetime
from contextlib import suppress

from telegram.ext import Application, ContextTypes

from bot.context import WijkContext
from bot.settings import PLAYGROUND_TOKEN, Settings
from bot.telegram_api import BotApi
from bot.update_loop import UpdateLoop
from bot.wiring import post_init, register
from scheduler.outbox import OutboxDispatcher
from scheduler.runner import Jobs
from storage.db import Database
from storage.keys import use_bot_token
from storage.migrate import upgrade
from storage.models import utcnow
from storage.municipality import example_config, has_areas, load_municipality
from storage.themes import active_themes, ensure_themes
from storage.updates import next_offset

log = logging.getLogger(__name__)


def build_application(settings: Settings, token: str) -> Application:
    """A PTB application pointed at the configured Bot API server; we do our own polling."""
    api = settings.telegram_api_url
    return (
        Application.builder()
        .token(token)
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .updater(None)
        .context_types(ContextTypes(context=WijkContext))
        .build()
    )


def prepare_database(settings: Settings) -> Database:
    """Migrate, and make sure there are themes and (in the playground) example areas."""
    upgrade(settings.database_url)
    db = Database(settings.database_url)
    with db.transaction_sync() as session:
        if not has_areas(session):  # a fresh database: the Haarlem example (`wijkbot init` loads your own)
            load_municipality(session, config=example_config("haarlem"))
        if not active_themes(session):
            ensure_themes(session)
    return db


async def serve(settings: Settings, *, token: str, stop: asyncio.Event, clock: Callable[[], datetime] = utcnow) -> None:
    """Run the bot against `settings.telegram_api_url` until `stop` is set (`clock`: tests move time)."""
    db = prepare_database(settings)
    use_bot_token(token)  # keys derived from the token (storage/keys.py), never stored
    application = build_application(settings, token)
    register(application)
    try:
        async with application:
            await application.bot.delete_webhook()
            await post_init(application)
            async with BotApi(settings.telegram_api_url, token) as api:
                dispatcher = OutboxDispatcher(db, api, tz=settings.tz, limits=settings.rate_limits, clock=clock)
                loop = UpdateLoop(application, db, settings, on_commit=dispatcher.wake)
                jobs = Jobs(db, settings, on_commit=dispatcher.wake, clock=clock)
                await jobs.catch_up()
                jobs.start()
                # Everything built so far lives as long as the bot: keep the collector from scanning it
                # again and again (full collections otherwise pause the event loop for ~100 ms).
                gc.collect()
                gc.freeze()
                log.info("Wijkbot @%s is running against %s", application.bot.username, settings.telegram_api_url)
                tasks = [asyncio.create_task(loop.run(stop, api)), asyncio.create_task(dispatcher.run(stop))]
                await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
                stop.set()
                jobs.stop()
                for task in tasks:
                    with suppress(asyncio.CancelledError):
                        await task
    finally:
        db.dispose()


async def run(settings: Settings) -> None:
    """`wijkbot run`: the bot, plus the local playground when no token is set."""
    stop = asyncio.Event()
    running = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        running.add_signal_handler(sig, stop.set)
    if settings.token is not None:
        await serve(settings, token=settings.token.get_secret_value(), stop=stop)
        return
    from bot.playground import start_playground

    server = await start_playground(settings.playground_host, settings.playground_port)
    print(f"No WIJKBOT_TOKEN set: running against the local playground at {server.url}", flush=True)
    try:
        local = settings.model_copy(update={"telegram_api_url": server.url})
        from bot.personas_seed import seed_personas

        seeded = prepare_database(local)
        seed_personas(seeded)
        with seeded.read() as session:
            # A fresh playground numbers updates from 1; continue after what this database has seen.
            server.playground.updates.next_update_id = max(server.playground.updates.next_update_id,
                                                           next_offset(session) or 1)
        seeded.dispose()
        from bot.playground.web import ensure_personas

        ensure_personas(server.playground)  # the personas' chats exist before the bot writes to them
        await serve(local, token=PLAYGROUND_TOKEN, stop=stop)
    finally:
        await server.stop()
