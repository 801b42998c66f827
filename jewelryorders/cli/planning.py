"""Planning commands: print task sheets and the Gantt wall chart; propose, release, re-plan, optimise, forecast, scan.

`plan optimise` and `plan replan` only report (lateness before and after, the orders that would be late) unless
`--apply` is given; applying needs --user and writes a new plan version, with the reason, for each released plan
that changes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
import threading
from pathlib import Path

from .. import clock
from ..i18n import LANGUAGES, _, normalize_language
from ..services.orders.intake import get_order_by_no
from .output import emit
from .registry import CliContext, Kind, register


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(_("'{value}' is not a date; write it as YYYY-MM-DD, e.g. 2026-12-31.",
                                           value=value)) from None


def _paper_lang(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", dest="paper_lang", choices=list(LANGUAGES),
                   help=_("language of the paper (default: the language of the command)"))


def _out_path(value: str) -> Path | None:
    out = Path(value).expanduser()
    if out.parent and not out.parent.exists():
        print(_("Error: the folder {folder} does not exist.", folder=str(out.parent)), file=sys.stderr)
        return None
    return out


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


# ---- print task-sheets ------------------------------------------------------------------------------------------

def _task_sheets_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("order_no", nargs="?", metavar="ORDER_NO", help=_("print every task sheet of this order"))
    p.add_argument("--workshop", metavar="NAME", help=_("print the task sheets of this workshop for --date"))
    p.add_argument("--date", type=_date, metavar="YYYY-MM-DD", help=_("the day of --workshop"))
    p.add_argument("--sheet", action="append", default=[], metavar="SHEET_NO", help=_("print this sheet (repeatable)"))
    p.add_argument("--out", required=True, metavar="FILE.pdf", help=_("where to write the PDF"))
    _paper_lang(p)


def run_task_sheets(ctx: CliContext, args) -> int:
    from ..services.planning.sheets import print_task_sheets

    chosen = [bool(args.order_no), bool(args.workshop), bool(args.sheet)]
    if sum(chosen) != 1:
        print(_("Error: give an ORDER_NO, or --workshop NAME --date YYYY-MM-DD, or --sheet SHEET_NO."),
              file=sys.stderr)
        return 2
    if args.workshop and args.date is None:
        print(_("Error: --workshop needs --date YYYY-MM-DD."), file=sys.stderr)
        return 2
    out = _out_path(args.out)
    if out is None:
        return 2
    lang = normalize_language(args.paper_lang or ctx.lang)
    # Printing counts reprints, so it is done in a user's name.
    actor = ctx.actor()
    result = print_task_sheets(ctx.db, actor, out, order=args.order_no or None, workshop=args.workshop or None,
                               day=args.date if args.workshop else None, sheet_nos=args.sheet, lang=lang)
    print(_("{count} task sheets written to {file} ({reprints} of them reprints): {sheets}", count=result.count,
            file=str(result.path), reprints=result.reprints, sheets=", ".join(result.sheet_nos)))
    return 0


# ---- print gantt ------------------------------------------------------------------------------------------------

def _gantt_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="date_from", type=_date, required=True, metavar="YYYY-MM-DD",
                   help=_("first day of the chart"))
    p.add_argument("--to", dest="date_to", type=_date, required=True, metavar="YYYY-MM-DD",
                   help=_("last day of the chart"))
    p.add_argument("--grouping", choices=["order", "workshop"], default="order", help=_("one row per order or per "
                                                                                       "workshop"))
    p.add_argument("--out", required=True, metavar="FILE.pdf", help=_("where to write the PDF"))
    _paper_lang(p)


def run_gantt(ctx: CliContext, args) -> int:
    from ..services.planning.gantt import export_gantt_pdf

    if args.date_to < args.date_from:
        print(_("Error: --to {to} is before --from {first}.", to=args.date_to.isoformat(),
                first=args.date_from.isoformat()), file=sys.stderr)
        return 2
    out = _out_path(args.out)
    if out is None:
        return 2
    lang = normalize_language(args.paper_lang or ctx.lang)
    printed_by = ctx.actor().display_name if ctx.args.user else _login_name()
    written = export_gantt_pdf(ctx.db, out, first=args.date_from, last=args.date_to, lang=lang,
                               grouping=args.grouping, printed_by=printed_by)
    if ctx.args.user:  # a named printer files the chart with the documents (the wall copy can be traced)
        from ..services.documents import file_printed_paper

        file_printed_paper(ctx.db, ctx.actor(), written, category="gantt_chart", order_id=None)
    print(_("Gantt chart {first} – {last} written to {file}", first=args.date_from.isoformat(),
            last=args.date_to.isoformat(), file=str(written)))
    return 0


# ---- plan -------------------------------------------------------------------------------------------------------

def _plan_args(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="plan_action", metavar="ACTION", required=True)
    optimise = sub.add_parser("optimise", help=_("minimise the weighted lateness of all open orders with CP-SAT; "
                                                 "reports only, unless --apply"))
    optimise.add_argument("--seconds", type=float, default=10.0, help=_("time limit in seconds (default 10)"))
    optimise.add_argument("--apply", action="store_true", help=_("accept the result: write the new dates"))
    optimise.add_argument("--reason", default="", help=_("why the plans change (kept with each new version)"))
    replan = sub.add_parser("replan", help=_("re-plan every open order, earliest due and highest priority first; "
                                             "reports only, unless --apply"))
    replan.add_argument("--apply", action="store_true", help=_("accept the result: write the new dates"))
    replan.add_argument("--reason", default="", help=_("why the plans change (kept with each new version)"))
    forecast = sub.add_parser("forecast", help=_("project every open order's finish and list those at risk"))
    forecast.add_argument("--late-only", action="store_true", help=_("list only orders projected late"))
    forecast.add_argument("--format", choices=["table", "csv", "json"], default="table", help=_("output format"))
    propose = sub.add_parser("propose", help=_("propose the draft plan of a contracted order"))
    propose.add_argument("order_no", metavar="ORDER_NO", help=_("the order's number, e.g. JO-2026-00042"))
    release = sub.add_parser("release", help=_("release an order's draft plan and issue its task sheets"))
    release.add_argument("order_no", metavar="ORDER_NO", help=_("the order's number, e.g. JO-2026-00042"))
    scan = sub.add_parser("scan", help=_("a scanned task sheet: start its step, or finish it once started"))
    scan.add_argument("sheet_no", metavar="SHEET_NO", help=_("the task sheet's number, e.g. TS-2026-000123"))
    action = scan.add_mutually_exclusive_group()
    action.add_argument("--start", dest="scan_action", action="store_const", const="start",
                        help=_("only start the step"))
    action.add_argument("--finish", dest="scan_action", action="store_const", const="finish",
                        help=_("only finish the step"))


def _print_late(title: str, rows) -> None:
    print(title)
    if not rows:
        print("  " + _("none"))
        return
    for row in rows[:50]:
        print("  " + _("{order_no}: {days} days late (due {due}, finish {finish}, priority {priority})",
                       order_no=row.order_no, days=row.days_late, due=row.due.isoformat(),
                       finish=row.finish.isoformat(), priority=row.priority))
    if len(rows) > 50:
        print("  " + _("… and {count} more", count=len(rows) - 50))


def _report(proposal) -> None:
    print(_("Weighted lateness (priority × days late): before {before}, after {after}.",
            before=proposal.lateness_before, after=proposal.lateness_after))
    print(_("Orders late before: {before}; after: {after}.", before=len(proposal.late_before),
            after=len(proposal.late_after)))
    print(_("{orders} orders ({steps} steps) would change.", orders=len(proposal.changed_orders),
            steps=proposal.changed_steps))
    _print_late(_("Late after the change:"), proposal.late_after)
    for problem in proposal.excluded[:20]:
        print(_("Left out: {problem}", problem=problem))


def _apply(ctx: CliContext, args, proposal, default_reason: str) -> int:
    from ..services.planning.forecast import refresh_forecast
    from ..services.planning.replan import apply_proposal

    if not args.apply:
        print(_("Nothing was changed; add --apply to accept this result."))
        return 0
    actor = ctx.actor()
    result = apply_proposal(ctx.db, actor, proposal, args.reason or default_reason)
    refresh_forecast(ctx.db)
    print(_("Applied: {orders} orders, {steps} steps changed, {versions} new plan versions.",
            orders=result.orders_changed, steps=result.steps_changed, versions=result.versions_created))
    return 0


def run_plan(ctx: CliContext, args) -> int:
    from ..services.planning import forecast as planning_forecast
    from ..services.planning import plans as planning
    from ..services.planning import replan as planning_replan

    action = args.plan_action
    if action == "optimise":
        if not 0 < args.seconds <= planning_replan.MAX_OPTIMISE_SECONDS:
            print(_("Error: --seconds must be between 1 and {max}.", max=int(planning_replan.MAX_OPTIMISE_SECONDS)),
                  file=sys.stderr)
            return 2
        cancel = threading.Event()
        print(_("Optimising for up to {seconds} seconds (Ctrl+C stops with the best plan so far) …",
                seconds=f"{args.seconds:g}"), file=sys.stderr, flush=True)
        try:
            proposal = planning_replan.optimise_preview(ctx.db, args.seconds, cancel=cancel)
        except KeyboardInterrupt:
            cancel.set()
            raise
        print(proposal.status_text)
        if proposal.lower_bound is not None:
            print(_("No plan can do better than {bound}.", bound=proposal.lower_bound))
        _report(proposal)
        return _apply(ctx, args, proposal, _("Optimise on {date}", date=clock.today().isoformat()))
    if action == "replan":
        proposal = planning_replan.replan_preview(ctx.db)
        _report(proposal)
        return _apply(ctx, args, proposal, _("Re-plan all on {date}", date=clock.today().isoformat()))
    if action == "forecast":
        rows = planning_forecast.refresh_forecast(ctx.db)
        if args.late_only:
            rows = [r for r in rows if r.days_late > 0]
        table = args.format == "table"
        emit([_("Order no."), _("Customer"), _("Delivery date"), _("Projected finish"), _("Days late")],
             ["order_no", "customer", "delivery_date", "projected_finish", "days_late"],
             [(r.order_no, r.customer, r.delivery_date.isoformat() if r.delivery_date else "",
               r.projected_finish.isoformat(), (r.days_late or "") if table else r.days_late) for r in rows],
             args.format)
        return 0
    if action in ("propose", "release"):
        order = get_order_by_no(ctx.db, args.order_no)
        actor = ctx.actor()
        if action == "propose":
            plan = planning.propose_plan(ctx.db, actor, order.id)
            print(_("Draft plan {plan_no} of {order_no}: {count} steps, {start} – {finish}.", plan_no=plan.plan_no,
                    order_no=plan.order_no, count=len(plan.steps), start=plan.steps[0].start.isoformat(),
                    finish=plan.finish.isoformat()))
        else:
            current = planning.get_plan(ctx.db, order.id)
            if current is None:
                print(_("Error: order {order_no} has no plan yet; propose one first.", order_no=order.order_no),
                      file=sys.stderr)
                return 1
            plan = planning.release_plan(ctx.db, actor, current.id, expected_version=current.version)
            planning_forecast.refresh_forecast(ctx.db)
            print(_("Plan {plan_no} v{version} of {order_no} released; task sheets {sheets}.",
                    plan_no=plan.plan_no, version=plan.version_no, order_no=plan.order_no,
                    sheets=", ".join(st.sheet_no or "" for st in plan.steps)))
        for warning in plan.warnings:
            print(_("Warning: {message}", message=warning))
        return 0
    if action == "scan":
        result = planning.scan_task_sheet(ctx.db, ctx.actor(), args.sheet_no, args.scan_action or "auto")
        print(result.message)
        return 0
    return 2


def register_cli() -> None:
    register("print", Kind("task-sheets", _("task sheets of an order, of a workshop for a day, or single sheets "
                                            "(reprints are counted and marked)"), _task_sheets_args,
                           run_task_sheets))
    register("print", Kind("gantt", _("the production Gantt chart on A3 landscape for a date range"), _gantt_args,
                           run_gantt))
    register("command", Kind("plan", _("production planning: optimise, replan, forecast, propose, release, scan"),
                             _plan_args, run_plan))
