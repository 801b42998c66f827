"""The Quality tab driven as an inspector and the quality manager do: IQC of a lot, FAI of a batch, FQC that fails
a piece, the NCR's disposition (rework), corrective action, rectification, re-inspection, verification and
closing; the order then is ready to ship. Instruments past due are warned about."""

from __future__ import annotations

import datetime as dt

import pytest

from jewelryorders.models.orders import Order
from jewelryorders.services import gates
from jewelryorders.services.materials import master as materials_master
from jewelryorders.services.materials import stock
from jewelryorders.services.quality import master
from jewelryorders.ui import operations
from jewelryorders.ui.context import EventBus, UiContext
from jewelryorders.ui.quality import common as quality_common
from jewelryorders.ui.quality.tab import QualityTab

from .planning_support import contracted, factory  # noqa: F401,F811  (fixtures)
from .test_quality import TODAY, _to_final_qc, ledger_answer, qworld  # noqa: F401  (fixtures)


@pytest.fixture
def errors(monkeypatch):
    found: list[str] = []
    monkeypatch.setattr(operations, "show_error", lambda parent, exc: found.append(str(exc)))
    return found


def _tab(qtbot, db, actor) -> QualityTab:
    tab = QualityTab(UiContext(db, actor, "金福珠寶廠", EventBus()))
    qtbot.addWidget(tab)
    tab.resize(1366, 700)
    return tab


def _select(view, model, predicate) -> None:
    for row in range(model.rowCount()):
        if predicate(model.row_at(row)):
            view.selectRow(row)
            return
    raise AssertionError("row not found")


def _enter(view, kind: str, subject: str, standard_code: str, values: dict, **fields) -> None:
    view.kind.setCurrentIndex(view.kind.findData(kind))
    view.subject.setText(subject)
    view.standard.setCurrentIndex(next(i for i in range(view.standard.count())
                                       if view.standard.itemText(i).startswith(standard_code)))
    rows = view.characteristic_rows()
    for name, value in values.items():
        text, instrument = value if isinstance(value, tuple) else (value, None)
        view.set_value(rows[name], text, instrument.id if instrument else None)
    for name, text in fields.items():
        getattr(view, name).setText(text)


def ring_values(w, **override):
    values = {"Surface": "pass", "Ring size inner diameter": ("17.02", w.caliper), "Weight": ("3.55", w.scale),
              "Fineness Au750": ("751", w.xrf), "Stones secure": "pass", "Prong height": ("0.80", w.caliper)}
    values.update(override)
    return values


def test_iqc_to_fqc_fail_rework_reinspect_and_close_in_the_gui(qtbot, db, qworld, customer, errors, monkeypatch,
                                                               ledger_answer):
    # IQC: the buyer inspects a lot of customer metal in the GUI; it is released.
    gold = materials_master.create_material(db, qworld.buyer, materials_master.MaterialInput(
        "M-AU750", "metal", "18K grain", alloy="Au750", colour="yellow"))
    lot = stock.receive_customer_material(db, qworld.buyer, customer.id, gold.id, "50", order_id=qworld.order_id)
    buyer_tab = _tab(qtbot, db, qworld.buyer)
    _enter(buyer_tab.inspection, "iqc", lot.lot_no, "QS-AU750", {"Fineness": ("750.5", qworld.xrf),
                                                                 "Clean grain": "合格"})
    assert buyer_tab.inspection.save() is not None, errors
    assert stock.lot_by_no(db, lot.lot_no).status == "released"

    # FAI: the workshop passes the first article of the casting batch.
    points = {(p.product_type, p.step_name): p for p in master.list_control_points(db)}
    master.set_control_point(db, qworld.inspector, points[("ring", "Casting")].routing_step_id, fai_required=True,
                             ipqc=False)
    worker_tab = _tab(qtbot, db, qworld.worker)
    from jewelryorders.models.planning import TaskSheet

    with db.read_session() as s:
        sheet_no = s.get(TaskSheet, qworld.sheets["Casting"]).sheet_no
    _enter(worker_tab.inspection, "fai", sheet_no, "QS-RING", ring_values(qworld), quantity="1")
    assert worker_tab.inspection.save().result == "passed", errors

    # FQC fails two pieces: an NCR opens; the order cannot ship.
    _to_final_qc(db, qworld)
    tab = _tab(qtbot, db, qworld.head)
    with db.read_session() as s:
        order_no = s.get(Order, qworld.order_id).order_no
    _enter(tab.inspection, "fqc", order_no, "QS-RING", ring_values(qworld, **{"Stones secure": "fail"}),
           failed="2", note="two stones loose")
    first = tab.inspection.save()
    assert first is not None and first.result == "failed" and first.ncr_no, errors
    with db.read_session() as s:
        with pytest.raises(Exception, match="Final-inspection gate"):
            gates.check(s, gates.DELIVERY_SHIP, order=s.get(Order, qworld.order_id), quantity=10)

    ncrs = tab.ncrs
    tab.refresh()
    _select(ncrs.table, ncrs.model, lambda r: r.ncr_no == first.ncr_no)
    assert first.ncr_no in ncrs.detail.toPlainText()

    # Disposition: rework, through the progress ledger.
    monkeypatch.setattr(quality_common, "ask_choice", lambda *a: 0)
    answers = iter(["reset the stones"])
    monkeypatch.setattr(quality_common, "ask_text", lambda *a: next(answers))
    assert ncrs.disposition() is not None, errors
    assert ledger_answer and ledger_answer[0][4] == first.ncr_no

    # Closing now is refused, and says what is missing.
    assert ncrs.close_ncr() is None and "cannot close" in errors[-1]

    # Corrective action by 5-why, rectification, re-inspection of the two reworked pieces, verification, close.
    answers = iter(["stones loose", "prongs thin", "", "thicker prongs in the mould", "2026-11-30"])
    assert ncrs.corrective_action() is not None, errors
    answers = iter(["mould changed, setters retrained"])
    assert ncrs.rectify() is not None, errors
    _enter(tab.inspection, "fqc", "", "QS-RING", ring_values(qworld), reinspects=first.ncr_no)
    again = tab.inspection.save()
    assert again is not None and again.result == "passed" and again.quantity == 2, errors
    _select(ncrs.table, ncrs.model, lambda r: r.ncr_no == first.ncr_no)
    answers = iter(["no loose stones in 3 batches"])
    assert ncrs.verify() is not None, errors
    closed = ncrs.close_ncr()
    assert closed is not None and closed.status == "closed", errors
    with db.read_session() as s:
        order = s.get(Order, qworld.order_id)
        assert order.stage == "ready_to_ship"
        gates.check(s, gates.DELIVERY_SHIP, order=order, quantity=10)
    tab.tabs.setCurrentIndex(3)
    tab.offences.refresh()
    assert tab.offences.model.rowCount() == 1


def test_bad_values_are_shown_and_nothing_saved(qtbot, db, qworld, errors):
    _to_final_qc(db, qworld)
    tab = _tab(qtbot, db, qworld.inspector)
    with db.read_session() as s:
        order_no = s.get(Order, qworld.order_id).order_no
    _enter(tab.inspection, "fqc", order_no, "QS-RING", ring_values(qworld, Weight=("3.5 mm", qworld.scale)))
    assert tab.inspection.save() is None
    assert "in mm, but the standard measures it in g" in errors[-1]
    assert tab.inspection.list_model.rowCount() == 0


def test_instruments_due_are_warned_about(qtbot, db, qworld):
    master.create_instrument(db, qworld.inspector, master.InstrumentInput(
        "CAL-OLD", "Old caliper", "caliper", TODAY - dt.timedelta(days=400), 365))
    tab = _tab(qtbot, db, qworld.inspector)
    tab.tabs.setCurrentIndex(2)
    assert "CAL-OLD" in tab.standards.warning.text()


def test_control_points_and_photos_are_set_in_the_gui(qtbot, db, qworld, errors, monkeypatch, tmp_path):
    from PIL import Image

    tab = _tab(qtbot, db, qworld.inspector)
    view = tab.standards
    _select(view.points_table, view.points_model, lambda r: r.step_name == "Stone setting")
    answers = iter([3, 1])
    monkeypatch.setattr(quality_common, "ask_choice", lambda *a: next(answers))
    monkeypatch.setattr(quality_common, "ask_text", lambda *a: "5")
    assert view.set_point() is not None, errors
    point = next(p for p in master.list_control_points(db) if p.step_name == "Stone setting")
    assert point.fai_required and point.ipqc and point.frequency == "each_shift" and point.sample_size == 5
    # A failed FAI opens an NCR; its photo is attached from the NCR list.
    from jewelryorders.models.planning import TaskSheet

    with db.read_session() as s:
        sheet_no = s.get(TaskSheet, qworld.sheets["Stone setting"]).sheet_no
    _enter(tab.inspection, "fai", sheet_no, "QS-RING", ring_values(qworld, Surface="fail"), quantity="1")
    first = tab.inspection.save()
    assert first is not None and first.ncr_no, errors
    photo = tmp_path / "p.png"
    Image.new("RGB", (40, 30), (10, 10, 200)).save(photo)
    monkeypatch.setattr(quality_common, "ask_photo_paths", lambda parent: [str(photo)])
    _select(tab.ncrs.table, tab.ncrs.model, lambda r: r.ncr_no == first.ncr_no)
    assert tab.ncrs.attach_photos() is not None, errors
    tab.resize(1366, 700)
    tab.tabs.setCurrentIndex(2)


def test_an_instrument_is_registered_and_calibrated_in_the_gui(qtbot, db, qworld, errors, monkeypatch):
    tab = _tab(qtbot, db, qworld.inspector)
    view = tab.standards
    answers = iter(["RG-02", "Ring gauge", "2025-11-01", "365"])
    monkeypatch.setattr(quality_common, "ask_text", lambda *a: next(answers))
    monkeypatch.setattr(quality_common, "ask_choice", lambda *a: 3)
    assert view.new_instrument() is not None, errors
    assert "RG-02" in view.warning.text()  # due 2026-11-01: past due
    _select(view.instruments_table, view.instruments_model, lambda r: r.code == "RG-02")
    answers = iter(["2026-11-16"])
    assert view.calibrate() is not None, errors
    assert "RG-02" not in view.warning.text()
