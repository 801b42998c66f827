"""Translation workflow on the gettext catalogues: find untranslated messages, add new ones, compile to .mo.

    python -m jewelryorders.i18n.tools check              # every message of the code translated in both scripts?
    python -m jewelryorders.i18n.tools extract --domain materials   # add the code's new msgids to materials.po
    python -m jewelryorders.i18n.tools compile            # .po -> .mo (also done on first use of a stale .mo)

Messages are found in the code by Babel's Python extractor with this project's keywords: _(), N_(), tr(),
LazyText(), and the plural forms ngettext(s, p, n) / ntr(s, p, n) / LazyText.plural(s, p, n). A "context|"
prefix in a msgid becomes the entry's msgctxt. Each part of the procedure keeps its own domain (.po file).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from . import LOCALE_DIR, TRANSLATED_LANGUAGES
from .catalog import compile_po, domain_files

PACKAGE_DIR = Path(__file__).resolve().parents[1]
KEYWORDS = {"_": None, "N_": None, "tr": None, "LazyText": None, "ngettext": (1, 2), "ntr": (1, 2),
            "plural": (1, 2)}
BABEL_LOCALES = {"zh_TW": "zh_Hant_TW", "zh_CN": "zh_Hans_CN"}
PLACEHOLDER = re.compile(r"\{(\w+)[^}]*\}")
_CONTEXT = re.compile(r"^([a-z_]+)\|(.*)$", re.S)
# A fixed header date keeps the files' diffs to the messages that changed.
HEADER_DATE = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


@dataclass(frozen=True)
class CodeMessage:
    context: str | None
    msgid: str
    plural: str | None
    where: str


def split_context(text: str) -> tuple[str | None, str]:
    m = _CONTEXT.match(text)
    return (m.group(1), m.group(2)) if m else (None, text)


def code_messages(package_dir: Path = PACKAGE_DIR) -> dict[tuple[str | None, str], CodeMessage]:
    """Every translatable message in the package's Python code (migrations excluded)."""
    import warnings

    from babel.messages.extract import extract_from_file

    found: dict[tuple[str | None, str], CodeMessage] = {}
    for path in sorted(package_dir.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
            # f-strings passed as parameters (amount=f"{x:,.2f}") are values, not messages; Babel warns on each.
            warnings.simplefilter("ignore")
            extracted = list(extract_from_file("python", str(path), keywords=KEYWORDS,
                                               options={"encoding": "utf-8"}))
        for lineno, message, _comments, _context in extracted:
            singular, plural = (message[0], message[1]) if isinstance(message, tuple) else (message, None)
            if not singular:
                continue
            context, msgid = split_context(singular)
            found.setdefault((context, msgid), CodeMessage(context, msgid, plural,
                                                           f"{path.relative_to(package_dir)}:{lineno}"))
    return found


def read_catalogs(lang: str, locale_dir: Path = LOCALE_DIR) -> dict[str, "object"]:
    from babel.messages.pofile import read_po

    catalogs = {}
    for path in domain_files(locale_dir, lang):
        with path.open("rb") as fh:
            catalogs[path.stem] = read_po(fh, locale=BABEL_LOCALES[lang], domain=path.stem, abort_invalid=True)
    return catalogs


def _strings(message) -> list[str]:
    s = message.string
    return [x for x in s] if isinstance(s, (tuple, list)) else [s]


def problems(locale_dir: Path = LOCALE_DIR, package_dir: Path = PACKAGE_DIR) -> list[str]:
    """What a translator must fix: messages of the code untranslated, placeholders lost, one msgid in two domains."""
    out: list[str] = []
    code = code_messages(package_dir)
    for lang in TRANSLATED_LANGUAGES:
        catalogs = read_catalogs(lang, locale_dir)
        seen: dict[tuple[str | None, str], str] = {}
        for domain, catalog in catalogs.items():
            for message in catalog:
                if not message.id:
                    continue
                singular = message.id[0] if isinstance(message.id, (tuple, list)) else message.id
                key = (message.context, singular)
                if key in seen:
                    out.append(f"{lang}: {singular!r} is in both {seen[key]}.po and {domain}.po")
                seen[key] = domain
                want = sorted(set(PLACEHOLDER.findall(singular)))
                for text in _strings(message):
                    if text and sorted(set(PLACEHOLDER.findall(text))) != want:
                        # A plural form may leave {n} out ("一天"), never another placeholder.
                        if sorted(set(PLACEHOLDER.findall(text)) | {"n"}) != sorted(set(want) | {"n"}):
                            out.append(f"{lang} {domain}.po: {singular!r} -> {text!r}: placeholders differ")
        for key, msg in code.items():
            domain = seen.get(key)
            if domain is None:
                out.append(f"{msg.where}: {msg.msgid!r} has no {lang} entry (context {msg.context})")
                continue
            entry = catalogs[domain].get(msg.msgid if msg.plural is None else (msg.msgid, msg.plural),
                                         context=msg.context) or catalogs[domain].get(msg.msgid, context=msg.context)
            if entry is None or not all(s.strip() for s in _strings(entry)):
                out.append(f"{msg.where}: {msg.msgid!r} is not translated into {lang}")
    return out


def extract(domain: str, locale_dir: Path = LOCALE_DIR, package_dir: Path = PACKAGE_DIR) -> int:
    """Add every message of the code that no domain holds yet to `domain`.po (untranslated) in each language."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po

    code = code_messages(package_dir)
    added = 0
    for lang in TRANSLATED_LANGUAGES:
        catalogs = read_catalogs(lang, locale_dir)
        known = {(m.context, m.id[0] if isinstance(m.id, (tuple, list)) else m.id)
                 for c in catalogs.values() for m in c if m.id}
        path = locale_dir / lang / "LC_MESSAGES" / f"{domain}.po"
        if path.exists():
            with path.open("rb") as fh:
                catalog = read_po(fh, locale=BABEL_LOCALES[lang], domain=domain)
        else:
            catalog = new_catalog(lang, domain)
        for key, msg in code.items():
            if key in known:
                continue
            flags = ["python-brace-format"] if "{" in msg.msgid else []
            catalog.add((msg.msgid, msg.plural) if msg.plural else msg.msgid, ("",) if msg.plural else "",
                        locations=[(msg.where.rsplit(":", 1)[0], int(msg.where.rsplit(":", 1)[1]))],
                        context=msg.context, flags=flags)
            added += 1
        write_catalog(catalog, path)
    return added


def new_catalog(lang: str, domain: str):
    from babel.messages.catalog import Catalog

    return Catalog(locale=BABEL_LOCALES[lang], domain=domain, project="jewelryorders", version="1",
                   copyright_holder="jewelryorders", msgid_bugs_address="", creation_date=HEADER_DATE,
                   revision_date=HEADER_DATE, last_translator="jewelryorders", language_team="jewelryorders",
                   fuzzy=False)


def write_catalog(catalog, path: Path) -> None:
    from babel.messages.pofile import write_po

    catalog.creation_date = HEADER_DATE
    catalog.revision_date = HEADER_DATE
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog, width=120, sort_output=True, omit_header=False, include_lineno=False,
                 no_location=True)


def compile_all(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    written = []
    for lang in TRANSLATED_LANGUAGES:
        for po_path in domain_files(locale_dir, lang):
            mo_path = po_path.with_suffix(".mo")
            mo_path.write_bytes(compile_po(po_path))
            written.append(mo_path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jewelryorders.i18n.tools", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check", help="list untranslated messages and lost placeholders (exit 1 if any)")
    ex = sub.add_parser("extract", help="add the code's new messages to one domain, untranslated")
    ex.add_argument("--domain", required=True, help="the part of the procedure, e.g. materials")
    sub.add_parser("compile", help="compile every .po into its .mo")
    args = parser.parse_args(argv)
    if args.command == "check":
        found = problems()
        print("\n".join(found) if found else "Every message is translated into zh_TW and zh_CN.")
        return 1 if found else 0
    if args.command == "extract":
        print(f"{extract(args.domain)} entries added to {args.domain}.po (zh_TW and zh_CN); translate them.")
        return 0
    print(f"{len(compile_all())} catalogues compiled.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
