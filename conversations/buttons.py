"""Reading button (callback) data: anyone can forge it, so every number in it is bounded.

A number that does not fit the database's integer columns names nothing that exists: it is read as
"no such id", never passed to the database (where it would fail the whole update).
"""

from __future__ import annotations

import re

MAX_ID = 2**31 - 1  # the integer columns (ids) on PostgreSQL; SQLite allows more, but never gets there
_NUMBER = re.compile(r"[0-9]{1,10}")  # ASCII digits only: int() would also read other scripts' digits


def parse_number(raw: str | None) -> int | None:
    """A non-negative whole number written in ASCII digits that fits an id column, else None."""
    if raw is None or not _NUMBER.fullmatch(raw):
        return None
    value = int(raw)
    return value if value <= MAX_ID else None


def parse_id(data: str | None, position: int = -1) -> int | None:
    """The number at `position` in button data like `tri:page:12:3` (colon-separated), else None."""
    parts = (data or "").split(":")
    if not -len(parts) <= position < len(parts):
        return None
    return parse_number(parts[position])
