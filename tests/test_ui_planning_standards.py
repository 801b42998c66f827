"""The routing editor offers the technical department's quality standards (code — title) instead of free text."""

from __future__ import annotations

import datetime as dt
import pytest
from PySide6.QtWidgets import QComboBox

from jewelryorders.i18n import set_language
from jewelryorders.services.planning import master_data as planning_master
from jewelryorders.services.quality import master as quality
from jewelryorders.ui import operations
from jewelryorders.ui.context import UiContext
from jewelryorders.ui.planning.master_data import RoutingsDialog

from .planning_support import factory  # noqa: F401  (fixtures)


@pytest.fixture
def errors(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(operations, "show_error", lambda parent, exc: shown.append(str(exc)))
    return shown


def _standard(code: str, title: str) -> quality.StandardInput:
    C = quality.CharacteristicInput
    return quality.StandardInput(code, title, dt.date(2026, 11, 1), [
        C("weight", "重量 Weight", "3.50", "0.20", "0.30", "g"),
        C("appearance", "表面 Surface", criterion="鏡面 mirror finish")], product_type="ring")


@pytest.mark.parametrize("lang", ["en", "zh_TW"])
def test_the_routing_editor_chooses_a_standard_and_keeps_the_steps_through_a_move(qtbot, db, factory, errors, lang,
                                                                                  tmp_path):
    quality.create_standard_version(db, factory.technical, _standard("QS-POLISH", "拋光 Polished ring"))
    quality.create_standard_version(db, factory.technical, _standard("QS-SET", "鑲石 Stone setting"))
    before = {s.name: s.id for s in planning_master.get_routing(db, factory.routing_id).steps}
    set_language(lang)
    try:
        dialog = RoutingsDialog(UiContext(db, factory.planner, "Golden Luck"))
        qtbot.addWidget(dialog)
        row = next(r for r in range(dialog.steps.rowCount()) if dialog.steps.item(r, 0).text() == "Polishing")
        combo = dialog.steps.cellWidget(row, 7)
        assert isinstance(combo, QComboBox) and combo.count() == 3
        assert [combo.itemText(i) for i in range(1, 3)] == ["QS-POLISH — 拋光 Polished ring",
                                                            "QS-SET — 鑲石 Stone setting"]
        combo.setCurrentIndex(combo.findData("QS-POLISH"))
        dialog.steps.setCurrentCell(row, 0)
        dialog.up.click()   # the step and its standard move together
        assert dialog.steps.cellWidget(row - 1, 7).currentData() == "QS-POLISH"
        dialog.show()
        bar = dialog.steps.horizontalScrollBar()
        bar.setValue(bar.maximum())
        qtbot.wait(50)
        dialog.grab().save(str(tmp_path / f"routing_editor_{lang}.png"))
        dialog.save_button.click()
    finally:
        set_language("en")
    assert not errors
    routing = planning_master.get_routing(db, factory.routing_id)
    assert [s.name for s in routing.steps][row - 1:row + 1] == ["Polishing", "Stone setting"]
    assert {s.name: s.standard_code for s in routing.steps}["Polishing"] == "QS-POLISH"
    assert {s.name: s.id for s in routing.steps} == before


def test_the_routing_editor_has_no_free_text_for_standards(qtbot, db, factory):
    dialog = RoutingsDialog(UiContext(db, factory.planner, "Golden Luck"))
    qtbot.addWidget(dialog)
    combo = dialog.steps.cellWidget(0, 7)
    assert isinstance(combo, QComboBox) and not combo.isEditable()
    assert combo.count() == 1 and combo.currentData() == ""   # no standard written yet: nothing to choose
