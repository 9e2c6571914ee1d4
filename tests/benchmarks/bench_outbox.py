"""Benchmark: how close the outbox dispatcher gets to Telegram's flood limits without a 429.

Run: .venv/bin/python tests/benchmarks/bench_outbox.py [--residents 1800] [--database-url URL]

1,800 residents (one notification each) are registered in the local playground, which enforces
Telegram's limits (1/s per private chat, 30/s overall with a burst of 30). The notifications are
committed to the outbox as the application commits them, and the real dispatcher, with the
default RateLimits(), sends them over HTTP. It prints the elapsed time against the minimum the
limits allow (N / 30 s, and (N - 30) / 30 s when the initial burst is used), the ratio, the 429s
the playground answered and the rows sent. Target: at most 1.1x the minimum and no 429 at all.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func  # noqa: E402
from sqlmodel import select  # noqa: E402

from bot.playground import PlaygroundClient, start_playground  # noqa: E402
from bot.settings import PLAYGROUND_TOKEN, Settings  # noqa: E402
from bot.telegram_api import BotApi  # noqa: E402
from scheduler.limits import RateLimits  # noqa: E402
from scheduler.outbox import OutboxDispatcher  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import OutboxMessage, OutboxStatus  # noqa: E402
from storage.outbox import send_message  # noqa: E402

TELEGRAM_GLOBAL_PER_SECOND = 30.0  # the playground's defaults are Telegram's limits
TELEGRAM_GLOBAL_BURST = 30
TARGET_RATIO = 1.1
FIRST_RESIDENT = 100_000


def count(db: Database, status: OutboxStatus) -> int:
    """Rows with this status."""
    with db.read() as session:
        return session.exec(select(func.count()).select_from(OutboxMessage)
                            .where(OutboxMessage.status == status)).one()


async def bench(residents: int, database_url: str) -> bool:
    """One run; True when the target is met."""
    upgrade(database_url)
    db = Database(database_url)
    server = await start_playground("127.0.0.1", 0)
    try:
        async with PlaygroundClient(server.url) as pg:
            ids = list(range(FIRST_RESIDENT, FIRST_RESIDENT + residents))
            for chunk in range(0, residents, 500):
                await pg.register_users([{"id": i, "first_name": f"Bewoner {i}", "language_code": "nl"}
                                         for i in ids[chunk:chunk + 500]])
            async with db.transaction() as session:  # e.g. a progress notice to a whole wijk
                for user_id in ids:
                    send_message(session, chat_id=user_id, text=f"Nieuws over verzoek W-0001 voor {user_id}")
            await pg.set_limits(enabled=True)  # Telegram's defaults; fresh (full) buckets
            await pg.reset_stats()

            async with BotApi(server.url, PLAYGROUND_TOKEN) as api:
                dispatcher = OutboxDispatcher(db, api, tz=ZoneInfo("Europe/Amsterdam"), limits=RateLimits())
                stop = asyncio.Event()
                start = time.monotonic()
                task = asyncio.create_task(dispatcher.run(stop))
                dispatcher.wake()
                last_report = start
                while count(db, OutboxStatus.PENDING):
                    await asyncio.sleep(0.1)
                    if task.done():
                        task.result()
                    if time.monotonic() - last_report >= 10:
                        last_report = time.monotonic()
                        print(f"  {last_report - start:5.1f} s: {count(db, OutboxStatus.SENT)} sent", flush=True)
                elapsed = time.monotonic() - start
                stop.set()
                await task
            stats = await pg.stats()
            delivered = sum(1 for chat in stats["by_chat"].values() if chat["sent"] == 1)
    finally:
        await server.stop()
        db.dispose()

    sent, failed = count(db, OutboxStatus.SENT), count(db, OutboxStatus.FAILED)
    minimum = residents / TELEGRAM_GLOBAL_PER_SECOND
    minimum_burst = max(0, residents - TELEGRAM_GLOBAL_BURST) / TELEGRAM_GLOBAL_PER_SECOND
    ratio = elapsed / minimum
    ratio_burst = elapsed / minimum_burst if minimum_burst else float("inf")
    print(f"residents / notifications:     {residents}")
    print(f"elapsed:                       {elapsed:.2f} s ({residents / elapsed:.2f} messages/s)")
    print(f"minimum at 30/s:               {minimum:.2f} s   ratio {ratio:.3f}")
    print(f"minimum with the burst of 30:  {minimum_burst:.2f} s   ratio {ratio_burst:.3f}")
    print(f"429s from the playground:      {stats['429']}")
    print(f"rows sent / failed:            {sent} / {failed}   (playground accepted {stats['sent']},"
          f" {delivered} chats got exactly one)")
    met = ratio <= TARGET_RATIO and stats["429"] == 0 and sent == residents == stats["sent"]
    print(f"target (<= {TARGET_RATIO}x the minimum, 0 x 429, all sent): {'met' if met else 'MISSED'}")
    return met


def main() -> None:
    """Parse arguments and run once."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=1800)
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary directory")
    args = parser.parse_args()
    if args.database_url:  # an empty database (postgresql:// is normalised as the bot does it)
        url = Settings(database_url=args.database_url, _env_file=None).database_url
    else:
        url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='wijkbot-bench-')) / 'wijkbot.db'}"
    met = asyncio.run(bench(args.residents, url))
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
