"""Errors raised by the playground, carrying a Bot API style status and description."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any


class PlaygroundError(Exception):
    """An error with an HTTP status code, a Telegram-like description and optional parameters."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def bad_request(reason: str) -> PlaygroundError:
    """Build a 400 error worded like Telegram's."""
    return PlaygroundError(400, f"Bad Request: {reason}")


def forbidden(reason: str) -> PlaygroundError:
    """Build a 403 error worded like Telegram's."""
    return PlaygroundError(403, f"Forbidden: {reason}")


def conflict(reason: str) -> PlaygroundError:
    """Build a 409 error worded like Telegram's."""
    return PlaygroundError(409, f"Conflict: {reason}")


def not_found(reason: str) -> PlaygroundError:
    """Build a 404 error (used by the control API)."""
    return PlaygroundError(404, reason)


def too_many_requests(retry_after: int) -> PlaygroundError:
    """Build Telegram's flood-control 429 with its retry_after parameter."""
    return PlaygroundError(
        429,
        f"Too Many Requests: retry after {retry_after}",
        {"retry_after": retry_after},
    )


def http_status_error(status: int) -> PlaygroundError:
    """An error with just an HTTP status and its standard reason phrase (e.g. 502 Bad Gateway)."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return PlaygroundError(status, phrase)
