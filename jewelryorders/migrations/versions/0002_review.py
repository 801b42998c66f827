"""review tables: preliminary reviews, negotiation log, decisions, review rounds and opinions, contracts

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import jewelryorders.models.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('negotiation_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('talked_on', sa.Date(), nullable=False),
    sa.Column('with_whom', sa.String(length=200), nullable=False),
    sa.Column('agreed', sa.Text(), nullable=False),
    sa.Column('changes', sa.Text(), nullable=False),
    sa.Column('recorded_at', jewelryorders.models.base.UTCDateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('length(agreed) > 0', name=op.f('ck_negotiation_entries_agreed_not_empty')),
    sa.CheckConstraint('length(with_whom) > 0', name=op.f('ck_negotiation_entries_with_whom_not_empty')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_negotiation_entries_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_negotiation_entries_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_negotiation_entries'))
    )
    with op.batch_alter_table('negotiation_entries', schema=None) as batch_op:
        batch_op.create_index('ix_negotiation_entries_order_id', ['order_id', 'recorded_at'], unique=False)

    op.create_table('preliminary_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('reviewed_at', jewelryorders.models.base.UTCDateTime(), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=12), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('credit_open_value', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('credit_order_value', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('credit_limit', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('credit_ok', sa.Boolean(), nullable=False),
    sa.Column('lead_required_days', sa.Integer(), nullable=False),
    sa.Column('lead_available_days', sa.Integer(), nullable=True),
    sa.Column('lead_ok', sa.Boolean(), nullable=False),
    sa.Column('craft_ok', sa.Boolean(), nullable=False),
    sa.Column('craft_note', sa.Text(), nullable=False),
    sa.Column('price_ok', sa.Boolean(), nullable=False),
    sa.Column('price_note', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.CheckConstraint("outcome IN ('accept', 'negotiate', 'escalate')", name=op.f('ck_preliminary_reviews_outcome_known')),
    sa.CheckConstraint('credit_limit >= 0', name=op.f('ck_preliminary_reviews_credit_limit_not_negative')),
    sa.CheckConstraint('lead_required_days > 0', name=op.f('ck_preliminary_reviews_lead_required_positive')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_preliminary_reviews_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_preliminary_reviews_reviewed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_preliminary_reviews'))
    )
    with op.batch_alter_table('preliminary_reviews', schema=None) as batch_op:
        batch_op.create_index('ix_preliminary_reviews_order_id', ['order_id', 'reviewed_at'], unique=False)

    op.create_table('review_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('decided_at', jewelryorders.models.base.UTCDateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('from_stage', sa.String(length=24), nullable=False),
    sa.CheckConstraint("decision IN ('accept', 'renegotiate', 'abandon')", name=op.f('ck_review_decisions_decision_known')),
    sa.CheckConstraint('length(reason) > 0', name=op.f('ck_review_decisions_reason_not_empty')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_review_decisions_decided_by_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_review_decisions_order_id_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_decisions'))
    )
    with op.batch_alter_table('review_decisions', schema=None) as batch_op:
        batch_op.create_index('ix_review_decisions_order_id', ['order_id', 'decided_at'], unique=False)

    op.create_table('review_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('round_no', sa.Integer(), nullable=False),
    sa.Column('opened_at', jewelryorders.models.base.UTCDateTime(), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', jewelryorders.models.base.UTCDateTime(), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('result', sa.String(length=12), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("result IS NULL OR result IN ('passed', 'failed', 'withdrawn')", name=op.f('ck_review_rounds_result_known')),
    sa.CheckConstraint('(closed_at IS NULL AND result IS NULL) OR (closed_at IS NOT NULL AND result IS NOT NULL)', name=op.f('ck_review_rounds_closed_has_result')),
    sa.CheckConstraint('round_no > 0', name=op.f('ck_review_rounds_round_no_positive')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_review_rounds_closed_by_id_users')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_review_rounds_opened_by_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_review_rounds_order_id_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_rounds')),
    sa.UniqueConstraint('order_id', 'round_no', name='uq_review_rounds_order_round')
    )
    with op.batch_alter_table('review_rounds', schema=None) as batch_op:
        batch_op.create_index('ix_review_rounds_closed_at', ['closed_at'], unique=False)

    op.create_table('contracts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('contract_no', sa.String(length=40), nullable=False),
    sa.Column('signed_date', sa.Date(), nullable=False),
    sa.Column('recorded_at', jewelryorders.models.base.UTCDateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('length(contract_no) > 0', name=op.f('ck_contracts_contract_no_not_empty')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_contracts_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_contracts_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['round_id'], ['review_rounds.id'], name=op.f('fk_contracts_round_id_review_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contracts')),
    sa.UniqueConstraint('contract_no', name=op.f('uq_contracts_contract_no')),
    sa.UniqueConstraint('order_id', name=op.f('uq_contracts_order_id'))
    )
    op.create_table('review_opinions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('department', sa.String(length=20), nullable=False),
    sa.Column('requested_at', jewelryorders.models.base.UTCDateTime(), nullable=False),
    sa.Column('due_at', jewelryorders.models.base.UTCDateTime(), nullable=False),
    sa.Column('answered_at', jewelryorders.models.base.UTCDateTime(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('verdict', sa.String(length=24), nullable=True),
    sa.Column('conditions', sa.Text(), nullable=False),
    sa.Column('comments', sa.Text(), nullable=False),
    sa.Column('difficulty', sa.String(length=8), nullable=True),
    sa.Column('cycle_days', sa.Integer(), nullable=True),
    sa.Column('capacity_load_pct', sa.Integer(), nullable=True),
    sa.Column('craft_feasibility', sa.String(length=24), nullable=True),
    sa.Column('proposed_solution', sa.Text(), nullable=False),
    sa.Column('materials_list', sa.Text(), nullable=False),
    sa.Column('purchase_lead_days', sa.Integer(), nullable=True),
    sa.Column('supplier_risk', sa.String(length=8), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("craft_feasibility IS NULL OR craft_feasibility IN ('feasible', 'feasible_with_changes', 'not_feasible')", name=op.f('ck_review_opinions_feasibility_known')),
    sa.CheckConstraint("department IN ('production', 'technical', 'purchasing')", name=op.f('ck_review_opinions_department_known')),
    sa.CheckConstraint("difficulty IS NULL OR difficulty IN ('low', 'medium', 'high')", name=op.f('ck_review_opinions_difficulty_known')),
    sa.CheckConstraint("supplier_risk IS NULL OR supplier_risk IN ('low', 'medium', 'high')", name=op.f('ck_review_opinions_supplier_risk_known')),
    sa.CheckConstraint("verdict IS NULL OR verdict IN ('pass', 'pass_with_conditions', 'reject')", name=op.f('ck_review_opinions_verdict_known')),
    sa.CheckConstraint('(answered_at IS NULL AND verdict IS NULL) OR (answered_at IS NOT NULL AND verdict IS NOT NULL)', name=op.f('ck_review_opinions_answer_has_verdict')),
    sa.CheckConstraint('capacity_load_pct IS NULL OR capacity_load_pct >= 0', name=op.f('ck_review_opinions_capacity_load_not_negative')),
    sa.CheckConstraint('cycle_days IS NULL OR cycle_days > 0', name=op.f('ck_review_opinions_cycle_days_positive')),
    sa.CheckConstraint('purchase_lead_days IS NULL OR purchase_lead_days >= 0', name=op.f('ck_review_opinions_purchase_lead_not_negative')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_review_opinions_answered_by_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_review_opinions_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['review_rounds.id'], name=op.f('fk_review_opinions_round_id_review_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_opinions')),
    sa.UniqueConstraint('round_id', 'department', name='uq_review_opinions_round_department')
    )
    with op.batch_alter_table('review_opinions', schema=None) as batch_op:
        batch_op.create_index('ix_review_opinions_due_at', ['due_at'], unique=False)
        batch_op.create_index('ix_review_opinions_inbox', ['department', 'answered_at', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_opinions_order_id'), ['order_id'], unique=False)

    op.create_table('contract_copies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('department', sa.String(length=20), nullable=False),
    sa.CheckConstraint("department IN ('sales', 'production', 'technical', 'purchasing', 'quality', 'logistics', 'archive', 'management')", name=op.f('ck_contract_copies_department_known')),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_contract_copies_contract_id_contracts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_copies')),
    sa.UniqueConstraint('contract_id', 'department', name='uq_contract_copies_contract_department')
    )


def downgrade() -> None:
    op.drop_table('contract_copies')
    with op.batch_alter_table('review_opinions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_opinions_order_id'))
        batch_op.drop_index('ix_review_opinions_inbox')
        batch_op.drop_index('ix_review_opinions_due_at')

    op.drop_table('review_opinions')
    op.drop_table('contracts')
    with op.batch_alter_table('review_rounds', schema=None) as batch_op:
        batch_op.drop_index('ix_review_rounds_closed_at')

    op.drop_table('review_rounds')
    with op.batch_alter_table('review_decisions', schema=None) as batch_op:
        batch_op.drop_index('ix_review_decisions_order_id')

    op.drop_table('review_decisions')
    with op.batch_alter_table('preliminary_reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_preliminary_reviews_order_id')

    op.drop_table('preliminary_reviews')
    with op.batch_alter_table('negotiation_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_negotiation_entries_order_id')

    op.drop_table('negotiation_entries')
