"""The Materials tab: purchasing orders an order's shortage, receives it, the head releases it, the store picks it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from jewelryorders.models.planning import ChecklistItem
from jewelryorders.services.materials import master
from jewelryorders.services.orders import intake as orders
from jewelryorders.ui import operations
from jewelryorders.ui.context import EventBus, UiContext
from jewelryorders.ui.materials import tab as materials_tab
from jewelryorders.ui.materials.tab import VIEW_ORDER, VIEW_PURCHASING, VIEW_STOCK, MaterialsTab

from .planning_support import contracted, factory  # noqa: F401,F811  (fixtures)


@pytest.fixture
def errors(monkeypatch):
    found: list[str] = []
    monkeypatch.setattr(operations, "show_error", lambda parent, exc: found.append(str(exc)))
    return found


def _tab(qtbot, db, actor) -> MaterialsTab:
    tab = MaterialsTab(UiContext(db, actor, "金福珠寶廠", EventBus()))
    qtbot.addWidget(tab)
    tab.resize(1366, 700)
    return tab


def _select(view, model, predicate) -> None:
    for row in range(model.rowCount()):
        if predicate(model.row_at(row)):
            view.selectRow(row)
            return
    raise AssertionError("row not found")


def test_shortage_is_ordered_received_released_and_picked_in_the_gui(qtbot, db, make_user, contracted, errors,
                                                                     monkeypatch):
    buyer = make_user("purchasing", "clerk", "buyer1")
    head = make_user("purchasing", "department_head", "buyhead")
    store = make_user("production", "clerk", "storekeeper")
    tech = make_user("technical", "clerk", "bomtech")
    gold = master.create_material(db, buyer, master.MaterialInput("M-AU750Y", "metal", "18K 黃金顆粒",
                                                                  alloy="Au750", colour="yellow"))
    master.create_supplier(db, buyer, master.SupplierInput("金源貴金屬", lead_days=7, approved_material_ids=[gold.id]))
    master.set_bom(db, tech, "R-18K-001", [master.BomLineInput(gold.id, "3.250", loss_percent="4")])
    order_id = contracted(quantity=10)
    order_no = orders.get_order(db, order_id).order_no

    # Purchasing sees the order's shortage and orders it.
    purchasing_tab = _tab(qtbot, db, buyer)
    view = purchasing_tab.views[VIEW_ORDER]
    view.order_edit.setText(order_no)
    view.show_button.click()
    [row] = view.requirement_model.rows
    assert row.shortage == 33_800  # 10 × 3.250 g + 4 %
    assert "33.800" in view.requirement_model.data(view.requirement_model.index(0, 5))
    view.buy_button.click()
    assert errors == []
    assert view.requirement_model.rows[0].shortage == 0 and view.requirement_model.rows[0].on_order == 33_800

    # The draft is sent, then the goods arrive.
    po_view = purchasing_tab.views[VIEW_PURCHASING]
    po_view.refresh()
    po_view.table.selectRow(0)
    po_view.buttons["send"].click()
    po_view.table.selectRow(0)
    monkeypatch.setattr(materials_tab, "run_receive_dialog", lambda dialog: True)
    po_view.buttons["receive"].click()
    assert errors == []
    assert purchasing_tab.views[VIEW_STOCK].lots_model.rowCount() == 1
    assert not purchasing_tab.views[VIEW_STOCK].release_button.isEnabled()  # a clerk may not release

    # The head of purchasing releases the lot after checking it.
    head_tab = _tab(qtbot, db, head)
    stock_view = head_tab.views[VIEW_STOCK]
    stock_view.lots_table.selectRow(0)
    monkeypatch.setattr(materials_tab, "ask_reason", lambda parent, title, label: "weighed 33.800 g, assay 750.3‰")
    stock_view.release_button.click()
    assert errors == [] and stock_view.lots_model.rowCount() == 0
    _select(stock_view.stock_table, stock_view.stock_model, lambda r: r.code == "M-AU750Y")
    assert stock_view.stock_model.rows[0].released == 33_800

    # The store makes the pick list and picks it, checking the lot number; a wrong number is refused.
    store_tab = _tab(qtbot, db, store)
    order_view = store_tab.views[VIEW_ORDER]
    order_view.order_edit.setText(order_no)
    order_view.show_button.click()
    order_view.pick_list_button.click()
    assert errors == [] and order_view.pick_model.rowCount() == 1
    lot_no = order_view.pick_model.rows[0].lot_no
    printed = []
    monkeypatch.setattr(materials_tab, "open_file", printed.append)
    order_view.print_pick_button.click()
    import subprocess

    text = subprocess.run(["pdftotext", "-layout", str(printed[-1]), "-"], capture_output=True, text=True).stdout
    assert "Pick list" in text and lot_no in text and "33.800 g" in text
    order_view.lot_check.setText("LOT-0000")
    order_view.pick_button.click()
    assert errors and "not LOT-0000" in errors[-1]
    order_view.lot_check.setText(lot_no)
    order_view.pick_button.click()
    assert order_view.requirement_model.rows[0].issued == 33_800
    with db.read_session() as s:
        item = s.scalar(select(ChecklistItem).where(ChecklistItem.order_id == order_id,
                                                    ChecklistItem.key == "materials"))
        assert item.done


@pytest.mark.parametrize("lang", ["zh_TW", "zh_CN", "en"])
def test_the_tab_fits_an_office_screen(qtbot, db, make_user, lang):
    from jewelryorders.i18n import set_language

    set_language(lang)
    tab = _tab(qtbot, db, make_user("purchasing", "department_head", "buyhead"))
    for view in tab.views.values():
        assert view.minimumSizeHint().width() <= 1366
    assert tab.minimumSizeHint().width() <= 1366 and tab.minimumSizeHint().height() <= 700


def test_materials_suppliers_and_a_bill_of_materials_are_kept_in_the_gui(qtbot, db, make_user, factory, errors,
                                                                        monkeypatch):
    from jewelryorders.ui.materials import master_data
    from jewelryorders.ui.materials.tab import VIEW_MASTER

    head = make_user("purchasing", "department_head", "buyhead")
    tab = _tab(qtbot, db, head)
    view = tab.views[VIEW_MASTER]

    def fill_material(dialog):
        dialog.code.setText("M-PT950")
        dialog.name.setText("Pt950 鉑金顆粒")
        dialog.kind.setCurrentIndex(dialog.kind.findData("metal"))
        dialog.alloy.setCurrentIndex(dialog.alloy.findData("Pt950"))
        return True

    monkeypatch.setattr(master_data, "run_dialog", fill_material)
    view.buttons["new_material"].click()
    assert errors == [] and [m.code for m in view.materials_model.rows] == ["M-PT950"]
    assert view.materials_model.rows[0].fineness_permille == 950

    def fill_supplier(dialog):
        dialog.name.setText("鉑源金屬")
        dialog.approved.item(0).setCheckState(master_data.Qt.CheckState.Checked)
        return True

    monkeypatch.setattr(master_data, "run_dialog", fill_supplier)
    view.buttons["new_supplier"].click()
    assert errors == []
    supplier, rating = view.suppliers_model.rows[0]
    assert supplier.name == "鉑源金屬" and supplier.approved_material_ids == (view.materials_model.rows[0].id,)
    assert view.suppliers_model.data(view.suppliers_model.index(0, 3)) == "—"  # nothing delivered yet

    view.style_code.setText("R-18K-001")
    view.buttons["load_bom"].click()
    view.buttons["add_bom_line"].click()
    view.bom.item(0, 1).setText("4.1234")  # four decimals: refused
    view.buttons["save_bom"].click()
    assert errors and "more than 3 decimals" in errors[-1]
    view.bom.item(0, 1).setText("4.125")
    view.bom.item(0, 3).setText("3.5")
    view.buttons["save_bom"].click()
    assert len(errors) == 1
    [line] = master.get_bom(db, "R-18K-001")
    assert (line.qty_per_piece, line.loss_permille) == (4125, 35)


def test_purchasing_sees_the_orders_materials_stock_and_shortage_when_it_answers_the_review(
        qtbot, db, make_user, factory, order_factory, sales, errors):
    import datetime as dt

    from jewelryorders import clock
    from jewelryorders.services.materials import purchasing as purchasing_service
    from jewelryorders.services.review import policy as review_policy
    from jewelryorders.services.review import procedure as review
    from jewelryorders.ui.review.tab import VIEW_INBOX, ReviewTab

    buyer = make_user("purchasing", "department_head", "buyhead")
    tech = make_user("technical", "clerk", "bomtech")
    manager = make_user("management", "manager", "boss")
    gold = master.create_material(db, buyer, master.MaterialInput("M-AU750Y", "metal", "18K 黃金顆粒",
                                                                  alloy="Au750", colour="yellow"))
    supplier = master.create_supplier(db, buyer, master.SupplierInput("金源", approved_material_ids=[gold.id]))
    master.set_bom(db, tech, "R-18K-001", [master.BomLineInput(gold.id, "3.000")])
    po = purchasing_service.create_purchase_order(db, buyer, purchasing_service.PurchaseOrderInput(
        supplier.id, clock.today() + dt.timedelta(days=5), [purchasing_service.PurchaseLineInput(gold.id, "100")]))
    purchasing_service.send_purchase_order(db, buyer, po.id)
    order = order_factory(quantity=50)   # 50 × 3.000 g = 150 g; 100 g on order, none in stock
    orders.submit_for_review(db, sales, order.id)
    review_policy.set_price_policy(db, manager, review_policy.CurrencyPolicyInput("HKD", "0", "0", {"Au750": "1"}))
    craft = review.PreliminaryInput(True, "standard casting")
    if review.compute_checks(db, order.id, craft=review.CraftCheck(True)).blocking:
        review.escalate(db, sales, order.id, "short lead time", craft)
        review.decide(db, manager, order.id, "accept", "accepted")
    due = clock.now() + dt.timedelta(days=2)
    review.accept_and_send(db, sales, order.id, {d: due for d in ("production", "technical", "purchasing")}, craft)

    tab = ReviewTab(UiContext(db, buyer, "F", EventBus()))
    qtbot.addWidget(tab)
    inbox = tab.views[VIEW_INBOX]
    assert inbox.select_order(order.id)
    assert [(r.material_code, r.still_needed, r.on_order, r.shortage) for r in inbox.requirement] == [
        ("M-AU750Y", 150_000, 100_000, 50_000)]
    assert "50.000 g" in inbox.materials.text()
    assert "M-AU750Y 18K 黃金顆粒: 150.000 g (in stock 0.000 g, on order 100.000 g, short 50.000 g)" in \
        inbox.form.materials.toPlainText()
