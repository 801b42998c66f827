"""What the Archive tab's views share: the questions and messages they show and the files they open (tests replace them
here), the request, filing and location dialogs, a PDF's first page as a picture."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

from ... import clock
from ...i18n import _, formats
from ...models.archive import REQUEST_KINDS
from ...models.documents import DOCUMENT_CATEGORIES


# ---- what the user is asked (tests replace these functions) ----------------------------------------------------

def ask_reason(parent: QWidget, title: str, label: str) -> str | None:
    text, ok = QInputDialog.getText(parent, title, label)
    return text if ok else None


def ask_open_path(parent: QWidget) -> str | None:
    path, _filter = QFileDialog.getOpenFileName(parent, _("Choose the document to file"), "",
                                                _("Documents (*.pdf *.jpg *.jpeg *.png *.tif *.tiff);;All files (*)"))
    return path or None


def ask_save_path(parent: QWidget, suggested: str, pattern: str) -> str | None:
    path, _filter = QFileDialog.getSaveFileName(parent, _("Save as"), suggested, pattern)
    return path or None


def confirm(parent: QWidget, title: str, text: str) -> bool:
    return QMessageBox.question(parent, title, text) == QMessageBox.StandardButton.Yes


def inform(parent: QWidget, title: str, text: str) -> None:
    QMessageBox.information(parent, title, text)


def open_with_system(path: Path) -> None:
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def ask_request(parent: QWidget, document_title: str) -> tuple[str, str, str] | None:
    """(kind, purpose, until) of an access request, or None."""
    dialog = RequestDialog(document_title, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.values()


def ask_filing(parent: QWidget) -> dict | None:
    dialog = FileDocumentDialog(parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.values()


def ask_location(parent: QWidget, current: tuple[str, str, str]) -> tuple[str, str, str] | None:
    dialog = LocationDialog(current, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.values()


def ask_password(parent: QWidget, user: str) -> str | None:
    text, ok = QInputDialog.getText(parent, _("Restore…"), _("Password for {user}: ", user=user),
                                    QLineEdit.EchoMode.Password)
    return text if ok else None


# ---- dialogs ---------------------------------------------------------------------------------------------------

class RequestDialog(QDialog):
    def __init__(self, document_title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("access_request_dialog")
        self.setWindowTitle(_("Access request"))
        form = QFormLayout(self)
        form.addRow(_("Document"), QLabel(document_title))
        self.kind = QComboBox()
        for key, label in REQUEST_KINDS.items():
            self.kind.addItem(_(label), key)
        self.purpose = QLineEdit()
        self.purpose.setObjectName("purpose")
        self.until = QLineEdit((clock.today() + dt.timedelta(days=7)).isoformat())
        self.until.setObjectName("until")
        form.addRow(_("Read or borrow"), self.kind)
        form.addRow(_("Purpose"), self.purpose)
        form.addRow(_("Until"), self.until)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> tuple[str, str, str]:
        return self.kind.currentData(), self.purpose.text(), self.until.text()


class FileDocumentDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("file_document_dialog")
        self.setWindowTitle(_("File a document"))
        form = QFormLayout(self)
        self.path = QLineEdit()
        browse = QPushButton(_("Choose…"))
        browse.clicked.connect(lambda: self.path.setText(ask_open_path(self) or self.path.text()))
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        self.category = QComboBox()
        for key in ("signed_contract", "customer_letter", "attachment", "contract", "design_image", "cad"):
            self.category.addItem(_(DOCUMENT_CATEGORIES[key]), key)
        for key, label in DOCUMENT_CATEGORIES.items():
            if self.category.findData(key) < 0:
                self.category.addItem(_(label), key)
        self.order_no, self.title, self.note = QLineEdit(), QLineEdit(), QLineEdit()
        self.cabinet, self.shelf, self.box = QLineEdit(), QLineEdit(), QLineEdit()
        form.addRow(_("File"), row)
        form.addRow(_("Category"), self.category)
        form.addRow(_("Order no."), self.order_no)
        form.addRow(_("Title"), self.title)
        form.addRow(_("Note"), self.note)
        place = QHBoxLayout()
        for w, label in ((self.cabinet, _("Cabinet")), (self.shelf, _("Shelf")), (self.box, _("Box"))):
            place.addWidget(QLabel(label))
            place.addWidget(w)
        form.addRow(_("Paper kept at"), place)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> dict:
        return {"path": self.path.text(), "category": self.category.currentData(), "order_no": self.order_no.text(),
                "title": self.title.text(), "note": self.note.text(), "cabinet": self.cabinet.text(),
                "shelf": self.shelf.text(), "box": self.box.text()}


class LocationDialog(QDialog):
    def __init__(self, current: tuple[str, str, str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Where the paper is kept"))
        form = QFormLayout(self)
        self.fields = [QLineEdit(v) for v in current]
        for w, label in zip(self.fields, (_("Cabinet"), _("Shelf"), _("Box"))):
            form.addRow(label, w)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> tuple[str, str, str]:
        return tuple(w.text() for w in self.fields)  # type: ignore[return-value]


# ---- preview ---------------------------------------------------------------------------------------------------

def pdf_page_image(content: bytes, width_px: int = 400) -> QPixmap | None:
    """The first page of a PDF as a picture, by poppler's pdftoppm when it is installed; None otherwise."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "doc.pdf"
        src.write_bytes(content)
        try:
            subprocess.run([tool, "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(src),
                            str(Path(tmp) / "page")], check=True, timeout=30, capture_output=True)
        except (OSError, subprocess.SubprocessError):
            return None
        pixmap = QPixmap(str(Path(tmp) / "page.png"))
    if pixmap.isNull():
        return None
    return pixmap.scaledToWidth(min(width_px, pixmap.width()), Qt.TransformationMode.SmoothTransformation)


def _when(moment: dt.datetime | None) -> str:
    return formats.datetime(moment) if moment else ""


def _size(n: int) -> str:
    return f"{n / 1024:.1f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"
