"""A lean Bot API client for the two hot paths: getUpdates and sending stored outbox calls.

Outbox payloads are already Bot API JSON, so they are posted as they are; errors come back
as the few kinds the callers act on. Messages never include the URL (it holds the token).
"""

from __future__ import annotations

from typing import Any

import aiohttp
from telegram import Update


class ApiError(Exception):
    """The Bot API refused or could not be reached."""


class RetryLater(ApiError):
    """429 (wait `retry_after` seconds), a 5xx, or a network failure."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class Blocked(ApiError):
    """403: the person blocked the bot or the bot left the chat."""


class Refused(ApiError):
    """400 and other final refusals."""


class Conflict(Refused):
    """409: another getUpdates (a second instance with this token) or a webhook is in the way."""


class BadToken(ApiError):
    """401/404 on every method: the token is wrong."""


class BotApi:
    """Posts JSON to `{api_url}/bot{token}/{method}` over one pooled session."""

    def __init__(self, api_url: str, token: str, *, connections: int = 32) -> None:
        self._base = f"{api_url}/bot{token}/"
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> "BotApi":
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self._connections), raise_for_status=False
        )
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._session is not None:
            await self._session.close()

    async def call(self, method: str, payload: dict[str, Any], *, timeout: float = 30) -> Any:
        """One Bot API call with exactly this payload; returns its `result`."""
        assert self._session is not None, "use `async with BotApi(...)`"
        body: dict[str, Any] = {"json": payload}
        if any(isinstance(payload.get(key), dict) for key in UPLOADS):  # a file we made: upload it
            body = {"data": _multipart(payload)}
        try:
            async with self._session.post(self._base + method, timeout=aiohttp.ClientTimeout(total=timeout),
                                          **body) as response:
                status = response.status
                try:
                    data = await response.json(content_type=None)
                except ValueError:
                    data = {}
        except (aiohttp.ClientError, TimeoutError) as error:
            raise RetryLater(type(error).__name__) from None
        if isinstance(data, dict) and data.get("ok"):
            return data.get("result")
        return _raise_for(status, data if isinstance(data, dict) else {})

    async def get_updates(self, *, offset: int | None, timeout: int) -> list[dict[str, Any]]:
        """Long-poll for updates; `offset` confirms everything before it."""
        payload: dict[str, Any] = {"timeout": timeout, "allowed_updates": ALL_UPDATE_TYPES}
        if offset is not None:
            payload["offset"] = offset
        return list(await self.call("getUpdates", payload, timeout=timeout + 10) or [])


UPLOADS = ("document", "photo")  # fields that may carry a file we made (a dict with its content)


def _multipart(fields: dict[str, Any]) -> aiohttp.FormData:
    """A form with the file's content as an upload (other fields as JSON where needed).

    The content is text (`content`, sent as UTF-8) or binary (`content_base64`, e.g. a PDF).
    """
    import base64
    import json

    form = aiohttp.FormData()
    for key, value in fields.items():
        if key in UPLOADS and isinstance(value, dict):
            data = (base64.b64decode(value["content_base64"]) if "content_base64" in value
                    else value["content"].encode("utf-8"))
            form.add_field(key, data, filename=value["filename"],
                           content_type=value.get("mime_type", "application/octet-stream"))
        else:
            form.add_field(key, value if isinstance(value, str) else json.dumps(value))
    return form


def _raise_for(status: int, data: dict[str, Any]) -> Any:
    """Turn an error answer into the exception callers act on."""
    code = int(data.get("error_code") or status)
    description = str(data.get("description") or f"HTTP {status}")
    if code == 429:
        retry_after = (data.get("parameters") or {}).get("retry_after")
        raise RetryLater(description, float(retry_after) if retry_after is not None else 1.0)
    if code >= 500:
        raise RetryLater(description)
    if code == 403:
        raise Blocked(description)
    if code == 401:
        raise BadToken("the Bot API refused the token (check WIJKBOT_TOKEN)")
    if code == 409:
        raise Conflict(description)
    raise Refused(description)


# Every update kind, so nothing a person sends is silently withheld by Telegram.
ALL_UPDATE_TYPES = sorted(str(kind) for kind in Update.ALL_TYPES)
