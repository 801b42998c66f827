"""Loads the compiled gettext catalogues (.mo) of one language, compiling a .po whose .mo is missing or stale."""

from __future__ import annotations

import gettext
import io
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)


def domain_files(locale_dir: Path, lang: str) -> list[Path]:
    """The .po file of every domain (part of the procedure) of `lang`, in a fixed order."""
    return sorted((locale_dir / lang / "LC_MESSAGES").glob("*.po"))


def compile_po(po_path: Path) -> bytes:
    """The .mo bytes of one .po file (Babel); fuzzy and empty translations are left out, as msgfmt does."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po_path.open("rb") as fh:
        catalog = read_po(fh, abort_invalid=True)
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def _mo_bytes(po_path: Path) -> bytes:
    mo_path = po_path.with_suffix(".mo")
    try:
        if mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            return mo_path.read_bytes()
    except OSError:
        pass
    data = compile_po(po_path)
    try:
        # Written beside and renamed, so two processes starting at once never read a half-written file.
        temporary = mo_path.with_name(f"{mo_path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, mo_path)
    except OSError:  # an installation folder may be read-only: the compiled catalogue then lives in memory only
        log.debug("cannot write %s", mo_path)
    return data


def load_language(locale_dir: Path, lang: str) -> dict:
    """One lookup table for `lang`: msgid (or "context\\x04msgid") -> text, and (msgid, n) -> plural form."""
    merged: dict = {}
    for po_path in domain_files(locale_dir, lang):
        translations = gettext.GNUTranslations(io.BytesIO(_mo_bytes(po_path)))
        # The catalogue's own dictionary: one table lookup per message, whatever the number of domains.
        for key, text in translations._catalog.items():  # noqa: SLF001
            if key != "" and text:
                merged.setdefault(key, text)
    return merged
