"""Small builders for the keyboards dialogs show."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup


def inline(rows: Sequence[Sequence[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """Inline buttons from rows of (label, callback data)."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data) for label, data in row]
                                 for row in rows])


def in_rows(buttons: Sequence[tuple[str, str]], per_row: int = 2) -> list[list[tuple[str, str]]]:
    """Split buttons into rows of `per_row`."""
    return [list(buttons[i:i + per_row]) for i in range(0, len(buttons), per_row)]


def reply(rows: Sequence[Sequence[str | KeyboardButton]], placeholder: str | None = None) -> ReplyKeyboardMarkup:
    """A one-time reply keyboard that fits the phone screen."""
    return ReplyKeyboardMarkup([list(row) for row in rows], resize_keyboard=True, one_time_keyboard=True,
                               input_field_placeholder=placeholder)
