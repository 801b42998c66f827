"""What the Quality tab's views share: the questions tests replace, opening a file, times as text."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QInputDialog, QWidget

from ...i18n import _


def ask_text(parent: QWidget, title: str, label: str) -> str | None:
    """A line typed by the user (None when cancelled); tests replace this function."""
    text, ok = QInputDialog.getText(parent, title, label)
    return text if ok else None


def ask_choice(parent: QWidget, title: str, label: str, items: list[str]) -> int | None:
    """The index of the item chosen (None when cancelled); tests replace this function."""
    item, ok = QInputDialog.getItem(parent, title, label, items, 0, False)
    return items.index(item) if ok else None


def ask_photo_paths(parent: QWidget) -> list[str]:
    """Photo files chosen by the user (empty when cancelled); tests replace this function."""
    paths, _filter = QFileDialog.getOpenFileNames(parent, _("Photos"), "",
                                                  _("Images (*.jpg *.jpeg *.png *.tif *.tiff);;All files (*)"))
    return paths


def open_file(path: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def _when(value) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else ""
