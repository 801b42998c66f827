"""The data of the purchasing papers, read from the database and handed to reports/ as plain objects."""

from __future__ import annotations

from ...db import Database
from ...i18n import tr
from ...models.materials import PO_STATUSES
from ...reports.purchase_order import PurchaseLinePaper, PurchaseOrderPaper
from ..users import get_setting
from .common import qty_with_unit
from .purchasing import get_purchase_order_by_no


def purchase_order_paper(db: Database, po_no: str, lang: str) -> PurchaseOrderPaper:
    po = get_purchase_order_by_no(db, po_no)
    lines = tuple(PurchaseLinePaper(line.line_no, line.material_code, line.material_name,
                                    qty_with_unit(line.qty, line.unit, lang), line.pieces, line.unit_price,
                                    line.amount) for line in po.lines)
    return PurchaseOrderPaper(
        factory_name=get_setting(db, "factory_name") or "", factory_address=get_setting(db, "factory_address") or "",
        po_no=po.po_no, status=tr(PO_STATUSES[po.status], lang), supplier_code=po.supplier_code,
        supplier_name=po.supplier_name, supplier_contact=po.supplier_contact, supplier_address=po.supplier_address,
        order_no=po.order_no, currency=po.currency, due_date=po.due_date, written_at=po.created_at, note=po.note,
        lines=lines)



def export_stock(db: Database, path, lang: str):
    """The stock workbook: per material by state (the factory's own stock) and every lot with stock."""
    from decimal import Decimal

    from sqlalchemy import select

    from ... import clock
    from ...models.customers import Customer
    from ...models.materials import LOT_STATUSES, MATERIAL_KINDS, UNITS, Lot, Material, Supplier
    from ...reports.stock_xlsx import LotSheetRow, StockSheetRow, write_stock_xlsx
    from ..context import read_session
    from .stock import stock_overview

    def q(milli: int) -> Decimal:
        return Decimal(milli) / 1000

    materials = [StockSheetRow(r.code, r.name, tr(MATERIAL_KINDS[r.kind], lang), tr(UNITS[r.unit], lang),
                               q(r.released), q(r.quarantined), q(r.rejected), q(r.reserved), q(r.available),
                               q(r.on_order)) for r in stock_overview(db)]
    with read_session(db) as s:
        rows = s.execute(select(Lot, Material, Supplier.name, Customer.name)
                         .join(Material, Material.id == Lot.material_id)
                         .outerjoin(Supplier, Supplier.id == Lot.supplier_id)
                         .outerjoin(Customer, Customer.id == Lot.customer_id)
                         .where(Lot.on_hand_qty > 0).order_by(Material.code, Lot.received_at)).all()
        lots = [LotSheetRow(lot.lot_no, m.code, m.name, tr(UNITS[m.unit], lang), tr(LOT_STATUSES[lot.status], lang),
                            supplier or (tr("customer: {name}", lang, name=customer) if customer else ""),
                            lot.received_at, q(lot.on_hand_qty), lot.on_hand_pieces, lot.expiry_date)
                for lot, m, supplier, customer in rows]
    return write_stock_xlsx(path, materials, lots, factory_name=get_setting(db, "factory_name") or "", lang=lang,
                            as_of=clock.now())


def customer_statement_paper(db: Database, customer_key: str, lang: str):
    """The statement of a customer's own material, by customer code or name."""
    from ... import clock
    from ...models.materials import MOVEMENT_KINDS
    from ...reports.customer_statement import CustomerStatementPaper, StatementLine
    from ..customers import find_customer_by_code_or_name
    from ..errors import NotFound
    from .stock import customer_statement

    customer = find_customer_by_code_or_name(db, customer_key)
    if customer is None:
        raise NotFound(tr("There is no customer {key}.", lang, key=customer_key))
    rows = customer_statement(db, customer.id)
    lines = tuple(StatementLine(r.at, r.lot_no, r.material, tr(MOVEMENT_KINDS[r.kind], lang),
                                qty_with_unit(r.qty, r.unit, lang), r.order_no, r.reason,
                                qty_with_unit(r.balance, r.unit, lang)) for r in rows)
    last: dict[str, str] = {}
    for r in rows:
        last[r.material] = qty_with_unit(r.balance, r.unit, lang)
    return CustomerStatementPaper(get_setting(db, "factory_name") or "", customer.code, customer.name, clock.now(),
                                  lines, tuple(last.items()))


def pick_list_paper(db: Database, pick_list_id: int, lang: str):
    from ...models.materials import PICK_STATUSES
    from ...reports.pick_list import PickLinePaper, PickListPaper
    from .picking import get_pick_list

    pick = get_pick_list(db, pick_list_id)
    lines = tuple(PickLinePaper(i.item_no, i.material_code, i.material_name, i.lot_no,
                                qty_with_unit(i.qty, i.unit, lang), i.pieces, i.picked) for i in pick.items)
    return PickListPaper(get_setting(db, "factory_name") or "", pick.pick_no, pick.order_no, pick.customer_name,
                         tr(PICK_STATUSES[pick.status], lang), pick.created_at, lines)
