"""quality control

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa
import jewelryorders.models.base


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('instruments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('serial_no', sa.String(length=60), nullable=False),
    sa.Column('location', sa.String(length=100), nullable=False),
    sa.Column('interval_days', sa.Integer(), nullable=False),
    sa.Column('last_calibrated', sa.Date(), nullable=True),
    sa.Column('calibration_due', sa.Date(), nullable=False),
    sa.Column('certificate_no', sa.String(length=60), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', jewelryorders.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', jewelryorders.models.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('scale', 'caliper', 'xrf', 'ring_gauge', 'loupe', 'tester', 'other')", name=op.f('ck_instruments_kind_known')),
    sa.CheckConstraint('interval_days > 0', name=op.f('ck_instruments_interval_positive')),
    sa.CheckConstraint('length(code) > 0', name=op.f('ck_instruments_code_not_empty')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_instruments')),
    sa.UniqueConstraint('code', name=op.f('uq_instruments_code'))
    )
    with op.batch_alter_table('instruments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_instruments_calibration_due'), ['calibration_due'], unique=False)

    op.create_table('quality_standards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('version_no', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('product_type', sa.String(length=20), nullable=False),
    sa.Column('style_id', sa.Integer(), nullable=True),
    sa.Column('material_kind', sa.String(length=12), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('change_note', sa.Text(), nullable=False),
    sa.Column('written_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', jewelryorders.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', jewelryorders.models.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint("scope IN ('product', 'material')", name=op.f('ck_quality_standards_scope_known')),
    sa.CheckConstraint('length(code) > 0', name=op.f('ck_quality_standards_code_not_empty')),
    sa.CheckConstraint('version_no > 0', name=op.f('ck_quality_standards_version_no_positive')),
    sa.ForeignKeyConstraint(['style_id'], ['styles.id'], name=op.f('fk_quality_standards_style_id_styles')),
    sa.ForeignKeyConstraint(['written_by_id'], ['users.id'], name=op.f('fk_quality_standards_written_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quality_standards')),
    sa.UniqueConstraint('code', 'version_no', name='uq_quality_standards_code_version')
    )
    with op.batch_alter_table('quality_standards', schema=None) as batch_op:
        batch_op.create_index('ix_quality_standards_code_effective', ['code', 'effective_from'], unique=False)

    op.create_table('quality_characteristics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('standard_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('nominal', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('tol_minus', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('tol_plus', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('unit', sa.String(length=10), nullable=False),
    sa.Column('criterion', sa.Text(), nullable=False),
    sa.Column('method', sa.Text(), nullable=False),
    sa.Column('instrument_kind', sa.String(length=12), nullable=False),
    sa.CheckConstraint("(unit = '') = (nominal IS NULL)", name=op.f('ck_quality_characteristics_number_has_unit')),
    sa.CheckConstraint("kind IN ('appearance', 'size', 'weight', 'composition', 'setting', 'precision')", name=op.f('ck_quality_characteristics_kind_known')),
    sa.CheckConstraint("unit IN ('', 'mm', 'g', 'ct', 'permille', 'um', 'N')", name=op.f('ck_quality_characteristics_unit_known')),
    sa.CheckConstraint('tol_minus IS NULL OR tol_minus >= 0', name=op.f('ck_quality_characteristics_tol_minus_not_negative')),
    sa.CheckConstraint('tol_plus IS NULL OR tol_plus >= 0', name=op.f('ck_quality_characteristics_tol_plus_not_negative')),
    sa.ForeignKeyConstraint(['standard_id'], ['quality_standards.id'], name=op.f('fk_quality_characteristics_standard_id_quality_standards'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quality_characteristics')),
    sa.UniqueConstraint('standard_id', 'seq', name='uq_quality_characteristics_standard_seq')
    )
    op.create_table('quality_control_points',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('routing_step_id', sa.Integer(), nullable=False),
    sa.Column('fai_required', sa.Boolean(), nullable=False),
    sa.Column('ipqc', sa.Boolean(), nullable=False),
    sa.Column('frequency', sa.String(length=16), nullable=False),
    sa.Column('sample_size', sa.Integer(), nullable=False),
    sa.Column('standard_code', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("frequency IN ('each_batch', 'each_shift', 'each_day', 'every_2_hours')", name=op.f('ck_quality_control_points_frequency_known')),
    sa.CheckConstraint('sample_size >= 0', name=op.f('ck_quality_control_points_sample_size_not_negative')),
    sa.ForeignKeyConstraint(['routing_step_id'], ['routing_steps.id'], name=op.f('fk_quality_control_points_routing_step_id_routing_steps'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quality_control_points')),
    sa.UniqueConstraint('routing_step_id', name=op.f('uq_quality_control_points_routing_step_id'))
    )
    op.create_table('inspections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_no', sa.String(length=24), nullable=False),
    sa.Column('kind', sa.String(length=4), nullable=False),
    sa.Column('standard_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('lot_id', sa.Integer(), nullable=True),
    sa.Column('task_sheet_id', sa.Integer(), nullable=True),
    sa.Column('control_point_id', sa.Integer(), nullable=True),
    sa.Column('reinspects_ncr_id', sa.Integer(), nullable=True),
    sa.Column('sampling', sa.String(length=4), nullable=False),
    sa.Column('aql', sa.String(length=8), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('sample_size', sa.Integer(), nullable=False),
    sa.Column('quantity_passed', sa.Integer(), nullable=False),
    sa.Column('quantity_failed', sa.Integer(), nullable=False),
    sa.Column('result', sa.String(length=8), nullable=False),
    sa.Column('inspected_at', jewelryorders.models.base.UTCDateTime(), nullable=False),
    sa.Column('inspector_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.CheckConstraint("kind IN ('iqc', 'fai', 'ipqc', 'fqc')", name=op.f('ck_inspections_kind_known')),
    sa.CheckConstraint("result IN ('passed', 'failed')", name=op.f('ck_inspections_result_known')),
    sa.CheckConstraint("sampling IN ('full', 'aql')", name=op.f('ck_inspections_sampling_known')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_inspections_quantity_positive')),
    sa.CheckConstraint('quantity_passed + quantity_failed <= quantity', name=op.f('ck_inspections_counts_within_quantity')),
    sa.CheckConstraint('quantity_passed >= 0 AND quantity_failed >= 0', name=op.f('ck_inspections_counts_not_negative')),
    sa.CheckConstraint('sample_size > 0 AND sample_size <= quantity', name=op.f('ck_inspections_sample_within_quantity')),
    sa.ForeignKeyConstraint(['control_point_id'], ['quality_control_points.id'], name=op.f('fk_inspections_control_point_id_quality_control_points')),
    sa.ForeignKeyConstraint(['inspector_id'], ['users.id'], name=op.f('fk_inspections_inspector_id_users')),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_inspections_lot_id_lots')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_inspections_order_id_orders')),
    sa.ForeignKeyConstraint(['standard_id'], ['quality_standards.id'], name=op.f('fk_inspections_standard_id_quality_standards')),
    sa.ForeignKeyConstraint(['task_sheet_id'], ['task_sheets.id'], name=op.f('fk_inspections_task_sheet_id_task_sheets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspections')),
    sa.UniqueConstraint('inspection_no', name=op.f('uq_inspections_inspection_no'))
    )
    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.create_index('ix_inspections_inspected_at', ['inspected_at'], unique=False)
        batch_op.create_index('ix_inspections_lot_id', ['lot_id'], unique=False)
        batch_op.create_index('ix_inspections_order_kind', ['order_id', 'kind'], unique=False)
        batch_op.create_index('ix_inspections_task_sheet_id', ['task_sheet_id'], unique=False)

    op.create_table('inspection_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('characteristic_id', sa.Integer(), nullable=False),
    sa.Column('measured', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('instrument_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['characteristic_id'], ['quality_characteristics.id'], name=op.f('fk_inspection_results_characteristic_id_quality_characteristics')),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_inspection_results_inspection_id_inspections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['instrument_id'], ['instruments.id'], name=op.f('fk_inspection_results_instrument_id_instruments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_results')),
    sa.UniqueConstraint('inspection_id', 'characteristic_id', name='uq_inspection_results_pair')
    )
    op.create_table('ncrs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ncr_no', sa.String(length=24), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('lot_id', sa.Integer(), nullable=True),
    sa.Column('task_sheet_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=14), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('defect_kind', sa.String(length=12), nullable=False),
    sa.Column('found_at', jewelryorders.models.base.UTCDateTime(), nullable=False),
    sa.Column('found_where', sa.String(length=200), nullable=False),
    sa.Column('batch', sa.String(length=60), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('responsible_department', sa.String(length=20), nullable=False),
    sa.Column('responsible_person_id', sa.Integer(), nullable=True),
    sa.Column('disposition', sa.String(length=12), nullable=True),
    sa.Column('disposition_note', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', jewelryorders.models.base.UTCDateTime(), nullable=True),
    sa.Column('customer_approval', sa.Text(), nullable=False),
    sa.Column('ledger_entry_no', sa.String(length=40), nullable=False),
    sa.Column('metal_recovered_mg', sa.BigInteger(), nullable=True),
    sa.Column('root_cause_method', sa.String(length=10), nullable=False),
    sa.Column('root_cause', sa.Text(), nullable=False),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('action_owner_id', sa.Integer(), nullable=True),
    sa.Column('action_due', sa.Date(), nullable=True),
    sa.Column('rectification', sa.Text(), nullable=False),
    sa.Column('rectified_by_id', sa.Integer(), nullable=True),
    sa.Column('rectified_at', jewelryorders.models.base.UTCDateTime(), nullable=True),
    sa.Column('verified_effective', sa.Boolean(), nullable=True),
    sa.Column('verification_note', sa.Text(), nullable=False),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.Column('verified_at', jewelryorders.models.base.UTCDateTime(), nullable=True),
    sa.Column('closed_at', jewelryorders.models.base.UTCDateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', jewelryorders.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', jewelryorders.models.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint("disposition IS NULL OR disposition IN ('rework', 'repair', 'scrap', 'concession')", name=op.f('ck_ncrs_disposition_known')),
    sa.CheckConstraint("status != 'closed' OR verified_effective = true", name=op.f('ck_ncrs_closed_is_verified')),
    sa.CheckConstraint("status IN ('open', 'dispositioned', 'closed')", name=op.f('ck_ncrs_status_known')),
    sa.CheckConstraint('metal_recovered_mg IS NULL OR metal_recovered_mg >= 0', name=op.f('ck_ncrs_metal_not_negative')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_ncrs_quantity_positive')),
    sa.ForeignKeyConstraint(['action_owner_id'], ['users.id'], name=op.f('fk_ncrs_action_owner_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_ncrs_decided_by_id_users')),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_ncrs_inspection_id_inspections')),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_ncrs_lot_id_lots')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_ncrs_order_id_orders')),
    sa.ForeignKeyConstraint(['rectified_by_id'], ['users.id'], name=op.f('fk_ncrs_rectified_by_id_users')),
    sa.ForeignKeyConstraint(['responsible_person_id'], ['users.id'], name=op.f('fk_ncrs_responsible_person_id_users')),
    sa.ForeignKeyConstraint(['task_sheet_id'], ['task_sheets.id'], name=op.f('fk_ncrs_task_sheet_id_task_sheets')),
    sa.ForeignKeyConstraint(['verified_by_id'], ['users.id'], name=op.f('fk_ncrs_verified_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ncrs')),
    sa.UniqueConstraint('ncr_no', name=op.f('uq_ncrs_ncr_no'))
    )
    with op.batch_alter_table('ncrs', schema=None) as batch_op:
        batch_op.create_index('ix_ncrs_found_at', ['found_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ncrs_inspection_id'), ['inspection_id'], unique=False)
        batch_op.create_index('ix_ncrs_order_id', ['order_id'], unique=False)
        batch_op.create_index('ix_ncrs_status', ['status'], unique=False)

    op.create_table('quality_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=True),
    sa.Column('ncr_id', sa.Integer(), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('(inspection_id IS NULL) != (ncr_id IS NULL)', name=op.f('ck_quality_photos_one_owner')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_quality_photos_document_id_documents')),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_quality_photos_inspection_id_inspections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ncr_id'], ['ncrs.id'], name=op.f('fk_quality_photos_ncr_id_ncrs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quality_photos'))
    )
    with op.batch_alter_table('quality_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quality_photos_inspection_id'), ['inspection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quality_photos_ncr_id'), ['ncr_id'], unique=False)

    # A re-inspection points at its NCR, which points at the failed inspection: the cycle's second edge last.
    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_inspections_reinspects_ncr_id_ncrs', 'ncrs', ['reinspects_ncr_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('quality_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quality_photos_ncr_id'))
        batch_op.drop_index(batch_op.f('ix_quality_photos_inspection_id'))

    op.drop_table('quality_photos')
    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.drop_constraint('fk_inspections_reinspects_ncr_id_ncrs', type_='foreignkey')
    with op.batch_alter_table('ncrs', schema=None) as batch_op:
        batch_op.drop_index('ix_ncrs_status')
        batch_op.drop_index('ix_ncrs_order_id')
        batch_op.drop_index(batch_op.f('ix_ncrs_inspection_id'))
        batch_op.drop_index('ix_ncrs_found_at')

    op.drop_table('ncrs')
    op.drop_table('inspection_results')
    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.drop_index('ix_inspections_task_sheet_id')
        batch_op.drop_index('ix_inspections_order_kind')
        batch_op.drop_index('ix_inspections_lot_id')
        batch_op.drop_index('ix_inspections_inspected_at')

    op.drop_table('inspections')
    op.drop_table('quality_control_points')
    op.drop_table('quality_characteristics')
    with op.batch_alter_table('quality_standards', schema=None) as batch_op:
        batch_op.drop_index('ix_quality_standards_code_effective')

    op.drop_table('quality_standards')
    with op.batch_alter_table('instruments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_instruments_calibration_due'))

    op.drop_table('instruments')
