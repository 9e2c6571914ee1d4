"""Small builders for the keyboards dialogs show."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from conversations.buttons import Button


def inline(rows: Sequence[Sequence[tuple[str, Button]]]) -> InlineKeyboardMarkup:
    """Inline buttons from rows of (label, button): each button is packed into its callback data."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=button.pack()) for label, button in row]
                                 for row in rows])


def in_rows(buttons: Sequence[tuple[str, Button]], per_row: int = 2) -> list[list[tuple[str, Button]]]:
    """Split buttons into rows of `per_row`."""
    return [list(buttons[i:i + per_row]) for i in range(0, len(buttons), per_row)]


def reply(rows: Sequence[Sequence[str | KeyboardButton]], placeholder: str | None = None) -> ReplyKeyboardMarkup:
    """A one-time reply keyboard that fits the phone screen."""
    return ReplyKeyboardMarkup([list(row) for row in rows], resize_keyboard=True, one_time_keyboard=True,
                               input_field_placeholder=placeholder)
