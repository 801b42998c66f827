"""Every user-visible string has its Traditional and Simplified Chinese translation, placeholders intact."""

from __future__ import annotations

import gettext
import io

from jewelryorders.i18n import LOCALE_DIR, LazyText, ngettext, reload_catalog, set_language, tr
from jewelryorders.i18n import tools
from jewelryorders.i18n.catalog import compile_po, domain_files


def test_every_message_of_the_code_is_translated_into_both_chinese_scripts_with_its_placeholders():
    found = tools.problems()
    assert found == [], f"{len(found)} translation problems, first: " + "\n".join(found[:40])


def test_the_extractor_finds_messages_split_over_lines_and_plural_forms():
    messages = tools.code_messages()
    assert (None, "{count} day over capacity") in messages
    assert messages[(None, "{count} day over capacity")].plural == "{count} days over capacity"
    assert ("stage", "Planned") in messages and ("dept", "Quality") in messages


def test_every_catalogue_compiles_and_reads_back_with_gettext():
    for lang in ("zh_TW", "zh_CN"):
        files = domain_files(LOCALE_DIR, lang)
        assert len(files) >= 8
        for po in files:
            translations = gettext.GNUTranslations(io.BytesIO(compile_po(po)))
            assert translations.info()["plural-forms"] == "nplurals=1; plural=0;"


def test_switching_language_changes_messages_and_stage_names():
    reload_catalog()
    assert tr("Orders", "zh_TW") == "訂單" and tr("Orders", "zh_CN") == "订单"
    set_language("zh_TW")
    assert tr("Draft") == "草稿"
    assert "訂單" in tr("Order {order_no} created", order_no="JO-2026-00001")
    assert tr("stage|Planned") == "已排產" and tr("dept|Quality") == "質量部" and tr("Quality") == "質量"
    set_language("en")
    assert tr("Draft") == "Draft"
    assert tr("stage|Planned") == "Planned" and tr("dept|Sales") == "Sales"


def test_plural_forms_follow_the_number_in_english_and_chinese():
    set_language("en")
    assert ngettext("{count} day over capacity", "{count} days over capacity", 1, count=1) == "1 day over capacity"
    assert ngettext("{count} day over capacity", "{count} days over capacity", 3, count=3) == "3 days over capacity"
    set_language("zh_CN")
    assert ngettext("{count} day over capacity", "{count} days over capacity", 3, count=3) == "超出产能 3 天"
    stored = LazyText.plural("{count} day over capacity", "{count} days over capacity", 1, count=1)
    again = LazyText.from_stored(stored.msgid, stored.params_json())
    assert again.render("en") == "1 day over capacity" and again.render("zh_TW").endswith("1 天")
