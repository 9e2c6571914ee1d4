"""outbox hardening: claimed outbox rows, and ids never reused on SQLite

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


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
    sqlite = _sqlite()
    for table in AUTOINCREMENT:
        if sqlite:
            with op.batch_alter_table(table, recreate='always',
                                      table_kwargs={'sqlite_autoincrement': True}) as batch_op:
                if table == 'outboxmessage':
                    _add_claim(batch_op)
        elif table == 'outboxmessage':
            with op.batch_alter_table(table) as batch_op:
                _add_claim(batch_op)


def _add_claim(batch_op) -> None:  # type: ignore[no-untyped-def]
    batch_op.add_column(sa.Column('claimed_by', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True))
    batch_op.add_column(sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    sqlite = _sqlite()
    for table in AUTOINCREMENT:
        if sqlite:
            with op.batch_alter_table(table, recreate='always',
                                      table_kwargs={'sqlite_autoincrement': False}) as batch_op:
                if table == 'outboxmessage':
                    batch_op.drop_column('claimed_until')
                    batch_op.drop_column('claimed_by')
        elif table == 'outboxmessage':
            with op.batch_alter_table(table) as batch_op:
                batch_op.drop_column('claimed_until')
                batch_op.drop_column('claimed_by')
