"""Materials and purchasing commands: print a purchase order, list purchase orders and lots, export stock."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import clock
from ..i18n import LANGUAGES, _, normalize_language, tr
from .output import emit
from .registry import CliContext, Kind, register


def _format_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("table", "csv", "json"), default="table", help=_("output format"))


def _out_folder_ok(out: Path) -> bool:
    if out.parent and not out.parent.exists():
        print(_("Error: the folder {folder} does not exist.", folder=str(out.parent)), file=sys.stderr)
        return False
    return True


def _paper_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, metavar="FILE.pdf", help=_("where to write the PDF"))
    p.add_argument("--lang", dest="paper_lang", choices=list(LANGUAGES),
                   help=_("language of the paper (default: the language of the command)"))


def _print_paper(ctx: CliContext, args, make_data, write, *, category: str, order_id=None):
    """Read the paper's data in its language, write the PDF; None when the folder is wrong (said on stderr).
    With --user the paper is also filed in the document store (a reprint is a new version)."""
    lang = normalize_language(args.paper_lang or ctx.lang)
    data = make_data(lang)
    out = Path(args.out).expanduser()
    if not _out_folder_ok(out):
        return None
    printed_by = ctx.actor().display_name if ctx.args.user else ""
    written = write(data, out, lang=lang, printed_by=printed_by, printed_at=clock.now()) or out
    if ctx.args.user:
        from ..services.documents import file_printed_paper

        file_printed_paper(ctx.db, ctx.actor(), written, category=category,
                           order_id=order_id(data) if callable(order_id) else order_id)
    return data, out


def _po_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("po_no", metavar="PO_NO", help=_("the purchase order's number, e.g. PO-2026-00012"))
    _paper_args(p)


def run_print_po(ctx: CliContext, args) -> int:
    from ..reports.purchase_order import write_purchase_order
    from ..services.materials.papers import purchase_order_paper

    done = _print_paper(ctx, args, lambda lang: purchase_order_paper(ctx.db, args.po_no, lang), write_purchase_order,
                        category="purchase_order")
    if done is None:
        return 2
    print(_("Purchase order {po_no} written to {file}", po_no=done[0].po_no, file=str(done[1])))
    return 0


def _po_list_args(p: argparse.ArgumentParser) -> None:
    from ..models.materials import PO_STATUSES

    p.add_argument("--status", choices=list(PO_STATUSES), help=_("only purchase orders in this state"))
    _format_arg(p)


def run_list_pos(ctx: CliContext, args) -> int:
    from ..models.materials import PO_STATUSES
    from ..services.materials.purchasing import list_purchase_orders

    rows = [(po.po_no, po.supplier_name, tr(PO_STATUSES[po.status], ctx.lang), po.due_date.isoformat(), po.order_no,
             po.currency, str(po.total), len(po.lines)) for po in list_purchase_orders(ctx.db, status=args.status,
                                                                                        limit=100_000)]
    emit([_("PO no."), _("Supplier"), _("Status"), _("Due date"), _("Order no."), _("Currency"), _("Total"),
          _("Lines")], ["po_no", "supplier", "status", "due_date", "order_no", "currency", "total", "lines"], rows,
         args.format)
    return 0


def _lot_list_args(p: argparse.ArgumentParser) -> None:
    from ..models.materials import LOT_STATUSES

    p.add_argument("--status", choices=list(LOT_STATUSES), help=_("only lots in this state"))
    _format_arg(p)


def run_list_lots(ctx: CliContext, args) -> int:
    from sqlalchemy import select

    from ..models.customers import Customer
    from ..models.materials import LOT_STATUSES, Lot, Material, Supplier
    from ..services.context import read_session
    from ..services.materials.common import qty_text

    stmt = (select(Lot, Material, Supplier.name, Customer.name).join(Material, Material.id == Lot.material_id)
            .outerjoin(Supplier, Supplier.id == Lot.supplier_id).outerjoin(Customer, Customer.id == Lot.customer_id)
            .order_by(Lot.id))
    if args.status:
        stmt = stmt.where(Lot.status == args.status)
    with read_session(ctx.db) as s:
        rows = [(lot.lot_no, m.code, m.name, tr(LOT_STATUSES[lot.status], ctx.lang), qty_text(lot.on_hand_qty, m.unit),
                 m.unit, lot.on_hand_pieces, supplier or "", customer or "",
                 lot.received_at.astimezone().strftime("%Y-%m-%d %H:%M")) for lot, m, supplier, customer in s.execute(stmt)]
    emit([_("Lot no."), _("Code"), _("Material"), _("Status"), _("On hand"), _("Unit"), _("Pieces"), _("Supplier"),
          _("Customer"), _("Received")],
         ["lot_no", "material_code", "material", "status", "on_hand", "unit", "pieces", "supplier", "customer",
          "received_at"], rows, args.format)
    return 0


def _stock_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, metavar="FILE.xlsx", help=_("where to write the workbook"))


def run_export_stock(ctx: CliContext, args) -> int:
    from ..services.materials.papers import export_stock

    out = Path(args.out).expanduser()
    if not _out_folder_ok(out):
        return 2
    export_stock(ctx.db, out, ctx.lang)
    print(_("Stock written to {file}", file=str(out)))
    return 0


def _statement_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("customer", metavar="CUSTOMER", help=_("the customer's code or name"))
    _paper_args(p)


def run_print_statement(ctx: CliContext, args) -> int:
    from ..reports.customer_statement import write_customer_statement
    from ..services.materials.papers import customer_statement_paper

    done = _print_paper(ctx, args, lambda lang: customer_statement_paper(ctx.db, args.customer, lang),
                        write_customer_statement, category="customer_statement")
    if done is None:
        return 2
    print(_("Statement of {customer}'s own material written to {file}", customer=done[0].customer_name,
            file=str(done[1])))
    return 0


def register_cli() -> None:
    register("print", Kind("customer-statement", _("what the factory holds of a customer's own metal and stones, "
                                                   "and every movement of it (PDF)"), _statement_args,
                           run_print_statement))
    register("print", Kind("purchase-order", _("a purchase order to send to the supplier (PDF)"), _po_args,
                           run_print_po))
    register("list", Kind("purchase-orders", _("purchase orders with supplier, state, due date and total"),
                          _po_list_args, run_list_pos))
    register("list", Kind("lots", _("lots of material with their state and what is on hand"), _lot_list_args,
                          run_list_lots))
    register("export", Kind("stock", _("stock per material and every lot to an Excel workbook"), _stock_args,
                            run_export_stock))
