"""audit events keep their message id and parameters, so the history reads in each reader's language

Revision ID: 0004
Revises: 0003

Events written before this version keep their hash (format 1). Where an old summary matches a message of the
catalogue in one of the three languages, its message id and parameters are recovered; `check` re-renders them and
compares with the summary, so a recovered message cannot be altered unseen either.
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_id", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("message_params", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("hash_format", sa.Integer(), server_default="1", nullable=False))

    from jewelryorders.i18n.recover import MessageRecoverer

    conn = op.get_bind()
    recoverer = MessageRecoverer()
    rows = conn.execute(sa.text("SELECT id, summary FROM audit_events WHERE summary <> '' ORDER BY id")).fetchall()
    updates = []
    for event_id, summary in rows:
        found = recoverer.recover(summary)
        if found is not None:
            updates.append({"id": event_id, "mid": found.msgid, "params": found.params_json()})
    if updates:
        conn.execute(sa.text("UPDATE audit_events SET message_id = :mid, message_params = :params WHERE id = :id"),
                     updates)


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("hash_format")
        batch_op.drop_column("message_params")
        batch_op.drop_column("message_id")
