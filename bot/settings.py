"""All runtime settings, read from the environment and a `.env` file (prefix WIJKBOT_)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from scheduler.limits import RateLimits

DEFAULT_API_URL = "https://api.telegram.org"
# A fixed, obviously fake token used only against the local playground.
PLAYGROUND_TOKEN = "7000000001:playground-not-a-secret"


class Settings(BaseSettings):
    """Wijkbot's settings; unsafe combinations are refused when environment=production."""

    model_config = SettingsConfigDict(
        env_prefix="WIJKBOT_", env_file=".env", extra="ignore", validate_default=True
    )

    token: SecretStr | None = None
    database_url: str = "sqlite:///wijkbot.db"
    telegram_api_url: str = DEFAULT_API_URL
    timezone: str = "Europe/Amsterdam"
    environment: Literal["development", "production"] = "development"
    playground_host: str = "127.0.0.1"
    playground_port: int = Field(default=8080, ge=0, le=65535)
    poll_timeout: int = Field(default=25, ge=0, le=50)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    retention_days: int = Field(default=365, ge=30)  # unlink residents from requests closed this long ago
    max_requests_per_day: int = Field(default=10, ge=1)
    status_refresh_seconds: int = Field(default=60, ge=0)  # the pinned status in wijkraad groups; 0: none
    flood_messages: int = Field(default=20, ge=3)  # at most this many updates…
    flood_seconds: float = Field(default=10.0, gt=0)  # …per person in this many seconds
    rate_private_per_second: float = Field(default=1.0, gt=0)
    rate_private_burst: int = Field(default=3, ge=1)
    rate_group_per_minute: int = Field(default=20, ge=1)
    rate_global_per_second: float = Field(default=30.0, gt=0)

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        """A Telegram token looks like `<digits>:<secret>`; an empty value means no token."""
        if value is None or not value.get_secret_value().strip():
            return None
        bot_id, _, secret = value.get_secret_value().strip().partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError("expected the form 123456:ABC... from @BotFather")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        """Only SQLite and PostgreSQL are supported."""
        if not value.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:")):
            raise ValueError("must start with sqlite:// or postgresql://")
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        """The Bot API base URL, without the /bot<token> part."""
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL such as https://api.telegram.org")
        return value.removesuffix("/bot")

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        """The municipality's time zone must be a known IANA zone."""
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}, e.g. Europe/Amsterdam") from None
        return value

    @model_validator(mode="after")
    def _production_is_safe(self) -> "Settings":
        """Production needs a real token, PostgreSQL and an https Bot API."""
        if self.environment == "production":
            if self.token is None:
                raise ValueError("WIJKBOT_TOKEN is required in production")
            if self.database_url.startswith("sqlite"):
                raise ValueError("WIJKBOT_DATABASE_URL must be PostgreSQL in production")
            if not self.telegram_api_url.startswith("https://"):
                raise ValueError("WIJKBOT_TELEGRAM_API_URL must use https in production")
        return self

    @property
    def uses_playground(self) -> bool:
        """No token: run against the built-in local Bot API playground."""
        return self.token is None

    @property
    def rate_limits(self) -> "RateLimits":
        """Telegram's flood limits the dispatcher keeps."""
        from scheduler.limits import RateLimits

        return RateLimits(private_per_second=self.rate_private_per_second, private_burst=self.rate_private_burst,
                          group_per_minute=self.rate_group_per_minute,
                          global_per_second=self.rate_global_per_second,
                          global_burst=int(self.rate_global_per_second))

    @property
    def tz(self) -> ZoneInfo:
        """The municipality's time zone."""
        return ZoneInfo(self.timezone)


def describe_error(error: ValidationError) -> str:
    """One clear line naming the offending setting."""
    first = error.errors()[0]
    field = str(first["loc"][0]).upper() if first["loc"] else ""
    message = first["msg"].removeprefix("Value error, ")
    if field:
        return f"Invalid setting WIJKBOT_{field}: {message}"
    return f"Invalid settings: {message}"
