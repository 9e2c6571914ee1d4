"""Validation of reply_markup objects the way the Bot API checks them."""

from __future__ import annotations

import copy
from typing import Any

from .errors import bad_request

MAX_CALLBACK_DATA_BYTES = 64
_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_MARKUP_ERROR = "can't parse reply keyboard markup JSON object"


def validate_reply_markup(markup: Any) -> dict[str, Any] | None:
    """Check any reply_markup and return a clean copy (None when absent)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request(_MARKUP_ERROR)
    if "inline_keyboard" in markup:
        return validate_inline_markup(markup)
    if "keyboard" in markup:
        _check_rows(markup["keyboard"], _check_keyboard_button)
        return copy.deepcopy(markup)
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return copy.deepcopy(markup)
    raise bad_request(_MARKUP_ERROR)


def validate_inline_markup(markup: Any) -> dict[str, Any] | None:
    """Check an InlineKeyboardMarkup (the only markup allowed on edits)."""
    if markup is None:
        return None
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        raise bad_request("inline keyboard expected")
    _check_rows(markup["inline_keyboard"], _check_inline_button)
    return copy.deepcopy(markup)


def is_inline(markup: dict[str, Any] | None) -> bool:
    """Whether a stored markup is an inline keyboard (the only kind echoed in Message)."""
    return markup is not None and "inline_keyboard" in markup


def _check_rows(rows: Any, check_button: Any) -> None:
    """Ensure rows is an array of arrays and check every button."""
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("can't parse reply keyboard markup: keyboard must be an Array of Arrays")
    for row in rows:
        for button in row:
            check_button(button)


def _check_inline_button(button: Any) -> None:
    """Validate one InlineKeyboardButton."""
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    if not isinstance(button.get("text"), str) or not button["text"]:
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    actions = [key for key in _INLINE_ACTIONS if key in button]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if (
            not isinstance(data, str)
            or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
        ):
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button and (not isinstance(button["url"], str) or not button["url"].strip()):
        raise bad_request("BUTTON_URL_INVALID")


def _check_keyboard_button(button: Any) -> None:
    """Validate one KeyboardButton (a string or an object with text)."""
    if isinstance(button, str) and button:
        return
    if isinstance(button, dict) and isinstance(button.get("text"), str) and button["text"]:
        return
    raise bad_request('can\'t parse keyboard button: Field "text" must be of type String')
