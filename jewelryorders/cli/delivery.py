"""Delivery and after-sales commands: print a shipment's packing list, certificates or labels, a case's repair
record (each filed with the order's documents), and export the after-sales cases and analysis."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..i18n import LANGUAGES, _, normalize_language
from .registry import CliContext, Kind, register


def _out_ok(out: Path) -> bool:
    if out.parent and not out.parent.exists():
        print(_("Error: the folder {folder} does not exist.", folder=str(out.parent)), file=sys.stderr)
        return False
    return True


def _paper_args(p: argparse.ArgumentParser, what: str, help_text: str) -> None:
    p.add_argument(what, metavar=what.upper(), help=help_text)
    p.add_argument("--out", required=True, metavar="FILE.pdf", help=_("where to write the PDF"))
    p.add_argument("--lang", dest="paper_lang", choices=list(LANGUAGES),
                   help=_("language of the paper (default: the language of the command)"))


def _shipment_args(p: argparse.ArgumentParser) -> None:
    _paper_args(p, "shipment_no", _("the shipment's number, e.g. SH-2026-00012"))


def _shipment_runner(kind: str):
    def run(ctx: CliContext, args) -> int:
        from ..services.delivery.papers import file_paper

        out = Path(args.out).expanduser()
        if not _out_ok(out):
            return 2
        lang = normalize_language(args.paper_lang or ctx.lang)
        name, content = file_paper(ctx.db, ctx.actor(), kind, args.shipment_no, lang)
        out.write_bytes(content)
        print(_("{paper} written to {file} and filed with the order.", paper=name, file=str(out)))
        return 0

    return run


def _case_args(p: argparse.ArgumentParser) -> None:
    _paper_args(p, "case_no", _("the after-sales case's number, e.g. AS-2026-00003"))


def run_repair_record(ctx: CliContext, args) -> int:
    from ..services.delivery.aftersales_papers import file_repair_record

    out = Path(args.out).expanduser()
    if not _out_ok(out):
        return 2
    lang = normalize_language(args.paper_lang or ctx.lang)
    name, content = file_repair_record(ctx.db, ctx.actor(), args.case_no, lang)
    out.write_bytes(content)
    print(_("{paper} written to {file} and filed with the order.", paper=name, file=str(out)))
    return 0


def _export_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="date_from", required=True, metavar="DATE", help=_("first day (YYYY-MM-DD)"))
    p.add_argument("--to", dest="date_to", required=True, metavar="DATE", help=_("last day (YYYY-MM-DD)"))
    p.add_argument("--out", required=True, metavar="FILE.xlsx", help=_("where to write the workbook"))


def run_export(ctx: CliContext, args) -> int:
    from ..services.delivery.aftersales_papers import export_after_sales
    from ..services.validation import Problems, parse_date

    problems = Problems()
    start = parse_date(problems, "from", "--from", args.date_from, required=True)
    end = parse_date(problems, "to", "--to", args.date_to, required=True)
    if start and end and end < start:
        problems.add("to", _("--to is before --from."))
    problems.raise_if_any()
    out = Path(args.out).expanduser()
    if not _out_ok(out):
        return 2
    export_after_sales(ctx.db, ctx.actor(), start, end, out, ctx.lang)
    print(_("After-sales analysis written to {file}", file=str(out)))
    return 0


def register_cli() -> None:
    register("print", Kind("packing-list", _("a shipment's delivery note / packing list (PDF, filed with the order)"),
                           _shipment_args, _shipment_runner("packing-list")))
    register("print", Kind("certificates", _("a shipment's quality certificates with QR codes (PDF, filed with the "
                                             "order)"), _shipment_args, _shipment_runner("certificates")))
    register("print", Kind("labels", _("a shipment's package labels on A4 (PDF, filed with the order)"),
                           _shipment_args, _shipment_runner("labels")))
    register("print", Kind("repair-record", _("an after-sales case's repair record for the customer (PDF, filed "
                                              "with the order)"), _case_args, run_repair_record))
    register("export", Kind("after-sales", _("after-sales cases and their analysis for a period to an Excel "
                                             "workbook"), _export_args, run_export))
