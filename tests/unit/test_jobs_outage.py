"""Scheduled jobs ride out a database that does not answer: skipped, said once, back when it is."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from bot.settings import Settings
from scheduler.runner import Jobs
from storage.db import Database
from storage.migrate import upgrade


def _jobs(url: str) -> Jobs:
    settings = Settings(database_url=url, _env_file=None)
    return Jobs(Database(url), settings, on_commit=lambda: None)


async def test_a_job_without_a_database_is_skipped_and_said_once(tmp_path: Path,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "gone"
    folder.mkdir()
    url = f"sqlite:///{folder / 'wijkbot.db'}"
    upgrade(url)
    jobs = _jobs(url)
    job = jobs.jobs[0]
    jobs.db.dispose()
    shutil.rmtree(folder)  # the database file and its folder are gone: SQLite cannot open it
    caplog.set_level(logging.INFO)
    for _turn in range(2):
        assert await jobs.run_job(job) == 0
    messages = [r.getMessage() for r in caplog.records]
    assert sum("cannot reach the database" in m for m in messages) == 1
    assert not [r for r in caplog.records if r.exc_info]
    folder.mkdir()
    upgrade(url)  # the database is back (an empty one will do: nothing is due)
    await jobs.run_job(job)
    assert sum("reach the database again" in r.getMessage() for r in caplog.records) == 1
    jobs.db.dispose()


async def test_a_bug_in_a_job_still_fails_loudly(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'wijkbot.db'}"
    upgrade(url)
    jobs = _jobs(url)

    def broken(session: object, **_kwargs: object) -> int:
        raise ZeroDivisionError("a bug")

    with pytest.raises(ZeroDivisionError):
        await jobs.run_job(broken)
    jobs.db.dispose()
