"""Control-side logic: users acting in chats, and views of what the bot did."""

from __future__ import annotations

import base64
import binascii
import copy
from typing import Any

from .entities import command_entities
from .errors import not_found
from .media import DEFAULT_PNG
from .models import JSON, CallbackRecord, Chat, StoredMessage
from .world import BOT_ID, World, invalid

CONTENT_KINDS = ("text", "photo", "location", "sticker", "voice", "document", "contact")
CAPTION_KINDS = ("photo", "document", "voice")
CHAT_TYPES = ("private", "group", "supergroup")
USER_FIELDS = ("last_name", "username", "language_code", "is_premium")


def _decode(value: Any, what: str) -> bytes | None:
    """Decode optional base64 content (None when absent)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise invalid(f"{what} must be base64 encoded") from None


def _int(value: Any, what: str) -> int:
    """Coerce a control API value to int."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise invalid(f"{what} must be an integer") from None


class ControlMixin(World):
    """Injecting messages, edits, button presses and raw updates; reading chats back."""

    def _register_user(self, user: Any) -> JSON:
        """Normalize a user object and remember it."""
        normalized = self._normalize_user(user)
        self.users[normalized["id"]] = normalized
        return normalized

    @staticmethod
    def _normalize_user(user: Any) -> JSON:
        """A validated User object from control API input."""
        if not isinstance(user, dict) or "id" not in user:
            raise invalid("user must be an object with an id")
        user_id = _int(user["id"], "user.id")
        if user_id == BOT_ID or user_id <= 0:
            raise invalid("user.id must be a positive id other than the bot's")
        normalized: JSON = {
            "id": user_id,
            "is_bot": False,
            "first_name": str(user.get("first_name") or f"User {user_id}"),
        }
        normalized.update({key: user[key] for key in USER_FIELDS if user.get(key) is not None})
        return normalized

    def register_users(self, users: Any) -> JSON:
        """Register users with private chats the bot may message (no messages, no updates).

        All users are validated before any is stored; registering unblocks them, as writing
        to the bot does.
        """
        if not isinstance(users, list):
            raise invalid("users must be a list of user objects")
        normalized = [self._normalize_user(user) for user in users]
        for user in normalized:
            existing = self.chats.get(user["id"])
            if existing is not None and existing.type != "private":
                raise invalid(f"chat {user['id']} is a {existing.type} chat, not private")
        for user in normalized:
            self.users[user["id"]] = user
            self._chat_for(user, None)
            self.blocked.discard(user["id"])
        self.notifier.notify()
        return {"ok": True, "registered": len(normalized)}

    def _chat_for(self, user: JSON, spec: Any) -> Chat:
        """The chat a user acts in, created when new (group creator = first user)."""
        spec = spec if spec is not None else {"id": user["id"], "type": "private"}
        if not isinstance(spec, dict) or "id" not in spec:
            raise invalid("chat must be an object with an id")
        chat_id = _int(spec["id"], "chat.id")
        kind = spec.get("type") or ("private" if chat_id == user["id"] else "group")
        if kind not in CHAT_TYPES:
            raise invalid(f"chat.type must be one of {', '.join(CHAT_TYPES)}")
        if kind == "private" and chat_id != user["id"]:
            raise invalid("a private chat's id must equal the user's id")
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = Chat(id=chat_id, type=kind)
            if kind != "private":
                chat.title = str(spec.get("title") or f"Group {chat_id}")
                chat.creator_id = user["id"]
            self.chats[chat_id] = chat
        elif chat.type != kind:
            raise invalid(f"chat {chat_id} is a {chat.type} chat, not {kind}")
        if kind == "private":
            chat.first_name = user["first_name"]
            chat.last_name = user.get("last_name")
            chat.username = user.get("username")
        else:
            chat.title = str(spec.get("title") or chat.title)
            if spec.get("username"):
                chat.username = str(spec["username"])
        chat.members.add(user["id"])
        return chat

    def _content(self, user: JSON, content: JSON) -> JSON:
        """StoredMessage fields for the one kind of content a user sends."""
        kinds = [kind for kind in CONTENT_KINDS if kind in content]
        if len(kinds) != 1:
            raise invalid(f"exactly one of {', '.join(CONTENT_KINDS)} is required")
        kind = kinds[0]
        value = content[kind]
        caption = content.get("caption")
        if caption is not None and kind not in CAPTION_KINDS:
            raise invalid(f"caption is only allowed with {', '.join(CAPTION_KINDS)}")
        fields: JSON = {}
        if caption is not None:
            fields.update(caption=str(caption), raw_caption=str(caption))
        if kind == "text":
            if not isinstance(value, str) or not value:
                raise invalid("text must be a non-empty string")
            entities = content.get("entities")
            fields.update(text=value, raw_text=value, entities=entities or command_entities(value))
        else:
            fields["media"] = {kind: self._media(kind, value, user)}
        return fields

    def _media(self, kind: str, value: Any, user: JSON) -> Any:
        """Build the media object of a user message, storing file bytes."""
        if kind == "photo":
            return self.files.add_photo(_decode(value, "photo") or DEFAULT_PNG)
        if kind == "location":
            if not isinstance(value, dict) or "latitude" not in value or "longitude" not in value:
                raise invalid("location must have latitude and longitude")
            return {"latitude": float(value["latitude"]), "longitude": float(value["longitude"])}
        if kind == "sticker":
            emoji = value.get("emoji") if isinstance(value, dict) else value
            return self.files.add_sticker(str(emoji) if emoji else "👍")
        if kind == "voice":
            spec = value if isinstance(value, dict) else {"base64": value}
            data = _decode(spec.get("base64"), "voice")
            return self.files.add_voice(data, _int(spec.get("duration", 1), "voice.duration"))
        if kind == "document":
            if not isinstance(value, dict):
                raise invalid("document must be an object with file_name and base64")
            data = _decode(value.get("base64"), "document") or b""
            return self.files.add_document(data, value.get("file_name"), value.get("mime_type"))
        if not isinstance(value, dict) or not value.get("phone_number"):
            raise invalid("contact must be an object with a phone_number")
        contact = {"phone_number": str(value["phone_number"])}
        contact["first_name"] = str(value.get("first_name") or user["first_name"])
        contact.update({k: value[k] for k in ("last_name", "user_id", "vcard") if k in value})
        return contact

    def _inject(self, payload: JSON, update_id: int | None = None) -> JSON:
        """Enqueue one update and describe it for the control API."""
        update = self.updates.enqueue(payload, update_id)
        return {**update, "seq": self._seq}

    def inject_message(
        self,
        user: Any,
        chat: Any = None,
        reply_to_message_id: int | None = None,
        **content: Any,
    ) -> JSON:
        """A user sends a message (text, photo, location, ...) in a chat."""
        sender = self._register_user(user)
        target = self._chat_for(sender, chat)
        fields = self._content(sender, content)
        if reply_to_message_id is not None:
            reply_id = _int(reply_to_message_id, "reply_to_message_id")
            if target.live_message(reply_id) is None:
                raise invalid(f"message to be replied not found: {reply_id}")
            fields["reply_to_message_id"] = reply_id
        if target.type == "private":
            self.blocked.discard(sender["id"])
        message = self._store_message(target, False, sender, **fields)
        return self._inject({"message": self.message_json(message)})

    def _chat_message(self, chat_id: Any, message_id: Any) -> tuple[Chat, StoredMessage]:
        """An existing chat and live message, or 404."""
        chat = self.chats.get(_int(chat_id, "chat_id"))
        if chat is None:
            raise not_found(f"chat {chat_id} not found")
        message = chat.live_message(_int(message_id, "message_id"))
        if message is None:
            raise not_found(f"message {message_id} not found in chat {chat_id}")
        return chat, message

    def inject_edit(self, user: Any, chat_id: Any, message_id: Any, text: Any) -> JSON:
        """A user edits one of their messages; enqueues edited_message."""
        sender = self._register_user(user)
        _, message = self._chat_message(chat_id, message_id)
        if message.from_bot or message.sender.get("id") != sender["id"]:
            raise invalid("users can only edit their own messages")
        if not isinstance(text, str) or not text:
            raise invalid("text must be a non-empty string")
        if message.text is not None:
            message.text = message.raw_text = text
            message.entities = command_entities(text)
        else:
            message.caption = message.raw_caption = text
        self._mark_edited(message)
        return self._inject({"edited_message": self.message_json(message)})

    def inject_press(self, user: Any, chat_id: Any, message_id: Any, data: Any) -> JSON:
        """A user presses an inline button; enqueues callback_query with data as given."""
        sender = self._register_user(user)
        chat, message = self._chat_message(chat_id, message_id)
        self._callback_counter += 1
        query_id = f"{BOT_ID % 1000}{self._callback_counter:012d}"
        query: JSON = {
            "id": query_id,
            "from": sender,
            "message": self.message_json(message),
            "chat_instance": str((chat.id * 2654435761) % (2**63)),
        }
        if data is not None:
            query["data"] = str(data)
        self.callbacks[query_id] = CallbackRecord(
            query_id, chat.id, message.message_id, sender["id"], query.get("data")
        )
        return self._inject({"callback_query": query})

    def inject_raw(self, update: Any) -> JSON:
        """Enqueue any update object as given (update_id is assigned here)."""
        if not isinstance(update, dict):
            raise invalid("update must be an object")
        payload = {key: value for key, value in update.items() if key != "update_id"}
        if not payload:
            raise invalid("update must contain at least one field besides update_id")
        return self._inject(payload)

    def inject_forged(self, update: Any, update_id: Any) -> JSON:
        """Enqueue an update object with an update_id chosen by the caller (any integer, even one
        no real Bot API would send), leaving the playground's own numbering alone."""
        if not isinstance(update, dict):
            raise invalid("update must be an object")
        if isinstance(update_id, bool) or not isinstance(update_id, int):
            raise invalid("update_id must be an integer")
        payload = {key: value for key, value in update.items() if key != "update_id"}
        if not payload:
            raise invalid("update must contain at least one field besides update_id")
        return self._inject(payload, update_id)

    def redeliver(self, update_id: Any) -> JSON:
        """Deliver an earlier update again with the same update_id (like a retry by Telegram)."""
        update = self.updates.redeliver(_int(update_id, "update_id"))
        if update is None:
            raise not_found(f"update {update_id} not found")
        return {**update, "seq": self._seq}

    def set_blocked(self, user_id: Any, blocked: bool = True) -> JSON:
        """Mark a user as having blocked (or unblocked) the bot."""
        uid = _int(user_id, "user_id")
        if blocked:
            self.blocked.add(uid)
        else:
            self.blocked.discard(uid)
        return {"user_id": uid, "blocked": uid in self.blocked}

    def set_admin(self, chat_id: Any, user_id: Any, admin: bool = True) -> JSON:
        """Make a user (or the bot) an administrator of a group, or revoke it."""
        chat = self.chats.get(_int(chat_id, "chat_id"))
        if chat is None:
            raise not_found(f"chat {chat_id} not found")
        if chat.type == "private":
            raise invalid("private chats have no administrators")
        uid = _int(user_id, "user_id")
        if uid != BOT_ID and uid not in self.users:
            self._register_user({"id": uid})
        if admin:
            chat.admins.add(uid)
        else:
            chat.admins.discard(uid)
        return {"chat_id": chat.id, "user_id": uid, "admin": uid in chat.admins}

    def chats_view(self) -> list[JSON]:
        """Summaries of every chat."""
        return [
            {
                **chat.to_json(),
                "creator_id": chat.creator_id,
                "admins": sorted(chat.admins),
                "bot_is_admin": self._bot_is_admin(chat),
                "members": sorted(chat.members),
                "message_count": len(chat.messages),
                "blocked": chat.type == "private" and chat.id in self.blocked,
                "pinned_message_ids": list(chat.pinned),
                "chat_actions": list(chat.chat_actions),
                "bot_left": chat.bot_left,
            }
            for chat in self.chats.values()
        ]

    def _view(self, chat: Chat, message: StoredMessage) -> JSON:
        """One message as the control API shows it."""
        return {**message.view(), "pinned": message.message_id in chat.pinned}

    def messages_view(self, chat_id: Any, since: int = 0) -> list[JSON]:
        """Every stored message in a chat with message_id > since ([] for unknown chats)."""
        chat = self.chats.get(_int(chat_id, "chat_id"))
        if chat is None:
            return []
        return [
            self._view(chat, message)
            for message_id, message in sorted(chat.messages.items())
            if message_id > since
        ]

    def _answer_of(self, callback_query_id: str) -> JSON | None:
        """The recorded answer of a callback query (404 for unknown ids)."""
        record = self.callbacks.get(callback_query_id)
        if record is None:
            raise not_found(f"callback query {callback_query_id} not found")
        return copy.deepcopy(record.answer)

    async def wait_callback_answer(
        self, callback_query_id: str, timeout: float = 0.0
    ) -> JSON | None:
        """The bot's answer to a callback query, waiting up to timeout seconds."""
        self._answer_of(callback_query_id)
        await self.notifier.wait_for(
            lambda: self.closed or self.callbacks[callback_query_id].answer is not None, timeout
        )
        record = self.callbacks.get(callback_query_id)
        return copy.deepcopy(record.answer) if record else None

    def pending_view(self) -> JSON:
        """Update queue statistics."""
        return self.updates.info()

    async def wait_for_bot_messages(
        self,
        chat_id: Any,
        since: int = 0,
        count: int = 1,
        timeout: float = 10.0,
        edits: bool = False,
        after_seq: int | None = None,
    ) -> tuple[bool, JSON]:
        """Wait for count bot messages after since, or (edits) any bot edit after after_seq."""
        cid = _int(chat_id, "chat_id")
        baseline = self._seq if after_seq is None else after_seq

        def collect() -> tuple[list[StoredMessage], list[StoredMessage]]:
            chat = self.chats.get(cid)
            if chat is None:
                return [], []
            bot_messages = [m for m in chat.messages.values() if m.from_bot]
            new = [m for m in bot_messages if m.message_id > since]
            edited = [m for m in bot_messages if edits and m.edit_seq > baseline]
            return new, edited

        def satisfied() -> bool:
            new, edited = collect()
            return len(new) >= count or bool(edited)

        await self.notifier.wait_for(lambda: self.closed or satisfied(), timeout)
        new, edited = collect()
        chosen = sorted(
            {m.message_id: m for m in new + edited}.values(), key=lambda m: m.message_id
        )
        chat = self.chats.get(cid)
        views = [self._view(chat, m) for m in chosen] if chat else []
        return satisfied(), {"messages": views, "seq": self._seq}
