"""Runs the jobs on APScheduler in the municipality's time zone, and once at start to catch up."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.settings import Settings
from scheduler.jobs import ALL_JOBS, EVERY_MINUTE, retention
from scheduler.status import refresh_status_messages
from storage.db import Database, database_unavailable
from storage.models import utcnow

log = logging.getLogger(__name__)
Job = Callable[..., int]
DAILY_AT = {"hour": 9, "minute": 0}


def daily_trigger(tz: ZoneInfo) -> CronTrigger:
    """Every day at 09:00 local time (also on the days the clocks change)."""
    return CronTrigger(timezone=tz, **DAILY_AT)


class Jobs:
    """The scheduled jobs of one running bot."""

    def __init__(self, db: Database, settings: Settings, on_commit: Callable[[], None],
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.clock = clock
        self.settings = settings
        self.on_commit = on_commit
        self._database_away = False
        self.scheduler = AsyncIOScheduler(timezone=settings.tz)
        days = settings.retention_days

        def retention_job(session: Any, *, now: datetime, tz: ZoneInfo) -> int:
            """Retention with the configured period."""
            return retention(session, now=now, tz=tz, retention_days=days)

        self.jobs: list[Job] = [*ALL_JOBS, retention_job]
        self.frequent: list[Job] = [*EVERY_MINUTE]  # run every minute (votes close on time)
        # The pinned status message in each wijkraad group, refreshed this often (0: not at all).
        self.status: list[Job] = [refresh_status_messages] if settings.status_refresh_seconds else []

    async def run_job(self, job: Job) -> int:
        """Run one job in its own transaction, then let the dispatcher send what it wrote.

        While the database is away the job is skipped (the database says what is due, so its next turn
        catches up), and that is said once in the log, not with a traceback every minute.
        """
        try:
            async with self.db.transaction() as session:
                done = job(session, now=self.clock(), tz=self.settings.tz)
        except Exception as error:
            if not database_unavailable(error):
                raise
            if not self._database_away:
                log.warning("the scheduled jobs cannot reach the database (%s); each runs again at its next turn",
                            type(error).__name__)
                self._database_away = True
            return 0
        if self._database_away:
            log.warning("the scheduled jobs reach the database again")
            self._database_away = False
        if done:
            log.info("%s: %s", job.__name__, done)
            self.on_commit()
        return done

    async def catch_up(self) -> None:
        """After a start: everything already due."""
        for job in [*self.jobs, *self.frequent, *self.status]:
            await self.run_job(job)

    def start(self) -> None:
        """Schedule the daily jobs at 09:00 local time, and the frequent ones every minute."""
        for job in self.jobs:
            self.scheduler.add_job(self.run_job, daily_trigger(self.settings.tz), args=[job], id=job.__name__,
                                   coalesce=True, misfire_grace_time=6 * 3600)
        for job in self.frequent:
            self.scheduler.add_job(self.run_job, IntervalTrigger(minutes=1, timezone=self.settings.tz), args=[job],
                                   id=job.__name__, coalesce=True, max_instances=1, misfire_grace_time=60)
        for job in self.status:
            self.scheduler.add_job(self.run_job, IntervalTrigger(seconds=self.settings.status_refresh_seconds),
                                   args=[job], id=job.__name__, coalesce=True, max_instances=1,
                                   misfire_grace_time=self.settings.status_refresh_seconds)
        self.scheduler.start()

    def stop(self) -> None:
        """Stop scheduling."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
