"""The engine, sessions and the one-writer-at-a-time transaction scope."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine


def make_engine(url: str) -> Engine:
    """An engine for SQLite (WAL mode) or PostgreSQL."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL for concurrent readers, foreign keys on, wait instead of failing when busy."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class Database:
    """Owns the engine; writers take `write_lock` so they never block the event loop on SQLite."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.write_lock = asyncio.Lock()

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextlib.contextmanager
    def transaction_sync(self) -> Iterator[Session]:
        """A transaction that commits on success and rolls back on error (sync callers only)."""
        with Session(self.engine, expire_on_commit=False) as session:
            with session.begin():
                yield session

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Session]:
        """A write transaction, serialised with the other writers of this process."""
        async with self.write_lock:
            with self.transaction_sync() as session:
                yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
