"""Review commands: print an order's review report to PDF."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from .. import clock
from ..i18n import LANGUAGES, _, normalize_language
from ..services.orders.intake import get_order_by_no
from .registry import CliContext, Kind, register


def _review_report_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("order_no", metavar="ORDER_NO", help=_("the order's number, e.g. JO-2026-00042"))
    p.add_argument("--out", required=True, metavar="FILE.pdf", help=_("where to write the PDF"))
    p.add_argument("--lang", dest="paper_lang", choices=list(LANGUAGES),
                   help=_("language of the paper (default: the language of the command)"))


def run_review_report(ctx: CliContext, args) -> int:
    from ..reports.review_report import write_review_report
    from ..services.review.report import review_report_data

    lang = normalize_language(args.paper_lang or ctx.lang)
    order = get_order_by_no(ctx.db, args.order_no)
    data = review_report_data(ctx.db, order.id, lang)
    out = Path(args.out).expanduser()
    if out.parent and not out.parent.exists():
        print(_("Error: the folder {folder} does not exist.", folder=str(out.parent)), file=sys.stderr)
        return 2
    # Printing changes nothing, so no password is asked; the paper names the user given with --user, if any.
    printed_by = ctx.actor().display_name if ctx.args.user else _login_name()
    written = write_review_report(data, out, lang=lang, printed_by=printed_by,
                                  printed_at=clock.now())
    if ctx.args.user:  # a named printer files the paper with the order's documents (a reprint is a new version)
        from ..services.documents import file_printed_paper

        file_printed_paper(ctx.db, ctx.actor(), written, category="review_report", order_id=order.id)
    print(_("Review report of {order_no} written to {file}", order_no=order.order_no, file=str(written)))
    return 0


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def register_cli() -> None:
    register("print", Kind("review-report", _("an order's review report: checks, negotiations, decisions, every "
                                              "round's opinions, contract"), _review_report_args,
                           run_review_report))
