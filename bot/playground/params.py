"""Bot API request parameters from query string, JSON, urlencoded or multipart bodies."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from .errors import bad_request
from .models import Upload

_TRUE = ("true", "1", "yes", "on")


class Params:
    """Typed access to request parameters; form values arrive as (JSON-encoded) strings."""

    def __init__(self, values: dict[str, Any], uploads: dict[str, Upload] | None = None) -> None:
        self.values = values
        self.uploads = uploads or {}

    @classmethod
    async def from_request(cls, request: web.Request) -> Params:
        """Collect parameters the way the Bot API accepts them."""
        values: dict[str, Any] = dict(request.query)
        uploads: dict[str, Upload] = {}
        if request.body_exists:
            if request.content_type == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    raise bad_request("can't parse JSON encoded request") from None
                if not isinstance(body, dict):
                    raise bad_request("JSON object expected")
                values.update(body)
            elif request.content_type in (
                "application/x-www-form-urlencoded",
                "multipart/form-data",
            ):
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        uploads[key] = Upload(value.file.read(), value.filename, value.content_type)
                    elif isinstance(value, (bytes, bytearray)):
                        values[key] = bytes(value).decode("utf-8", errors="replace")
                    else:
                        values[key] = value
        return cls(values, uploads)

    def has(self, name: str) -> bool:
        """Whether a parameter was sent."""
        return name in self.values or name in self.uploads

    def text(self, name: str, default: str | None = None) -> str | None:
        """A string parameter."""
        value = self.values.get(name)
        return default if value is None else str(value)

    def integer(self, name: str, default: int | None = None) -> int | None:
        """An integer parameter."""
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def number(self, name: str, default: float | None = None) -> float | None:
        """A float parameter."""
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def required_number(self, name: str) -> float:
        """A float parameter that must be present."""
        value = self.number(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        return value

    def flag(self, name: str) -> bool:
        """A boolean parameter (false when absent)."""
        value = self.values.get(name)
        if isinstance(value, str):
            return value.strip().lower() in _TRUE
        return bool(value)

    def json(self, name: str, error: str | None = None) -> Any:
        """A JSON-typed parameter (arrives as a JSON string in forms)."""
        value = self.values.get(name)
        if not isinstance(value, str):
            return value
        if value == "":
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(error or f"can't parse {name} JSON object") from None

    def chat_id(self) -> int | str:
        """The required chat_id as an int, or an @username string."""
        chat_id = self.optional_chat_id()
        if chat_id is None:
            raise bad_request("chat_id is empty")
        return chat_id

    def optional_chat_id(self) -> int | str | None:
        """chat_id when present."""
        value = self.values.get("chat_id")
        if value is None or value == "":
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value).strip()
        if text.lstrip("-").isdigit():
            return int(text)
        if text.startswith("@"):
            return text
        raise bad_request("chat not found")

    def file(self, name: str) -> Upload | str | None:
        """An uploaded file, a file_id/URL string, or an attach:// reference."""
        if name in self.uploads:
            return self.uploads[name]
        value = self.values.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            return self.uploads.get(value[len("attach://") :])
        return None if value is None else str(value)

    def reply_parameters(self) -> Any:
        """reply_parameters, or the legacy reply_to_message_id form."""
        params = self.json("reply_parameters", "can't parse reply parameters JSON object")
        if params is not None:
            return params
        message_id = self.integer("reply_to_message_id")
        if message_id is None:
            return None
        return {
            "message_id": message_id,
            "allow_sending_without_reply": self.flag("allow_sending_without_reply"),
        }
