"""The engine, sessions and the one-writer-at-a-time transaction scope.

On SQLite a writer takes the database's write lock up front (BEGIN IMMEDIATE). The bot's own
writers try it briefly and, while another process holds it, wait on the event loop instead of in
SQLite's busy handler (which would freeze every other coroutine). Reads stay deferred: in WAL mode
they never wait for a writer.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, create_engine

BUSY_MS = 5000  # how long a blocking (synchronous) caller lets SQLite wait for a lock
WRITE_TRY_MS = 20  # how long the bot's own writers let SQLite wait before waiting on the event loop
LOCK_PATIENCE = 5.0  # seconds a writer waits for SQLite's write lock before reporting it unavailable
PG_CONNECT_TIMEOUT = 5  # seconds: an unreachable PostgreSQL fails instead of hanging the event loop
_BEGIN = "wijkbot_sqlite_begin"  # execution options read by the "begin" listener
_BUSY = "wijkbot_sqlite_busy_ms"
# SQLite result codes that mean "not now" (busy, locked, I/O, cannot open), not a bug in a statement.
SQLITE_UNAVAILABLE = {5, 6, 10, 14}


def make_engine(url: str) -> Engine:
    """An engine for SQLite (WAL mode) or PostgreSQL."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": PG_CONNECT_TIMEOUT})


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """WAL for concurrent readers, foreign keys on, wait instead of failing when busy.

    pysqlite's own transaction handling is switched off (it would begin only before a write, and
    always deferred): SQLAlchemy's "begin" event emits BEGIN itself (see `_sqlite_begin`).
    """
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_MS}")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    """BEGIN (deferred, for reads) or BEGIN IMMEDIATE (writers), optionally with a shorter busy wait."""
    options = connection.get_execution_options()
    busy = options.get(_BUSY)
    if busy is None:
        connection.exec_driver_sql(f"BEGIN {options.get(_BEGIN, 'DEFERRED')}")
        return
    connection.exec_driver_sql(f"PRAGMA busy_timeout={int(busy)}")
    try:
        connection.exec_driver_sql(f"BEGIN {options.get(_BEGIN, 'DEFERRED')}")
    finally:
        connection.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_MS}")


def database_unavailable(error: BaseException | None) -> bool:
    """Whether an error means the database cannot be reached or is locked right now (waiting and
    trying again will do), as opposed to a bug in what was asked of it."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
            return True
        original = error.orig if isinstance(error, exc.DBAPIError) else error
        if isinstance(original, sqlite3.Error):
            # SQLite reports syntax errors and missing tables as OperationalError too: look at the code.
            code = getattr(original, "sqlite_errorcode", None)
            if code is not None and code & 0xFF in SQLITE_UNAVAILABLE:
                return True
            if code is None and "locked" in str(original):
                return True
        elif isinstance(error, (exc.OperationalError, exc.InterfaceError, exc.DisconnectionError, exc.TimeoutError)):
            return True
        error = error.__cause__ or error.__context__
    return False


class Database:
    """Owns the engine; writers take `write_lock` so they never block the event loop on SQLite."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sqlite = url.startswith("sqlite")
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
                if self.sqlite:
                    session.connection(execution_options={_BEGIN: "IMMEDIATE"})
                yield session

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Session]:
        """A write transaction, serialised with the other writers of this process.

        On SQLite it starts holding the write lock; while another process holds it, this waits on
        the event loop (the rest of the bot goes on) for up to LOCK_PATIENCE seconds, then raises
        the "database is locked" error (`database_unavailable` says so).
        """
        async with self.write_lock:
            session = await self._begin_write()
            with session:
                try:
                    yield session
                except BaseException:
                    session.rollback()
                    raise
                session.commit()

    async def _begin_write(self) -> Session:
        """A session whose transaction has begun (on SQLite: with the write lock taken)."""
        options = {_BEGIN: "IMMEDIATE", _BUSY: WRITE_TRY_MS} if self.sqlite else None
        deadline = time.monotonic() + LOCK_PATIENCE
        pause = 0.005
        while True:
            session = Session(self.engine, expire_on_commit=False)
            try:
                session.connection(execution_options=options)
                return session
            except exc.OperationalError as error:
                session.close()
                if not (self.sqlite and database_unavailable(error)) or time.monotonic() >= deadline:
                    raise
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.1)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
