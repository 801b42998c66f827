"""Foundation commands: check the database and its audit trail; list orders, customers and users."""

from __future__ import annotations

import argparse
import sqlite3

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..i18n import _
from ..models.orders import STAGES
from ..models.users import DEPARTMENTS, ROLES
from ..services import audit, customers, users
from ..services.errors import StorageError
from ..services.orders import reads as order_reads
from ..services.orders import intake as orders
from ..services.stages import stage_label
from .output import emit
from .registry import CliContext, Kind, register


def _add_format(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=["table", "csv", "json"], default="table", help=_("output format"))


# ---- check ----------------------------------------------------------------------------------------------------

def _check_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--anchor-now", action="store_true",
                   help=_("administrators: accept the audit trail as it is now as the reference outside the database "
                          "(after restoring a backup, or for a copy you trust)"))


def _check_sqlite_file(db) -> bool:
    """SQLite's full integrity check and the broken references; damage is named in plain words, never a traceback."""
    from ..db import damage_message, diagnose_sqlite

    damaged = diagnose_sqlite(db.path, full=True) if db.path else []
    if damaged:
        print(_("Database integrity: DAMAGED ({file})", file=db.display_name))
        print("  " + damage_message(db.display_name, damaged))
        return False
    print(_("Database integrity: ok ({file})", file=db.display_name))
    with db.engine.connect() as conn:
        fk = list(conn.execute(text("PRAGMA foreign_key_check")))
    if fk:
        tables = sorted({str(row[0]) for row in fk})
        print(_("Broken references: {n} rows point to missing records (tables: {tables}).", n=len(fk),
                tables=", ".join(tables)))
        return False
    return True


def _print_problems(title: str, problems: list[str]) -> None:
    print(title)
    for problem in problems[:100]:
        print("  " + problem)
    if len(problems) > 100:
        print("  " + _("... and {n} more.", n=len(problems) - 100))


def run_check(ctx: CliContext, args) -> int:
    db = ctx.db
    try:
        return _run_check(ctx, db, args)
    except (StorageError, SQLAlchemyError, sqlite3.Error, OSError) as exc:
        # Whatever the damage, the answer is words and a non-zero exit, never a traceback.
        from ..db import damage_message, diagnose_sqlite

        detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        damaged = diagnose_sqlite(db.path, full=True) if db.is_sqlite and db.path else []
        print(_("The check could not finish: {error}", error=detail))
        if damaged:
            print("  " + damage_message(db.display_name, damaged))
        return 1


def _run_check(ctx: CliContext, db, args) -> int:
    if db.is_sqlite:
        ok = _check_sqlite_file(db)
        if not ok:
            return 1  # reading a damaged file further would only add noise; restore it first
    else:
        ok = True
        print(_("Database: {url} (integrity is checked by the server)", url=db.display_name))
    if args.anchor_now:
        count = audit.accept_current_head(db, ctx.actor())
        print(_("The audit trail as it is now ({n} events) is the reference outside the database from now on.",
                n=count))
    result = audit.verify_chain(db)
    if result.ok:
        print(_("Audit trail: ok, {n} events, chain intact.", n=result.events_checked))
    else:
        ok = False
        _print_problems(_("Audit trail: {n} problems found in {events} events:", n=len(result.problems),
                          events=result.events_checked), result.problems)
    for note in result.notes:
        print("  " + note)
    if not db.is_sqlite:
        print("  " + _("Shared database: each workstation anchors the audit events it wrote, in its own data folder. "
                       "This check compares the trail with this workstation's anchor; run it on each workstation "
                       "to cover the events they wrote. The server's access rights protect the rest."))
    else:
        print("  " + _("The audit trail's head is anchored outside the database: {files}.",
                       files=", ".join(str(p) for p in audit.anchor_paths(db))))
    records = audit.verify_records(db)
    if records.ok:
        print(_("Records: ok, {n} audited records match their last audit event.", n=records.records_checked))
    else:
        ok = False
        _print_problems(_("Records: {n} edited outside the application:", n=len(records.problems)), records.problems)
    from ..services.archive.filing import verify_documents  # the archive: every stored file against its SHA-256

    checked, doc_problems = verify_documents(db)
    if doc_problems:
        ok = False
        _print_problems(_("Documents: {n} of {total} stored documents are altered or missing:", n=len(doc_problems),
                          total=checked), [p.describe() for p in doc_problems])
    else:
        print(_("Documents: ok, {n} stored documents match their SHA-256.", n=checked))
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
