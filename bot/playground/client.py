"""Async client for the playground's control API, for tests."""

from __future__ import annotations

import base64
from types import TracebackType
from typing import Any

import httpx

JSON = dict[str, Any]
User = dict[str, Any]
Chat = dict[str, Any]
HTTP_MARGIN = 10.0


class ControlApiError(RuntimeError):
    """The control API refused a request."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(f"{status}: {description}")
        self.status = status
        self.description = description


def _b64(data: bytes) -> str:
    """Base64 text of bytes."""
    return base64.b64encode(data).decode("ascii")


def describe_messages(messages: list[JSON]) -> str:
    """Readable one-line-per-message summary of a chat's history."""
    if not messages:
        return "  (no messages)"
    lines = []
    for message in messages:
        who = "bot" if message["from_bot"] else f"user {message['from'].get('id')}"
        kinds = [k for k in ("photo", "document", "location", "sticker", "voice") if k in message]
        text = message.get("text")
        line = f"  #{message['message_id']} {who}: {text!r}"
        if kinds:
            line += f" [{', '.join(kinds)}]"
        markup = message.get("reply_markup") or {}
        buttons = [
            f"{b.get('text')}={b.get('callback_data', b.get('url'))!r}"
            for row in markup.get("inline_keyboard", [])
            for b in row
        ]
        if buttons:
            line += f" buttons: {', '.join(buttons)}"
        if message.get("edit_count"):
            line += f" (edited {message['edit_count']}x)"
        if message.get("deleted"):
            line += " (deleted)"
        lines.append(line)
    return "\n".join(lines)


class PlaygroundClient:
    """Drives the playground as users do: `async with PlaygroundClient(url) as pg:`."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self._http = httpx.AsyncClient(base_url=f"{self.url}/playground", timeout=timeout)

    async def __aenter__(self) -> PlaygroundClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._http.aclose()

    async def _request(
        self, method: str, path: str, *, allow: tuple[int, ...] = (), **kwargs: Any
    ) -> httpx.Response:
        """Send a request; raise ControlApiError on unexpected statuses."""
        response = await self._http.request(method, path, **kwargs)
        if response.is_success or response.status_code in allow:
            return response
        try:
            description = response.json().get("error", response.text)
        except ValueError:
            description = response.text
        raise ControlApiError(response.status_code, description)

    async def _post(self, path: str, body: JSON) -> JSON:
        """POST JSON and return the decoded answer."""
        answer: JSON = (await self._request("POST", path, json=body)).json()
        return answer

    async def _get_list(self, path: str, **params: Any) -> list[JSON]:
        """GET a JSON list."""
        answer: list[JSON] = (await self._request("GET", path, params=params)).json()
        return answer

    async def send(self, user: User, chat: Chat | None = None, **fields: Any) -> JSON:
        """Send any message content (text=, photo=, location=, contact=, ...)."""
        body: JSON = {"user": user, **{k: v for k, v in fields.items() if v is not None}}
        if chat is not None:
            body["chat"] = chat
        return await self._post("/message", body)

    async def send_text(
        self, user: User, text: str, chat: Chat | None = None, reply_to: int | None = None
    ) -> JSON:
        """A user sends a text message (commands get bot_command entities)."""
        return await self.send(user, chat, text=text, reply_to_message_id=reply_to)

    async def send_photo(
        self,
        user: User,
        data: bytes | None = None,
        caption: str | None = None,
        chat: Chat | None = None,
    ) -> JSON:
        """A user sends a photo (a small PNG when data is None)."""
        return await self.send(user, chat, photo=_b64(data) if data else "", caption=caption)

    async def send_location(
        self, user: User, lat: float, lon: float, chat: Chat | None = None
    ) -> JSON:
        """A user shares a location."""
        return await self.send(user, chat, location={"latitude": lat, "longitude": lon})

    async def send_sticker(self, user: User, chat: Chat | None = None, emoji: str = "👍") -> JSON:
        """A user sends a sticker."""
        return await self.send(user, chat, sticker=emoji)

    async def send_voice(self, user: User, chat: Chat | None = None, duration: int = 3) -> JSON:
        """A user sends a voice note."""
        return await self.send(user, chat, voice={"duration": duration})

    async def send_document(
        self,
        user: User,
        name: str,
        data: bytes,
        chat: Chat | None = None,
        caption: str | None = None,
    ) -> JSON:
        """A user sends a document."""
        document = {"file_name": name, "base64": _b64(data)}
        return await self.send(user, chat, document=document, caption=caption)

    async def send_contact(
        self, user: User, phone_number: str, chat: Chat | None = None, **extra: Any
    ) -> JSON:
        """A user shares a contact."""
        return await self.send(user, chat, contact={"phone_number": phone_number, **extra})

    async def edit(self, user: User, chat_id: int, message_id: int, text: str) -> JSON:
        """A user edits their message (edited_message update)."""
        body = {"user": user, "chat_id": chat_id, "message_id": message_id, "text": text}
        return await self._post("/edit", body)

    async def press(self, user: User, chat_id: int, message_id: int, data: str | None) -> JSON:
        """A user presses an inline button carrying data (sent as given)."""
        body = {"user": user, "chat_id": chat_id, "message_id": message_id, "data": data}
        return await self._post("/press", body)

    async def raw(self, update: JSON) -> JSON:
        """Enqueue any update object (update_id is assigned by the playground)."""
        return await self._post("/raw", update)

    async def forged(self, update_id: int, update: JSON) -> JSON:
        """Enqueue an update with an update_id of our choosing (negative, beyond 64 bits, ...)."""
        return await self._post("/forged", {"update_id": update_id, "update": update})

    async def redeliver(self, update_id: int) -> JSON:
        """Deliver an earlier update again with the same update_id, even if it was confirmed."""
        return await self._post("/redeliver", {"update_id": update_id})

    async def chats(self) -> list[JSON]:
        """Summaries of all chats."""
        return await self._get_list("/chats")

    async def messages(self, chat_id: int, since: int = 0) -> list[JSON]:
        """Every stored message in a chat after message_id since ([] for unknown chats)."""
        return await self._get_list(f"/chats/{chat_id}/messages", since=since)

    async def bot_messages(self, chat_id: int, since: int = 0) -> list[JSON]:
        """Only the bot's messages in a chat after message_id since."""
        return [m for m in await self.messages(chat_id, since) if m["from_bot"]]

    async def wait_for(
        self,
        chat_id: int,
        since: int = 0,
        count: int = 1,
        timeout: float = 10.0,
        edits: bool = False,
        after_seq: int | None = None,
    ) -> list[JSON]:
        """Wait for count bot messages after since (edits=True: or any bot edit after after_seq)."""
        body = {
            "chat_id": chat_id,
            "since": since,
            "count": count,
            "timeout": timeout,
            "edits": edits,
            "after_seq": after_seq,
        }
        response = await self._request(
            "POST", "/wait", json=body, allow=(408,), timeout=timeout + HTTP_MARGIN
        )
        result = response.json()
        if response.status_code == 408:
            history = await self.messages(chat_id)
            wanted = f"{count} bot message(s) after message_id {since}"
            if edits:
                wanted += " or a bot edit"
            raise TimeoutError(
                f"Timed out after {timeout}s waiting for {wanted} in chat {chat_id}; "
                f"got {len(result['messages'])}. The chat holds:\n{describe_messages(history)}"
            )
        messages: list[JSON] = result["messages"]
        return messages

    async def callback_answer(self, callback_query_id: str, wait: float = 0.0) -> JSON | None:
        """The bot's answer to a callback query (None if not answered within wait seconds)."""
        response = await self._request(
            "GET",
            f"/callback_answers/{callback_query_id}",
            params={"wait": wait},
            allow=(404,),
            timeout=wait + HTTP_MARGIN,
        )
        answer: JSON | None = None if response.status_code == 404 else response.json()
        return answer

    async def commands(self) -> list[JSON]:
        """Stored command menus: [{scope, language_code, commands}]."""
        menus: list[JSON] = (await self._request("GET", "/commands")).json()["menus"]
        return menus

    async def pending(self) -> JSON:
        """Update queue statistics: pending, last_confirmed_update_id, ..."""
        info: JSON = (await self._request("GET", "/updates/pending")).json()
        return info

    async def block(self, user_id: int, blocked: bool = True) -> JSON:
        """Mark a user as having blocked the bot (blocked=False to unblock)."""
        return await self._post("/block", {"user_id": user_id, "blocked": blocked})

    async def set_admin(self, chat_id: int, user_id: int, admin: bool = True) -> JSON:
        """Make a user (or the bot, by its id) a group administrator."""
        body = {"chat_id": chat_id, "user_id": user_id, "admin": admin}
        return await self._post("/admin", body)

    async def register_users(self, users: list[User]) -> JSON:
        """Register many users with private chats the bot may message (no updates enqueued)."""
        return await self._post("/users/bulk", {"users": users})

    async def set_limits(self, **settings: Any) -> JSON:
        """Switch flood limits on (enabled=False: off); omitted settings take their defaults.

        Settings: enabled, private_per_second, private_burst, group_per_minute,
        group_window_seconds, global_per_second, global_burst, retry_after (a floor).
        """
        return await self._post("/limits", settings)

    async def limits(self) -> JSON:
        """The active flood limit settings."""
        settings: JSON = (await self._request("GET", "/limits")).json()
        return settings

    async def fault_429(self, count: int, retry_after: int, chat_id: int | None = None) -> JSON:
        """The next count sending calls (to chat_id only, when given) get a 429."""
        body: JSON = {"mode": "429", "count": count, "retry_after": retry_after}
        if chat_id is not None:
            body["chat_id"] = chat_id
        return await self._post("/faults", body)

    async def fault_status(self, status: int, seconds: float) -> JSON:
        """Every Bot API call (getUpdates too) gets this HTTP status for seconds."""
        return await self._post("/faults", {"mode": "status", "status": status, "seconds": seconds})

    async def faults(self) -> JSON:
        """The pending faults: {"rate": [...], "status": ..., "conflict": ... (while one runs)}."""
        data: JSON = (await self._request("GET", "/faults")).json()
        return data

    async def fault_conflict(self, seconds: float) -> JSON:
        """getUpdates answers 409 Conflict for seconds (as when another instance polls the same token)."""
        return await self._post("/faults", {"mode": "conflict", "seconds": seconds})

    async def clear_faults(self) -> JSON:
        """Forget every injected fault."""
        return await self._post("/faults", {"mode": "clear"})

    async def stats(self) -> JSON:
        """{"sent", "429", "faults", "by_chat": {chat_id (int): {"sent", "429", "faults"}}}."""
        data: JSON = (await self._request("GET", "/stats")).json()
        data["by_chat"] = {int(chat_id): counts for chat_id, counts in data["by_chat"].items()}
        return data

    async def reset_stats(self) -> None:
        """Zero the send, 429 and fault counters."""
        await self._post("/stats/reset", {})

    async def reset(self) -> None:
        """Clear all playground state (flood limits off, no faults, zero stats)."""
        await self._post("/reset", {})
