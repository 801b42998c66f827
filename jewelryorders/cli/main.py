"""Entry point: global options, the GUI by default, and the command families each part registers."""

from __future__ import annotations

import argparse
import os
import sys
from importlib import import_module
from pkgutil import iter_modules

from .. import __version__
from ..i18n import DEFAULT_LANGUAGE, LANGUAGES, _, normalize_language, set_language
from . import registry

_LOADED: set[str] = set()
_ALL_LOADED = False
GLOBAL_OPTIONS_WITH_VALUE = ("--db", "--database-url", "--lang", "--user")
# A shell reports a process ended by SIGPIPE as 128 + 13; `list orders | head` ends that way, quietly.
EXIT_BROKEN_PIPE = 141


def _load_module(name: str) -> None:
    if name in _LOADED:
        return
    module = import_module(f"{__package__}.{name}")
    if hasattr(module, "register_cli"):
        module.register_cli()
    _LOADED.add(name)


def _load_feature_modules() -> None:
    """Every module of this package that defines register_cli() adds its kinds; no central list to edit."""
    global _ALL_LOADED
    if _ALL_LOADED:
        return
    package = sys.modules[__package__]
    for info in iter_modules(package.__path__):
        if info.name not in ("main", "registry", "output"):
            _load_module(info.name)
    _ALL_LOADED = True


def _command_words(argv: list[str]) -> list[str]:
    """The command and (for a family) its kind, found before parsing so that only their module is imported."""
    words: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg == "--":
            break
        if arg in GLOBAL_OPTIONS_WITH_VALUE and not words:
            skip = True
            continue
        if arg.startswith("-"):
            continue
        words.append(arg)
        if len(words) == 2 or words[0] not in registry.FAMILIES:
            break
    return words


def _load_for(argv: list[str]) -> None:
    """Import the module of the command being run; every module when the command is not in the index."""
    words = _command_words(argv)
    if not words or words[0] == "gui":
        return
    if words[0] in registry.FAMILIES:
        if len(words) < 2:
            return  # `list --help`: the index has every kind's help
        entry = registry.INDEX.get((words[0], words[1]))
    else:
        entry = registry.INDEX.get(("command", words[0]))
    if entry is None:
        _load_feature_modules()
    else:
        _load_module(entry.module)


def user_note(entry: registry.IndexEntry | None) -> str:
    if entry is None:
        return ""
    if entry.user == registry.USER_REQUIRED:
        return _("Needs --user NAME (or $JEWELRYORDERS_USER); the password comes from $JEWELRYORDERS_PASSWORD or "
                 "is asked.")
    if entry.user == registry.USER_SOMETIMES:
        return _("User: {when}. The user is given with --user NAME (or $JEWELRYORDERS_USER).",
                 when=_(entry.user_note_msgid))
    return _("Needs no user.")


def _add_kind_parser(sub, family: str, name: str):
    entry = registry.INDEX.get((family, name))
    table = registry.COMMANDS if family == "command" else registry.FAMILIES[family]
    kind = table.get(name)
    help_text = kind.help if kind is not None else _(entry.help_msgid)
    note = user_note(entry)
    kp = sub.add_parser(name, help=help_text, description=f"{help_text}\n\n{note}" if note else help_text,
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    if kind is not None:
        kind.add_arguments(kp)
        kp.set_defaults(_kind=kind)
    return kp


def build_parser() -> argparse.ArgumentParser:
    """The parser; commands whose module is not loaded are listed from the index (enough for --help)."""
    parser = argparse.ArgumentParser(
        prog="jewelryorders",
        description=_("Order procedure of a jewelry factory. Without a command, the application window opens."),
        epilog=_("Messages and papers are in the factory's language (set in the application) unless --lang or "
                 "$JEWELRYORDERS_LANG says otherwise. Commands that change data need --user NAME or "
                 "$JEWELRYORDERS_USER; `jewelryorders COMMAND --help` says which."))
    parser.add_argument("--version", action="version", version=f"jewelryorders {__version__}")
    parser.add_argument("--db", metavar="PATH", help=_("an existing SQLite database file (default: $JEWELRYORDERS_DB "
                                                        "or the user's data folder); only `demo` and the "
                                                        "application's first-run setup create a new one"))
    parser.add_argument("--database-url", metavar="URL",
                        help=_("any SQLAlchemy URL, e.g. postgresql+psycopg://user:pw@host/db for a shared database"))
    parser.add_argument("--lang", choices=list(LANGUAGES),
                        help=_("language of messages and papers (default: the factory's language setting)"))
    parser.add_argument("--user", metavar="NAME", help=_("user name for commands that change data (password from "
                                                          "$JEWELRYORDERS_PASSWORD or asked)"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("gui", help=_("open the application window (the default)"),
                   description=_("open the application window (the default)"))
    family_help = {
        "list": _("list records (orders, customers, users, ...)"),
        "print": _("print a paper to PDF"),
        "import": _("import records from a file"),
        "export": _("export records to Excel"),
    }
    for family, kinds in registry.FAMILIES.items():
        fam = sub.add_parser(family, help=family_help[family], description=family_help[family])
        kind_sub = fam.add_subparsers(dest="kind", metavar="KIND", required=True)
        names = [k for f, k in registry.INDEX if f == family] + [k for k in kinds if (family, k) not in registry.INDEX]
        for name in names:
            _add_kind_parser(kind_sub, family, name)
    names = [k for f, k in registry.INDEX if f == "command"]
    names += [k for k in registry.COMMANDS if ("command", k) not in registry.INDEX]
    for name in names:
        _add_kind_parser(sub, "command", name)
    return parser


def _actor_provider(db, args):
    cache = {}

    def provide():
        if "actor" not in cache:
            import getpass

            from ..services.errors import DomainError
            from ..services.users import authenticate

            username = args.user or os.environ.get("JEWELRYORDERS_USER")
            if not username:
                raise DomainError(_("This command changes data: give --user NAME (or set $JEWELRYORDERS_USER; the "
                                    "password in $JEWELRYORDERS_PASSWORD, or type it when asked)."))
            password = os.environ.get("JEWELRYORDERS_PASSWORD")
            if password is None:
                if not sys.stdin.isatty():
                    raise DomainError(_("No password: set $JEWELRYORDERS_PASSWORD or run the command in a terminal."))
                password = getpass.getpass(_("Password for {user}: ", user=username))
            cache["actor"] = authenticate(db, username, password)
        return cache["actor"]

    return provide


def _explicit_language(argv: list[str]) -> str | None:
    """--lang (before the command), else $JEWELRYORDERS_LANG; None leaves it to the factory's setting."""
    lang = None
    for i, a in enumerate(argv):
        if a not in GLOBAL_OPTIONS_WITH_VALUE and not a.startswith("-") and (i == 0 or argv[i - 1] not in
                                                                             GLOBAL_OPTIONS_WITH_VALUE):
            break  # the command's own --lang (a paper's language) is not the language of the messages
        if a == "--lang" and i + 1 < len(argv):
            lang = argv[i + 1]
        elif a.startswith("--lang="):
            lang = a.split("=", 1)[1]
    return lang or os.environ.get("JEWELRYORDERS_LANG") or None


def check_database_url(url: str) -> str | None:
    """A message when the URL cannot be a database address, else None."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
        parsed.get_backend_name()
    except (ArgumentError, ValueError) as exc:
        return _("'{url}' is not a database address ({error}). Write it like "
                 "postgresql+psycopg://user:password@host/database or sqlite:///path/to/file.db.",
                 url=url, error=str(exc))
    return None


def missing_database_file(url: str) -> str | None:
    """The path of an SQLite file that does not exist yet (a command must not create it), else None."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return None if os.path.exists(parsed.database) else parsed.database


def factory_language(db) -> str:
    """The language set for the factory in the database; the default language for a database without one."""
    from ..services import users
    from ..services.errors import DomainError

    try:
        code = users.get_setting(db, "language")
    except (DomainError, KeyError):
        return DEFAULT_LANGUAGE
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so that Python's final flush does not complain."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:
        # The reader (e.g. `head`) has what it wanted; the rest of the output is not needed.
        _silence_stdout()
        return EXIT_BROKEN_PIPE


def _main(argv: list[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    explicit = _explicit_language(argv)
    # The language is needed before the parser is built, so its help text is translated too.
    try:
        set_language(normalize_language(explicit) if explicit else "en")
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    _load_for(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command not in (None, "gui") and not hasattr(args, "_kind"):
        _load_feature_modules()  # a command listed in the index but not registered by its module: say so plainly
        parser = build_parser()
        args = parser.parse_args(argv)
        if not hasattr(args, "_kind"):
            print(_("Error: the command {command} is not available in this installation.", command=args.command),
                  file=sys.stderr)
            return 2
    if args.command in (None, "gui") and not args.database_url:
        from ..ui.app import run_gui, window_database_url

        # The window shows its login dialog before the database layer is loaded (issue 7, a fast start).
        window_url = window_database_url(args.db)
        if window_url is not None:
            return run_gui(window_url, normalize_language(explicit) if explicit else None)
    from ..db import DatabaseOpenError, open_database, resolve_url

    if args.database_url:
        problem = check_database_url(args.database_url)
        if problem:
            print(_("Error: {message}", message=problem), file=sys.stderr)
            return 2
    url = resolve_url(args.db, args.database_url)
    problem = check_database_url(url)
    if problem:
        print(_("Error: {message}", message=problem), file=sys.stderr)
        return 2
    if args.command in (None, "gui"):
        from ..ui.app import run_gui

        # The window's first-run setup creates a database that does not exist yet.
        return run_gui(url, normalize_language(explicit) if explicit else None)
    if getattr(args._kind, "without_database", False):  # e.g. restore: its target may be missing or damaged
        from ..services.errors import DomainError

        try:
            return int(args._kind.run(registry.CliContext(None, normalize_language(explicit or "en"), args,
                                                          lambda: None), args) or 0)
        except DomainError as exc:
            print(_("Error: {message}", message=str(exc)), file=sys.stderr)
            return 1
    missing = missing_database_file(url)
    if missing and args.command != "demo":
        print(_("Error: there is no database {file}. Check the file name; a new database is made by the "
                "application's first-run setup (jewelryorders --db FILE) or by `jewelryorders --db FILE demo`.",
                file=missing), file=sys.stderr)
        return 2
    try:
        db = open_database(url)
    except DatabaseOpenError as exc:
        print(_("Error: {message}", message=str(exc)), file=sys.stderr)
        return 2
    from ..services.errors import DomainError

    lang = normalize_language(explicit) if explicit else factory_language(db)
    set_language(lang)
    ctx = registry.CliContext(db=db, lang=lang, args=args, actor_provider=_actor_provider(db, args))
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
