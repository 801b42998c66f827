"""Routing steps refer to a quality standard by its code (issue 12): plan steps keep the version in force and the
routing step they were made from; the task sheet prints the standard in short; migration 0015 moves free text."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from sqlalchemy import select, text

from jewelryorders.models.planning import PlanStep, RoutingStep, TaskSheet
from jewelryorders.services.errors import PermissionDenied, ValidationError
from jewelryorders.services.planning import master_data as master
from jewelryorders.services.planning import plans, sheets
from jewelryorders.services.quality import master as quality

from .planning_support import contracted, factory  # noqa: F401,F811  (fixtures)

TODAY = dt.date(2026, 11, 16)


def _standard(code="QS-POLISH", effective=TODAY - dt.timedelta(days=30), weight="3.50"):
    C = quality.CharacteristicInput
    return quality.StandardInput(code, "Polished ring", effective, [
        C("weight", "Weight", weight, "0.20", "0.30", "g", method="scale", instrument_kind="scale"),
        C("size", "Inner diameter", "17.00", "0.10", "0.10", "mm", instrument_kind="caliper"),
        C("composition", "Fineness Au750", "750", "0", None, "permille", instrument_kind="xrf"),
        C("appearance", "Surface", criterion="mirror finish, no scratches at 10×"),
    ], product_type="ring")


def _step_inputs(routing: master.RoutingInfo) -> list[master.RoutingStepInput]:
    return [master.RoutingStepInput(s.name, s.workshop_id, s.hours_per_piece, s.hours_per_batch,
                                    s.loss_allowance_pct, s.checklist_needs, s.process_requirements,
                                    s.standard_code, s.id) for s in routing.steps]


def _link(db, factory, step_name: str, code: str, rename: str | None = None) -> master.RoutingInfo:
    routing = master.get_routing(db, factory.routing_id)
    steps = _step_inputs(routing)
    for st in steps:
        if st.name == step_name:
            st.standard_code = code
            st.name = rename or st.name
    return master.update_routing(db, factory.planner, routing.id, routing.version,
                                 master.RoutingInput("ring", routing.name, steps))


def test_a_routing_step_names_a_standard_by_code_and_the_plan_step_keeps_the_version_in_force(
        db, factory, contracted):
    v1 = quality.create_standard_version(db, factory.technical, _standard())
    before = {s.name: s.id for s in master.get_routing(db, factory.routing_id).steps}
    routing = _link(db, factory, "Polishing", "qs-polish")
    polishing = next(s for s in routing.steps if s.name == "Polishing")
    assert polishing.standard_code == "QS-POLISH"
    assert {s.name: s.id for s in routing.steps} == before, "an edited routing keeps its steps (and their ids)"
    assert ("QS-POLISH", "Polished ring") in master.standard_choices(db)
    with pytest.raises(ValidationError, match="no quality standard QS-NONE"):
        _link(db, factory, "Polishing", "QS-NONE")
    # An incoming-material standard is quality's, for IQC: not a routing step's.
    quality.create_standard_version(db, factory.technical, quality.StandardInput(
        "QS-GRAIN", "Au750 grain", TODAY, [quality.CharacteristicInput("appearance", "Clean", criterion="no oxide")],
        scope="material", material_kind="metal"))
    assert [code for code, _title in master.standard_choices(db)] == ["QS-POLISH"]
    with pytest.raises(ValidationError, match="no quality standard QS-GRAIN"):
        _link(db, factory, "Polishing", "QS-GRAIN")

    order_id = contracted(quantity=10)
    plan = plans.propose_plan(db, factory.planner, order_id)
    with db.read_session() as s:
        steps = {st.name: st for st in s.scalars(select(PlanStep).where(PlanStep.plan_id == plan.id))}
        assert steps["Polishing"].standard_code == "QS-POLISH" and steps["Polishing"].standard_id == v1.id
        assert steps["Casting"].standard_code == "" and steps["Casting"].standard_id is None
        routing_ids = {st.name: st.routing_step_id for st in steps.values()}
    assert routing_ids == before
    # A new version taking effect is picked up by the routing without editing it.
    v2 = quality.create_standard_version(db, factory.technical, _standard(effective=TODAY + dt.timedelta(days=3),
                                                                          weight="3.60"))
    with db.read_session() as s:
        step = s.scalar(select(PlanStep).where(PlanStep.plan_id == plan.id, PlanStep.name == "Polishing"))
        assert sheets.step_standard(s, step, TODAY + dt.timedelta(days=400)).id == v2.id


def test_planners_cannot_write_standards(db, factory):
    with pytest.raises(PermissionDenied):
        quality.create_standard_version(db, factory.planner, _standard())


def test_the_control_point_follows_the_routing_step_through_a_rename(db, factory, contracted):
    order_id = contracted(quantity=10)
    plan = plans.propose_plan(db, factory.planner, order_id)
    routing = master.get_routing(db, factory.routing_id)
    setting = next(s for s in routing.steps if s.name == "Stone setting")
    quality.set_control_point(db, factory.technical, setting.id, fai_required=True, ipqc=False)
    renamed = _link(db, factory, "Stone setting", "", rename="Setting (pavé)")
    assert next(s for s in renamed.steps if s.name == "Setting (pavé)").id == setting.id
    with db.read_session() as s:
        step = s.scalar(select(PlanStep).where(PlanStep.plan_id == plan.id, PlanStep.name == "Stone setting"))
        point = quality.control_point_of_plan_step(s, step)
        assert point is not None and point.routing_step_id == setting.id and point.fai_required
        # Another step's point is not taken for it, though a name lookup would find none at all now.
        other = s.scalar(select(PlanStep).where(PlanStep.plan_id == plan.id, PlanStep.name == "Casting"))
        assert quality.control_point_of_plan_step(s, other) is None
    # A step without the link (planned before it was kept) still finds its point by name and workshop.
    with db.unit_of_work() as s:
        step = s.scalar(select(PlanStep).where(PlanStep.plan_id == plan.id, PlanStep.name == "Stone setting"))
        step.routing_step_id = None
        step.name = "Setting (pavé)"
    with db.read_session() as s:
        step = s.scalar(select(PlanStep).where(PlanStep.plan_id == plan.id, PlanStep.name == "Setting (pavé)"))
        assert quality.control_point_of_plan_step(s, step).routing_step_id == setting.id


def test_a_removed_routing_step_leaves_the_plan_step_unlinked(db, factory, contracted):
    order_id = contracted(quantity=10)
    plan = plans.propose_plan(db, factory.planner, order_id)
    routing = master.get_routing(db, factory.routing_id)
    steps = [st for st in _step_inputs(routing) if st.name != "Plating"]
    master.update_routing(db, factory.planner, routing.id, routing.version,
                          master.RoutingInput("ring", routing.name, steps))
    with db.read_session() as s:
        step = s.scalar(select(PlanStep).where(PlanStep.plan_id == plan.id, PlanStep.name == "Plating"))
        assert step is not None and step.routing_step_id is None


def _pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.parametrize("lang", ["en", "zh_TW"])
def test_the_task_sheet_prints_the_standard_code_version_and_characteristics(db, factory, contracted, tmp_path,
                                                                            lang):
    v1 = quality.create_standard_version(db, factory.technical, _standard())
    _link(db, factory, "Polishing", "QS-POLISH")
    order_id = contracted(quantity=10)
    plan = plans.propose_plan(db, factory.planner, order_id)
    plans.release_plan(db, factory.planner, plan.id)
    with db.read_session() as s:
        sheet_no = s.scalar(select(TaskSheet.sheet_no).join(PlanStep, PlanStep.id == TaskSheet.plan_step_id)
                            .where(TaskSheet.order_id == order_id, PlanStep.name == "Polishing"))
    out = sheets.print_task_sheets(db, factory.planner, tmp_path / f"sheet-{lang}.pdf", sheet_nos=[sheet_no],
                                   lang=lang)
    words = _pdf_text(out.path)
    assert "QS-POLISH v1" in words
    assert "Weight: 3.5 +0.3 / −0.2" in words
    assert ("≥ 750 ‰" in words) if lang == "en" else ("≥ 750" in words)
    with db.read_session() as s:
        step = s.scalar(select(PlanStep).where(PlanStep.plan_id == plan.id, PlanStep.name == "Polishing"))
        assert step.standard_id == v1.id


def test_a_long_standard_is_cut_in_its_box_with_a_pointer_to_the_standard(db, factory, contracted, tmp_path):
    C = quality.CharacteristicInput
    many = [C("size", f"Prong {i} height", "0.80", "0.05", "0.05", "mm") for i in range(1, 31)]
    quality.create_standard_version(db, factory.technical, quality.StandardInput(
        "QS-PAVE", "Pavé setting", TODAY - dt.timedelta(days=1), many, product_type="ring"))
    _link(db, factory, "Stone setting", "QS-PAVE")
    order_id = contracted(quantity=10)
    plan = plans.propose_plan(db, factory.planner, order_id)
    plans.release_plan(db, factory.planner, plan.id)
    with db.read_session() as s:
        sheet_no = s.scalar(select(TaskSheet.sheet_no).join(PlanStep, PlanStep.id == TaskSheet.plan_step_id)
                            .where(TaskSheet.order_id == order_id, PlanStep.name == "Stone setting"))
    out = sheets.print_task_sheets(db, factory.planner, tmp_path / "long.pdf", sheet_nos=[sheet_no], lang="en")
    words = _pdf_text(out.path)
    assert "… see standard QS-PAVE v1" in words and "Prong 30 height" not in words
    assert "Prong 1 height" in words


# ---- migration 0015 -----------------------------------------------------------------------------------------------

def _alembic(db, target: str, down: bool = False) -> None:
    from alembic import command

    from jewelryorders.db import alembic_config

    cfg = alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, target)


def test_migration_0015_links_free_text_that_names_a_standard_and_keeps_other_text(db, factory, contracted):
    sqlite = db.engine.dialect.name == "sqlite"
    quality.create_standard_version(db, factory.technical, _standard())
    order_id = contracted(quantity=10)
    plan = plans.propose_plan(db, factory.planner, order_id)
    plans.release_plan(db, factory.planner, plan.id)
    _alembic(db, "0014", down=True)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE routing_steps SET quality_standard = 'qs-polish' WHERE name = 'Polishing'"))
        conn.execute(text("UPDATE routing_steps SET quality_standard = '無砂孔 no porosity' WHERE name = 'Casting'"))
        conn.execute(text("UPDATE plan_steps SET quality_standard = 'QS-POLISH' WHERE name = 'Polishing'"))
        conn.execute(text("UPDATE plan_steps SET quality_standard = '無砂孔 no porosity' WHERE name = 'Casting'"))
        sheets_before = conn.execute(text("SELECT count(*) FROM task_sheets")).scalar()
    _alembic(db, "0015")
    with db.read_session() as s:
        routing = {st.name: st for st in s.scalars(select(RoutingStep))}
        assert routing["Polishing"].standard_code == "QS-POLISH"
        assert routing["Casting"].standard_code == ""
        assert routing["Casting"].process_requirements.startswith("Casting: follow the drawing")
        assert "無砂孔 no porosity" in routing["Casting"].process_requirements
        steps = {st.name: st for st in s.scalars(select(PlanStep).where(PlanStep.plan_id == plan.id))}
        assert steps["Polishing"].standard_code == "QS-POLISH" and steps["Polishing"].standard_id is not None
        assert "無砂孔 no porosity" in steps["Casting"].process_requirements
        # The routing step each plan step came from is found again by name and workshop.
        assert {n: st.routing_step_id for n, st in steps.items()} == {n: r.id for n, r in routing.items()}
        assert s.scalar(select(text("count(*)")).select_from(TaskSheet)) == sheets_before
    if sqlite:
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    # Down again: the text comes back where it was.
    _alembic(db, "0014", down=True)
    with db.engine.connect() as conn:
        rows = dict(conn.execute(text("SELECT name, quality_standard FROM routing_steps")).all())
        process = conn.execute(text("SELECT process_requirements FROM routing_steps WHERE name = 'Casting'")).scalar()
        if sqlite:
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    assert rows["Polishing"] == "QS-POLISH" and rows["Casting"] == "無砂孔 no porosity"
    assert process == "Casting: follow the drawing"
    _alembic(db, "head")
    with db.read_session() as s:
        routing_step = s.scalar(select(RoutingStep).where(RoutingStep.name == "Plating"))
        # ON DELETE SET NULL still holds after the schema text was rewritten.
        step = s.scalar(select(PlanStep).where(PlanStep.plan_id == plan.id, PlanStep.name == "Plating"))
        assert step.routing_step_id == routing_step.id
    with db.unit_of_work() as s:
        s.execute(text("DELETE FROM routing_steps WHERE name = 'Plating'"))
    with db.read_session() as s:
        step = s.scalar(select(PlanStep).where(PlanStep.plan_id == plan.id, PlanStep.name == "Plating"))
        assert step.routing_step_id is None


def test_a_step_merged_from_two_routings_keeps_the_routing_step_with_the_control_point(
        db, admin, make_user, sales, customer, factory):
    from jewelryorders.services import styles
    from jewelryorders.services.orders import intake as orders

    from .conftest import order_input
    from .planning_support import sign_contract

    ring = master.get_routing(db, factory.routing_id)
    pendant = master.create_routing(db, factory.planner, master.RoutingInput("pendant", "Pendant routing", [
        master.RoutingStepInput(s.name, s.workshop_id, s.hours_per_piece, s.hours_per_batch, s.loss_allowance_pct,
                                s.checklist_needs) for s in ring.steps]))
    styles.create_style(db, factory.technical, "P-18K-001", "Pendant 1", "pendant", "Au750", 30, is_new_style=False)
    setting = next(s for s in pendant.steps if s.name == "Stone setting")
    quality.set_control_point(db, factory.technical, setting.id, fai_required=True, ipqc=False)
    data = order_input(customer.id, lines=2)
    data.lines[1].style_code = "P-18K-001"
    order_id = orders.create_order(db, sales, data).id
    sign_contract(db, admin, make_user, sales, order_id)
    plan = plans.propose_plan(db, factory.planner, order_id)
    with db.read_session() as s:
        steps = {st.name: st for st in s.scalars(select(PlanStep).where(PlanStep.plan_id == plan.id))}
        assert len(steps) == len(ring.steps)
        assert steps["Stone setting"].routing_step_id == setting.id
        assert quality.control_point_of_plan_step(s, steps["Stone setting"]).fai_required
        # Without a control point either way, the first line's routing gives the step.
        assert steps["Casting"].routing_step_id == next(s.id for s in ring.steps if s.name == "Casting")
