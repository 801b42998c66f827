"""planning tables: workshops, factory holidays, routings, plan versions and steps, task sheets, checklists, forecasts

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa
import jewelryorders.models.base

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('factory_holidays',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_factory_holidays')),
    sa.UniqueConstraint('day', name=op.f('uq_factory_holidays_day'))
    )
    op.create_table('routing_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_type', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', jewelryorders.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', jewelryorders.models.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint('length(name) > 0', name=op.f('ck_routing_templates_name_not_empty')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_routing_templates')),
    sa.UniqueConstraint('product_type', name=op.f('uq_routing_templates_product_type'))
    )
    op.create_table('workshops',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('department', sa.String(length=100), nullable=False),
    sa.Column('minutes_per_day', sa.Integer(), nullable=False),
    sa.Column('benches', sa.Integer(), nullable=False),
    sa.Column('working_weekdays', sa.String(length=7), nullable=False),
    sa.Column('supervisor_id', sa.Integer(), nullable=True),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', jewelryorders.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', jewelryorders.models.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint('benches > 0', name=op.f('ck_workshops_benches_positive')),
    sa.CheckConstraint('length(name) > 0', name=op.f('ck_workshops_name_not_empty')),
    sa.CheckConstraint('length(working_weekdays) > 0', name=op.f('ck_workshops_works_some_weekday')),
    sa.CheckConstraint('minutes_per_day > 0 AND minutes_per_day <= 1440', name=op.f('ck_workshops_minutes_per_day_range')),
    sa.ForeignKeyConstraint(['supervisor_id'], ['users.id'], name=op.f('fk_workshops_supervisor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshops')),
    sa.UniqueConstraint('name', name=op.f('uq_workshops_name'))
    )
    op.create_table('checklist_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=12), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.Column('done_at', jewelryorders.models.base.UTCDateTime(), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("key IN ('equipment', 'tooling', 'materials', 'training')", name=op.f('ck_checklist_items_key_known')),
    sa.CheckConstraint('done = false OR done_at IS NOT NULL', name=op.f('ck_checklist_items_done_has_time')),
    sa.ForeignKeyConstraint(['done_by_id'], ['users.id'], name=op.f('fk_checklist_items_done_by_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_checklist_items_order_id_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_items')),
    sa.UniqueConstraint('order_id', 'key', name='uq_checklist_items_order_key')
    )
    op.create_table('order_forecasts',
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('projected_finish', sa.Date(), nullable=False),
    sa.Column('days_late', sa.Integer(), nullable=False),
    sa.Column('at_risk', sa.Boolean(), nullable=False),
    sa.Column('computed_at', jewelryorders.models.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint('days_late >= 0', name=op.f('ck_order_forecasts_days_late_not_negative')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_forecasts_order_id_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('order_id', name=op.f('pk_order_forecasts'))
    )
    with op.batch_alter_table('order_forecasts', schema=None) as batch_op:
        batch_op.create_index('ix_order_forecasts_days_late', ['days_late'], unique=False)

    op.create_table('production_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('plan_no', sa.String(length=20), nullable=False),
    sa.Column('version_no', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('change_reason', sa.Text(), nullable=False),
    sa.Column('created_at', jewelryorders.models.base.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('released_at', jewelryorders.models.base.UTCDateTime(), nullable=True),
    sa.Column('released_by_id', sa.Integer(), nullable=True),
    sa.Column('superseded_at', jewelryorders.models.base.UTCDateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'released', 'superseded')", name=op.f('ck_production_plans_status_known')),
    sa.CheckConstraint('version_no > 0', name=op.f('ck_production_plans_version_no_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_production_plans_created_by_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_production_plans_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['released_by_id'], ['users.id'], name=op.f('fk_production_plans_released_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_production_plans')),
    sa.UniqueConstraint('order_id', 'version_no', name='uq_production_plans_order_version')
    )
    with op.batch_alter_table('production_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_production_plans_plan_no'), ['plan_no'], unique=False)
        batch_op.create_index('ix_production_plans_status_order', ['status', 'order_id'], unique=False)

    op.create_table('routing_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('routing_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('seconds_per_piece', sa.Integer(), nullable=False),
    sa.Column('minutes_per_batch', sa.Integer(), nullable=False),
    sa.Column('loss_allowance_pct', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('checklist_needs', sa.String(length=60), nullable=False),
    sa.Column('process_requirements', sa.Text(), nullable=False),
    sa.Column('quality_standard', sa.Text(), nullable=False),
    sa.CheckConstraint('length(name) > 0', name=op.f('ck_routing_steps_name_not_empty')),
    sa.CheckConstraint('loss_allowance_pct >= 0 AND loss_allowance_pct <= 100', name=op.f('ck_routing_steps_loss_allowance_range')),
    sa.CheckConstraint('seconds_per_piece + minutes_per_batch > 0', name=op.f('ck_routing_steps_some_work')),
    sa.CheckConstraint('seconds_per_piece >= 0 AND minutes_per_batch >= 0', name=op.f('ck_routing_steps_times_not_negative')),
    sa.CheckConstraint('seq > 0', name=op.f('ck_routing_steps_seq_positive')),
    sa.ForeignKeyConstraint(['routing_id'], ['routing_templates.id'], name=op.f('fk_routing_steps_routing_id_routing_templates'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_routing_steps_workshop_id_workshops')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_routing_steps')),
    sa.UniqueConstraint('routing_id', 'seq', name='uq_routing_steps_routing_seq')
    )
    with op.batch_alter_table('routing_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_routing_steps_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('plan_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('responsible_id', sa.Integer(), nullable=True),
    sa.Column('planned_start', sa.Date(), nullable=False),
    sa.Column('planned_end', sa.Date(), nullable=False),
    sa.Column('work_minutes', sa.Integer(), nullable=False),
    sa.Column('loss_allowance_pct', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('checklist_needs', sa.String(length=60), nullable=False),
    sa.Column('process_requirements', sa.Text(), nullable=False),
    sa.Column('quality_standard', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('actual_start_at', jewelryorders.models.base.UTCDateTime(), nullable=True),
    sa.Column('actual_end_at', jewelryorders.models.base.UTCDateTime(), nullable=True),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('finished_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("state != 'done' OR actual_end_at IS NOT NULL", name=op.f('ck_plan_steps_done_has_end')),
    sa.CheckConstraint("state = 'planned' OR actual_start_at IS NOT NULL", name=op.f('ck_plan_steps_started_has_start')),
    sa.CheckConstraint("state IN ('planned', 'in_progress', 'done')", name=op.f('ck_plan_steps_state_known')),
    sa.CheckConstraint('loss_allowance_pct >= 0 AND loss_allowance_pct <= 100', name=op.f('ck_plan_steps_loss_allowance_range')),
    sa.CheckConstraint('planned_end >= planned_start', name=op.f('ck_plan_steps_end_not_before_start')),
    sa.CheckConstraint('seq > 0', name=op.f('ck_plan_steps_seq_positive')),
    sa.CheckConstraint('work_minutes > 0', name=op.f('ck_plan_steps_work_positive')),
    sa.ForeignKeyConstraint(['finished_by_id'], ['users.id'], name=op.f('fk_plan_steps_finished_by_id_users')),
    sa.ForeignKeyConstraint(['plan_id'], ['production_plans.id'], name=op.f('fk_plan_steps_plan_id_production_plans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['responsible_id'], ['users.id'], name=op.f('fk_plan_steps_responsible_id_users')),
    sa.ForeignKeyConstraint(['started_by_id'], ['users.id'], name=op.f('fk_plan_steps_started_by_id_users')),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_plan_steps_workshop_id_workshops')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_steps')),
    sa.UniqueConstraint('plan_id', 'seq', name='uq_plan_steps_plan_seq')
    )
    with op.batch_alter_table('plan_steps', schema=None) as batch_op:
        batch_op.create_index('ix_plan_steps_dates', ['planned_start', 'planned_end'], unique=False)
        batch_op.create_index('ix_plan_steps_workshop_dates', ['workshop_id', 'planned_start', 'planned_end'], unique=False)

    op.create_table('task_sheets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sheet_no', sa.String(length=24), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('plan_step_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('issued_at', jewelryorders.models.base.UTCDateTime(), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('print_count', sa.Integer(), nullable=False),
    sa.Column('last_printed_at', jewelryorders.models.base.UTCDateTime(), nullable=True),
    sa.Column('last_printed_by_id', sa.Integer(), nullable=True),
    sa.Column('printed_plan_version', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('issued', 'void')", name=op.f('ck_task_sheets_status_known')),
    sa.CheckConstraint('print_count >= 0', name=op.f('ck_task_sheets_print_count_not_negative')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_task_sheets_issued_by_id_users')),
    sa.ForeignKeyConstraint(['last_printed_by_id'], ['users.id'], name=op.f('fk_task_sheets_last_printed_by_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_task_sheets_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['plan_step_id'], ['plan_steps.id'], name=op.f('fk_task_sheets_plan_step_id_plan_steps')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_sheets')),
    sa.UniqueConstraint('sheet_no', name=op.f('uq_task_sheets_sheet_no'))
    )
    with op.batch_alter_table('task_sheets', schema=None) as batch_op:
        batch_op.create_index('ix_task_sheets_order_seq', ['order_id', 'seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_sheets_plan_step_id'), ['plan_step_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('task_sheets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_sheets_plan_step_id'))
        batch_op.drop_index('ix_task_sheets_order_seq')

    op.drop_table('task_sheets')
    with op.batch_alter_table('plan_steps', schema=None) as batch_op:
        batch_op.drop_index('ix_plan_steps_workshop_dates')
        batch_op.drop_index('ix_plan_steps_dates')

    op.drop_table('plan_steps')
    with op.batch_alter_table('routing_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_routing_steps_workshop_id'))

    op.drop_table('routing_steps')
    with op.batch_alter_table('production_plans', schema=None) as batch_op:
        batch_op.drop_index('ix_production_plans_status_order')
        batch_op.drop_index(batch_op.f('ix_production_plans_plan_no'))

    op.drop_table('production_plans')
    with op.batch_alter_table('order_forecasts', schema=None) as batch_op:
        batch_op.drop_index('ix_order_forecasts_days_late')

    op.drop_table('order_forecasts')
    op.drop_table('checklist_items')
    op.drop_table('workshops')
    op.drop_table('routing_templates')
    op.drop_table('factory_holidays')
