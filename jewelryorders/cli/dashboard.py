"""Dashboard commands: print the management report (one PDF page, filed), export the dashboard's figures."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..i18n import LANGUAGES, _, normalize_language
from .registry import CliContext, Kind, register


def _period(args):
    from ..services.dashboard.registry import parse_month

    try:
        return parse_month(args.month)
    except ValueError:
        raise SystemExit(_("Error: --month takes a month as YYYY-MM, e.g. 2026-11 (not {value}).",
                           value=args.month)) from None


def _month_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--month", required=True, metavar="YYYY-MM", help=_("the month the report covers, e.g. 2026-11"))


def _report_args(p: argparse.ArgumentParser) -> None:
    _month_arg(p)
    p.add_argument("--out", required=True, metavar="FILE.pdf", help=_("where to write the PDF"))
    p.add_argument("--lang", dest="paper_lang", choices=list(LANGUAGES),
                   help=_("language of the paper (default: the language of the command)"))


def run_report(ctx: CliContext, args) -> int:
    from ..services.dashboard.papers import print_management_report

    period = _period(args)
    lang = normalize_language(args.paper_lang or ctx.lang)
    # The printed copy is filed with the documents, which is a change: it needs a user.
    printed = print_management_report(ctx.db, ctx.actor(), period, Path(args.out), lang)
    print(_("Management report for {month} written to {file} and filed as version {version}.",
            month=args.month, file=str(printed.path), version=printed.version))
    return 0


def _export_args(p: argparse.ArgumentParser) -> None:
    _month_arg(p)
    p.add_argument("--out", required=True, metavar="FILE.xlsx", help=_("where to write the workbook"))


def run_export(ctx: CliContext, args) -> int:
    from ..services.dashboard.papers import export_dashboard

    period = _period(args)
    written = export_dashboard(ctx.db, period, Path(args.out), ctx.lang)
    print(_("Dashboard figures for {month} written to {file}", month=args.month, file=str(written)))
    return 0


def register_cli() -> None:
    register("print", Kind("management-report", _("the management report of a month: every dashboard chart and "
                                                  "figure on one A4 page (PDF), filed with the documents"),
                           _report_args, run_report))
    register("export", Kind("dashboard", _("the figures behind every dashboard chart for a month to an Excel "
                                           "workbook"), _export_args, run_export))
