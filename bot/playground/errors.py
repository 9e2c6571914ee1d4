"""Errors raised by the playground, carrying a Bot API style status and description."""

from __future__ import annotations


class PlaygroundError(Exception):
    """An error with an HTTP status code and a Telegram-like description."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


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
