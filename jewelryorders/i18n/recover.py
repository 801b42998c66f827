"""Recovers the message id and parameters of a text written before messages were stored with their ids."""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import LANGUAGES, LazyText, catalog_entries, strip_context

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class _Template:
    msgid: str
    lang: str
    pattern: re.Pattern
    literal_chars: int
    prefix: str


def _compile(text: str) -> tuple[re.Pattern, int, str] | None:
    parts = _PLACEHOLDER.split(text)
    if any(not name.isidentifier() for name in parts[1::2]):
        return None
    regex, seen = [], set()
    for i, part in enumerate(parts):
        if i % 2 == 0:
            regex.append(re.escape(part))
        elif part in seen:
            regex.append(f"(?P={part})")
        else:
            seen.add(part)
            regex.append(f"(?P<{part}>.+?)")
    return re.compile("".join(regex) + r"\Z", re.S), sum(len(p) for p in parts[0::2]), parts[0]


class MessageRecoverer:
    """Matches a text against every message of the catalogue in every language (the most specific match wins)."""

    def __init__(self) -> None:
        entries = catalog_entries()
        self._exact: dict[str, str] = {}
        self._labels: dict[tuple[str, str], str] = {}
        self._by_prefix: dict[str, list[_Template]] = {}
        for msgid, translations in entries.items():
            texts = {"en": strip_context(msgid), **{k: v for k, v in translations.items() if k in LANGUAGES and v}}
            for lang, text in texts.items():
                if "{" not in text:
                    self._exact.setdefault(text, msgid)
                    self._labels.setdefault((lang, text), msgid)
                    continue
                compiled = _compile(text)
                if compiled is None:
                    continue
                pattern, literal, prefix = compiled
                self._by_prefix.setdefault(prefix, []).append(_Template(msgid, lang, pattern, literal, prefix))
        self._prefix_lengths = sorted({len(p) for p in self._by_prefix}, reverse=True)

    def recover(self, text: str) -> LazyText | None:
        if not text:
            return None
        if text in self._exact:
            return LazyText(self._exact[text])
        candidates: list[_Template] = []
        for length in self._prefix_lengths:
            if length <= len(text):
                candidates.extend(self._by_prefix.get(text[:length], ()))
        for template in sorted(candidates, key=lambda t: -t.literal_chars):
            m = template.pattern.match(text)
            if m:
                params = {name: self._param(template.lang, value) for name, value in m.groupdict().items()}
                return LazyText(template.msgid, **params)
        return None

    def _param(self, lang: str, value: str) -> object:
        msgid = self._labels.get((lang, value))
        return LazyText(msgid) if msgid is not None else value
