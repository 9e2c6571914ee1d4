"""sent messages: a record of what was delivered, and outbox rows with their own columns

Outbox rows carried private keys inside the Bot API payload (`_card`: the request a card shows,
`_status`: a group's status message, `_forget`: delete once sent, `_invitation`: the nonce of an
invitation link). They become columns (`kind`, `subject_type`, `subject_id`, `forget_after_send`,
`invitation_nonce`), every payload is left with exactly what Telegram is sent, and each message
already delivered is recorded in `sentmessage`, where edits, pins and redaction now look. Photos
sent with a request's card (recognised by their file id) get the request as their subject.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29

"""
from typing import Any, Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = '0010'
down_revision: Union[str, Sequence[str], None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

KIND_OF_METHOD = {  # as storage/outbox.py names rows whose writer said nothing more specific
    'sendMessage': 'message', 'sendPhoto': 'photo', 'sendDocument': 'document', 'editMessageText': 'edit',
    'editMessageReplyMarkup': 'edit', 'deleteMessage': 'deletion', 'pinChatMessage': 'pin',
    'answerCallbackQuery': 'answer',
}

OUTBOX = sa.table(
    'outboxmessage', sa.column('id', sa.Integer()), sa.column('chat_id', sa.BigInteger()),
    sa.column('method', sa.String()), sa.column('payload', sa.JSON()), sa.column('status', sa.String()),
    sa.column('sent_message_id', sa.BigInteger()), sa.column('sent_at', sa.DateTime(timezone=True)),
    sa.column('created_at', sa.DateTime(timezone=True)), sa.column('kind', sa.String()),
    sa.column('subject_type', sa.String()), sa.column('subject_id', sa.BigInteger()),
    sa.column('forget_after_send', sa.Boolean()), sa.column('invitation_nonce', sa.String()),
)
SENT = sa.table(
    'sentmessage', sa.column('chat_id', sa.BigInteger()), sa.column('message_id', sa.BigInteger()),
    sa.column('outbox_id', sa.Integer()), sa.column('kind', sa.String()), sa.column('subject_type', sa.String()),
    sa.column('subject_id', sa.BigInteger()), sa.column('sent_at', sa.DateTime(timezone=True)),
)
REQUEST = sa.table('request', sa.column('id', sa.Integer()), sa.column('photo_file_ids', sa.JSON()))


def _keep_autoincrement() -> dict[str, Any]:
    """Should SQLite rebuild the outbox table, its ids stay never reused (see 0008)."""
    return {'sqlite_autoincrement': True} if op.get_bind().dialect.name == 'sqlite' else {}


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('sentmessage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('message_id', sa.BigInteger(), nullable=False),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('subject_type', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('subject_id', sa.BigInteger(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sentmessage', schema=None) as batch_op:
        batch_op.create_index('ix_sentmessage_subject', ['subject_type', 'subject_id', 'kind'], unique=False)
        batch_op.create_index('ix_sentmessage_chat_message', ['chat_id', 'message_id'], unique=False)
    with op.batch_alter_table('outboxmessage', schema=None, table_kwargs=_keep_autoincrement()) as batch_op:
        batch_op.add_column(sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
        batch_op.add_column(sa.Column('subject_type', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
        batch_op.add_column(sa.Column('subject_id', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('forget_after_send', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('invitation_nonce', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
    _move_marks_to_columns()
    _record_delivered()


def _move_marks_to_columns() -> None:
    """Every row gets its kind; our private payload keys become columns and leave the payload."""
    connection = op.get_bind()
    connection.execute(OUTBOX.update().values(kind=sa.case(
        *[(OUTBOX.c.method == method, kind) for method, kind in KIND_OF_METHOD.items()], else_=OUTBOX.c.method)))
    photo_of: dict[str, int] = {}
    for request_id, file_ids in connection.execute(sa.select(REQUEST.c.id, REQUEST.c.photo_file_ids)).all():
        for file_id in file_ids or []:
            photo_of[file_id] = request_id
    for row_id, method, payload, status in connection.execute(
            sa.select(OUTBOX.c.id, OUTBOX.c.method, OUTBOX.c.payload, OUTBOX.c.status)).all():
        if not isinstance(payload, dict):
            continue
        changes: dict[str, Any] = {}
        if isinstance(payload.get('_card'), int):
            changes.update(kind='card', subject_type='request', subject_id=payload['_card'])
        if payload.get('_status'):
            changes.update(kind='status', subject_type='group', subject_id=payload.get('chat_id'))
        if payload.get('_forget'):
            changes['forget_after_send'] = True
        if isinstance(payload.get('_invitation'), str):
            changes['kind'] = 'invitation'
            if status == 'pending':  # a delivered link no longer needs its nonce
                changes['invitation_nonce'] = payload['_invitation']
        if method == 'sendPhoto' and isinstance(payload.get('photo'), str) and payload['photo'] in photo_of:
            changes.update(subject_type='request', subject_id=photo_of[payload['photo']])
        clean = {key: value for key, value in payload.items() if not key.startswith('_')}
        document = clean.get('document')
        if isinstance(document, dict) and '_removed' in document:
            clean['document'] = {**{k: v for k, v in document.items() if k != '_removed'},
                                 'removed_by': document['_removed']}
        if clean != payload:
            changes['payload'] = clean
        if changes:
            connection.execute(OUTBOX.update().where(OUTBOX.c.id == row_id).values(**changes))


def _record_delivered() -> None:
    """A record of each message already delivered (sends whose message id is known)."""
    op.get_bind().execute(SENT.insert().from_select(
        ['chat_id', 'message_id', 'outbox_id', 'kind', 'subject_type', 'subject_id', 'sent_at'],
        sa.select(OUTBOX.c.chat_id, OUTBOX.c.sent_message_id, OUTBOX.c.id, OUTBOX.c.kind, OUTBOX.c.subject_type,
                  OUTBOX.c.subject_id, sa.func.coalesce(OUTBOX.c.sent_at, OUTBOX.c.created_at))
        .where(OUTBOX.c.status == 'sent', OUTBOX.c.sent_message_id.is_not(None), OUTBOX.c.method.like('send%'),
               OUTBOX.c.forget_after_send == sa.false())
        .order_by(OUTBOX.c.id)))


def downgrade() -> None:
    """Downgrade schema."""
    connection = op.get_bind()
    for row_id, payload, kind, subject_id, forget, nonce in connection.execute(sa.select(
            OUTBOX.c.id, OUTBOX.c.payload, OUTBOX.c.kind, OUTBOX.c.subject_id, OUTBOX.c.forget_after_send,
            OUTBOX.c.invitation_nonce)).all():
        marks: dict[str, Any] = {}
        if kind == 'card' and subject_id is not None:
            marks['_card'] = subject_id
        if kind == 'status':
            marks['_status'] = True
        if forget:
            marks['_forget'] = True
        if nonce is not None:
            marks['_invitation'] = nonce
        if marks and isinstance(payload, dict):
            connection.execute(OUTBOX.update().where(OUTBOX.c.id == row_id).values(payload={**payload, **marks}))
    with op.batch_alter_table('outboxmessage', schema=None, table_kwargs=_keep_autoincrement()) as batch_op:
        batch_op.drop_column('invitation_nonce')
        batch_op.drop_column('forget_after_send')
        batch_op.drop_column('subject_id')
        batch_op.drop_column('subject_type')
        batch_op.drop_column('kind')
    with op.batch_alter_table('sentmessage', schema=None) as batch_op:
        batch_op.drop_index('ix_sentmessage_chat_message')
        batch_op.drop_index('ix_sentmessage_subject')
    op.drop_table('sentmessage')
