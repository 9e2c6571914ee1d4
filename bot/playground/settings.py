"""Bot API methods about chats, members, pins, commands, menus, profile and webhooks."""

from __future__ import annotations

import json
import re
from typing import Any

from .errors import bad_request, conflict
from .models import JSON, Chat
from .world import BOT_ID, World

MAX_COMMANDS = 100
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_SCOPE_TYPES = {
    "default": (),
    "all_private_chats": (),
    "all_group_chats": (),
    "all_chat_administrators": (),
    "chat": ("chat_id",),
    "chat_administrators": ("chat_id",),
    "chat_member": ("chat_id", "user_id"),
}
_MENU_BUTTON_TYPES = ("commands", "web_app", "default")
PROFILE_FIELDS = ("name", "description", "short_description")
ACCEPTED_GIFT_TYPES = {
    "unlimited_gifts": False,
    "limited_gifts": False,
    "unique_gifts": False,
    "premium_subscription": False,
    "gifts_from_channels": False,
}


def _admin_json(user: JSON) -> JSON:
    """A ChatMemberAdministrator object with the usual group rights."""
    return {
        "status": "administrator",
        "user": user,
        "can_be_edited": False,
        "is_anonymous": False,
        "can_manage_chat": True,
        "can_delete_messages": True,
        "can_manage_video_chats": True,
        "can_restrict_members": True,
        "can_promote_members": False,
        "can_change_info": True,
        "can_invite_users": True,
        "can_post_stories": False,
        "can_edit_stories": False,
        "can_delete_stories": False,
        "can_pin_messages": True,
    }


class SettingsMixin(World):
    """getChat, chat members, pins, command menus, menu buttons, profile and webhooks."""

    def get_chat(self, chat_id: int | str) -> JSON:
        """getChat (a ChatFullInfo object)."""
        chat = self._resolve_chat(chat_id)
        data = {
            **chat.to_json(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": dict(ACCEPTED_GIFT_TYPES),
        }
        if chat.pinned:
            data["pinned_message"] = self.message_json(chat.messages[chat.pinned[-1]])
        return data

    def _member_json(self, chat: Chat, user_id: int) -> JSON:
        """The ChatMember object for a user (or the bot) in a chat."""
        if user_id == BOT_ID:
            if self._bot_is_admin(chat):
                return _admin_json(self.bot_user)
            status = "left" if chat.bot_left else "member"
            return {"status": status, "user": self.bot_user}
        user = self.users.get(user_id)
        if user is None:
            raise bad_request("user not found")
        if chat.type != "private":
            if user_id == chat.creator_id:
                return {"status": "creator", "user": dict(user), "is_anonymous": False}
            if user_id in chat.admins:
                return _admin_json(dict(user))
        return {"status": "member", "user": dict(user)}

    def get_chat_member(self, chat_id: int | str, user_id: int) -> JSON:
        """getChatMember."""
        return self._member_json(self._resolve_chat(chat_id), user_id)

    def get_chat_administrators(self, chat_id: int | str) -> list[JSON]:
        """getChatAdministrators: the creator first, then admins."""
        chat = self._resolve_chat(chat_id)
        if chat.type == "private":
            raise bad_request("there are no administrators in the private chat")
        ids = [chat.creator_id] if chat.creator_id is not None else []
        ids += sorted(chat.admins - set(ids))
        return [self._member_json(chat, user_id) for user_id in ids]

    def get_chat_member_count(self, chat_id: int | str) -> int:
        """getChatMemberCount (users seen in the chat plus the bot)."""
        chat = self._resolve_chat(chat_id)
        if chat.type == "private":
            return 2
        return len(chat.members) + (0 if chat.bot_left else 1)

    def leave_chat(self, chat_id: int | str) -> bool:
        """leaveChat: the bot can no longer post in the group."""
        chat = self._resolve_chat(chat_id)
        if chat.type == "private":
            raise bad_request("chat member status can't be changed in private chats")
        chat.bot_left = True
        return True

    def _pin_rights(self, chat_id: int | str) -> Chat:
        """A chat where the bot may manage pinned messages."""
        chat = self._writable_chat(chat_id)
        if chat.type != "private" and not self._bot_is_admin(chat):
            raise bad_request("not enough rights to manage pinned messages in the chat")
        return chat

    def pin_chat_message(self, chat_id: int | str, message_id: int | None) -> bool:
        """pinChatMessage."""
        chat = self._pin_rights(chat_id)
        if message_id is None or chat.live_message(message_id) is None:
            raise bad_request("message to pin not found")
        if message_id in chat.pinned:
            chat.pinned.remove(message_id)
        chat.pinned.append(message_id)
        self.notifier.notify()
        return True

    def unpin_chat_message(self, chat_id: int | str, message_id: int | None = None) -> bool:
        """unpinChatMessage (the most recent pin when message_id is omitted)."""
        chat = self._pin_rights(chat_id)
        if message_id is None:
            if chat.pinned:
                chat.pinned.pop()
        elif message_id in chat.pinned:
            chat.pinned.remove(message_id)
        else:
            raise bad_request("message to unpin not found")
        self.notifier.notify()
        return True

    def unpin_all_chat_messages(self, chat_id: int | str) -> bool:
        """unpinAllChatMessages."""
        self._pin_rights(chat_id).pinned.clear()
        self.notifier.notify()
        return True

    @staticmethod
    def _scope_key(scope: Any) -> str:
        """Canonical JSON text of a BotCommandScope (default when absent)."""
        if scope is None:
            scope = {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in _SCOPE_TYPES:
            raise bad_request("can't parse BotCommandScope JSON object")
        clean: JSON = {"type": scope["type"]}
        for key in _SCOPE_TYPES[scope["type"]]:
            if key not in scope:
                raise bad_request("can't parse BotCommandScope JSON object")
            value = scope[key]
            clean[key] = (
                int(value) if isinstance(value, str) and value.lstrip("-").isdigit() else value
            )
        return json.dumps(clean, sort_keys=True)

    def set_my_commands(
        self, commands: Any, scope: Any = None, language_code: str | None = None
    ) -> bool:
        """setMyCommands (an empty list deletes the menu)."""
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > MAX_COMMANDS:
            raise bad_request("too many commands specified")
        menu = []
        for item in commands:
            if not isinstance(item, dict):
                raise bad_request("can't parse BotCommand JSON object")
            command = str(item.get("command", "")).lstrip("/")
            description = str(item.get("description", ""))
            if not _COMMAND.match(command):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            menu.append({"command": command, "description": description})
        key = (self._scope_key(scope), language_code or "")
        if menu:
            self.command_menus[key] = menu
        else:
            self.command_menus.pop(key, None)
        return True

    def get_my_commands(self, scope: Any = None, language_code: str | None = None) -> list[JSON]:
        """getMyCommands for exactly this scope and language."""
        key = (self._scope_key(scope), language_code or "")
        return [dict(item) for item in self.command_menus.get(key, [])]

    def delete_my_commands(self, scope: Any = None, language_code: str | None = None) -> bool:
        """deleteMyCommands."""
        self.command_menus.pop((self._scope_key(scope), language_code or ""), None)
        return True

    def commands_view(self) -> list[JSON]:
        """Every stored command menu."""
        return [
            {"scope": json.loads(scope), "language_code": language, "commands": list(menu)}
            for (scope, language), menu in sorted(self.command_menus.items())
        ]

    def set_chat_menu_button(
        self, chat_id: int | str | None = None, menu_button: Any = None
    ) -> bool:
        """setChatMenuButton (default button for all chats when chat_id is omitted)."""
        key = None if chat_id is None else self._resolve_chat(chat_id).id
        button = menu_button if menu_button is not None else {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in _MENU_BUTTON_TYPES:
            raise bad_request("can't parse menu button JSON object")
        self.menu_buttons[key] = dict(button)
        return True

    def get_chat_menu_button(self, chat_id: int | str | None = None) -> JSON:
        """getChatMenuButton."""
        key = None if chat_id is None else self._resolve_chat(chat_id).id
        button = self.menu_buttons.get(key) or self.menu_buttons.get(None)
        return dict(button) if button else {"type": "default"}

    def set_profile(self, field: str, value: str | None, language_code: str | None) -> bool:
        """setMyName / setMyDescription / setMyShortDescription."""
        values = self.profile.setdefault(field, {})
        if value:
            values[language_code or ""] = value
        else:
            values.pop(language_code or "", None)
        return True

    def get_profile(self, field: str, language_code: str | None) -> JSON:
        """getMyName / getMyDescription / getMyShortDescription."""
        values = self.profile.get(field, {})
        return {field: values.get(language_code or "", values.get("", ""))}

    def set_webhook(
        self,
        url: str | None,
        drop_pending_updates: bool = False,
        allowed_updates: list[str] | None = None,
        max_connections: int | None = None,
    ) -> bool:
        """setWebhook: only stored; getUpdates then answers 409 like Telegram."""
        if not url:
            return self.delete_webhook(drop_pending_updates)
        if not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = {"url": url, "max_connections": max_connections or 40}
        if allowed_updates is not None:
            self.updates.allowed_updates = list(allowed_updates)
        if drop_pending_updates:
            self.updates.drop_pending()
        return True

    def delete_webhook(self, drop_pending_updates: bool = False) -> bool:
        """deleteWebhook."""
        self.webhook = None
        if drop_pending_updates:
            self.updates.drop_pending()
        return True

    def webhook_info(self) -> JSON:
        """getWebhookInfo."""
        info: JSON = {
            "url": self.webhook["url"] if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": self.updates.pending_count(),
        }
        if self.webhook:
            info["max_connections"] = self.webhook["max_connections"]
            if self.updates.allowed_updates:
                info["allowed_updates"] = list(self.updates.allowed_updates)
        return info

    async def get_updates(
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: float = 0.0,
        allowed_updates: list[str] | None = None,
    ) -> list[JSON]:
        """getUpdates (409 while a webhook is set)."""
        if self.webhook:
            raise conflict(
                "can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first"
            )
        return await self.updates.get_updates(offset, limit, timeout, allowed_updates)

    def get_file(self, file_id: str) -> JSON:
        """getFile."""
        return self.files.get_file(file_id)
