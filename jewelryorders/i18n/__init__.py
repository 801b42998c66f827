"""One translation catalogue (gettext .po per language and part) for widgets, messages and papers; English msgids."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

LANGUAGES: dict[str, str] = {"zh_TW": "繁體中文", "zh_CN": "简体中文", "en": "English"}
DEFAULT_LANGUAGE = "zh_TW"
# gettext catalogues: locale/<language>/LC_MESSAGES/<part>.po, one domain per part of the procedure, compiled to .mo.
LOCALE_DIR = Path(__file__).with_name("locale")
TRANSLATED_LANGUAGES = ("zh_TW", "zh_CN")
CONTEXT_SEPARATOR = "\x04"  # gettext's separator of msgctxt and msgid in a compiled catalogue

_lock = threading.Lock()
_catalogs: dict[str, dict] | None = None
_current = "en"


def _load() -> dict[str, dict]:
    """Every domain's compiled catalogue of every language, merged into one lookup table per language."""
    global _catalogs
    if _catalogs is None:
        with _lock:
            if _catalogs is None:
                from .catalog import load_language

                _catalogs = {lang: load_language(LOCALE_DIR, lang) for lang in TRANSLATED_LANGUAGES}
    return _catalogs


def catalog_entries() -> dict[str, dict[str, str]]:
    """msgid (with its "context|" prefix) -> {language: translation} for every singular message."""
    entries: dict[str, dict[str, str]] = {}
    for lang, table in _load().items():
        for key, text in table.items():
            if isinstance(key, str) and key and text:
                msgid = key.replace(CONTEXT_SEPARATOR, "|")
                entries.setdefault(msgid, {})[lang] = text
    return entries


def reload_catalog() -> None:
    global _catalogs
    _catalogs = None
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


def _key(text: str) -> str:
    m = _CONTEXT.match(text)
    return text[:m.end() - 1] + CONTEXT_SEPARATOR + text[m.end():] if m else text


def _fill(translated: str, fallback: str, params: dict[str, object]) -> str:
    if not params:
        return translated
    try:
        return translated.format(**params)
    except (KeyError, IndexError, ValueError):
        return fallback.format(**params)


def tr(text: str, lang: str | None = None, /, **params: object) -> str:
    """Translate an English msgid into `lang` (default: the current language) and fill in its {named} values.
    A "context|" prefix (e.g. "stage|Planned") is gettext's msgctxt: one English word, two Chinese meanings."""
    lang = lang or _current
    english = strip_context(text)
    out = _load()[lang].get(_key(text)) if lang != "en" else None
    return _fill(out or english, english, params)


def ntr(singular: str, plural: str, n: int, lang: str | None = None, /, **params: object) -> str:
    """The plural form for `n` in `lang` ("1 day" / "2 days" in English; Chinese has one form); {n} is filled."""
    lang = lang or _current
    english = singular if n == 1 else plural
    out = None
    if lang != "en":
        table = _load()[lang]
        out = table.get((_key(singular), 0))  # Chinese: nplurals=1, every n takes form 0
    return _fill(out or english, english, {"n": n, **params})


def ngettext(singular: str, plural: str, n: int, /, **params: object) -> str:
    """ntr() in the current language."""
    return ntr(singular, plural, n, None, **params)


def _(text: str, /, **params: object) -> str:
    """Translate into the current language."""
    return tr(text, None, **params)


def N_(text: str) -> str:
    """Mark a msgid for the catalogue without translating it now (translated where it is shown)."""
    return text


class LazyText:
    """A msgid with parameters, translated only when shown, so a message follows a later language switch.
    `LazyText.plural(singular, plural, n, ...)` is the same for a message with plural forms."""

    __slots__ = ("msgid", "params", "plural_msgid")

    def __init__(self, msgid: str, /, **params: object) -> None:
        self.msgid = msgid
        self.params = params
        self.plural_msgid: str | None = None

    @classmethod
    def plural(cls, singular: str, plural: str, n: int, /, **params: object) -> "LazyText":
        text = cls(singular, n=n, **params)
        text.plural_msgid = plural
        return text

    def render(self, lang: str | None = None) -> str:
        params = {k: _render_param(v, lang) for k, v in self.params.items()}
        if self.plural_msgid is not None:
            n = int(params.pop("n", 0) or 0)
            return ntr(self.msgid, self.plural_msgid, n, lang, **params)
        return tr(self.msgid, lang, **params)

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"LazyText({self.msgid!r}, {self.params!r})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, LazyText)
                and (self.msgid, self.plural_msgid, self.params) == (other.msgid, other.plural_msgid, other.params))

    def __hash__(self) -> int:
        return hash(self.msgid)

    # Stored form (audit events, notifications): {"name": value, "stage": {"$msg": msgid, "$params": {...}}}.
    def params_data(self) -> dict[str, object]:
        data = {k: _param_data(v) for k, v in self.params.items()}
        if self.plural_msgid is not None:
            data["$plural"] = self.plural_msgid
        return data

    def params_json(self) -> str:
        return json.dumps(self.params_data(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_stored(cls, msgid: str, params_json: str | None) -> "LazyText":
        data = dict(json.loads(params_json) if params_json else {})
        plural = data.pop("$plural", None)
        text = cls(msgid, **{k: _param_value(v) for k, v in data.items()})
        text.plural_msgid = plural
        return text


def _render_param(value: object, lang: str | None) -> object:
    if isinstance(value, LazyText):
        return value.render(lang)
    if isinstance(value, (list, tuple)):
        # A list of things reads "A、B" in Chinese and "A, B" in English.
        separator = ", " if (lang or _current) == "en" else "、"
        return separator.join(str(_render_param(v, lang)) for v in value)
    return value


def _param_data(value: object) -> object:
    if isinstance(value, (list, tuple)):
        return {"$list": [_param_data(v) for v in value]}
    if isinstance(value, LazyText):
        return {"$msg": value.msgid, "$params": value.params_data()}
    if isinstance(value, (bool, int, str)) or value is None:
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _param_value(value: object) -> object:
    if isinstance(value, dict) and "$list" in value:
        return [_param_value(v) for v in value["$list"] or []]
    if isinstance(value, dict) and "$msg" in value:
        return LazyText.from_stored(str(value["$msg"]), json.dumps(value.get("$params") or {}))
    return value


# Calls whose first argument is a msgid (ngettext and LazyText.plural: the first two).
MSGID_PATTERN = re.compile(r"""(?<![\w.])(?:_|N_|tr|LazyText|self\.tr)\(\s*(?P<q>"|')(?P<text>(?:\\.|(?!(?P=q)).)*)(?P=q)\s*[,)]""")
