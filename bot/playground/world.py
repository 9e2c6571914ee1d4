"""Core in-memory world: bot identity, users, chats and stored messages."""

from __future__ import annotations

import copy
import time
from typing import Any

from .entities import EntityParseError, UnsupportedParseModeError, format_text, utf16_len
from .errors import PlaygroundError, bad_request, forbidden
from .files import FileStore
from .keyboards import is_inline
from .models import JSON, CallbackRecord, Chat, StoredMessage
from .notify import ChangeNotifier
from .updates import UpdateQueue

BOT_ID = 7000000001
BOT_USERNAME = "wijkbot_playground_bot"
BOT_FIRST_NAME = "Wijkbot"


def now() -> int:
    """Current unix time in seconds."""
    return int(time.time())


def invalid(reason: str) -> PlaygroundError:
    """A 400 error for malformed control API input."""
    return PlaygroundError(400, reason)


class World:
    """Shared state and helpers used by every part of the playground."""

    def __init__(self) -> None:
        self.notifier = ChangeNotifier()
        self.updates = UpdateQueue(self.notifier)
        self.files = FileStore()
        self._seq = 0
        self._callback_counter = 0
        self._reset_world()

    def _reset_world(self) -> None:
        """Forget users, chats, answers and settings."""
        self.users: dict[int, JSON] = {}
        self.chats: dict[int, Chat] = {}
        self.blocked: set[int] = set()
        self.callbacks: dict[str, CallbackRecord] = {}
        self.command_menus: dict[tuple[str, str], list[JSON]] = {}
        self.menu_buttons: dict[int | None, JSON] = {}
        self.profile: dict[str, dict[str, str]] = {}
        self.webhook: JSON | None = None

    def reset(self) -> None:
        """Clear everything; update ids, file ids and callback ids keep increasing."""
        self._reset_world()
        self.updates.clear()
        self.files.clear()
        self.notifier.notify()

    def close(self) -> None:
        """Release all long polls and waiters (server shutdown)."""
        self.updates.close()

    @property
    def closed(self) -> bool:
        """Whether the playground is shutting down."""
        return self.updates.closed

    @property
    def bot_user(self) -> JSON:
        """The bot as it appears in the from field of its messages."""
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": BOT_FIRST_NAME,
            "username": BOT_USERNAME,
        }

    def get_me(self) -> JSON:
        """The User object returned by getMe."""
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _next_seq(self) -> int:
        """Next value of the global change counter."""
        self._seq += 1
        return self._seq

    def _resolve_chat(self, chat_id: int | str) -> Chat:
        """Find a chat by id or @username, or fail like Telegram."""
        if isinstance(chat_id, str):
            for candidate in self.chats.values():
                if candidate.username and f"@{candidate.username}".lower() == chat_id.lower():
                    return candidate
            raise bad_request("chat not found")
        chat = self.chats.get(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _writable_chat(self, chat_id: int | str) -> Chat:
        """A chat the bot may post in, or the 403/400 Telegram would give."""
        if isinstance(chat_id, int) and chat_id not in self.chats and chat_id in self.users:
            raise forbidden("bot can't initiate conversation with a user")
        chat = self._resolve_chat(chat_id)
        if chat.type == "private" and chat.id in self.blocked:
            raise forbidden("bot was blocked by the user")
        if chat.type != "private" and chat.bot_left:
            raise forbidden(f"bot is not a member of the {chat.type} chat")
        return chat

    def _bot_is_admin(self, chat: Chat) -> bool:
        """Whether the bot has admin rights in a group."""
        return chat.type != "private" and BOT_ID in chat.admins

    def _store_message(
        self, chat: Chat, from_bot: bool, sender: JSON, **fields: Any
    ) -> StoredMessage:
        """Append a new message to a chat's history."""
        message = StoredMessage(
            message_id=chat.next_message_id,
            chat_id=chat.id,
            from_bot=from_bot,
            sender=dict(sender),
            date=now(),
            seq=self._next_seq(),
            **fields,
        )
        chat.next_message_id += 1
        chat.messages[message.message_id] = message
        self.notifier.notify()
        return message

    def _mark_edited(self, message: StoredMessage) -> None:
        """Record that a message changed."""
        message.edit_count += 1
        message.edit_date = now()
        message.seq = message.edit_seq = self._next_seq()
        self.notifier.notify()

    def message_json(self, message: StoredMessage, with_reply: bool = True) -> JSON:
        """The Message object as the Bot API returns it."""
        chat = self.chats[message.chat_id]
        data: JSON = {
            "message_id": message.message_id,
            "from": dict(message.sender),
            "chat": chat.to_json(),
            "date": message.date,
        }
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        if with_reply and message.reply_to_message_id is not None:
            replied = chat.live_message(message.reply_to_message_id)
            if replied is not None:
                data["reply_to_message"] = self.message_json(replied, with_reply=False)
        if message.text is not None:
            data["text"] = message.text
            if message.entities:
                data["entities"] = copy.deepcopy(message.entities)
        data.update(copy.deepcopy(message.media))
        if message.caption is not None:
            data["caption"] = message.caption
            if message.caption_entities:
                data["caption_entities"] = copy.deepcopy(message.caption_entities)
        if is_inline(message.reply_markup):
            data["reply_markup"] = copy.deepcopy(message.reply_markup)
        return data

    @staticmethod
    def _format(
        text: str,
        parse_mode: str | None,
        entities: list[JSON] | None,
        *,
        limit: int,
        too_long: str,
        empty: str | None,
    ) -> tuple[str, list[JSON]]:
        """Parse text with its parse mode and enforce Telegram's length limits."""
        try:
            plain, parsed = format_text(text, parse_mode, entities)
        except UnsupportedParseModeError:
            raise bad_request("unsupported parse_mode") from None
        except EntityParseError as error:
            raise bad_request(f"can't parse entities: {error}") from None
        if empty is not None and not plain.strip():
            raise bad_request(empty)
        if utf16_len(plain) > limit:  # Telegram counts UTF-16 code units (most emoji count two)
            raise bad_request(too_long)
        return plain, parsed
