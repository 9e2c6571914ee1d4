"""Gettext with a per-task active locale; catalogs are compiled from locales/*.po at start.

Dutch is the source language: every msgid is Dutch, other locales translate it.
Use `_()` for text and `use_locale()` to render for a recipient other than the sender.
"""

from __future__ import annotations

import contextlib
import contextvars
import gettext
import io
from collections.abc import Iterator
from datetime import date, datetime
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

SOURCE_LOCALE = "nl"
LOCALES = ("nl", "en")
DOMAIN = "wijkbot"

_active: contextvars.ContextVar[str] = contextvars.ContextVar("locale", default=SOURCE_LOCALE)


def pick_locale(language_code: str | None) -> str:
    """Map a Telegram language_code to a supported locale; Dutch when unknown."""
    if language_code:
        base = language_code.split("-")[0].lower()
        if base in LOCALES:
            return base
    return SOURCE_LOCALE


@cache
def _translations(locale: str) -> gettext.NullTranslations:
    """Compile the locale's .po catalog in memory (no build step, never stale)."""
    if locale == SOURCE_LOCALE:
        return gettext.NullTranslations()
    po_file = resources.files("locales").joinpath(locale, "LC_MESSAGES", f"{DOMAIN}.po")
    with po_file.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def current_locale() -> str:
    """The locale of whoever we are talking to right now."""
    return _active.get()


def set_locale(locale: str) -> contextvars.Token[str]:
    """Make `locale` active for the current task."""
    return _active.set(pick_locale(locale))


@contextlib.contextmanager
def use_locale(locale: str) -> Iterator[None]:
    """Render text for another recipient, e.g. `with use_locale(person.language): ...`."""
    token = set_locale(locale)
    try:
        yield
    finally:
        _active.reset(token)


def _(message: str) -> str:
    """Translate `message` (Dutch) into the active locale."""
    return _translations(_active.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate with a plural form chosen by `n`."""
    return _translations(_active.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark `message` for extraction; it is translated later with `_()`."""
    return message


def fmt_date(value: date | datetime, tz: ZoneInfo, fmt: str = "long") -> str:
    """A date in the active locale, in the municipality's time zone."""
    if isinstance(value, datetime):
        value = value.astimezone(tz).date()
    return format_date(value, format=fmt, locale=Locale.parse(current_locale()))


def fmt_datetime(value: datetime, tz: ZoneInfo, fmt: str = "medium") -> str:
    """A moment in the active locale and the municipality's time zone."""
    return format_datetime(value, format=fmt, tzinfo=tz, locale=Locale.parse(current_locale()))


def fmt_number(value: int | float) -> str:
    """A number in the active locale."""
    return format_decimal(value, locale=current_locale())


def fmt_euros(cents: int) -> str:
    """An amount of money in the active locale."""
    return format_currency(cents / 100, "EUR", locale=current_locale())
