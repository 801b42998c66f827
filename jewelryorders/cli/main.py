"""Entry point: global options, the GUI by default, and the command families each part registers."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from importlib import import_module
from pkgutil import iter_modules

from .. import __version__
from ..db import DatabaseOpenError, open_database, resolve_url
from ..i18n import LANGUAGES, _, normalize_language, set_language
from ..services.errors import DomainError
from . import registry
from .registry import CliContext

_LOADED = False


def _load_feature_modules() -> None:
    """Every module of this package that defines register_cli() adds its kinds; no central list to edit."""
    global _LOADED
    if _LOADED:
        return
    package = sys.modules[__package__]
    for info in iter_modules(package.__path__):
        if info.name in ("main", "registry", "output"):
            continue
        module = import_module(f"{__package__}.{info.name}")
        if hasattr(module, "register_cli"):
            module.register_cli()
    _LOADED = True


def build_parser() -> argparse.ArgumentParser:
    _load_feature_modules()
    parser = argparse.ArgumentParser(
        prog="jewelryorders",
        description=_("Order procedure of a jewelry factory. Without a command, the application window opens."))
    parser.add_argument("--version", action="version", version=f"jewelryorders {__version__}")
    parser.add_argument("--db", metavar="PATH", help=_("SQLite database file (default: $JEWELRYORDERS_DB or the "
                                                        "user's data folder)"))
    parser.add_argument("--database-url", metavar="URL",
                        help=_("any SQLAlchemy URL, e.g. postgresql+psycopg://user:pw@host/db for a shared database"))
    parser.add_argument("--lang", choices=list(LANGUAGES), help=_("language of messages and papers"))
    parser.add_argument("--user", metavar="NAME", help=_("user name for commands that change data (password from "
                                                          "$JEWELRYORDERS_PASSWORD or asked)"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("gui", help=_("open the application window (the default)"))
    for family, kinds in registry.FAMILIES.items():
        fam = sub.add_parser(family, help={
            "list": _("list records (orders, customers, users, ...)"),
            "print": _("print a paper to PDF"),
            "import": _("import records from a file"),
            "export": _("export records to Excel"),
        }[family])
        kind_sub = fam.add_subparsers(dest="kind", metavar="KIND", required=True)
        for kind in kinds.values():
            kp = kind_sub.add_parser(kind.name, help=kind.help)
            kind.add_arguments(kp)
            kp.set_defaults(_kind=kind)
    for kind in registry.COMMANDS.values():
        kp = sub.add_parser(kind.name, help=kind.help)
        kind.add_arguments(kp)
        kp.set_defaults(_kind=kind)
    return parser


def _actor_provider(db, args):
    cache = {}

    def provide():
        if "actor" not in cache:
            from ..services.users import authenticate

            username = args.user or os.environ.get("JEWELRYORDERS_USER")
            if not username:
                raise DomainError(_("This command changes data: give --user NAME (and the password in "
                                    "$JEWELRYORDERS_PASSWORD, or type it when asked)."))
            password = os.environ.get("JEWELRYORDERS_PASSWORD")
            if password is None:
                if not sys.stdin.isatty():
                    raise DomainError(_("No password: set $JEWELRYORDERS_PASSWORD or run the command in a terminal."))
                password = getpass.getpass(_("Password for {user}: ", user=username))
            cache["actor"] = authenticate(db, username, password)
        return cache["actor"]

    return provide


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # The language is needed before the parser is built, so its help text is translated too.
    lang = os.environ.get("JEWELRYORDERS_LANG")
    for i, a in enumerate(argv):
        if a == "--lang" and i + 1 < len(argv):
            lang = argv[i + 1]
        elif a.startswith("--lang="):
            lang = a.split("=", 1)[1]
    try:
        set_language(normalize_language(lang) if lang else "en")
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    parser = build_parser()
    args = parser.parse_args(argv)
    url = resolve_url(args.db, args.database_url)
    if args.command in (None, "gui"):
        from ..ui.app import run_gui

        return run_gui(url, normalize_language(lang) if lang else None)
    try:
        db = open_database(url)
    except DatabaseOpenError as exc:
        print(_("Error: {message}", message=str(exc)), file=sys.stderr)
        return 2
    ctx = CliContext(db=db, lang=normalize_language(lang) if lang else "en", args=args,
                     actor_provider=_actor_provider(db, args))
    try:
        return int(args._kind.run(ctx, args) or 0)
    except DomainError as exc:
        print(_("Error: {message}", message=str(exc)), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(_("Interrupted; nothing more was changed."), file=sys.stderr)
        return 130
    finally:
        db.close()


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
