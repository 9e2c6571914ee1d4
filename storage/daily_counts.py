"""Per-account daily counts that erasure cannot reset, kept under a keyed hash for a day.

A row says "this account filed N requests on this day" as HMAC(key, telegram id + day) with a key
derived from the bot token (storage/keys.py): without the token nobody can tell whose it is, and
since the day is in the hash, yesterday's row cannot be linked to today's. Rows go after a day.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import delete
from sqlmodel import Session

from storage.keys import keyed_hash
from storage.models import DailyRequestCount

KEEP_DAYS = 1  # yesterday's rows stay a day (a local day spans two UTC dates)


def _key(telegram_id: int, day: date) -> str:
    return keyed_hash("daily request counts", f"{telegram_id}:{day.isoformat()}")


def filed_on(session: Session, *, telegram_id: int, day: date) -> int:
    """How many requests the account filed on this (local) day."""
    row = session.get(DailyRequestCount, _key(telegram_id, day))
    return row.count if row is not None else 0


def count_filed(session: Session, *, telegram_id: int, day: date) -> None:
    """One more request filed by the account on this day (the row is locked by the update's transaction)."""
    key = _key(telegram_id, day)
    row = session.get(DailyRequestCount, key, with_for_update=True)
    if row is None:
        row = DailyRequestCount(account_day=key, day=day, count=0)
    row.count += 1
    session.add(row)


def prune_daily_counts(session: Session, *, today: date) -> int:
    """Delete counts older than yesterday; returns how many went."""
    result = session.execute(delete(DailyRequestCount).where(DailyRequestCount.day < today - timedelta(days=KEEP_DAYS)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
