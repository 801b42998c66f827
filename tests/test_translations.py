"""Every user-visible string has its Traditional and Simplified Chinese translation, placeholders intact."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from jewelryorders.i18n import CATALOG_DIR, reload_catalog, set_language, tr

PACKAGE = Path(__file__).resolve().parents[1] / "jewelryorders"
PLACEHOLDER = re.compile(r"\{(\w+)[^}]*\}")


TRANSLATING_CALLS = {"_", "N_", "tr", "LazyText"}


def _msgids() -> dict[str, str]:
    """Every literal first argument of _(), N_(), tr(), LazyText(), read from the syntax tree, so a message split
    over several lines ("part one " "part two") is found as the one string Python makes of it."""
    found: dict[str, str] = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            first = node.args[0]
            if name in TRANSLATING_CALLS and isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.setdefault(first.value, f"{path.relative_to(PACKAGE)}:{node.lineno}")
    return found


def _catalog() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(CATALOG_DIR.glob("*.json")):
        for k, v in json.loads(path.read_text(encoding="utf-8")).items():
            merged.setdefault(k, {}).update(v)
    return merged


def test_every_msgid_in_the_code_is_translated_into_both_chinese_scripts():
    catalog = _catalog()
    missing = [f"{where}: {msgid!r} ({lang})" for msgid, where in _msgids().items()
               for lang in ("zh_TW", "zh_CN") if not catalog.get(msgid, {}).get(lang, "").strip()]
    assert missing == [], f"{len(missing)} untranslated strings, first: " + "\n".join(missing[:40])


def test_translations_keep_the_placeholders():
    bad = []
    for msgid, entry in _catalog().items():
        want = sorted(set(PLACEHOLDER.findall(msgid)))
        for lang, text in entry.items():
            if sorted(set(PLACEHOLDER.findall(text))) != want:
                bad.append(f"{msgid!r} [{lang}]: {text!r}")
    assert bad == []


def test_switching_language_changes_messages_and_stage_names():
    reload_catalog()
    assert tr("Orders", "zh_TW") == "訂單" and tr("Orders", "zh_CN") == "订单"
    set_language("zh_TW")
    assert tr("Draft") == "草稿"
    assert "訂單" in tr("Order {order_no} created", order_no="JO-2026-00001")
    assert tr("stage|Planned") == "已排產" and tr("dept|Quality") == "品質部" and tr("Quality") == "品質"
    set_language("en")
    assert tr("Draft") == "Draft"
    assert tr("stage|Planned") == "Planned" and tr("dept|Sales") == "Sales"
