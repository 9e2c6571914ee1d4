"""privacy hardening

Members' pseudonyms beside the names stored as text (so erasing a member finds every one of
them), the per-account daily request counts under a keyed hash, and no invitation token left
in clear in the outbox (links sent before this version lose their token from the record).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29

"""
import re
from typing import Sequence, Union

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = '0009'
down_revision: Union[str, Sequence[str], None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

PSEUDONYM_COLUMNS = [
    ('statuschange', 'actor'),
    ('answer', 'answered_by_actor'),
    ('afspraakprogress', 'by_actor'),
    ('budgetgrant', 'decided_by_actor'),
    ('budgetspending', 'by_actor'),
]
INVITATION_LINK = re.compile(r"(start=inv_)[A-Za-z0-9_-]{20,}")


def upgrade() -> None:
    """Upgrade schema."""
    for table, column in PSEUDONYM_COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(column, sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True))
    op.create_table('dailyrequestcount',
    sa.Column('account_day', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('account_day')
    )
    with op.batch_alter_table('dailyrequestcount', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dailyrequestcount_day'), ['day'], unique=False)
    _forget_invitation_tokens()


def _forget_invitation_tokens() -> None:
    """Links with a token in outbox rows (made in /beheer before this version): the token goes."""
    outbox = sa.table('outboxmessage', sa.column('id', sa.Integer()), sa.column('payload', sa.JSON()))
    connection = op.get_bind()
    for row_id, payload in connection.execute(sa.select(outbox.c.id, outbox.c.payload)).all():
        text = payload.get('text') if isinstance(payload, dict) else None
        if isinstance(text, str) and INVITATION_LINK.search(text):
            connection.execute(outbox.update().where(outbox.c.id == row_id).values(
                payload={**payload, 'text': INVITATION_LINK.sub(r'\1[…]', text)}))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('dailyrequestcount', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dailyrequestcount_day'))
    op.drop_table('dailyrequestcount')
    for table, column in reversed(PSEUDONYM_COLUMNS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(column)
