"""Local Telegram Bot API playground: a fake Telegram server for tests and manual runs."""

from .client import ControlApiError, PlaygroundClient
from .server import PlaygroundServer, make_app, run_playground, start_playground
from .state import BOT_ID, BOT_USERNAME, Playground

__all__ = [
    "BOT_ID",
    "BOT_USERNAME",
    "ControlApiError",
    "Playground",
    "PlaygroundClient",
    "PlaygroundServer",
    "make_app",
    "run_playground",
    "start_playground",
]
