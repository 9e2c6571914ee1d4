"""Settings: defaults, one clear line per bad value, production refuses unsafe values."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pydantic import ValidationError

from bot.settings import Settings, describe_error


def test_defaults_need_no_environment() -> None:
    settings = Settings(_env_file=None)
    assert settings.uses_playground
    assert settings.database_url.startswith("sqlite:///")
    assert settings.timezone == "Europe/Amsterdam"
    assert settings.telegram_api_url == "https://api.telegram.org"


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("timezone", "Mars/Olympus", "WIJKBOT_TIMEZONE"),
        ("token", "not-a-token", "WIJKBOT_TOKEN"),
        ("database_url", "mysql://x", "WIJKBOT_DATABASE_URL"),
        ("telegram_api_url", "ftp://x", "WIJKBOT_TELEGRAM_API_URL"),
    ],
)
def test_a_bad_value_is_named(field: str, value: str, named: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None, **{field: value})
    line = describe_error(caught.value)
    assert line.startswith(f"Invalid setting {named}:")
    assert "\n" not in line


def test_production_refuses_sqlite_and_a_missing_token() -> None:
    with pytest.raises(ValidationError, match="WIJKBOT_TOKEN is required"):
        Settings(_env_file=None, environment="production", database_url="postgresql://db/x")
    with pytest.raises(ValidationError, match="must be PostgreSQL"):
        Settings(_env_file=None, environment="production", token="1:abc")


def test_api_url_is_normalised() -> None:
    settings = Settings(_env_file=None, telegram_api_url="http://127.0.0.1:8081/bot/")
    assert settings.telegram_api_url == "http://127.0.0.1:8081"


def test_start_up_stops_with_one_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {"WIJKBOT_TIMEZONE": "Nowhere/Town", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "bot.cli", "run"], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Invalid setting WIJKBOT_TIMEZONE: unknown time zone 'Nowhere/Town', e.g. Europe/Amsterdam"
    ]
