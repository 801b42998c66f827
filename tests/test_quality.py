"""Quality control: versioned standards, instruments and their calibration, IQC/FAI/IPQC/FQC inspections with
pass/fail computed from the standard, the three gates, NCRs with disposition, corrective action and verification,
repeat offences, and the bad input the issue lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from jewelryorders import clock
from jewelryorders.models.materials import Lot
from jewelryorders.models.orders import Order
from jewelryorders.models.planning import TaskSheet
from jewelryorders.models.quality import Inspection, Ncr
from jewelryorders.services import gates
from jewelryorders.services.errors import GateError, PermissionDenied, ValidationError
from jewelryorders.services.materials import master as materials_master
from jewelryorders.services.materials import stock
from jewelryorders.services.orders import intake as orders
from jewelryorders.services.planning import plans
from jewelryorders.services.quality import inspections, master, ncr
from jewelryorders.services.quality.inspections import InspectionInput, Measurement

from .planning_support import contracted, factory  # noqa: F401,F811  (fixtures)

TODAY = dt.date(2026, 11, 16)


@dataclass
class QualityWorld:
    tech: object
    inspector: object
    head: object
    buyer: object
    worker: object
    planner: object
    product_std: object
    material_std: object
    caliper: object
    scale: object
    xrf: object
    order_id: int
    sheets: dict


def product_standard_input(code="QS-RING", effective=TODAY - dt.timedelta(days=30)):
    C = master.CharacteristicInput
    return master.StandardInput(code, "18K ring", effective, [
        C("appearance", "Surface", criterion="no scratches, no porosity at 10×", method="loupe 10×",
          instrument_kind="loupe"),
        C("size", "Ring size inner diameter", "17.00", "0.10", "0.10", "mm", method="ring gauge",
          instrument_kind="caliper"),
        C("weight", "Weight", "3.50", "0.20", "0.30", "g", method="scale 0.001 g", instrument_kind="scale"),
        C("composition", "Fineness Au750", "750", "0", None, "permille", method="XRF", instrument_kind="xrf"),
        C("setting", "Stones secure", criterion="no stone moves when shaken and pushed", method="shake test"),
        C("precision", "Prong height", "0.80", "0.05", "0.05", "mm", instrument_kind="caliper"),
    ], product_type="ring")


def material_standard_input():
    C = master.CharacteristicInput
    return master.StandardInput("QS-AU750", "Au750 grain", TODAY - dt.timedelta(days=30), [
        C("composition", "Fineness", "750", "0", None, "permille", instrument_kind="xrf"),
        C("appearance", "Clean grain", criterion="no oxide, no foreign matter"),
    ], scope="material", material_kind="metal")


def good_values(w: QualityWorld, **override):
    values = {"Surface": "pass", "Ring size inner diameter": ("17.02", w.caliper), "Weight": ("3.55", w.scale),
              "Fineness Au750": ("751", w.xrf), "Stones secure": "pass", "Prong height": ("0.80", w.caliper)}
    values.update(override)
    out = []
    for c in w.product_std.characteristics:
        v = values[c.name]
        value, inst = (v if isinstance(v, tuple) else (v, None))
        out.append(Measurement(c.id, value, inst.id if inst else None))
    return out


@pytest.fixture
def qworld(db, admin, make_user, factory, contracted):
    tech = factory.technical
    inspector = make_user("quality", "clerk", "inspector")
    head = make_user("quality", "department_head", "qhead")
    buyer = make_user("purchasing", "clerk", "qbuyer")
    product = master.create_standard_version(db, tech, product_standard_input())
    material = master.create_standard_version(db, tech, material_standard_input())
    inst = {}
    for code, kind in (("CAL-01", "caliper"), ("SC-01", "scale"), ("XRF-01", "xrf")):
        inst[kind] = master.create_instrument(db, inspector, master.InstrumentInput(
            code, code, kind, TODAY - dt.timedelta(days=100), 365))
    order_id = contracted(quantity=10)
    plan = plans.propose_plan(db, factory.planner, order_id)
    plans.release_plan(db, factory.planner, plan.id)
    with db.read_session() as s:
        sheets = {sheet.step.name: sheet.id for sheet in s.scalars(select(TaskSheet).where(
            TaskSheet.order_id == order_id))}
    return QualityWorld(tech, inspector, head, buyer, factory.worker, factory.planner, product, material,
                        inst["caliper"], inst["scale"], inst["xrf"], order_id, sheets)


def _to_final_qc(db, w: QualityWorld) -> None:
    from jewelryorders.services.context import unit_of_work
    from jewelryorders.services import stages

    with unit_of_work(db) as s:
        order = s.get(Order, w.order_id)
        if order.stage == "planned":
            stages.move(s, w.planner, order, "in_production", "test")
        stages.move(s, w.planner, order, "final_qc", "test")


def fqc(db, w, quantity=None, values=None, **kw):
    return inspections.record_inspection(db, w.inspector, InspectionInput(
        "fqc", w.product_std.id, values or good_values(w), order_id=w.order_id, quantity=quantity, **kw))


# ---- standards and instruments ------------------------------------------------------------------------------------

def test_a_standard_has_versions_and_the_one_in_force_is_the_latest_that_took_effect(db, qworld):
    std = qworld.product_std
    assert std.version_no == 1 and std.state == "in_force" and len(std.characteristics) == 6
    assert {c.kind for c in std.characteristics} == {"appearance", "size", "weight", "composition", "setting",
                                                      "precision"}
    later = master.create_standard_version(db, qworld.tech, product_standard_input(effective=TODAY + dt.timedelta(
        days=10)))
    assert later.version_no == 2 and later.state == "not_yet"
    assert master.standard_in_force(db, "QS-RING").id == std.id
    with pytest.raises(ValidationError, match="must take effect after"):
        master.create_standard_version(db, qworld.tech, product_standard_input(effective=TODAY))
    with pytest.raises(PermissionDenied):
        master.create_standard_version(db, qworld.inspector, product_standard_input(code="QS-X"))


def test_an_inspection_against_a_superseded_standard_is_refused(db, qworld):
    master.create_standard_version(db, qworld.tech, product_standard_input(effective=TODAY))
    _to_final_qc(db, qworld)
    with pytest.raises(ValidationError, match="superseded by version 2"):
        fqc(db, qworld)
    with db.read_session() as s:
        assert s.scalar(select(func.count(Inspection.id))) == 0


def test_an_instrument_past_its_calibration_date_is_refused_and_warned_about(db, qworld):
    old = master.create_instrument(db, qworld.inspector, master.InstrumentInput(
        "CAL-OLD", "Old caliper", "caliper", TODAY - dt.timedelta(days=400), 365))
    soon = master.create_instrument(db, qworld.inspector, master.InstrumentInput(
        "SC-SOON", "Scale", "scale", TODAY - dt.timedelta(days=350), 365))
    assert old.status() == "overdue" and soon.status() == "due_soon" and qworld.caliper.status() == "ok"
    assert {i.code for i in master.instruments_needing_attention(db)} == {"CAL-OLD", "SC-SOON"}
    _to_final_qc(db, qworld)
    with pytest.raises(GateError, match="CAL-OLD was due for calibration"):
        fqc(db, qworld, values=good_values(qworld, **{"Prong height": ("0.8", old)}))
    again = master.record_calibration(db, qworld.inspector, old.id, TODAY, "CERT-9")
    assert again.status() == "ok" and again.calibration_due == TODAY + dt.timedelta(days=365)


# ---- inspections -------------------------------------------------------------------------------------------------

def test_pass_or_fail_follows_from_the_standard_per_characteristic(db, qworld):
    _to_final_qc(db, qworld)
    view = fqc(db, qworld, quantity=4, values=good_values(qworld, Weight=("3.90", qworld.scale)),
               quantity_failed=1)
    by_name = {r.name: r for r in view.results}
    assert not by_name["Weight"].passed and by_name["Fineness Au750"].passed and by_name["Surface"].passed
    assert view.result == "failed" and view.quantity_passed == 3 and view.quantity_failed == 1 and view.ncr_no
    assert ncr.get_ncr(db, view.ncr_no).quantity == 1


def test_bad_measured_values_are_refused_and_nothing_is_saved(db, qworld):
    _to_final_qc(db, qworld)
    with pytest.raises(ValidationError, match="in g, but the standard measures it in mm"):
        fqc(db, qworld, values=good_values(qworld, **{"Prong height": ("0.8 g", qworld.caliper)}))
    with pytest.raises(ValidationError, match="outside any plausible range"):
        fqc(db, qworld, values=good_values(qworld, Weight=("3500", qworld.scale)))
    with pytest.raises(ValidationError, match="neither pass nor fail"):
        fqc(db, qworld, values=good_values(qworld, Surface="maybe"))
    with pytest.raises(ValidationError, match="enter the value measured"):
        fqc(db, qworld, values=good_values(qworld)[1:])
    with db.read_session() as s:
        assert s.scalar(select(func.count(Inspection.id))) == 0
        assert s.scalar(select(func.count(Ncr.id))) == 0


def test_iqc_releases_a_passed_lot_and_rejects_a_failed_one_which_then_cannot_be_issued(db, qworld, customer):
    gold = materials_master.create_material(db, qworld.buyer, materials_master.MaterialInput(
        "M-AU750", "metal", "18K grain", alloy="Au750", colour="yellow"))
    lots = [stock.receive_customer_material(db, qworld.buyer, customer.id, gold.id, "100", order_id=qworld.order_id)
            for _ in range(2)]
    std = qworld.material_std
    chars = {c.name: c.id for c in std.characteristics}

    def iqc(lot, fineness):
        return inspections.record_inspection(db, qworld.buyer, InspectionInput("iqc", std.id, [
            Measurement(chars["Fineness"], fineness, qworld.xrf.id), Measurement(chars["Clean grain"], "合格")],
            lot_id=lot.id))

    assert iqc(lots[0], "751").result == "passed"
    failed = iqc(lots[1], "742")
    assert failed.result == "failed" and failed.ncr_no
    with db.read_session() as s:
        assert s.get(Lot, lots[0].id).status == "released" and s.get(Lot, lots[1].id).status == "rejected"
    stock.issue(db, qworld.worker, lots[0].id, "10", order_id=qworld.order_id)
    with pytest.raises(GateError, match="Incoming-inspection gate.*failed incoming inspection.*concession on NCR"):
        stock.issue(db, qworld.worker, lots[1].id, "10", order_id=qworld.order_id)
    # The customer accepts the metal as it is: the concession releases the lot.
    n = ncr.get_ncr(db, failed.ncr_no)
    with pytest.raises(ValidationError, match="customer's approval"):
        ncr.decide_disposition(db, qworld.head, n.id, "concession", note="fineness 742 accepted")
    ncr.decide_disposition(db, qworld.head, n.id, "concession", note="fineness 742 accepted",
                           customer_approval="Ms Chan, e-mail 2026-11-16")
    stock.issue(db, qworld.worker, lots[1].id, "10", order_id=qworld.order_id)


def test_the_first_article_gate_blocks_the_batch_until_fai_passed(db, qworld):
    points = {(p.product_type, p.step_name): p for p in master.list_control_points(db)}
    casting = points[("ring", "Casting")]
    master.set_control_point(db, qworld.inspector, casting.routing_step_id, fai_required=True, ipqc=True,
                             frequency="each_batch", sample_size=2)
    sheet_id = qworld.sheets["Casting"]
    with db.read_session() as s:
        sheet = s.get(TaskSheet, sheet_id)
        order = s.get(Order, qworld.order_id)
        with pytest.raises(GateError, match="First-article gate.*Casting.*FAI"):
            gates.check(s, gates.LEDGER_RECORD, order=order, step=sheet.step, sheet=sheet, kind="finish",
                        quantity=10)
        gates.check(s, gates.LEDGER_RECORD, order=order, step=sheet.step, sheet=sheet, kind="start", quantity=10)
    first = inspections.record_inspection(db, qworld.worker, InspectionInput(
        "fai", qworld.product_std.id, good_values(qworld, Weight=("4.5", qworld.scale)), task_sheet_id=sheet_id,
        quantity=1))
    assert first.result == "failed"
    with db.read_session() as s:
        sheet = s.get(TaskSheet, sheet_id)
        with pytest.raises(GateError):
            gates.check(s, gates.LEDGER_RECORD, order=s.get(Order, qworld.order_id), step=sheet.step, sheet=sheet,
                        kind="finish", quantity=10)
    inspections.record_inspection(db, qworld.worker, InspectionInput(
        "fai", qworld.product_std.id, good_values(qworld), task_sheet_id=sheet_id, quantity=1))
    with db.read_session() as s:
        sheet = s.get(TaskSheet, sheet_id)
        gates.check(s, gates.LEDGER_RECORD, order=s.get(Order, qworld.order_id), step=sheet.step, sheet=sheet,
                    kind="finish", quantity=10)
    ipqc = inspections.record_inspection(db, qworld.inspector, InspectionInput(
        "ipqc", qworld.product_std.id, good_values(qworld), task_sheet_id=sheet_id, sampling="aql", aql="1.0",
        quantity=10, sample_size=2))
    assert ipqc.result == "passed" and ipqc.sample_size == 2
    with pytest.raises(GateError, match="not an in-process control point"):
        inspections.record_inspection(db, qworld.inspector, InspectionInput(
            "ipqc", qworld.product_std.id, good_values(qworld), task_sheet_id=qworld.sheets["Filing"]))


# ---- the whole way: FQC fails, rework, re-inspection, corrective action, close, ship --------------------------------

@pytest.fixture
def ledger_answer():
    calls = []

    def answer(session, *, actor, order, sheet_id, quantity, reason, ncr_no):
        calls.append((order.order_no, sheet_id, quantity, str(reason), ncr_no))
        return f"L-{len(calls):04d}"

    gates._load()
    saved = gates._answers.get("ledger.rework")  # the progress ledger's own answer, put back afterwards
    gates.register_answer("ledger.rework", answer)
    yield calls
    _restore_answer("ledger.rework", saved)


def _restore_answer(question, saved):
    if saved is None:
        gates._answers.pop(question, None)
    else:
        gates._answers[question] = saved


def test_fqc_fail_rework_reinspect_verify_close_makes_the_order_ready_to_ship(db, qworld, ledger_answer):
    _to_final_qc(db, qworld)
    first = fqc(db, qworld, values=good_values(qworld, **{"Stones secure": "fail"}), quantity_failed=2)
    assert first.quantity_passed == 8
    with db.read_session() as s:
        order = s.get(Order, qworld.order_id)
        with pytest.raises(GateError, match="Final-inspection gate.*failed.*8 of 10.*NCR-"):
            gates.check(s, gates.DELIVERY_SHIP, order=order, quantity=10)
    n = ncr.get_ncr(db, first.ncr_no)
    assert n.status == "open" and n.defect_kind == "setting" and n.quantity == 2
    with pytest.raises(ValidationError, match="cannot close.*no disposition"):
        ncr.close_ncr(db, qworld.head, n.id)
    with pytest.raises(PermissionDenied):
        ncr.decide_disposition(db, qworld.inspector, n.id, "rework", note="reset stones")
    n = ncr.decide_disposition(db, qworld.head, n.id, "rework", note="reset the loose stones")
    assert n.ledger_entry_no == "L-0001" and ledger_answer[0][2] == 2 and ledger_answer[0][4] == n.ncr_no
    n = ncr.record_corrective_action(db, qworld.head, n.id, method="five_why",
                                     root_cause=["stones loose", "prongs too thin", "worn setting tool", "", ""],
                                     action="replace tool; check prongs at setting", owner_id=qworld.worker.user_id,
                                     due=TODAY + dt.timedelta(days=7))
    with pytest.raises(GateError, match="no rectification report"):
        ncr.verify(db, qworld.head, n.id, effective=True, note="ok")
    setter_head = qworld.planner  # production's department head answers for the responsible department
    n = ncr.submit_rectification(db, setter_head, n.id, "tool replaced, setters retrained")
    n = ncr.verify(db, qworld.head, n.id, effective=True, note="no loose stones in the next 3 batches")
    with pytest.raises(ValidationError, match="not passed re-inspection"):
        ncr.close_ncr(db, qworld.head, n.id)
    again = fqc(db, qworld, reinspects_ncr_id=n.id)
    assert again.quantity == 2 and again.result == "passed" and again.reinspects_ncr_no == n.ncr_no
    with db.read_session() as s:
        assert s.get(Order, qworld.order_id).stage == "final_qc"  # the NCR is still open
    closed = ncr.close_ncr(db, qworld.head, n.id)
    assert closed.status == "closed"
    with db.read_session() as s:
        order = s.get(Order, qworld.order_id)
        assert order.stage == "ready_to_ship"
        gates.check(s, gates.DELIVERY_SHIP, order=order, quantity=10)
        released = gates.ask(s, "quality.released", None, order=order)
    assert [(no, q) for no, q, _at in released] == [(first.inspection_no, 8), (again.inspection_no, 2)]


def test_rework_without_the_progress_ledger_is_refused(db, qworld, monkeypatch):
    gates._load()
    monkeypatch.delitem(gates._answers, "ledger.rework", raising=False)
    _to_final_qc(db, qworld)
    first = fqc(db, qworld, values=good_values(qworld, Surface="fail"))
    n = ncr.get_ncr(db, first.ncr_no)
    with pytest.raises(GateError, match="progress ledger is not available"):
        ncr.decide_disposition(db, qworld.head, n.id, "repair", note="polish again")
    assert ncr.get_ncr(db, first.ncr_no).status == "open"


def test_scrap_records_metal_and_an_ineffective_action_goes_back(db, qworld):
    _to_final_qc(db, qworld)
    first = fqc(db, qworld, values=good_values(qworld, **{"Fineness Au750": ("700", qworld.xrf)}),
                quantity_failed=1)
    n = ncr.get_ncr(db, first.ncr_no)
    n = ncr.decide_disposition(db, qworld.head, n.id, "scrap", note="wrong alloy", metal_recovered_g="3.412")
    assert n.metal_recovered_mg == 3412
    n = ncr.record_corrective_action(db, qworld.inspector, n.id, method="free", root_cause="alloy mixed up",
                                     action="label alloy bins", owner_id=qworld.worker.user_id, due=TODAY)
    n = ncr.submit_rectification(db, qworld.planner, n.id, "bins labelled")
    n = ncr.verify(db, qworld.head, n.id, effective=False, note="bins mixed again")
    assert n.rectified_at is None and n.verified_effective is False
    with pytest.raises(ValidationError, match="no rectification report"):
        ncr.close_ncr(db, qworld.head, n.id)
    clock.set_fixed(TODAY + dt.timedelta(days=3))
    assert [x.ncr_no for x in ncr.overdue_actions(db)] == [n.ncr_no]


def test_repeat_offences_are_counted_with_a_pareto_and_a_threshold(db, qworld):
    _to_final_qc(db, qworld)
    for _ in range(3):
        fqc(db, qworld, quantity=1, values=good_values(qworld, Surface="fail"))
    fqc(db, qworld, quantity=1, values=good_values(qworld, Weight=("3.0", qworld.scale)))
    ncr.set_repeat_threshold(db, qworld.head, 3)
    by_defect = ncr.repeat_offences(db, "defect")
    assert [(r.key, r.count, r.cumulative_percent) for r in by_defect] == [("appearance", 3, 75.0),
                                                                           ("weight", 1, 100.0)]
    by_dept = ncr.repeat_offences(db, "department")
    assert by_dept[0].key == "production" and by_dept[0].count == 4 and by_dept[0].over_threshold
    with pytest.raises(PermissionDenied):
        ncr.set_repeat_threshold(db, qworld.inspector, 5)


def test_fqc_is_only_for_orders_in_production_and_never_beyond_the_quantity(db, qworld):
    with db.read_session() as s:
        assert s.get(Order, qworld.order_id).stage == "planned"
    with pytest.raises(GateError, match="final inspection is of an order in production"):
        fqc(db, qworld)
    _to_final_qc(db, qworld)
    with pytest.raises(ValidationError, match="10 pieces left"):
        fqc(db, qworld, quantity=11)
    view = fqc(db, qworld, sampling="aql", aql="1.0", sample_size=3)
    assert view.quantity == 10 and view.quantity_passed == 10
    with db.read_session() as s:
        assert s.get(Order, qworld.order_id).stage == "ready_to_ship"


def test_an_aql_sample_that_fails_rejects_the_whole_quantity(db, qworld):
    _to_final_qc(db, qworld)
    view = fqc(db, qworld, sampling="aql", aql="1.0", sample_size=3, values=good_values(qworld, Surface="fail"),
               quantity_failed=1)
    assert view.quantity_passed == 0 and ncr.get_ncr(db, view.ncr_no).quantity == 10


def test_orders_of_the_conftest_keep_working(db, order_factory):
    assert orders.get_order(db, order_factory().id).stage == "draft"
