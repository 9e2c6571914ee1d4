"""The Playground: pure in-memory Telegram state and logic, no HTTP."""

from __future__ import annotations

from .inject import ControlMixin
from .sending import SendingMixin
from .settings import SettingsMixin
from .traffic import TrafficMixin
from .world import BOT_FIRST_NAME, BOT_ID, BOT_USERNAME

__all__ = ["BOT_FIRST_NAME", "BOT_ID", "BOT_USERNAME", "Playground"]


class Playground(ControlMixin, SendingMixin, SettingsMixin, TrafficMixin):
    """One bot, users and chats, an update queue, stored files, flood limits and faults."""
