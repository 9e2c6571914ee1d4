"""Secrets never appear in output, and start-up failures are one clear line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`wijkbot run` with these settings, until it gives up."""
    environment = {"PATH": "/usr/bin:/bin", **env}
    return subprocess.run([sys.executable, "-m", "bot.cli", "run"], env=environment, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)


def test_unreachable_bot_api_does_not_print_the_token(tmp_path: Path) -> None:
    result = run(tmp_path, WIJKBOT_TOKEN="123456:SECRETSECRETSECRET", WIJKBOT_TELEGRAM_API_URL="http://127.0.0.1:9")
    assert result.returncode == 1
    assert "SECRETSECRETSECRET" not in result.stdout + result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("Cannot reach the Bot API at http://127.0.0.1:9")


def test_unreachable_database_does_not_print_the_password(tmp_path: Path) -> None:
    result = run(tmp_path, WIJKBOT_DATABASE_URL="postgresql://wijkbot:DBPASSWORD123@127.0.0.1:9/wijkbot")
    assert result.returncode == 1
    assert "DBPASSWORD123" not in result.stdout + result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("Cannot open the database:")
