"""One translation catalogue for widgets, service messages and printed papers (English msgids, zh_TW, zh_CN)."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

LANGUAGES: dict[str, str] = {"zh_TW": "繁體中文", "zh_CN": "简体中文", "en": "English"}
DEFAULT_LANGUAGE = "zh_TW"
CATALOG_DIR = Path(__file__).with_name("catalog")

_lock = threading.Lock()
_catalog: dict[str, dict[str, str]] | None = None
_current = "en"


def _load() -> dict[str, dict[str, str]]:
    """Merge every catalogue fragment; each feature keeps its own JSON file so features never edit one file."""
    global _catalog
    if _catalog is None:
        with _lock:
            if _catalog is None:
                merged: dict[str, dict[str, str]] = {}
                for path in sorted(CATALOG_DIR.glob("*.json")):
                    data = json.loads(path.read_text(encoding="utf-8"))
                    for msgid, translations in data.items():
                        merged.setdefault(msgid, {}).update(translations)
                _catalog = merged
    return _catalog


def reload_catalog() -> None:
    global _catalog
    _catalog = None
    _load()


def normalize_language(code: str | None) -> str:
    """Accept zh_TW / zh-TW / zh_Hant / zh_CN / en_US ... and return one of LANGUAGES."""
    if not code:
        return DEFAULT_LANGUAGE
    c = code.replace("-", "_").strip()
    low = c.lower()
    if low in ("zh_tw", "zh_hk", "zh_mo", "zh_hant", "zh_hant_tw", "tw"):
        return "zh_TW"
    if low in ("zh_cn", "zh_sg", "zh_hans", "zh_hans_cn", "zh", "cn"):
        return "zh_CN"
    if low.startswith("en"):
        return "en"
    if low.startswith("zh"):
        return "zh_TW" if "hant" in low or "tw" in low or "hk" in low else "zh_CN"
    raise ValueError(f"Unknown language {code!r}; use one of: {', '.join(LANGUAGES)}")


def set_language(code: str) -> None:
    global _current
    _current = normalize_language(code)


def current_language() -> str:
    return _current


_CONTEXT = re.compile(r"^[a-z_]+\|")


def strip_context(text: str) -> str:
    """'stage|Planned' -> 'Planned': a context prefix tells apart one English word with two Chinese meanings."""
    m = _CONTEXT.match(text)
    return text[m.end():] if m else text


def tr(text: str, lang: str | None = None, /, **params: object) -> str:
    """Translate an English msgid into `lang` (default: the current language) and fill in its {named} values."""
    lang = lang or _current
    out = None
    if lang != "en":
        entry = _load().get(text)
        if entry and entry.get(lang):
            out = entry[lang]
    if out is None:
        out = strip_context(text)
    if params:
        try:
            out = out.format(**params)
        except (KeyError, IndexError, ValueError):
            out = strip_context(text).format(**params)
    return out


def _(text: str, /, **params: object) -> str:
    """Translate into the current language."""
    return tr(text, None, **params)


def N_(text: str) -> str:
    """Mark a msgid for the catalogue without translating it now (translated where it is shown)."""
    return text


class LazyText:
    """A msgid with parameters, translated only when shown, so a message follows a later language switch."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, **params: object) -> None:
        self.msgid = msgid
        self.params = params

    def render(self, lang: str | None = None) -> str:
        params = {k: (v.render(lang) if isinstance(v, LazyText) else v) for k, v in self.params.items()}
        return tr(self.msgid, lang, **params)

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"LazyText({self.msgid!r}, {self.params!r})"


MSGID_PATTERN = re.compile(r"""(?<![\w.])(?:_|N_|tr|LazyText|self\.tr)\(\s*(?P<q>"|')(?P<text>(?:\\.|(?!(?P=q)).)*)(?P=q)\s*[,)]""")
