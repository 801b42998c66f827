"""users keep their failed login attempts and a lockout time, so repeated wrong passwords lock the user out

Revision ID: 0005
Revises: 0004

The audit trail's head is anchored outside the database from this version on; opening a database written before
it anchors the head as it is (see db.PRE_ANCHOR_REVISIONS).
"""
from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_logins")
