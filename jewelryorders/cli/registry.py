"""Where each part of the procedure registers its kinds for the one list/print/import/export command family."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from ..i18n import N_

if TYPE_CHECKING:  # the database layer (SQLAlchemy, Alembic) is not imported just to show the help
    from ..db import Database
    from ..services.context import Actor


@dataclass
class CliContext:
    """What a command gets: the open database, the language, and (once asked for) the acting user."""

    db: "Database"
    lang: str
    args: argparse.Namespace
    actor_provider: Callable[[], "Actor"]

    def actor(self) -> "Actor":
        return self.actor_provider()


@dataclass
class Kind:
    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[CliContext, argparse.Namespace], int]


LIST_KINDS: dict[str, Kind] = {}
PRINT_KINDS: dict[str, Kind] = {}
IMPORT_KINDS: dict[str, Kind] = {}
EXPORT_KINDS: dict[str, Kind] = {}
# Top-level commands other than the families above (e.g. "plan"), added by feature modules.
COMMANDS: dict[str, Kind] = {}

FAMILIES = {"list": LIST_KINDS, "print": PRINT_KINDS, "import": IMPORT_KINDS, "export": EXPORT_KINDS}


def register(family: str, kind: Kind) -> None:
    table = COMMANDS if family == "command" else FAMILIES[family]
    table[kind.name] = kind


# Whether a command needs --user: it changes data (always), only with some options, or never.
USER_REQUIRED, USER_SOMETIMES, USER_NEVER = "required", "sometimes", "never"


@dataclass(frozen=True)
class IndexEntry:
    """Which module of this package defines a command, its one-line help and whether it needs a user; lets the
    command line import only the module of the command it runs (and none for `--help`)."""

    module: str
    help_msgid: str
    user: str
    user_note_msgid: str = ""  # for USER_SOMETIMES: when the user is needed


# (family, kind) for list/print/import/export, ("command", name) for top-level commands. A command registered by a
# module but missing here still works: the command line then loads every module (slower), and a test says so.
INDEX: dict[tuple[str, str], IndexEntry] = {
    ("command", "check"): IndexEntry("core", N_("check the database's integrity and the audit trail"), USER_NEVER),
    ("command", "demo"): IndexEntry("demo", N_("fill a new database with a realistic demo factory"), USER_NEVER),
    ("command", "plan"): IndexEntry(
        "planning", N_("production planning: optimise, replan, forecast, propose, release, scan"), USER_SOMETIMES,
        N_("propose, release, scan and --apply need --user; optimise, replan and forecast without --apply do not")),
    ("list", "orders"): IndexEntry("core", N_("orders with number, customer, stage, order and delivery dates"),
                                   USER_NEVER),
    ("list", "customers"): IndexEntry("core", N_("customers"), USER_NEVER),
    ("list", "users"): IndexEntry("core", N_("users, departments and roles"), USER_NEVER),
    ("print", "order-confirmation"): IndexEntry(
        "orders_io", N_("an order's confirmation for the customer to sign; the printed copy is filed with the order"),
        USER_REQUIRED),
    ("print", "review-report"): IndexEntry(
        "review", N_("an order's review report: checks, negotiations, decisions, every round's opinions, contract"),
        USER_SOMETIMES, N_("--user is optional: it names who printed the paper")),
    ("print", "task-sheets"): IndexEntry(
        "planning", N_("task sheets of an order, of a workshop for a day, or single sheets (reprints are counted and "
                       "marked)"), USER_REQUIRED),
    ("print", "gantt"): IndexEntry("planning", N_("the production Gantt chart on A3 landscape for a date range"),
                                   USER_SOMETIMES, N_("--user is optional: it names who printed the paper")),
    ("import", "orders"): IndexEntry(
        "orders_io", N_("orders from a customer's Excel order sheet: every row is checked, and all orders are "
                        "imported in one go or none"), USER_REQUIRED),
    ("export", "orders"): IndexEntry("orders_io", N_("the order list (filtered) to an Excel workbook"),
                                     USER_SOMETIMES, N_("--user is optional: it names who exported the list")),
    ("print", "purchase-order"): IndexEntry("materials", N_("a purchase order to send to the supplier (PDF)"),
                                            USER_SOMETIMES, N_("--user is optional: it names who printed the paper")),
    ("print", "customer-statement"): IndexEntry(
        "materials", N_("what the factory holds of a customer's own metal and stones, and every movement of it (PDF)"),
        USER_SOMETIMES, N_("--user is optional: it names who printed the paper")),
    ("list", "purchase-orders"): IndexEntry("materials", N_("purchase orders with supplier, state, due date and total"),
                                            USER_NEVER),
    ("list", "lots"): IndexEntry("materials", N_("lots of material with their state and what is on hand"), USER_NEVER),
    ("export", "stock"): IndexEntry("materials", N_("stock per material and every lot to an Excel workbook"),
                                    USER_NEVER),
    ("command", "scan"): IndexEntry(
        "ledger", N_("record a scanned task sheet in the ledger: --start, --finish with quantities and weights, or "
                     "--rework N"), USER_REQUIRED),
    ("export", "ledger"): IndexEntry("ledger", N_("the progress ledger (filtered) to an Excel workbook"),
                                     USER_SOMETIMES, N_("--user is optional: it files the export with the documents")),
    ("export", "summary"): IndexEntry("ledger", N_("the weekly summary per workshop to an Excel workbook"),
                                      USER_NEVER),
    ("print", "minutes"): IndexEntry("ledger", N_("a coordination meeting's minutes (PDF)"), USER_SOMETIMES,
                                     N_("--user is optional: it names who printed the paper")),
    ("print", "inspection-report"): IndexEntry(
        "quality", N_("an inspection report: every characteristic's nominal, tolerance, measured value and result "
                      "(PDF, filed)"), USER_REQUIRED),
    ("print", "ncr"): IndexEntry("quality", N_("a nonconformance report with its disposition and corrective action "
                                               "(PDF, filed)"), USER_REQUIRED),
    ("export", "quality-register"): IndexEntry(
        "quality", N_("every inspection and nonconformance report of a period to an Excel workbook (filed)"),
        USER_REQUIRED),
    ("print", "packing-list"): IndexEntry("delivery", N_("a shipment's delivery note / packing list (PDF, filed with "
                                                     "the order)"), USER_REQUIRED),
    ("print", "certificates"): IndexEntry("delivery", N_("a shipment's quality certificates with QR codes (PDF, filed "
                                                     "with the order)"), USER_REQUIRED),
    ("print", "labels"): IndexEntry("delivery", N_("a shipment's package labels on A4 (PDF, filed with the order)"),
                                    USER_REQUIRED),
    ("print", "repair-record"): IndexEntry("delivery", N_("an after-sales case's repair record for the customer (PDF, "
                                                      "filed with the order)"), USER_REQUIRED),
    ("export", "after-sales"): IndexEntry("delivery", N_("after-sales cases and their analysis for a period to an "
                                                     "Excel workbook"), USER_REQUIRED),
    ("command", "backup"): IndexEntry("archive", N_("back up the database and its documents to a file, verified"),
                                      USER_NEVER),
    ("command", "restore"): IndexEntry(
        "archive", N_("restore a backup into the database file given with --db (new, damaged or replaced after a "
                      "copy)"), USER_SOMETIMES,
        N_("an administrator's --user and password are needed where the database (or, for a new or damaged file, "
           "the backup) has users")),
    ("export", "access-log"): IndexEntry("archive", N_("the document access log for a period to an Excel workbook"),
                                         USER_REQUIRED),
    ("print", "dossier"): IndexEntry("archive", N_("an order's dossier: every record and document of the order (PDF)"),
                                     USER_REQUIRED),
    ("print", "management-report"): IndexEntry(
        "dashboard", N_("the management report of a month: every dashboard chart and figure on one A4 page (PDF), "
                        "filed with the documents"), USER_REQUIRED),
    ("export", "dashboard"): IndexEntry(
        "dashboard", N_("the figures behind every dashboard chart for a month to an Excel workbook"), USER_NEVER),
}
