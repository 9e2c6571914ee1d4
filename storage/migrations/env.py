"""Alembic environment: migrates the database named in the Alembic config (set by storage.migrate)."""

from alembic import context

from storage import models  # noqa: F401  (registers the tables)
from storage.db import make_engine
from sqlmodel import SQLModel

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_offline() -> None:
    """Emit SQL without a connection."""
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate over a real connection (reusing one handed in by the caller when present)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    """Configure and run on `connection`.

    On SQLite, rebuilding a table that others refer to (batch mode) drops it: foreign keys are off
    meanwhile (only possible outside a transaction), checked before commit, and on again after.
    """
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:  # on the driver's connection: SQLAlchemy would open a transaction first
        connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    try:
        with context.begin_transaction():
            context.run_migrations()
            if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                raise RuntimeError("the migration left rows that refer to missing rows")
    finally:
        if sqlite:
            connection.rollback()  # nothing left open (the migrations committed)
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
