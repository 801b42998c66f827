"""Writing quality standards in the Quality tab (procedure 5.1): the technical head writes a standard with two
characteristics, then a new version that takes effect later; a bad tolerance is refused and nothing is saved;
a sales clerk cannot write standards."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jewelryorders import i18n
from jewelryorders.services.quality import master
from jewelryorders.ui import operations
from jewelryorders.ui.context import EventBus, UiContext
from jewelryorders.ui.quality import standard_dialog
from jewelryorders.ui.quality.standard_dialog import StandardDialog
from jewelryorders.ui.quality.tab import QualityTab

from .planning_support import factory  # noqa: F401,F811  (fixtures)
from .test_quality import TODAY


@pytest.fixture
def errors(monkeypatch):
    found: list[str] = []
    monkeypatch.setattr(operations, "show_error", lambda parent, exc: found.append(str(exc)))
    return found


def _tab(qtbot, db, actor) -> QualityTab:
    tab = QualityTab(UiContext(db, actor, "金福珠寶廠", EventBus()))
    qtbot.addWidget(tab)
    tab.resize(1366, 700)
    tab.tabs.setCurrentIndex(2)
    return tab


def _fill_new(dlg: StandardDialog, tol_minus: str = "0.10") -> None:
    dlg.code.setText("qs-bangle")
    dlg.title_edit.setText("18K bangle")
    dlg.product_type.setText("bangle")
    dlg.effective.setDate(TODAY - dt.timedelta(days=10))
    dlg.set_cell(0, "kind", "size")
    dlg.set_cell(0, "name", "Inner diameter")
    dlg.set_cell(0, "nominal", "60.00")
    dlg.set_cell(0, "tol_minus", tol_minus)
    dlg.set_cell(0, "tol_plus", "0.20")
    dlg.set_cell(0, "unit", "mm")
    dlg.set_cell(0, "method", "caliper across")
    dlg.set_cell(0, "instrument_kind", "caliper")
    row = dlg.add_row()
    dlg.set_cell(row, "kind", "appearance")
    dlg.set_cell(row, "name", "Surface")
    dlg.set_cell(row, "criterion", "no scratches at 10×")
    dlg.set_cell(row, "instrument_kind", "loupe")


def test_technical_head_writes_a_standard_and_a_later_version(qtbot, db, factory, errors, monkeypatch):
    head = factory.technical
    tab = _tab(qtbot, db, head)
    view = tab.standards
    assert view.new_standard_button.isEnabled() and view.new_version_button.isEnabled()

    def fill_and_save(dlg):
        qtbot.addWidget(dlg)
        _fill_new(dlg)
        dlg.save()
        return dlg.result() == dlg.DialogCode.Accepted

    monkeypatch.setattr(standard_dialog, "run_dialog", fill_and_save)
    view.new_standard_button.click()
    assert errors == []
    v1 = master.standard_in_force(db, "QS-BANGLE")
    assert v1.version_no == 1 and [c.kind for c in v1.characteristics] == ["size", "appearance"]
    size = v1.characteristics[0]
    assert (size.nominal, size.tol_minus, size.unit) == (Decimal("60"), Decimal("0.1"), "mm")
    assert v1.characteristics[1].criterion == "no scratches at 10×" and v1.characteristics[1].nominal is None
    assert any(r.code == "QS-BANGLE" for r in view.standards_model.rows)

    def new_version(dlg):
        qtbot.addWidget(dlg)
        assert dlg.code.text() == "QS-BANGLE" and dlg.table.rowCount() == 2  # pre-filled from v1
        dlg.set_cell(0, "tol_plus", "0.15")
        dlg.effective.setDate(TODAY + dt.timedelta(days=20))
        dlg.change_note.setText("tighter upper tolerance")
        dlg.save()
        return dlg.result() == dlg.DialogCode.Accepted

    monkeypatch.setattr(standard_dialog, "run_dialog", new_version)
    view.standards_table.selectRow(next(i for i in range(view.standards_model.rowCount())
                                        if view.standards_model.row_at(i).code == "QS-BANGLE"))
    view.new_version_button.click()
    assert errors == []
    versions = [s for s in master.list_standards(db) if s.code == "QS-BANGLE"]
    assert sorted(s.version_no for s in versions) == [1, 2]
    v2 = next(s for s in versions if s.version_no == 2)
    assert v2.state == "not_yet" and v2.effective_from == TODAY + dt.timedelta(days=20)
    assert v2.characteristics[0].tol_plus == Decimal("0.15") and len(v2.characteristics) == 2
    assert master.standard_in_force(db, "QS-BANGLE").version_no == 1
    assert master.standard_in_force(db, "QS-BANGLE", TODAY + dt.timedelta(days=21)).version_no == 2


def test_a_bad_tolerance_is_refused_and_nothing_saved(qtbot, db, factory, errors):
    dlg = StandardDialog(UiContext(db, factory.technical, "金福珠寶廠", EventBus()))
    qtbot.addWidget(dlg)
    _fill_new(dlg, tol_minus="-0.1")
    dlg.save()
    assert len(errors) == 1 and "-0.1" in errors[0] and "Inner diameter" in errors[0]
    assert dlg.result() != dlg.DialogCode.Accepted and dlg.saved is None
    assert not any(s.code == "QS-BANGLE" for s in master.list_standards(db))


def test_a_sales_clerk_cannot_write_standards(qtbot, db, make_user):
    clerk = make_user("sales", "clerk", "sclerk")
    view = _tab(qtbot, db, clerk).standards
    assert not view.new_standard_button.isEnabled() and not view.new_version_button.isEnabled()


@pytest.mark.parametrize("lang", ["zh_TW", "zh_CN", "en"])
def test_the_dialog_fits_the_screen_and_is_grabbed(qtbot, db, factory, lang):
    i18n.set_language(lang)
    try:
        base = master.create_standard_version(db, factory.technical, master.StandardInput(
            "QS-RING", "18K ring", TODAY - dt.timedelta(days=5), [
                master.CharacteristicInput("weight", "Weight", "3.50", "0.20", "0.30", "g", method="scale",
                                           instrument_kind="scale"),
                master.CharacteristicInput("setting", "Stones secure", criterion="no stone moves")],
            product_type="ring"))
        dlg = StandardDialog(UiContext(db, factory.technical, "金福珠寶廠", EventBus()), base=base)
        qtbot.addWidget(dlg)
        dlg.show()
        hint = dlg.sizeHint()
        assert dlg.width() <= 1366 and dlg.height() <= 740
        assert hint.width() <= 1366 and hint.height() <= 740
    finally:
        i18n.set_language("en")
