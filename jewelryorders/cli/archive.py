"""Archive and data safety commands: backup, restore, print the order dossier, export the access log."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .. import clock
from ..i18n import LANGUAGES, _, normalize_language
from .registry import CliContext, Kind, register


def _backup_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, metavar="FILE", help=_("where to write the backup (a new file)"))


def run_backup(ctx: CliContext, args) -> int:
    from ..services.archive.backups import backup_to

    target = backup_to(ctx.db, args.out)  # a full or read-only disk is a StorageError with words
    print(_("Backup written and verified: {file}", file=str(target)))
    return 0


def _restore_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("backup", metavar="FILE", help=_("a backup made by jewelryorders"))
    p.add_argument("--yes", action="store_true", help=_("do not ask for confirmation"))


def run_restore(ctx: CliContext, args) -> int:
    import getpass

    from ..db import resolve_url
    from ..services.archive.backups import restore, target_has_users
    from sqlalchemy.engine import make_url

    url = resolve_url(ctx.args.db, ctx.args.database_url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        print(_("Error: restore writes an SQLite database file; give it with --db FILE."), file=sys.stderr)
        return 2
    target = Path(parsed.database)
    if not Path(args.backup).expanduser().is_file():
        print(_("Error: the backup {file} does not exist.", file=args.backup), file=sys.stderr)
        return 2
    username = ctx.args.user or os.environ.get("JEWELRYORDERS_USER") or ""
    password = os.environ.get("JEWELRYORDERS_PASSWORD")
    if password is None and sys.stdin.isatty() and username:
        password = getpass.getpass(_("Password for {user}: ", user=username))
    if target.exists() and not args.yes:
        if not sys.stdin.isatty():
            print(_("Error: {file} exists; restoring replaces it (a copy is kept first). Add --yes to confirm.",
                    file=str(target)), file=sys.stderr)
            return 2
        answer = input(_("Replace {file} with the backup? A copy of it is kept first. [y/N] ", file=str(target)))
        if answer.strip().lower() not in ("y", "yes", "是", "j"):
            print(_("Nothing was restored."))
            return 1
    if target_has_users(target) and not username:
        print(_("Error: the database {file} has users: give an administrator with --user NAME (password from "
                "$JEWELRYORDERS_PASSWORD or asked).", file=str(target)), file=sys.stderr)
        return 2
    result = restore(args.backup, target, username=username, password=password or "")
    if result.before:
        print(_("The database as it was is kept as {file}.", file=str(result.before)))
    print(_("Restored {file} from {backup}: {n} orders.", file=str(result.target), backup=args.backup, n=result.orders))
    return 0


def _log_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="date_from", metavar="DATE", help=_("first day (YYYY-MM-DD)"))
    p.add_argument("--to", dest="date_to", metavar="DATE", help=_("last day (YYYY-MM-DD)"))
    p.add_argument("--out", required=True, metavar="FILE.xlsx", help=_("where to write the workbook"))


def run_export_log(ctx: CliContext, args) -> int:
    from ..services.archive.papers import export_access_log
    from ..services.validation import Problems, parse_date

    problems = Problems()
    first = parse_date(problems, "from", "--from", args.date_from)
    last = parse_date(problems, "to", "--to", args.date_to)
    problems.raise_if_any()
    out = Path(args.out).expanduser()
    if not out.parent.exists():
        print(_("Error: the folder {folder} does not exist.", folder=str(out.parent)), file=sys.stderr)
        return 2
    n = export_access_log(ctx.db, ctx.actor(), out, ctx.lang, first, last)
    print(_("Access log ({n} entries) written to {file}", n=n, file=str(out)))
    return 0


def _dossier_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("order_no", metavar="ORDER_NO", help=_("the order's number"))
    p.add_argument("--out", required=True, metavar="FILE.pdf", help=_("where to write the PDF"))
    p.add_argument("--lang", dest="paper_lang", choices=list(LANGUAGES),
                   help=_("language of the paper (default: the language of the command)"))


def run_print_dossier(ctx: CliContext, args) -> int:
    from ..services.archive.dossier import print_dossier

    out = Path(args.out).expanduser()
    if not out.parent.exists():
        print(_("Error: the folder {folder} does not exist.", folder=str(out.parent)), file=sys.stderr)
        return 2
    lang = normalize_language(args.paper_lang or ctx.lang)
    print_dossier(ctx.db, ctx.actor(), args.order_no, out, lang=lang, printed_at=clock.now())
    print(_("Dossier of {order_no} written to {file}", order_no=args.order_no, file=str(out)))
    return 0


def register_cli() -> None:
    register("command", Kind("backup", _("back up the database and its documents to a file, verified"),
                             _backup_args, run_backup))
    restore_kind = Kind("restore", _("restore a backup into the database file given with --db (new, damaged or "
                                     "replaced after a copy)"), _restore_args, run_restore)
    restore_kind.without_database = True  # the target may be missing or damaged: main does not open it
    register("command", restore_kind)
    register("export", Kind("access-log", _("the document access log for a period to an Excel workbook"), _log_args,
                            run_export_log))
    register("print", Kind("dossier", _("an order's dossier: every record and document of the order (PDF)"),
                           _dossier_args, run_print_dossier))
