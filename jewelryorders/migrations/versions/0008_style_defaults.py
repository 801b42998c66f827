"""styles carry what an order line of the style starts with: target weight, price and stones

Revision ID: 0008
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("styles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("target_weight_mg", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("unit_price", sa.Numeric(14, 2), nullable=True))
        batch_op.add_column(sa.Column("currency", sa.String(length=3), server_default="HKD", nullable=False))
        batch_op.create_check_constraint(op.f("ck_styles_style_weight_positive"),
                                         "target_weight_mg IS NULL OR target_weight_mg > 0")
        batch_op.create_check_constraint(op.f("ck_styles_style_price_not_negative"),
                                         "unit_price IS NULL OR unit_price >= 0")
    op.create_table(
        "style_stones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("style_id", sa.Integer(), nullable=False),
        sa.Column("stone_type", sa.String(length=20), nullable=False),
        sa.Column("stone_count", sa.Integer(), nullable=False),
        sa.Column("carat", sa.Numeric(10, 3), nullable=False),
        sa.CheckConstraint("stone_count > 0", name=op.f("ck_style_stones_count_positive")),
        sa.CheckConstraint("carat > 0", name=op.f("ck_style_stones_carat_positive")),
        sa.ForeignKeyConstraint(["style_id"], ["styles.id"], name=op.f("fk_style_stones_style_id_styles"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_style_stones")),
    )
    with op.batch_alter_table("style_stones", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_style_stones_style_id"), ["style_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("style_stones", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_style_stones_style_id"))
    op.drop_table("style_stones")
    with op.batch_alter_table("styles", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_styles_style_price_not_negative"), type_="check")
        batch_op.drop_constraint(op.f("ck_styles_style_weight_positive"), type_="check")
        batch_op.drop_column("currency")
        batch_op.drop_column("unit_price")
        batch_op.drop_column("target_weight_mg")
