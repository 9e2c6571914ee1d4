"""The bot as a separate process, started the way `wijkbot run` starts it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from bot.settings import PLAYGROUND_TOKEN


class BotProcess:
    """`python -m bot.cli run` against the playground, with its output in a log file."""

    def __init__(self, *, api_url: str, database_url: str, workdir: Path) -> None:
        self.env = {
            **os.environ,
            "WIJKBOT_TOKEN": PLAYGROUND_TOKEN,
            "WIJKBOT_TELEGRAM_API_URL": api_url,
            "WIJKBOT_DATABASE_URL": database_url,
            "WIJKBOT_POLL_TIMEOUT": "1",
        }
        self.workdir = workdir
        self.log = workdir / "bot.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start (again)."""
        with self.log.open("ab") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], env=self.env,
                                            cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT)

    def kill(self) -> None:
        """SIGKILL: no chance to clean up."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> int:
        """SIGTERM and wait; returns the exit code."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise

    def output(self) -> str:
        """What the process logged."""
        return self.log.read_text(errors="replace") if self.log.exists() else ""
