"""Foundation commands: check the database and its audit trail; list orders, customers and users."""

from __future__ import annotations

import argparse
import sqlite3

from sqlalchemy import text

from ..i18n import _
from ..models.orders import STAGES
from ..models.users import DEPARTMENTS, ROLES
from ..services import audit, customers, users
from ..services.orders import reads as order_reads
from ..services.orders import intake as orders
from ..services.stages import stage_label
from .output import emit
from .registry import CliContext, Kind, register


def _add_format(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=["table", "csv", "json"], default="table", help=_("output format"))


# ---- check ----------------------------------------------------------------------------------------------------

def _check_args(p: argparse.ArgumentParser) -> None:
    pass


def run_check(ctx: CliContext, args) -> int:
    ok = True
    db = ctx.db
    if db.is_sqlite:
        with db.engine.connect() as conn:
            result = [r[0] for r in conn.execute(text("PRAGMA integrity_check"))]
            fk = list(conn.execute(text("PRAGMA foreign_key_check")))
        if result == ["ok"]:
            print(_("Database integrity: ok ({file})", file=db.display_name))
        else:
            ok = False
            print(_("Database integrity: DAMAGED ({file})", file=db.display_name))
            for line in result[:50]:
                print("  " + str(line))
        if fk:
            ok = False
            print(_("Broken references: {n} rows point to missing records.", n=len(fk)))
    else:
        print(_("Database: {url} (integrity is checked by the server)", url=db.display_name))
    result = audit.verify_chain(db)
    if result.ok:
        print(_("Audit trail: ok, {n} events, chain intact.", n=result.events_checked))
    else:
        ok = False
        print(_("Audit trail: {n} problems found in {events} events:", n=len(result.problems),
                events=result.events_checked))
        for problem in result.problems[:100]:
            print("  " + problem)
    return 0 if ok else 1


# ---- list -----------------------------------------------------------------------------------------------------

def _orders_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--stage", choices=list(STAGES), action="append", help=_("only orders in this stage (repeatable)"))
    p.add_argument("--search", default="", help=_("order no., customer or style contains this text"))
    p.add_argument("--limit", type=int, default=0, help=_("at most this many rows (0 = all)"))
    _add_format(p)


def run_list_orders(ctx: CliContext, args) -> int:
    f = orders.OrderFilter(search=args.search, stages=args.stage or (), sort="order_no", descending=False)
    headers = [_("Order no."), _("Customer"), _("Stage"), _("Order date"), _("Delivery date")]
    keys = ["order_no", "customer", "stage", "order_date", "delivery_date"]
    rows = []
    page, offset, remaining = 5000, 0, args.limit or None
    while True:
        batch = order_reads.query_list_orders(ctx.db, f, offset=offset,
                                              limit=page if remaining is None else min(page, remaining))
        for r in batch:
            stage = r.stage if args.format != "table" else stage_label(r.stage)
            rows.append((r.order_no, r.customer_name, stage, r.order_date.isoformat(),
                         r.delivery_date.isoformat() if r.delivery_date else ""))
        offset += len(batch)
        if remaining is not None:
            remaining -= len(batch)
        if len(batch) < page or remaining == 0:
            break
    emit(headers, keys, rows, args.format)
    return 0


def _customers_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--search", default="", help=_("code, name, contact or phone contains this text"))
    _add_format(p)


def run_list_customers(ctx: CliContext, args) -> int:
    rows = [(c.code, c.name, c.name_en, c.contact_person, c.phone, c.country, c.credit_rating, c.credit_limit,
             c.currency) for c in customers.search_customers(ctx.db, args.search, include_inactive=True, limit=1_000_000)]
    emit([_("Code"), _("Name"), _("English name"), _("Contact person"), _("Phone"), _("Country"), _("Credit rating"),
          _("Credit limit"), _("Currency")],
         ["code", "name", "name_en", "contact", "phone", "country", "credit_rating", "credit_limit", "currency"],
         rows, args.format)
    return 0


def run_list_users(ctx: CliContext, args) -> int:
    rows = [(u.username, u.display_name, u.department if args.format != "table" else _(DEPARTMENTS[u.department]),
             u.role if args.format != "table" else _(ROLES[u.role]), "yes" if u.active else "no")
            for u in users.list_users(ctx.db)]
    emit([_("User name"), _("Display name"), _("Department"), _("Role"), _("Active")],
         ["username", "display_name", "department", "role", "active"], rows, args.format)
    return 0


def register_cli() -> None:
    register("command", Kind("check", _("check the database's integrity and the audit trail"), _check_args, run_check))
    register("list", Kind("orders", _("orders with number, customer, stage, order and delivery dates"), _orders_args,
                          run_list_orders))
    register("list", Kind("customers", _("customers"), _customers_args, run_list_customers))
    register("list", Kind("users", _("users, departments and roles"), _add_format, run_list_users))
