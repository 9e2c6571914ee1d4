"""Plain data records held by the playground state."""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]
MEDIA_KEYS = ("photo", "document", "location", "sticker", "voice", "contact")


@dataclass
class Upload:
    """A file uploaded in a multipart Bot API request."""

    data: bytes
    filename: str | None = None
    content_type: str | None = None


@dataclass
class StoredFile:
    """A file known to the playground, downloadable through getFile."""

    file_id: str
    file_unique_id: str
    kind: str
    data: bytes
    file_path: str
    mime_type: str | None = None
    file_name: str | None = None
    width: int | None = None
    height: int | None = None
    group: str | None = None

    def file_json(self) -> JSON:
        """The File object returned by getFile."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


@dataclass
class StoredMessage:
    """One message in a chat's history, from the bot or from a user."""

    message_id: int
    chat_id: int
    from_bot: bool
    sender: JSON
    date: int
    text: str | None = None
    raw_text: str | None = None
    entities: list[JSON] = field(default_factory=list)
    caption: str | None = None
    raw_caption: str | None = None
    caption_entities: list[JSON] = field(default_factory=list)
    parse_mode: str | None = None
    reply_markup: JSON | None = None
    media: JSON = field(default_factory=dict)
    reply_to_message_id: int | None = None
    edit_count: int = 0
    edit_date: int | None = None
    deleted: bool = False
    seq: int = 0
    edit_seq: int = 0
    stored_at: float = field(default_factory=time.time)  # wall-clock time it was stored (for ordering tests)

    def content_key(self) -> tuple[Any, ...]:
        """What Telegram compares to decide whether an edit changes anything."""
        return (self.text, self.entities, self.caption, self.caption_entities, self.reply_markup)

    def view(self) -> JSON:
        """The control API's description of this message."""
        has_text = self.text is not None
        data: JSON = {
            "message_id": self.message_id,
            "chat_id": self.chat_id,
            "from_bot": self.from_bot,
            "from": dict(self.sender),
            "date": self.date,
            "text": self.text if has_text else self.caption,
            "raw_text": self.raw_text if has_text else self.raw_caption,
            "parse_mode": self.parse_mode,
            "entities": copy.deepcopy(self.entities if has_text else self.caption_entities),
            "caption": self.caption,
            "reply_markup": copy.deepcopy(self.reply_markup),
            "reply_to_message_id": self.reply_to_message_id,
            "edit_count": self.edit_count,
            "edit_date": self.edit_date,
            "deleted": self.deleted,
            "seq": self.seq,
            "stored_at": self.stored_at,
        }
        data.update(copy.deepcopy(self.media))
        return data


@dataclass
class Chat:
    """A private chat or group the playground knows about."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    creator_id: int | None = None
    admins: set[int] = field(default_factory=set)
    members: set[int] = field(default_factory=set)
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    next_message_id: int = 1
    pinned: list[int] = field(default_factory=list)
    chat_actions: list[str] = field(default_factory=list)
    bot_left: bool = False

    def to_json(self) -> JSON:
        """The Chat object as it appears inside messages."""
        data: JSON = {"id": self.id, "type": self.type}
        if self.type == "private":
            data["first_name"] = self.first_name or ""
            if self.last_name:
                data["last_name"] = self.last_name
        else:
            data["title"] = self.title or ""
        if self.username:
            data["username"] = self.username
        return data

    def live_message(self, message_id: int) -> StoredMessage | None:
        """A stored, not deleted message by id."""
        message = self.messages.get(message_id)
        return None if message is None or message.deleted else message


@dataclass
class CallbackRecord:
    """A callback query sent to the bot and the bot's answer, if any."""

    id: str
    chat_id: int
    message_id: int
    user_id: int
    data: str | None
    answer: JSON | None = None
