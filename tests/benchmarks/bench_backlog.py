"""Benchmark: a burst of /start from many residents at once; how soon does the first reply leave?

Run: .venv/bin/python tests/benchmarks/bench_backlog.py [--updates 300] [--database-url postgresql://...]

The bot runs as `wijkbot run` (Telegram's flood limits kept) against the playground; the burst is
queued in one go. It prints the time from the burst to the first reply, to the last update committed
and to the last reply. Replies must leave while the backlog is still being handled (issue 13): the
first reply comes long before the last update is committed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlmodel import select  # noqa: E402

from bot.playground import PlaygroundClient, start_playground  # noqa: E402
from bot.settings import PLAYGROUND_TOKEN, Settings  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import ProcessedUpdate  # noqa: E402


async def wait_ready(pg: PlaygroundClient, process: subprocess.Popen[bytes]) -> None:
    """Until the bot has set its commands."""
    for _ in range(600):
        if process.poll() is not None:
            raise RuntimeError("bot exited")
        if await pg.commands():
            return
        await asyncio.sleep(0.1)
    raise TimeoutError("the bot did not start")


async def main(updates: int, database_url: str | None) -> None:
    """One burst against a fresh database."""
    server = await start_playground("127.0.0.1", 0)
    workdir = Path(tempfile.mkdtemp(prefix="wijkbot-backlog-"))
    url = database_url or f"sqlite:///{workdir / 'bench.db'}"
    env = {**os.environ, "WIJKBOT_TOKEN": PLAYGROUND_TOKEN, "WIJKBOT_TELEGRAM_API_URL": server.url,
           "WIJKBOT_DATABASE_URL": url, "WIJKBOT_POLL_TIMEOUT": "1", "WIJKBOT_LOG_LEVEL": "WARNING"}
    playground = server.playground
    residents = [{"id": 500_000 + n, "first_name": f"Bewoner {n}", "language_code": "nl"} for n in range(updates)]
    async with PlaygroundClient(server.url) as pg:
        bot = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], env=env, cwd=ROOT)
        try:
            await wait_ready(pg, bot)
            await asyncio.sleep(1.0)  # idle, polling
            burst = time.time()
            for resident in residents:
                playground.inject_message(resident, text="/start")
            deadline = time.monotonic() + 300
            waiting = {resident["id"] for resident in residents}
            while waiting and time.monotonic() < deadline:
                waiting = {chat for chat in waiting
                           if not any(m["from_bot"] for m in playground.messages_view(chat))}
                await asyncio.sleep(0.1)
            if waiting:
                raise TimeoutError(f"{len(waiting)} residents got no reply")
            replies = [m["stored_at"] for r in residents for m in playground.messages_view(r["id"]) if m["from_bot"]]
        finally:
            bot.terminate()
            await asyncio.to_thread(bot.wait)
    await server.stop()
    db = Database(Settings(database_url=url, _env_file=None).database_url)  # type: ignore[call-arg]
    with db.read() as session:
        committed = [at if at.tzinfo else at.replace(tzinfo=UTC)
                     for at in session.exec(select(ProcessedUpdate.processed_at)).all()]
    db.dispose()
    last_commit = max(committed).timestamp()
    kind = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(f"{kind}, a burst of {updates} /start (Telegram's limits kept):")
    print(f"  first reply delivered     {min(replies) - burst:6.2f} s after the burst")
    print(f"  last update committed     {last_commit - burst:6.2f} s")
    print(f"  last first-reply delivered {max(replies) - burst:5.2f} s")
    before = sum(1 for at in committed if at.timestamp() < min(replies))
    print(f"  updates committed before the first reply left: {before} of {len(committed)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=300)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.updates, arguments.database_url))
