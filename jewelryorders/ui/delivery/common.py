"""What the Delivery tab's views share: the view ids, the questions they ask and the files they open (tests replace
open_file and the ask_* functions here), date and choice fields."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from PySide6.QtCore import QDate, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QComboBox, QDateEdit, QFileDialog, QWidget

from ... import clock
from ...i18n import _


VIEW_SHIP, VIEW_SHIPMENTS, VIEW_CASES, VIEW_ANALYSIS = "ship", "shipments", "cases", "analysis"


def open_file(path: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def ask_open_paths(parent: QWidget) -> list[str]:
    paths, _filter = QFileDialog.getOpenFileNames(parent, _("Photos"), "", _("Images (*.jpg *.jpeg *.png);;All files (*)"))
    return paths


def ask_save_path(parent: QWidget, suggested: str, pattern: str) -> str | None:
    path, _filter = QFileDialog.getSaveFileName(parent, _("Save as"), suggested, pattern)
    return path or None


def _date(edit: QDateEdit) -> dt.date:
    q = edit.date()
    return dt.date(q.year(), q.month(), q.day())


def _date_edit(name: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    today = clock.today()
    edit.setDate(QDate(today.year, today.month, today.day))
    return edit


def _combo(name: str, choices: dict[str, str]) -> QComboBox:
    box = QComboBox()
    box.setObjectName(name)
    for key, msgid in choices.items():
        box.addItem(_(msgid), key)
    return box


def _retranslate_combo(box: QComboBox, choices: dict[str, str]) -> None:
    for i in range(box.count()):
        box.setItemText(i, _(choices[box.itemData(i)]))


def _show_paper(name: str, content: bytes) -> None:
    path = Path(tempfile.mkdtemp()) / name
    path.write_bytes(content)
    open_file(path)
