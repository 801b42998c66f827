"""Switching the interface language: our own catalogue, Qt's translations of its standard buttons, the remembered choice."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, QTranslator

from ...i18n import LANGUAGES, current_language, normalize_language, set_language

SETTINGS_LANGUAGE = "language"
_QT_CATALOGS = {"zh_TW": "qtbase_zh_TW", "zh_CN": "qtbase_zh_CN"}
_installed: list[QTranslator] = []


def install_qt_translations(code: str) -> bool:
    """Load Qt's own catalogue (OK/Cancel/Yes/No, file dialogs) for the language; False when there is none."""
    app = QCoreApplication.instance()
    if app is None:
        return False
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    name = _QT_CATALOGS.get(code)
    if not name:
        return code == "en"
    translator = QTranslator(app)
    if not translator.load(name, QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        return False
    app.installTranslator(translator)
    _installed.append(translator)
    return True


def apply_language(code: str, *, remember: bool = True) -> str:
    """Make `code` the language of everything shown from now on; windows then call their retranslate_ui()."""
    code = normalize_language(code)
    set_language(code)
    QLocale.setDefault(QLocale({"zh_TW": "zh_TW", "zh_CN": "zh_CN"}.get(code, "en_US")))
    install_qt_translations(code)
    if remember:
        QSettings().setValue(SETTINGS_LANGUAGE, code)
    return code


def remembered_language() -> str | None:
    """The language last chosen on this workstation, if any."""
    value = QSettings().value(SETTINGS_LANGUAGE)
    if isinstance(value, str) and value in LANGUAGES:
        return value
    return None


def language_names() -> list[tuple[str, str]]:
    """(code, name) in the order the menus list them; each name in its own script, so anyone finds theirs."""
    return list(LANGUAGES.items())


def active_language() -> str:
    return current_language()
