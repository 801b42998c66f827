"""Routing and plan steps link the versioned quality standards instead of free text; plan steps keep their routing step

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 03:28:19.130410

Upgrade: a routing or plan step's free-text quality standard that is a standard's code becomes the link (the plan
step also keeps the version in force on its planned start); any other text is kept, moved to the end of the step's
process requirements after the line NOTE_MARK (never dropped). Plan steps get the routing step they were made from
where name, workshop and the order's routings match exactly one routing step. Downgrade puts the text back.

SQLite: the columns are added and dropped with ALTER TABLE, not by recreating the tables, because a recreated
routing_steps (dropped with foreign keys on) would delete its control points (ON DELETE CASCADE) and the plan steps'
links to it.
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

NOTE_MARK = "[Quality standard (text kept from before the standards were linked)]"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _kept_text(process: str, old: str) -> str:
    return (process.rstrip() + "\n\n" if process.strip() else "") + NOTE_MARK + "\n" + old.strip()


def _split_kept(process: str) -> tuple[str, str]:
    """(process requirements without the kept text, kept text)."""
    at = process.find(NOTE_MARK)
    if at < 0:
        return process, ""
    return process[:at].rstrip(), process[at + len(NOTE_MARK):].strip()


PLAN_STEP_FKS = [
    "CONSTRAINT fk_plan_steps_routing_step_id_routing_steps FOREIGN KEY(routing_step_id) "
    "REFERENCES routing_steps (id) ON DELETE SET NULL",
    "CONSTRAINT fk_plan_steps_standard_id_quality_standards FOREIGN KEY(standard_id) REFERENCES quality_standards (id)",
]


def _sqlite_set_schema(table: str, new_sql: str) -> None:
    conn = op.get_bind()
    version = conn.exec_driver_sql("PRAGMA schema_version").scalar()
    conn.exec_driver_sql("PRAGMA writable_schema = ON")
    conn.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", (new_sql, table))
    conn.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    conn.exec_driver_sql("PRAGMA writable_schema = OFF")


def _table_sql(table: str) -> str:
    return op.get_bind().exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                                         (table,)).scalar()


def _sqlite_add_constraints(table: str, constraints: list[str]) -> None:
    """Add foreign keys to a table's schema text (SQLite's procedure for a change that leaves the stored rows as they
    are: writable_schema, then a new schema_version). Rebuilding the table instead would drop it, which with foreign
    keys on fails for, or cascades to, the rows that refer to it (task sheets, ledger entries)."""
    sql = _table_sql(table)
    end = sql.rstrip().rfind(")")
    _sqlite_set_schema(table, sql[:end].rstrip() + "".join(", \n\t" + c for c in constraints) + "\n)")


def _sqlite_remove_constraints(table: str, constraints: list[str]) -> None:
    sql = _table_sql(table)
    for c in constraints:
        sql = sql.replace(", \n\t" + c, "")
    _sqlite_set_schema(table, sql)


def upgrade() -> None:
    if _sqlite():
        op.execute("ALTER TABLE routing_steps ADD COLUMN standard_code VARCHAR(40) DEFAULT '' NOT NULL")
        op.execute("ALTER TABLE plan_steps ADD COLUMN routing_step_id INTEGER")
        op.execute("ALTER TABLE plan_steps ADD COLUMN standard_code VARCHAR(40) DEFAULT '' NOT NULL")
        op.execute("ALTER TABLE plan_steps ADD COLUMN standard_id INTEGER")
        _sqlite_add_constraints("plan_steps", PLAN_STEP_FKS)
    else:
        op.add_column('routing_steps', sa.Column('standard_code', sa.String(length=40), server_default='',
                                                 nullable=False))
        op.add_column('plan_steps', sa.Column('routing_step_id', sa.Integer(), nullable=True))
        op.add_column('plan_steps', sa.Column('standard_code', sa.String(length=40), server_default='',
                                              nullable=False))
        op.add_column('plan_steps', sa.Column('standard_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_plan_steps_standard_id_quality_standards'), 'plan_steps',
                              'quality_standards', ['standard_id'], ['id'])
        op.create_foreign_key(op.f('fk_plan_steps_routing_step_id_routing_steps'), 'plan_steps', 'routing_steps',
                              ['routing_step_id'], ['id'], ondelete='SET NULL')
    op.create_index(op.f('ix_plan_steps_routing_step_id'), 'plan_steps', ['routing_step_id'], unique=False)

    conn = op.get_bind()
    codes = {row[0] for row in conn.execute(sa.text("SELECT DISTINCT code FROM quality_standards"))}

    def in_force(code: str, day) -> int | None:
        return conn.execute(sa.text(
            "SELECT id FROM quality_standards WHERE code = :code AND effective_from <= :day "
            "ORDER BY effective_from DESC, version_no DESC LIMIT 1"), {"code": code, "day": day}).scalar()

    for table in ("routing_steps", "plan_steps"):
        extra = ", planned_start" if table == "plan_steps" else ""
        rows = conn.execute(sa.text(f"SELECT id, quality_standard, process_requirements{extra} FROM {table} "
                                    "WHERE quality_standard IS NOT NULL AND TRIM(quality_standard) != ''")).all()
        for row in rows:
            old = row[1].strip()
            if old.upper() in codes:
                values = {"id": row[0], "code": old.upper()}
                if table == "plan_steps":
                    values["standard_id"] = in_force(old.upper(), row[3])
                    conn.execute(sa.text("UPDATE plan_steps SET standard_code = :code, standard_id = :standard_id "
                                         "WHERE id = :id"), values)
                else:
                    conn.execute(sa.text("UPDATE routing_steps SET standard_code = :code WHERE id = :id"), values)
            else:
                conn.execute(sa.text(f"UPDATE {table} SET process_requirements = :text WHERE id = :id"),
                             {"id": row[0], "text": _kept_text(row[2] or "", old)})

    # The routing step each plan step was made from: same name and workshop, in the routings of the order's product
    # types (any routing when none is known), linked only when exactly one routing step matches.
    candidates = conn.execute(sa.text(
        "SELECT rs.id, rs.name, rs.workshop_id, rt.product_type FROM routing_steps rs "
        "JOIN routing_templates rt ON rt.id = rs.routing_id")).all()
    types_of_order: dict[int, set[str]] = {}
    for order_id, product_type in conn.execute(sa.text(
            "SELECT DISTINCT ol.order_id, st.product_type FROM order_lines ol JOIN styles st "
            "ON st.code = ol.style_code")):
        types_of_order.setdefault(order_id, set()).add(product_type)
    steps = conn.execute(sa.text("SELECT ps.id, ps.name, ps.workshop_id, pp.order_id FROM plan_steps ps "
                                 "JOIN production_plans pp ON pp.id = ps.plan_id")).all()
    for step_id, name, workshop_id, order_id in steps:
        types = types_of_order.get(order_id)
        found = [c[0] for c in candidates if c[1] == name and c[2] == workshop_id and (not types or c[3] in types)]
        if len(found) == 1:
            conn.execute(sa.text("UPDATE plan_steps SET routing_step_id = :rs WHERE id = :id"),
                         {"rs": found[0], "id": step_id})

    if _sqlite():
        op.execute("ALTER TABLE routing_steps DROP COLUMN quality_standard")
        op.execute("ALTER TABLE plan_steps DROP COLUMN quality_standard")
    else:
        op.drop_column('routing_steps', 'quality_standard')
        op.drop_column('plan_steps', 'quality_standard')


def downgrade() -> None:
    if _sqlite():
        op.execute("ALTER TABLE routing_steps ADD COLUMN quality_standard TEXT DEFAULT '' NOT NULL")
        op.execute("ALTER TABLE plan_steps ADD COLUMN quality_standard TEXT DEFAULT '' NOT NULL")
    else:
        op.add_column('routing_steps', sa.Column('quality_standard', sa.Text(), server_default='', nullable=False))
        op.add_column('plan_steps', sa.Column('quality_standard', sa.Text(), server_default='', nullable=False))

    conn = op.get_bind()
    for table in ("routing_steps", "plan_steps"):
        rows = conn.execute(sa.text(f"SELECT id, standard_code, process_requirements FROM {table} "
                                    f"WHERE standard_code != '' OR process_requirements LIKE :mark"),
                            {"mark": "%" + NOTE_MARK + "%"}).all()
        for step_id, code, process in rows:
            process, kept = _split_kept(process or "")
            conn.execute(sa.text(f"UPDATE {table} SET quality_standard = :q, process_requirements = :p "
                                 "WHERE id = :id"),
                         {"id": step_id, "q": "\n".join(t for t in (code, kept) if t), "p": process})

    op.drop_index(op.f('ix_plan_steps_routing_step_id'), table_name='plan_steps')
    if _sqlite():
        # A column in a foreign key cannot be dropped by ALTER TABLE: the keys go from the schema text first.
        _sqlite_remove_constraints("plan_steps", PLAN_STEP_FKS)
        for column in ("standard_id", "standard_code", "routing_step_id"):
            op.execute(f"ALTER TABLE plan_steps DROP COLUMN {column}")
        op.execute("ALTER TABLE routing_steps DROP COLUMN standard_code")
    else:
        op.drop_constraint(op.f('fk_plan_steps_routing_step_id_routing_steps'), 'plan_steps', type_='foreignkey')
        op.drop_constraint(op.f('fk_plan_steps_standard_id_quality_standards'), 'plan_steps', type_='foreignkey')
        op.drop_column('plan_steps', 'standard_id')
        op.drop_column('plan_steps', 'standard_code')
        op.drop_column('plan_steps', 'routing_step_id')
        op.drop_column('routing_steps', 'standard_code')
