"""Progress ledger commands: scan a task sheet (start, finish with weights, rework), export the ledger and the
weekly summary, print a meeting's minutes."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from ..i18n import LANGUAGES, _, normalize_language
from .registry import CliContext, Kind, register


def _out_ok(out: Path) -> bool:
    if out.parent and not out.parent.exists():
        print(_("Error: the folder {folder} does not exist.", folder=str(out.parent)), file=sys.stderr)
        return False
    return True


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(_("'{value}' is not a date; write it as YYYY-MM-DD.", value=value)) from None


def _scan_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("sheet_no", metavar="TASK_SHEET_NO", help=_("the task sheet's number, e.g. TS-2026-000123"))
    action = p.add_mutually_exclusive_group(required=True)
    action.add_argument("--start", dest="action", action="store_const", const="start", help=_("record 'started'"))
    action.add_argument("--finish", dest="action", action="store_const", const="finish",
                        help=_("record 'finished' with the quantities and weights below"))
    action.add_argument("--rework", dest="rework", type=int, metavar="N",
                        help=_("record N pieces returned for rework (give --reason)"))
    p.add_argument("--done", default="", metavar="N", help=_("quantity done (default: what remains)"))
    p.add_argument("--rejected", default="0", metavar="N", help=_("quantity rejected"))
    p.add_argument("--issued", default="", metavar="GRAMS", help=_("metal issued, grams to 3 decimals"))
    p.add_argument("--returned", default="", metavar="GRAMS", help=_("metal returned, grams to 3 decimals"))
    p.add_argument("--in-piece", dest="in_piece", default="", metavar="GRAMS",
                   help=_("metal left in the piece, grams to 3 decimals"))
    p.add_argument("--stones", default="", metavar="CARATS", help=_("carats of stones set"))
    p.add_argument("--worker", default="", help=_("the worker (default: the user)"))
    p.add_argument("--reason", default="", help=_("reason for a loss over the allowance, or for the rework"))


def run_scan(ctx: CliContext, args) -> int:
    from ..services.ledger import entries as ledger

    actor = ctx.actor()
    if args.rework is not None:
        done = ledger.record_rework(ctx.db, actor, args.sheet_no, args.rework, args.reason, worker=args.worker)
    elif args.action == "start":
        done = ledger.record_start(ctx.db, actor, args.sheet_no, worker=args.worker)
    else:
        qty = args.done if args.done != "" else ledger.open_sheet(ctx.db, args.sheet_no).remaining_qty
        done = ledger.record_finish(ctx.db, actor, args.sheet_no, ledger.FinishInput(
            qty, args.rejected, args.issued, args.returned, args.in_piece, args.stones, args.worker, args.reason))
    print(_("{entry_no}: {message}", entry_no=done.entry_no, message=done.message))
    return 0


def _ledger_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, metavar="FILE.xlsx", help=_("where to write the workbook"))
    p.add_argument("--from", dest="date_from", type=_day, metavar="DATE", help=_("first day (YYYY-MM-DD)"))
    p.add_argument("--to", dest="date_to", type=_day, metavar="DATE", help=_("last day (YYYY-MM-DD)"))
    p.add_argument("--workshop", default="", metavar="NAME", help=_("only this workshop"))
    p.add_argument("--order", default="", metavar="ORDER_NO", help=_("only this order"))
    p.add_argument("--flagged", action="store_true", help=_("only losses over the allowance"))


def run_export_ledger(ctx: CliContext, args) -> int:
    from ..services.ledger.entries import LedgerFilter
    from ..services.ledger.exports import export_ledger
    from ..services.planning.master_data import list_workshops

    workshop_id = None
    if args.workshop:
        matches = [w.id for w in list_workshops(ctx.db, include_inactive=True) if w.name == args.workshop]
        if not matches:
            print(_("Error: no workshop is called {name}.", name=args.workshop), file=sys.stderr)
            return 2
        workshop_id = matches[0]
    out = Path(args.out).expanduser()
    if not _out_ok(out):
        return 2
    f = LedgerFilter(order_no=args.order, workshop_id=workshop_id, date_from=args.date_from, date_to=args.date_to,
                     flagged_only=args.flagged)
    actor = ctx.actor() if ctx.args.user else None
    written = export_ledger(ctx.db, out, f, lang=ctx.lang, actor=actor)
    print(_("{count} ledger entries written to {file}", count=written, file=str(out)))
    return 0


def _summary_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--week", required=True, metavar="YYYY-Www", help=_("the ISO week, e.g. 2026-W47"))
    p.add_argument("--out", required=True, metavar="FILE.xlsx", help=_("where to write the workbook"))


def run_export_summary(ctx: CliContext, args) -> int:
    from ..services.ledger.exports import export_summary

    out = Path(args.out).expanduser()
    if not _out_ok(out):
        return 2
    export_summary(ctx.db, out, args.week, lang=ctx.lang)
    print(_("Weekly summary {week} written to {file}", week=args.week, file=str(out)))
    return 0


def _minutes_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("meeting_no", metavar="MEETING_NO", help=_("the meeting's number, e.g. MT-2026-001"))
    p.add_argument("--out", required=True, metavar="FILE.pdf", help=_("where to write the PDF"))
    p.add_argument("--lang", dest="paper_lang", choices=list(LANGUAGES),
                   help=_("language of the paper (default: the language of the command)"))


def run_print_minutes(ctx: CliContext, args) -> int:
    from ..services import users
    from ..services.ledger.papers import print_minutes

    out = Path(args.out).expanduser()
    if not _out_ok(out):
        return 2
    actor = ctx.actor() if ctx.args.user else None
    print_minutes(ctx.db, actor, args.meeting_no, out, lang=normalize_language(args.paper_lang or ctx.lang),
                  factory_name=users.get_settings(ctx.db).get("factory_name", ""))
    print(_("Minutes of {meeting_no} written to {file}", meeting_no=args.meeting_no.upper(), file=str(out)))
    return 0


def register_cli() -> None:
    register("command", Kind("scan", _("record a scanned task sheet in the ledger: --start, --finish with "
                                       "quantities and weights, or --rework N"), _scan_args, run_scan))
    register("export", Kind("ledger", _("the progress ledger (filtered) to an Excel workbook"), _ledger_args,
                            run_export_ledger))
    register("export", Kind("summary", _("the weekly summary per workshop to an Excel workbook"), _summary_args,
                            run_export_summary))
    register("print", Kind("minutes", _("a coordination meeting's minutes (PDF)"), _minutes_args,
                           run_print_minutes))
