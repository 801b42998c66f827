"""Materials and purchasing: master data, approved suppliers, purchase orders, receipts into quarantine, release,
issues, counts, the order's requirement and shortage, picking that ticks the checklist, customers' own metal."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from sqlalchemy import func, select

from jewelryorders import clock
from jewelryorders.models.materials import Lot, PurchaseOrder, StockMovement
from jewelryorders.models.planning import ChecklistItem
from jewelryorders.services.errors import GateError, NotFound, PermissionDenied, ValidationError
from jewelryorders.services.materials import master, picking, purchasing, requirements, stock
from jewelryorders.services.materials.common import qty_text

from .planning_support import contracted, factory  # noqa: F401,F811  (fixtures)


@pytest.fixture
def people(make_user):
    return {
        "buyer": make_user("purchasing", "clerk", "buyer1"),
        "buyer_head": make_user("purchasing", "department_head", "buyhead"),
        "store": make_user("production", "clerk", "storekeeper"),
        "tech": make_user("technical", "clerk", "bomtech"),
        "quality": make_user("quality", "clerk", "qc"),
    }


@pytest.fixture
def catalogue(db, people):
    buyer = people["buyer"]
    gold = master.create_material(db, buyer, master.MaterialInput("M-AU750Y", "metal", "18K 黃金顆粒", alloy="Au750",
                                                                  colour="yellow"))
    diamond = master.create_material(db, buyer, master.MaterialInput("S-DIA-1.0", "stone", "圓鑽 1.0 mm",
                                                                     stone_type="diamond", shape="round", size="1.0",
                                                                     colour_grade="G", clarity="VS"))
    clasp = master.create_material(db, buyer, master.MaterialInput("F-CLASP", "finding", "彈簧扣"))
    supplier = master.create_supplier(db, buyer, master.SupplierInput("金源貴金屬", lead_days=7,
                                                                      approved_material_ids=[gold.id, diamond.id]))
    return {"gold": gold, "diamond": diamond, "clasp": clasp, "supplier": supplier}


def test_metal_is_counted_in_grams_to_the_milligram_and_stones_in_carats(db, catalogue):
    assert catalogue["gold"].unit == "g" and catalogue["gold"].fineness_permille == 750
    assert catalogue["diamond"].unit == "ct" and catalogue["clasp"].unit == "pcs"
    assert qty_text(12345, "g") == "12.345" and qty_text(5000, "pcs") == "5"


def test_a_purchase_order_goes_only_to_a_supplier_approved_for_the_material(db, people, catalogue):
    with pytest.raises(ValidationError, match="not approved to supply F-CLASP"):
        purchasing.create_purchase_order(db, people["buyer"], purchasing.PurchaseOrderInput(
            catalogue["supplier"].id, clock.today() + dt.timedelta(days=7),
            [purchasing.PurchaseLineInput(catalogue["clasp"].id, "100")]))
    with db.read_session() as s:
        assert s.scalar(select(func.count(PurchaseOrder.id))) == 0


def test_weights_with_more_than_three_decimals_are_refused(db, people, catalogue):
    with pytest.raises(ValidationError, match="more than 3 decimals"):
        purchasing.create_purchase_order(db, people["buyer"], purchasing.PurchaseOrderInput(
            catalogue["supplier"].id, clock.today() + dt.timedelta(days=7),
            [purchasing.PurchaseLineInput(catalogue["gold"].id, "100.0005")]))


def _sent_po(db, people, catalogue, grams="500"):
    po = purchasing.create_purchase_order(db, people["buyer"], purchasing.PurchaseOrderInput(
        catalogue["supplier"].id, clock.today() + dt.timedelta(days=7),
        [purchasing.PurchaseLineInput(catalogue["gold"].id, grams, unit_price="520.5")]))
    return purchasing.send_purchase_order(db, people["buyer"], po.id)


def test_receipt_makes_a_quarantined_lot_that_cannot_be_issued_until_released(db, people, catalogue, contracted):
    order_id = contracted()
    po = _sent_po(db, people, catalogue)
    [lot] = stock.receive(db, people["buyer"], po.id, [stock.ReceiptLine(po.lines[0].id, "300.125")])
    assert lot.status == "quarantined" and lot.on_hand_qty == 300_125
    assert purchasing.get_purchase_order(db, po.id).status == "partly_received"
    with pytest.raises(GateError, match="only a released lot is issued"):
        stock.issue(db, people["store"], lot.id, "10", order_id=order_id)
    with pytest.raises(PermissionDenied):
        stock.decide_lot(db, people["buyer"], lot.id, release=True, reason="looks fine")
    with pytest.raises(ValidationError, match="Reason is required"):
        stock.decide_lot(db, people["buyer_head"], lot.id, release=True, reason="")
    stock.decide_lot(db, people["buyer_head"], lot.id, release=True, reason="assay 750.2‰, weight checked")
    after = stock.issue(db, people["store"], lot.id, "10.001", order_id=order_id)
    assert after.on_hand_qty == 290_124
    assert stock.reconcile(db) == []


def test_receiving_more_than_ordered_needs_a_reason_and_stays_within_the_tolerance(db, people, catalogue):
    po = _sent_po(db, people, catalogue, grams="100")
    line = po.lines[0].id
    with pytest.raises(ValidationError, match="tolerance of 5 %"):
        stock.receive(db, people["buyer"], po.id, [stock.ReceiptLine(line, "106")], over_receipt_reason="extra")
    with pytest.raises(ValidationError, match="give the reason"):
        stock.receive(db, people["buyer"], po.id, [stock.ReceiptLine(line, "104")])
    with db.read_session() as s:
        assert s.scalar(select(func.count(Lot.id))) == 0  # nothing half-saved
    stock.receive(db, people["buyer"], po.id, [stock.ReceiptLine(line, "104")], over_receipt_reason="bar weight")
    assert purchasing.get_purchase_order(db, po.id).status == "received"


def test_a_count_cannot_make_stock_negative_and_corrections_are_new_rows(db, people, catalogue):
    po = _sent_po(db, people, catalogue, grams="50")
    [lot] = stock.receive(db, people["buyer"], po.id, [stock.ReceiptLine(po.lines[0].id, "50")])
    with pytest.raises(ValidationError, match="cannot be negative"):
        stock.count_lot(db, people["buyer_head"], lot.id, "-1", reason="count")
    with pytest.raises(PermissionDenied):
        stock.count_lot(db, people["store"], lot.id, "49.5", reason="count")
    counted = stock.count_lot(db, people["buyer_head"], lot.id, "49.998", reason="monthly count")
    assert counted.on_hand_qty == 49_998
    with db.read_session() as s:
        kinds = [k for (k,) in s.execute(select(StockMovement.kind).order_by(StockMovement.id))]
    assert kinds == ["receipt", "adjustment"]


def test_requirement_shortage_purchase_and_picking_tick_the_checklist(db, people, catalogue, contracted):
    order_id = contracted(quantity=20)
    master.set_bom(db, people["tech"], "R-18K-001", [
        master.BomLineInput(catalogue["gold"].id, "3.250", loss_percent="5"),
        master.BomLineInput(catalogue["diamond"].id, "0.060", pieces_per_piece=12)])
    [gold_row, diamond_row] = sorted(requirements.order_requirement(db, order_id), key=lambda r: r.unit != "g")
    assert gold_row.required == 3250 * 20 * 105 // 100 == 68_250      # 68.250 g with the 5 % allowance
    assert diamond_row.required == 60 * 20 and diamond_row.pieces == 240
    assert gold_row.shortage == 68_250 and gold_row.on_order == 0
    pos = purchasing.purchase_orders_for_shortage(db, people["buyer"], order_id)
    assert [len(po.lines) for po in pos] == [2]
    rows = {r.material_code: r for r in requirements.order_requirement(db, order_id)}
    assert rows["M-AU750Y"].on_order == 68_250 and rows["M-AU750Y"].shortage == 0
    po = purchasing.send_purchase_order(db, people["buyer"], pos[0].id)
    lots = stock.receive(db, people["buyer"], po.id, [stock.ReceiptLine(line.id, qty_text(line.qty, line.unit),
                                                                        line.pieces) for line in po.lines])
    for lot in lots:
        stock.decide_lot(db, people["buyer_head"], lot.id, release=True, reason="IQC by purchasing head")
    pick = picking.create_pick_list(db, people["store"], order_id)
    assert [item.lot_no for item in pick.items] == [lot.lot_no for lot in lots]
    with pytest.raises(ValidationError, match="not LOT-WRONG"):
        picking.pick_item(db, people["store"], pick.id, 1, "LOT-WRONG")
    for item in pick.items:
        pick = picking.pick_item(db, people["store"], pick.id, item.item_no, item.lot_no)
    assert pick.status == "picked"
    with db.read_session() as s:
        item = s.scalar(select(ChecklistItem).where(ChecklistItem.order_id == order_id,
                                                    ChecklistItem.key == "materials"))
        assert item.done
    assert all(r.still_needed == 0 for r in requirements.order_requirement(db, order_id))
    assert stock.reconcile(db) == []


def test_customers_own_gold_is_kept_apart_and_goes_only_into_their_orders(db, people, catalogue, contracted,
                                                                          customer, sales):
    from jewelryorders.services import customers

    order_id = contracted()
    other = customers.create_customer(db, sales, customers.CustomerInput(name="別家珠寶", credit_limit="10000"))
    lot = stock.receive_customer_material(db, people["buyer"], other.id, catalogue["gold"].id, "200.000",
                                          note="客供金料")
    stock.decide_lot(db, people["buyer_head"], lot.id, release=True, reason="weighed 200.000 g")
    with pytest.raises(GateError, match="belongs to another customer"):
        stock.issue(db, people["store"], lot.id, "5", order_id=order_id)
    own = stock.receive_customer_material(db, people["buyer"], customer.id, catalogue["gold"].id, "80.5")
    stock.decide_lot(db, people["buyer_head"], own.id, release=True, reason="weighed")
    stock.issue(db, people["store"], own.id, "30.25", order_id=order_id)
    stock.return_to_stock(db, people["store"], own.id, "0.25", order_id=order_id, reason="left over")
    statement = stock.customer_statement(db, customer.id)
    assert [(r.kind, r.qty, r.balance) for r in statement] == [("receipt", 80_500, 80_500),
                                                                 ("issue", -30_250, 50_250),
                                                                 ("return", 250, 50_500)]
    company = {r.code: r for r in stock.stock_overview(db)}
    assert company["M-AU750Y"].released == 0  # customers' metal is not the factory's stock


def test_roles_without_the_right_change_nothing(db, people, catalogue):
    quality, store = people["quality"], people["store"]
    with pytest.raises(PermissionDenied):
        master.create_material(db, store, master.MaterialInput("X", "finding", "x"))
    with pytest.raises(PermissionDenied):
        master.set_bom(db, people["quality"], "R-18K-001", [])
    with pytest.raises(PermissionDenied):
        purchasing.create_purchase_order(db, quality, purchasing.PurchaseOrderInput(
            catalogue["supplier"].id, clock.today(), []))
    with pytest.raises(PermissionDenied):
        stock.receive_customer_material(db, store, 1, catalogue["gold"].id, "1")
    with pytest.raises(PermissionDenied):
        stock.issue(db, quality, 1, "1", order_id=1)
    with pytest.raises(PermissionDenied):
        picking.create_pick_list(db, quality, 1)
    assert [m.code for m in master.list_materials(db)] == ["M-AU750Y", "F-CLASP", "S-DIA-1.0"] or \
        len(master.list_materials(db)) == 3
    with db.read_session() as s:
        assert s.scalar(select(func.count(Lot.id))) == 0 and s.scalar(select(func.count(PurchaseOrder.id))) == 0


def test_unknown_records_are_named(db, people):
    with pytest.raises(NotFound, match="Lot 999"):
        stock.decide_lot(db, people["buyer_head"], 999, release=True, reason="x")


def test_purchase_order_paper_stock_workbook_and_lists_from_the_command_line(db, people, catalogue, tmp_path,
                                                                              capsys):
    import json
    import subprocess

    from openpyxl import load_workbook

    from jewelryorders.cli.main import main
    from jewelryorders.services import users

    users.update_settings(db, users.authenticate(db, "admin", "admin-pass"), {"factory_name": "金福珠寶廠"})
    po = _sent_po(db, people, catalogue, grams="500")
    [lot] = stock.receive(db, people["buyer"], po.id, [stock.ReceiptLine(po.lines[0].id, "200.5")])
    for lang, words in (("zh_TW", ["採購單", po.po_no, "金源貴金屬", "500.000 克", "M-AU750Y"]),
                        ("en", ["Purchase order", po.po_no, "500.000 g", "HKD 260,250.00"])):
        out = tmp_path / f"po-{lang}.pdf"
        assert main(["--database-url", db.url, "--lang", lang, "print", "purchase-order", po.po_no, "--out", str(out)]) == 0
        text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True).stdout
        for word in words:
            assert word in text, (lang, word)
    # Printed by a named user, the purchase order is filed with the documents (purchasing's category).
    from jewelryorders.models.documents import Document
    from sqlalchemy import func, select

    os.environ["JEWELRYORDERS_PASSWORD"] = "password1"
    try:
        assert main(["--database-url", db.url, "--user", "buyer1", "print", "purchase-order", po.po_no,
                     "--out", str(tmp_path / "po-filed.pdf")]) == 0
    finally:
        del os.environ["JEWELRYORDERS_PASSWORD"]
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Document).where(Document.category == "purchase_order")) == 1
    capsys.readouterr()
    assert main(["--database-url", db.url, "--lang", "en", "list", "lots", "--format", "json"]) == 0
    lots = json.loads(capsys.readouterr().out)
    assert [(r["lot_no"], r["status"], r["on_hand"]) for r in lots] == [(lot.lot_no, "Quarantined", "200.500")]
    assert main(["--database-url", db.url, "--lang", "zh_TW", "list", "purchase-orders", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["status"] == "部分收貨"
    out = tmp_path / "stock.xlsx"
    assert main(["--database-url", db.url, "--lang", "zh_TW", "export", "stock", "--out", str(out)]) == 0
    wb = load_workbook(out)
    sheet = wb.worksheets[0]
    header = [c.value for c in sheet[3]]
    assert header[:5] == ["編號", "物料", "類別", "單位", "已放行"]
    gold = next(row for row in sheet.iter_rows(min_row=4, values_only=True) if row[0] == "M-AU750Y")
    assert str(gold[5]) == "200.5" and sheet.freeze_panes == "A4"
    assert [c.value for c in wb.worksheets[1][2]][0] == lot.lot_no


def test_the_customer_statement_paper_lists_every_movement_and_the_balance(db, people, catalogue, contracted,
                                                                           customer, tmp_path):
    import subprocess

    from jewelryorders.cli.main import main

    order_id = contracted()
    own = stock.receive_customer_material(db, people["buyer"], customer.id, catalogue["gold"].id, "80.5")
    stock.decide_lot(db, people["buyer_head"], own.id, release=True, reason="weighed")
    stock.issue(db, people["store"], own.id, "30.25", order_id=order_id)
    for lang, words in (("zh_TW", ["客供物料結存表", "收貨", "發料", "50.250 克", own.lot_no]),
                        ("en", ["Statement of customer-supplied material", "Receipt", "Issue", "50.250 g"])):
        out = tmp_path / f"statement-{lang}.pdf"
        assert main(["--database-url", db.url, "--lang", lang, "print", "customer-statement", customer.code, "--out",
                     str(out)]) == 0
        text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True).stdout
        for word in words:
            assert word in text, (lang, word)


def test_demo_stock_balances_reconcile_with_every_movement(tmp_path):
    """The demo's purchasing, receipts, releases, rejections, issues and picks leave every lot's kept balance equal
    to the sum of its ledger rows, and lots in every state."""
    from jewelryorders.db import open_database
    from jewelryorders.demo import build_demo

    db = open_database(f"sqlite:///{tmp_path / 'demo.db'}")
    result = build_demo(db, 40, seed=3)
    assert any("Materials:" in note or "物料" in note for note in result.notes)
    assert stock.reconcile(db) == []
    with db.read_session() as s:
        states = {status for (status,) in s.execute(select(Lot.status).distinct())}
        assert states == {"released", "quarantined", "rejected"}
        assert s.scalar(select(func.count(Lot.id)).where(Lot.customer_id.is_not(None))) >= 1
    statuses = {po.status for po in purchasing.list_purchase_orders(db)}
    assert {"draft", "sent", "received", "cancelled"} <= statuses
    db.close()


def test_the_factory_sets_the_over_receipt_tolerance(db, people, catalogue, admin):
    from jewelryorders.services import users

    users.update_settings(db, admin, {"materials.over_receipt_tolerance_percent": "10"})
    po = _sent_po(db, people, catalogue, grams="100")
    [lot] = stock.receive(db, people["buyer"], po.id, [stock.ReceiptLine(po.lines[0].id, "109")],
                          over_receipt_reason="bar weight")
    assert lot.on_hand_qty == 109_000
    with pytest.raises(ValidationError, match="whole number from 0 to 50"):
        users.update_settings(db, admin, {"materials.over_receipt_tolerance_percent": "80"})


def test_certificates_are_filed_with_their_lot(db, people, catalogue, tmp_path):
    po = _sent_po(db, people, catalogue, grams="50")
    [lot] = stock.receive(db, people["buyer"], po.id, [stock.ReceiptLine(po.lines[0].id, "50")])
    cert = tmp_path / "assay-AS-1234.pdf"
    cert.write_bytes(b"%PDF-1.4 assay 750.2")
    assert stock.attach_lot_documents(db, people["buyer"], lot.id, [cert]) == ["assay-AS-1234.pdf"]
    assert [(name, size) for _id, name, size in stock.lot_documents(db, lot.id)] == [("assay-AS-1234.pdf", 20)]
    with pytest.raises(ValidationError, match="does not exist"):
        stock.attach_lot_documents(db, people["buyer"], lot.id, [tmp_path / "missing.pdf"])
    with pytest.raises(PermissionDenied):
        stock.attach_lot_documents(db, people["quality"], lot.id, [cert])
    assert len(stock.lot_documents(db, lot.id)) == 1


def test_an_over_long_receipt_reason_is_refused_not_cut(db, people, catalogue):
    po = _sent_po(db, people, catalogue, grams="100")
    with pytest.raises(ValidationError, match="too long"):
        stock.receive(db, people["buyer"], po.id, [stock.ReceiptLine(po.lines[0].id, "104")],
                      over_receipt_reason="x" * 10_001)
    with db.read_session() as s:
        assert s.scalar(select(func.count(Lot.id))) == 0
