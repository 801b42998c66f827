"""Quality commands: print an inspection report or an NCR, export the quality register of a period."""

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


def _paper_args(p: argparse.ArgumentParser, number: str, help_text: str) -> None:
    p.add_argument("number", metavar=number, help=help_text)
    p.add_argument("--out", required=True, metavar="FILE.pdf", help=_("where to write the PDF"))
    p.add_argument("--lang", dest="paper_lang", choices=list(LANGUAGES),
                   help=_("language of the paper (default: the language of the command)"))


def run_print_inspection(ctx: CliContext, args) -> int:
    from ..services.quality.papers import print_inspection_report

    out = Path(args.out).expanduser()
    if not _out_ok(out):
        return 2
    print_inspection_report(ctx.db, ctx.actor(), args.number, out, normalize_language(args.paper_lang or ctx.lang))
    print(_("Inspection report {number} written to {file}", number=args.number.upper(), file=str(out)))
    return 0


def run_print_ncr(ctx: CliContext, args) -> int:
    from ..services.quality.papers import print_ncr

    out = Path(args.out).expanduser()
    if not _out_ok(out):
        return 2
    print_ncr(ctx.db, ctx.actor(), args.number, out, normalize_language(args.paper_lang or ctx.lang))
    print(_("Nonconformance report {number} written to {file}", number=args.number.upper(), file=str(out)))
    return 0


def _register_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="date_from", required=True, metavar="DATE", help=_("first day (YYYY-MM-DD)"))
    p.add_argument("--to", dest="date_to", required=True, metavar="DATE", help=_("last day (YYYY-MM-DD)"))
    p.add_argument("--out", required=True, metavar="FILE.xlsx", help=_("where to write the workbook"))


def run_export_register(ctx: CliContext, args) -> int:
    from ..services.quality.papers import export_register

    out = Path(args.out).expanduser()
    if not _out_ok(out):
        return 2
    export_register(ctx.db, ctx.actor(), out, args.date_from, args.date_to, ctx.lang)
    print(_("Quality register written to {file}", file=str(out)))
    return 0


def register_cli() -> None:
    register("print", Kind("inspection-report", _("an inspection report: every characteristic's nominal, tolerance, "
                                                  "measured value and result (PDF, filed)"),
                           lambda p: _paper_args(p, "INSPECTION_NO", _("the inspection's number, e.g. QI-2026-00012")),
                           run_print_inspection))
    register("print", Kind("ncr", _("a nonconformance report with its disposition and corrective action (PDF, filed)"),
                           lambda p: _paper_args(p, "NCR_NO", _("the NCR's number, e.g. NCR-2026-0003")),
                           run_print_ncr))
    register("export", Kind("quality-register", _("every inspection and nonconformance report of a period to an "
                                                  "Excel workbook (filed)"), _register_args, run_export_register))
