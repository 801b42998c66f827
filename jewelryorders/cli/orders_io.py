"""Order commands: print the order confirmation, import orders from an Excel order sheet, export the list to Excel."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
import time
from pathlib import Path

from ..i18n import LANGUAGES, _, normalize_language
from ..models.orders import CHANNELS, STAGES
from ..services import customers as customer_service
from ..services.orders import exporting as order_export
from ..services.orders import importing as order_import
from ..services.errors import DomainError
from ..services.orders.intake import OrderFilter, get_order_by_no
from .registry import CliContext, Kind, register

PROGRESS_EVERY_SECONDS = 2.0


def _progress_printer():
    last = [0.0]

    def show(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY_SECONDS or (total and done >= total):
            last[0] = now
            if total:
                print(_("{what}: {done:,} / {total:,}", what=stage, done=done, total=total), file=sys.stderr,
                      flush=True)
            else:
                print(_("{what}: {done:,}", what=stage, done=done), file=sys.stderr, flush=True)

    return show


# ---- print order-confirmation ------------------------------------------------------------------------------

def _confirmation_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("order_no", metavar="ORDER_NO", help=_("the order's number, e.g. JO-2026-00042"))
    p.add_argument("--out", required=True, metavar="FILE.pdf", help=_("where to write the PDF"))
    p.add_argument("--lang", dest="paper_lang", choices=list(LANGUAGES),
                   help=_("language of the paper (default: the language of the command)"))


def run_confirmation(ctx: CliContext, args) -> int:
    from ..services.orders.papers import print_order_confirmation

    lang = normalize_language(args.paper_lang or ctx.lang)
    order = get_order_by_no(ctx.db, args.order_no)
    # The printed copy is filed in the order's documents, which is a change: it needs a user.
    printed = print_order_confirmation(ctx.db, ctx.actor(), order.id, Path(args.out), lang=lang)
    print(_("Order confirmation of {order_no} written to {file} and filed as version {version}.",
            order_no=printed.order_no, file=str(printed.path), version=printed.version))
    return 0


# ---- import orders ---------------------------------------------------------------------------------------------

def _import_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE.xlsx", help=_("the customer's order sheet (Excel workbook)"))
    p.add_argument("--dry-run", action="store_true",
                   help=_("check every row and report the problems, but import nothing"))
    p.add_argument("--mapping", metavar="JSON",
                   help=_("column mapping as a JSON file or text, field -> column header (or letter), e.g. "
                          "{{\"style_code\": \"款號\", \"quantity\": \"F\"}}; fields left out are guessed from "
                          "the headers. Fields: {fields}", fields=", ".join(order_import.FIELD_KEYS)))
    p.add_argument("--sheet", metavar="NAME", help=_("the worksheet to read (default: the first)"))
    p.add_argument("--header-row", type=int, metavar="N",
                   help=_("the row that names the columns, as Excel numbers rows (default: the row among the first "
                          "{n} that matches the most known column names)", n=order_import.HEADER_SEARCH_ROWS))
    p.add_argument("--customer", metavar="CODE",
                   help=_("customer code for rows without a customer column or with an empty one"))
    p.add_argument("--channel", choices=list(CHANNELS), default="email",
                   help=_("channel of orders whose row names none (default: email)"))
    p.add_argument("--order-date", metavar="YYYY-MM-DD",
                   help=_("order date of rows without one (default: today)"))


def _read_mapping(value: str | None) -> dict[str, str]:
    if not value:
        return {}
    text = value
    if not value.lstrip().startswith("{"):
        path = Path(value).expanduser()
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise DomainError(_("The mapping file {file} cannot be read: {error}", file=str(path),
                                error=exc.strerror or str(exc))) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DomainError(_("The column mapping is not valid JSON: {error}", error=str(exc))) from exc
    if not isinstance(data, dict) or not all(isinstance(k, str) and (v is None or isinstance(v, str))
                                             for k, v in data.items()):
        raise DomainError(_("The column mapping must be a JSON object of field -> column header, e.g. "
                            "{\"style_code\": \"款號\"}."))
    return {k: v for k, v in data.items() if v}


def _customer_id(ctx: CliContext, code: str | None) -> int | None:
    if not code:
        return None
    wanted = code.strip().casefold()
    for c in customer_service.search_customers(ctx.db, code.strip(), include_inactive=True, limit=50):
        if c.code.casefold() == wanted:
            return c.id
    raise DomainError(_("No customer has the code {code}.", code=code))


def run_import(ctx: CliContext, args) -> int:
    # A dry run only reads: it needs no user (and asks for no password).
    actor = None if args.dry_run else ctx.actor()
    options = order_import.ImportOptions(customer_id=_customer_id(ctx, args.customer), channel=args.channel,
                                         sheet_name=args.sheet, header_row=args.header_row)
    if args.order_date:
        try:
            options.order_date = dt.date.fromisoformat(args.order_date)
        except ValueError:
            print(_("Error: --order-date must be a date written YYYY-MM-DD."), file=sys.stderr)
            return 2
    info = order_import.inspect_workbook(args.file, args.sheet, args.header_row)
    options.sheet_name = info.sheet_name
    if args.order_date:  # a date given on the command line wins over the one written above the header
        options.sheet_values = {key: text for key, text, _row in info.sheet_values if key != "order_date"}
        info = dataclasses.replace(info, sheet_values=tuple(v for v in info.sheet_values if v[0] != "order_date"))
    if args.customer:
        info = dataclasses.replace(info, sheet_values=tuple(v for v in info.sheet_values if v[0] != "customer"))
    mapping = order_import.complete_mapping(info.headers, _read_mapping(args.mapping))
    print(_("Sheet '{sheet}', header in row {row}. Columns used:", sheet=info.sheet_name, row=info.header_row))
    for f in order_import.IMPORT_FIELDS:
        if mapping.get(f.key):
            print(f"  {f.label} ← {mapping[f.key]}")
    if info.sheet_values:
        print(_("Written above the header, used for every row that does not say:"))
        for key, text, row in info.sheet_values:
            print("  " + _("{field} ← {value} (row {row})", field=order_import.FIELD_BY_KEY[key].label, value=text,
                           row=row))
    result = order_import.run_import(ctx.db, actor, args.file, mapping, options, dry_run=args.dry_run,
                                     progress=_progress_printer())
    for skipped in result.skipped:
        print(skipped.describe())
    if len(result.skipped) < result.empty_rows + result.total_rows:
        print(_("… and {n:,} more rows skipped.", n=result.empty_rows + result.total_rows - len(result.skipped)))
    for problem in result.problems:
        print(f"{problem.location()}: {problem.message}")
    if result.problem_count > len(result.problems):
        print(_("… and {n:,} more problems.", n=result.problem_count - len(result.problems)))
    if result.problem_count:
        print(_("{problems:,} problems in {rows:,} rows; nothing was imported. Correct the sheet and run the "
                "import again.", problems=result.problem_count, rows=result.rows), file=sys.stderr)
        return 1
    if args.dry_run:
        print(_("Check passed: {rows:,} rows make {orders:,} orders with {lines:,} lines. Nothing was imported "
                "(dry run).", rows=result.rows, orders=len(result.orders), lines=result.line_count))
        return 0
    print(_("Imported {orders:,} orders with {lines:,} lines from {rows:,} rows: {first} … {last}.",
            orders=len(result.orders), lines=result.line_count, rows=result.rows,
            first=result.orders[0].order_no, last=result.orders[-1].order_no))
    return 0


# ---- export orders ---------------------------------------------------------------------------------------------

def _export_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, metavar="FILE.xlsx", help=_("where to write the workbook"))
    p.add_argument("--stage", choices=list(STAGES), action="append", help=_("only orders in this stage (repeatable)"))
    p.add_argument("--search", default="", help=_("order no., customer or style contains this text"))
    p.add_argument("--channel", choices=list(CHANNELS), action="append",
                   help=_("only orders from this channel (repeatable)"))
    p.add_argument("--lang", dest="paper_lang", choices=list(LANGUAGES),
                   help=_("language of the workbook (default: the language of the command)"))


def run_export(ctx: CliContext, args) -> int:
    lang = normalize_language(args.paper_lang or ctx.lang)
    f = OrderFilter(search=args.search, stages=tuple(args.stage or ()), channels=tuple(args.channel or ()),
                    sort="order_no", descending=False)
    show = _progress_printer()
    written = order_export.export_orders(ctx.db, f, Path(args.out), lang=lang,
                                         exported_by=ctx.args.user or "",
                                         progress=lambda done, total: show(_("Orders"), done, total))
    print(_("Exported {n:,} orders to {file}", n=written, file=str(Path(args.out))))
    return 0


def register_cli() -> None:
    register("print", Kind("order-confirmation", _("an order's confirmation for the customer to sign; the "
                                                   "printed copy is filed with the order"),
                           _confirmation_args, run_confirmation))
    register("import", Kind("orders", _("orders from a customer's Excel order sheet: every row is checked, and "
                                        "all orders are imported in one go or none; needs --user, except with "
                                        "--dry-run"), _import_args, run_import))
    register("export", Kind("orders", _("the order list (filtered) to an Excel workbook"), _export_args,
                            run_export))
