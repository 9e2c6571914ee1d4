"""outbox hardening: ids never reused on SQLite

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# Tables whose ids leave the database or are referenced after a row is deleted. SQLite without
# AUTOINCREMENT hands a deleted newest id to the next row; it can only be switched on by rebuilding
# the table. PostgreSQL's sequences never hand an id out twice: nothing to do there.
AUTOINCREMENT = ('person', 'membership', 'outboxmessage')


def _sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def upgrade() -> None:
    """Upgrade schema."""
    if not _sqlite():
        return
    for table in AUTOINCREMENT:
        with op.batch_alter_table(table, recreate='always', table_kwargs={'sqlite_autoincrement': True}):
            pass


def downgrade() -> None:
    """Downgrade schema."""
    if not _sqlite():
        return
    for table in AUTOINCREMENT:
        with op.batch_alter_table(table, recreate='always', table_kwargs={'sqlite_autoincrement': False}):
            pass
