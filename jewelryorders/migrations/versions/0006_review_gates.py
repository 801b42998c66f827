"""preliminary review gates: the customer's rating and payments in the credit check, craft judged, what cleared a check

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

from jewelryorders.models.base import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("preliminary_reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("credit_rating", sa.String(length=1), nullable=True))
        batch_op.add_column(sa.Column("credit_paid", sa.Numeric(16, 2), nullable=True))
        batch_op.add_column(sa.Column("cleared_by", sa.Text(), server_default="{}", nullable=False))
        batch_op.add_column(sa.Column("price_figures", sa.Text(), server_default="[]", nullable=False))
        batch_op.alter_column("craft_ok", existing_type=sa.Boolean(), nullable=True)
    op.create_table(
        "review_clearances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("check_key", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.Numeric(16, 2), nullable=True),
        sa.Column("previous_amount", sa.Numeric(16, 2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("check_key IN ('credit', 'lead_time', 'craft', 'price')",
                           name=op.f("ck_review_clearances_check_known")),
        sa.CheckConstraint("kind IN ('payment', 'credit_limit', 'technical')",
                           name=op.f("ck_review_clearances_kind_known")),
        sa.CheckConstraint("amount IS NULL OR amount > 0", name=op.f("ck_review_clearances_amount_positive")),
        sa.CheckConstraint("length(note) > 0", name=op.f("ck_review_clearances_note_not_empty")),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_review_clearances_order_id_orders"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"],
                                name=op.f("fk_review_clearances_recorded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_clearances")),
    )
    op.create_index("ix_review_clearances_order_id", "review_clearances", ["order_id", "recorded_at"])


def downgrade() -> None:
    op.drop_index("ix_review_clearances_order_id", table_name="review_clearances")
    op.drop_table("review_clearances")
    with op.batch_alter_table("preliminary_reviews", schema=None) as batch_op:
        batch_op.alter_column("craft_ok", existing_type=sa.Boolean(), nullable=False)
        batch_op.drop_column("price_figures")
        batch_op.drop_column("cleared_by")
        batch_op.drop_column("credit_paid")
        batch_op.drop_column("credit_rating")
