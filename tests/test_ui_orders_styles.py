"""Typing a style code in an order line fills the line from the style; the style window for those allowed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from jewelryorders.services import styles
from jewelryorders.services.styles import StyleInput, StyleStoneInput
from jewelryorders.ui.context import UiContext
from jewelryorders.ui.orders import order_form
from jewelryorders.ui.orders.line_editors import COLUMN_OF
from jewelryorders.ui.orders.order_form import OrderForm


@pytest.fixture
def ctx(db, sales):
    return UiContext(db, sales, "金福珠寶廠")


@pytest.fixture
def catalogue(db, sales):
    ring = styles.save_style(db, sales, StyleInput(
        "RG-18K-0815", "18K 黃金六爪鑽石戒指", "ring", "Au750", 25, target_weight_g="5.230", unit_price="2380",
        currency="HKD", stones=[StyleStoneInput("diamond", 1, "0.500")]))
    pendant = styles.save_style(db, sales, StyleInput(
        "PD-PT-0001", "Pt950 pendant", "pendant", "Pt950", 30, target_weight_g="3.100", unit_price="4100",
        currency="HKD"))
    usd = styles.save_style(db, sales, StyleInput("BR-USD-1", "Bracelet", "bracelet", "Ag925", 20,
                                                  target_weight_g="12", unit_price="99", currency="USD"))
    return ring, pendant, usd


def _form(qtbot, ctx, monkeypatch) -> OrderForm:
    monkeypatch.setattr(order_form, "confirm_discard", lambda parent: True)
    form = OrderForm(ctx)
    qtbot.addWidget(form)
    form.show()
    form.currency_combo.setCurrentText("HKD")
    return form


def _type(form: OrderForm, row: int, key: str, text: str) -> None:
    model = form.lines_model
    assert model.setData(model.index(row, COLUMN_OF[key]), text, Qt.ItemDataRole.EditRole)


def _cell(form: OrderForm, row: int, key: str) -> str:
    return form.lines_model.data(form.lines_model.index(row, COLUMN_OF[key]))


def test_typing_a_style_code_fills_description_metal_weight_price_and_stones(qtbot, ctx, catalogue, monkeypatch):
    form = _form(qtbot, ctx, monkeypatch)
    _type(form, 0, "style_code", "rg-18k-0815")
    line = form.lines_model.lines[0]
    assert (line.description, line.metal, line.target_weight, line.unit_price) == (
        "18K 黃金六爪鑽石戒指", "Au750", "5.230", "2380.00")
    assert [(s.stone_type, s.count, s.carat) for s in line.stones] == [("diamond", "1", "0.500")]
    assert "0.500" in _cell(form, 0, "stones")

    # what the clerk typed stays; what the old style filled follows the new style
    _type(form, 0, "description", "客戶指定：內圈刻字")
    _type(form, 0, "style_code", "PD-PT-0001")
    line = form.lines_model.lines[0]
    assert line.description == "客戶指定：內圈刻字"
    assert (line.metal, line.target_weight, line.unit_price) == ("Pt950", "3.100", "4100.00")
    assert [s.stone_type for s in line.stones] == ["diamond"]  # the pendant has no stones to put in their place


def test_an_unknown_code_leaves_the_line_alone_and_a_foreign_price_is_not_copied(qtbot, ctx, catalogue, monkeypatch):
    form = _form(qtbot, ctx, monkeypatch)
    _type(form, 0, "style_code", "NO-SUCH-STYLE")
    line = form.lines_model.lines[0]
    assert (line.description, line.target_weight, line.unit_price) == ("", "", "")
    _type(form, 0, "style_code", "BR-USD-1")
    line = form.lines_model.lines[0]
    assert (line.description, line.metal, line.target_weight) == ("Bracelet", "Ag925", "12.000")
    assert line.unit_price == ""  # priced in USD, the order is in HKD


def test_the_filled_line_saves_with_the_styles_values(qtbot, ctx, db, catalogue, customer, monkeypatch):
    form = _form(qtbot, ctx, monkeypatch)
    _type(form, 0, "style_code", "RG-18K-0815")
    _type(form, 0, "quantity", "10")
    data = form.lines_model.lines[0].to_input()
    assert data.target_weight_g == "5.230" and data.unit_price == "2380.00"
    assert Decimal(data.unit_price) * 10 == Decimal("23800.00")


# ---- the style window ----------------------------------------------------------------------------------------------

def test_the_style_window_creates_and_edits_a_style(qtbot, ctx, db, catalogue, monkeypatch):
    from jewelryorders.ui.styles import window as styles_window
    from jewelryorders.ui.styles.window import StylesWindow

    window = StylesWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    assert window.table.rowCount() == 3
    window.new()
    window.code.setText("ER-18K-0099")
    window.description.setText("18K 耳環")
    window.product_type.setCurrentIndex(window.product_type.findData("earring"))
    window.metal.setCurrentIndex(window.metal.findData("Au750"))
    window.target_weight.setText("2.450")
    window.unit_price.setText("1,280.50")

    def answer(dialog):
        dialog.add_stone(styles_window.StoneDraft("diamond", "2", "0.200"))
        return styles_window.QDialog.DialogCode.Accepted

    monkeypatch.setattr(styles_window, "run_dialog", answer)
    window.edit_stones()
    saved = window.save()
    assert saved is not None and saved.code == "ER-18K-0099"
    found = styles.find_style(db, "ER-18K-0099")
    assert (found.target_weight_mg, found.unit_price, found.product_type) == (2450, Decimal("1280.50"), "earring")
    assert [(s.stone_type, s.count, s.carat) for s in found.stones] == [("diamond", 2, Decimal("0.200"))]
    assert window.table.rowCount() == 4

    window.unit_price.setText("1300")
    assert window.save() is not None
    assert styles.find_style(db, "ER-18K-0099").unit_price == Decimal("1300.00")


def test_the_style_window_marks_bad_fields_and_saves_nothing(qtbot, ctx, db, catalogue, monkeypatch):
    from jewelryorders.ui.styles.window import StylesWindow

    shown: list[str] = []
    monkeypatch.setattr("jewelryorders.ui.operations.show_error", lambda parent, exc: shown.append(str(exc)))
    window = StylesWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    window.new()
    window.code.setText("BAD-1")
    window.target_weight.setText("5.2345")
    assert window.save() is None
    assert shown and window.marks.marked() == ["name", "target_weight"]
    assert styles.find_style(db, "BAD-1") is None


def test_without_the_right_the_style_window_only_shows(qtbot, db, catalogue, make_user):
    from jewelryorders.ui.styles.window import StylesWindow

    quality = make_user("quality", "clerk", "inspector")
    window = StylesWindow(UiContext(db, quality, "金福珠寶廠"))
    qtbot.addWidget(window)
    window.show()
    assert window.table.rowCount() == 3
    assert not window.save_button.isEnabled() and not window.new_button.isEnabled()
    assert not window.code.isEnabled() and window.read_only_note.isVisible()


@pytest.mark.parametrize("lang", ["zh_TW", "zh_CN", "en"])
def test_the_style_window_fits_the_screen(qtbot, ctx, catalogue, lang):
    from jewelryorders.i18n import set_language
    from jewelryorders.ui.styles.window import StylesWindow

    set_language(lang)
    try:
        window = StylesWindow(ctx)
        qtbot.addWidget(window)
        hint = window.minimumSizeHint()
        assert hint.width() <= 1366 and hint.height() <= 768 - 70
    finally:
        set_language("en")
