"""Drive the bot like a person would, through the playground, and wait until it has settled."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from bot.playground import PlaygroundClient
from storage.db import Database
from storage.models import OutboxMessage, OutboxStatus, ProcessedUpdate


def person(user_id: int, language: str = "nl", name: str = "Bewoner") -> dict[str, Any]:
    """A Telegram user as the playground expects it."""
    return {"id": user_id, "first_name": name, "language_code": language}


class Harness:
    """The playground client plus the bot's database, for tests."""

    def __init__(self, playground: PlaygroundClient, db: Database) -> None:
        self.pg = playground
        self.db = db
        self._seen: dict[int, int] = {}

    async def wait_until_ready(self, task: asyncio.Task[Any], timeout: float = 20) -> None:
        """Until the bot has set its command menus (post_init done)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if task.done():
                task.result()
                raise RuntimeError("the bot stopped during start-up")
            commands = await self.pg.commands()
            if commands:
                return
            await asyncio.sleep(0.05)
        raise TimeoutError("the bot did not start")

    async def settle(self, update_id: int, timeout: float = 10) -> None:
        """Until the update is committed and every due outbox row has been sent."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.db.read() as session:
                done = session.get(ProcessedUpdate, update_id) is not None
                pending = session.exec(select(func.count()).select_from(OutboxMessage).where(
                    OutboxMessage.status == OutboxStatus.PENDING)).one()
            if done and pending == 0:
                return
            await asyncio.sleep(0.01)
        raise TimeoutError(f"update {update_id} did not settle")

    async def new_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """Bot messages in the chat since we last looked."""
        since = self._seen.get(chat_id, 0)
        # One read: a bot message arriving between two reads would be counted as seen and never returned.
        everything = await self.pg.messages(chat_id, since=since)
        if everything:
            self._seen[chat_id] = max(m["message_id"] for m in everything)
        return [m for m in everything if m["from_bot"]]

    async def wait_new(self, chat_id: int, timeout: float = 30.0) -> list[dict[str, Any]]:
        """Bot messages in the chat since we last looked, waiting for at least one (e.g. a job's notice;
        the dispatcher looks every second, slower on a busy machine)."""
        for _attempt in range(int(timeout / 0.05)):
            messages = await self.new_messages(chat_id)
            if messages:
                return messages
            await asyncio.sleep(0.05)
        raise TimeoutError(f"nothing new in chat {chat_id} within {timeout} s")

    async def say(self, user: dict[str, Any], text: str, chat: dict[str, Any] | None = None,
                  reply_to: int | None = None) -> list[dict[str, Any]]:
        """Send text (optionally as a reply) and return the bot's replies."""
        sent = await self.pg.send_text(user, text, chat=chat, reply_to=reply_to)
        return await self._replies(sent, chat["id"] if chat else user["id"])

    async def send(self, user: dict[str, Any], kind: str, **kwargs: Any) -> list[dict[str, Any]]:
        """Send a photo/location/sticker/voice/document and return the replies."""
        method = getattr(self.pg, f"send_{kind}")
        sent = await method(user, **kwargs)
        chat = kwargs.get("chat")
        return await self._replies(sent, chat["id"] if chat else user["id"])

    async def press(self, user: dict[str, Any], message: dict[str, Any], label_or_data: str,
                    chat_id: int | None = None) -> list[dict[str, Any]]:
        """Press the button with this label (or callback data) under `message`."""
        data = button_data(message, label_or_data)
        chat = chat_id if chat_id is not None else user["id"]
        sent = await self.pg.press(user, chat, message["message_id"], data)
        return await self._replies(sent, chat)

    async def press_data(self, user: dict[str, Any], chat_id: int, message_id: int, data: str) -> dict[str, Any]:
        """Press with arbitrary (possibly forged) callback data; returns the callback answer."""
        sent = await self.pg.press(user, chat_id, message_id, data)
        await self.settle(sent["update_id"])
        return await self.pg.callback_answer(sent["callback_query"]["id"])

    async def _replies(self, sent: dict[str, Any], chat_id: int) -> list[dict[str, Any]]:
        """Wait for the bot to settle, then collect what it sent."""
        await self.settle(sent["update_id"])
        # Catch up on our own message too, so the next call sees only newer ones.
        return await self.new_messages(chat_id)


def button_data(message: dict[str, Any], label_or_data: str) -> str:
    """The callback data of the inline button with this label (or this data)."""
    markup = message.get("reply_markup") or {}
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if label_or_data in (button.get("text"), button.get("callback_data")):
                return button["callback_data"]
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if label_or_data.casefold() in button.get("text", "").casefold():
                return button["callback_data"]
    raise AssertionError(f"no button {label_or_data!r} in {markup}")


def last_with_buttons(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The last message that has inline buttons."""
    for message in reversed(messages):
        if (message.get("reply_markup") or {}).get("inline_keyboard"):
            return message
    raise AssertionError(f"no message with buttons among {[m.get('text') for m in messages]}")


def texts(messages: list[dict[str, Any]]) -> str:
    """All the text, for assertions."""
    return "\n".join(m.get("text") or m.get("caption") or "" for m in messages)
