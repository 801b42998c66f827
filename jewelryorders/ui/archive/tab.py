"""The Archive tab: browse and search filed documents, preview and verify them, the request → approval → grant →
reading / borrowing → return cycle, the access log, retention decisions, backups and restore."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt, Signal
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
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ... import clock
from ...i18n import N_, _, current_language, formats
from ...models.archive import ACCESS_ACTIONS, REQUEST_KINDS, REQUEST_STATUSES
from ...models.documents import DOCUMENT_CATEGORIES
from ...models.users import DEPARTMENTS
from ...services.archive import backups, filing, loans, papers, requests
from ...services.permissions import allowed
from .. import operations
from ..context import UiContext
from ..common.paged_model import Column, PagedTableModel
from ..materials.rows_model import RowColumn, RowsModel, _selected, _table


class DocumentsModel(PagedTableModel):
    """Filed documents paged from SQL (sorted and filtered there); row_at/rows as the short-list models have."""

    def row_at(self, index: int):
        return self.row_object(index)

    @property
    def rows(self) -> list:
        return [self.row_object(i) for i in range(min(self.rowCount(), 1000))]

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, max(0, len(self.columns) - 1))

PAGE = 500


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


# ---- documents -------------------------------------------------------------------------------------------------

class DocumentsView(QWidget):
    sig_changed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._filter = filing.DocumentFilter()
        self.model = DocumentsModel([
            Column("title", N_("Title"), lambda r: r.title),
            Column("category", N_("Category"), lambda r: _(DOCUMENT_CATEGORIES.get(r.category, r.category))),
            Column("order_no", N_("Order no."), lambda r: r.order_no),
            Column("customer", N_("Customer"), lambda r: r.customer_name, sortable=False),
            Column("version", N_("Version"), lambda r: (f"{r.doc_version} " + _("(superseded)")) if r.superseded
                   else str(r.doc_version), align_right=True, sortable=False),
            Column("uploaded_at", N_("Filed"), lambda r: _when(r.uploaded_at)),
            Column("location", N_("Paper kept at"), lambda r: r.location, sortable=False),
        ], lambda offset, limit, key, desc: filing.search_documents(self.ctx.db, self._filter, offset=offset,
                                                                    limit=limit, sort=key, descending=desc),
            lambda: filing.count_documents(self.ctx.db, self._filter))
        self.search = QLineEdit()
        self.search.setObjectName("archive_search")
        self.search.setPlaceholderText(_("Search titles, files, notes, orders, customers…"))
        self.category = QComboBox()
        self.category.setObjectName("archive_category")
        self.category.addItem(_("All categories"), None)
        for key, label in DOCUMENT_CATEGORIES.items():
            self.category.addItem(_(label), key)
        self.order_no, self.customer = QLineEdit(), QLineEdit()
        self.order_no.setPlaceholderText(_("Order no."))
        self.customer.setPlaceholderText(_("Customer"))
        self.date_from, self.date_to = QLineEdit(), QLineEdit()
        self.date_from.setPlaceholderText(_("from YYYY-MM-DD"))
        self.date_to.setPlaceholderText(_("to YYYY-MM-DD"))
        for w in (self.search, self.order_no, self.customer, self.date_from, self.date_to):
            w.returnPressed.connect(self.refresh)
        self.category.currentIndexChanged.connect(lambda _i: self.refresh())
        bar = QHBoxLayout()
        bar.addWidget(self.search, 3)
        for w in (self.category, self.order_no, self.customer, self.date_from, self.date_to):
            bar.addWidget(w, 1)
        self.table = _table(self.model, "archive_documents", 0)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(5, Qt.SortOrder.DescendingOrder)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self.show_selected())
        self.count_label = QLabel()
        self.preview = QLabel()
        self.preview.setObjectName("archive_preview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        self.preview.setWordWrap(True)
        self.preview.setMinimumWidth(260)
        self.details = QLabel()
        self.details.setObjectName("archive_details")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons: dict[str, QPushButton] = {}
        actions = [("open", self.open_selected), ("print", self.print_selected), ("verify", self.verify_selected),
                   ("request", self.request_selected),
                   ("export", self.export_selected), ("locate", self.locate_selected), ("file", self.file_new)]
        button_row = QHBoxLayout()
        for key, slot in actions:
            b = QPushButton()
            b.setObjectName(f"archive_{key}")
            b.clicked.connect(slot)
            self.buttons[key] = b
            button_row.addWidget(b)
        button_row.addStretch(1)
        right = QWidget()
        right.setMaximumWidth(420)
        rl = QVBoxLayout(right)
        rl.addWidget(self.details)
        rl.addWidget(self.preview, 1)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.table, 1)
        ll.addWidget(self.count_label)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        layout.addLayout(button_row)
        self.retranslate_ui()
        self.refresh()

    def retranslate_ui(self) -> None:
        texts = {"open": _("&Open"), "print": _("Prin&t…"), "verify": _("&Verify hash"), "request": _("Request &access…"),
                 "export": _("&Export a copy…"), "locate": _("Paper &location…"), "file": _("&File a document…")}
        for key, b in self.buttons.items():
            b.setText(texts[key])
        self.buttons["locate"].setVisible(allowed(self.ctx.actor, "archive.keep"))
        self.buttons["file"].setVisible(allowed(self.ctx.actor, "archive.file"))
        self.model.retranslate()

    def current_filter(self) -> filing.DocumentFilter:
        def day(edit: QLineEdit):
            try:
                return dt.date.fromisoformat(edit.text().strip()) if edit.text().strip() else None
            except ValueError:
                return None

        return filing.DocumentFilter(search=self.search.text(), category=self.category.currentData(),
                                     order_no=self.order_no.text(), customer=self.customer.text(),
                                     date_from=day(self.date_from), date_to=day(self.date_to))

    def refresh(self) -> None:
        self._filter = self.current_filter()
        operations.run(self.ctx, self, self.model.refresh)
        total = self.model.rowCount()
        self.count_label.setText(_("{shown} of {total} documents", shown=total, total=total))
        self.show_selected()

    def selected(self):
        return _selected(self.table, self.model)

    def select_document(self, document_id: int) -> None:
        for i, r in enumerate(self.model.rows):  # the rows looked at so far
            if r.id == document_id:
                self.table.selectRow(i)
                return

    def show_selected(self) -> None:
        r = self.selected()
        if r is None:
            self.details.setText(_("Choose a document."))
            self.preview.clear()
            return
        readable = requests.may_read(self.ctx.db, self.ctx.actor, r.id)
        lines = [f"<b>{r.title}</b>", f"{_(DOCUMENT_CATEGORIES.get(r.category, r.category))} · {r.file_name}",
                 _("Version {n}", n=r.doc_version) + (" · " + _("superseded by a newer version") if r.superseded else ""),
                 _("Owner: {department}", department=_(DEPARTMENTS.get(r.owner_department, r.owner_department))),
                 _("Filed {when} by {user}", when=_when(r.uploaded_at), user=r.uploaded_by or "—"),
                 f"{_size(r.size)} · SHA-256 {r.sha256[:16]}…"]
        if r.location:
            lines.append(_("Paper kept at {place}", place=r.location))
        if not readable:
            lines.append("<i>" + _("You need an approved access request to open this document.") + "</i>")
        self.details.setText("<br>".join(lines))
        self.preview.clear()
        self.preview.setText(_("Open the document to preview it.") if readable else "")

    def open_selected(self) -> None:
        r = self.selected()
        if r is None:
            return
        result = operations.run(self.ctx, self, lambda: requests.open_document(self.ctx.db, self.ctx.actor, r.id))
        if result is None:
            return
        info, content = result
        pixmap = None
        if info.is_image:
            pixmap = QPixmap()
            pixmap.loadFromData(content)
            if pixmap.isNull():
                pixmap = None
            else:
                pixmap = pixmap.scaledToWidth(min(400, pixmap.width()), Qt.TransformationMode.SmoothTransformation)
        elif info.is_pdf:
            pixmap = pdf_page_image(content)
        if pixmap is not None:
            self.preview.setPixmap(pixmap)
        else:
            self.preview.setText(_("No preview for {file} ({size}); export a copy to open it in its program.",
                                   file=info.file_name, size=_size(info.size)))
        self.ctx.bus.sig_status_message.emit(_("{file} opened; the access is logged.", file=info.file_name))

    def print_selected(self) -> None:
        """Hand the document to the system's viewer to print it; the print is logged."""
        r = self.selected()
        if r is None:
            return
        result = operations.run(self.ctx, self, lambda: requests.open_document(self.ctx.db, self.ctx.actor, r.id,
                                                                               action="print"))
        if result is None:
            return
        info, content = result
        target = Path(tempfile.mkdtemp(prefix="jo-print-")) / info.file_name
        target.write_bytes(content)
        open_with_system(target)

    def verify_selected(self) -> None:
        r = self.selected()
        if r is None:
            return
        problem = operations.run(self.ctx, self, lambda: filing.verify_document(self.ctx.db, r.id))
        message = problem.describe() if problem else _("{file}: the stored file matches its SHA-256.",
                                                       file=r.file_name)
        self.ctx.bus.sig_status_message.emit(message)
        inform(self, _("Verify hash"), message)

    def request_selected(self) -> None:
        r = self.selected()
        if r is None:
            return
        values = ask_request(self, r.title)
        if values is None:
            return
        kind, purpose, until = values
        operations.run(self.ctx, self, lambda: requests.request_access(self.ctx.db, self.ctx.actor, r.id, kind,
                                                                       purpose, until),
                       success=_("Request filed; the head of your department decides it."),
                       on_success=lambda _r: self.sig_changed.emit())

    def export_selected(self) -> None:
        r = self.selected()
        if r is None:
            return
        folder = QFileDialog.getExistingDirectory(self, _("Export a copy to")) if not hasattr(self, "_export_to") \
            else self._export_to
        if not folder:
            return
        path = operations.run(self.ctx, self, lambda: requests.export_document_copy(self.ctx.db, self.ctx.actor, r.id,
                                                                                   folder))
        if path:
            self.ctx.bus.sig_status_message.emit(_("Copy written to {file}", file=str(path)))

    def locate_selected(self) -> None:
        r = self.selected()
        if r is None:
            return
        parts = (r.location.split(" / ") + ["", "", ""])[:3]
        values = ask_location(self, tuple(parts))
        if values is None:
            return
        operations.run(self.ctx, self, lambda: filing.set_location(self.ctx.db, self.ctx.actor, r.id, *values),
                       success=_("Paper location saved."), on_success=lambda _r: self.refresh())

    def file_new(self) -> None:
        values = ask_filing(self)
        if values is None:
            return
        path = values.pop("path")
        operations.run(self.ctx, self, lambda: filing.file_document(self.ctx.db, self.ctx.actor, path=path or None,
                                                                    **values),
                       success=_("Document filed."), on_success=lambda _r: self.refresh())


# ---- requests and loans ----------------------------------------------------------------------------------------

SCOPE_MINE, SCOPE_APPROVE, SCOPE_GRANT, SCOPE_ALL = "mine", "approve", "grant", "all"


class RequestsView(QWidget):
    sig_changed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = RowsModel([
            RowColumn(N_("No."), lambda r: r.number),
            RowColumn(N_("Document"), lambda r: r.document_title),
            RowColumn(N_("Requester"), lambda r: r.requester),
            RowColumn(N_("Read or borrow"), lambda r: _(REQUEST_KINDS[r.kind])),
            RowColumn(N_("Purpose"), lambda r: r.purpose),
            RowColumn(N_("Until"), lambda r: r.until.isoformat()),
            RowColumn(N_("Status"), lambda r: _(REQUEST_STATUSES[r.status]) + (" ●" if r.unseen and
                                                                                r.requester_username ==
                                                                                ctx.actor.username else "")),
            RowColumn(N_("Reason"), lambda r: r.decision_reason),
        ])
        self.scope = QComboBox()
        self.scope.setObjectName("request_scope")
        self.scope.currentIndexChanged.connect(lambda _i: self.refresh())
        self.table = _table(self.model, "archive_requests", 1)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        row.addWidget(self.scope)
        for key, slot in (("approve", self.approve), ("refuse", self.refuse), ("grant", self.grant),
                          ("hand_out", self.hand_out), ("print", self.print_form)):
            b = QPushButton()
            b.setObjectName(f"request_{key}")
            b.clicked.connect(slot)
            self.buttons[key] = b
            row.addWidget(b)
        row.addStretch(1)
        self.notice = QLabel()
        self.notice.setObjectName("request_notice")
        self.notice.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.notice)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        current = self.scope.currentData()
        self.scope.blockSignals(True)
        self.scope.clear()
        self.scope.addItem(_("My requests"), SCOPE_MINE)
        if self.ctx.actor.role in ("department_head", "manager"):
            self.scope.addItem(_("To approve (my department)"), SCOPE_APPROVE)
        if allowed(self.ctx.actor, "archive.keep"):
            self.scope.addItem(_("To grant (archive)"), SCOPE_GRANT)
            self.scope.addItem(_("Register: every request"), SCOPE_ALL)
        index = self.scope.findData(current)
        self.scope.setCurrentIndex(max(0, index))
        self.scope.blockSignals(False)
        texts = {"approve": _("A&pprove"), "refuse": _("&Refuse…"), "grant": _("&Grant"),
                 "hand_out": _("&Hand out the paper"), "print": _("&Print the form…")}
        for key, b in self.buttons.items():
            b.setText(texts[key])
        self.model.retranslate()
        self.refresh()

    def set_scope(self, scope: str) -> None:
        index = self.scope.findData(scope)
        if index >= 0:
            self.scope.setCurrentIndex(index)
            self.refresh()

    def refresh(self) -> None:
        db, actor = self.ctx.db, self.ctx.actor
        scope = self.scope.currentData() or SCOPE_MINE
        if scope == SCOPE_APPROVE:
            rows = requests.requests_to_approve(db, actor)
        elif scope == SCOPE_GRANT:
            rows = requests.list_requests(db, status="approved") + [
                r for r in requests.list_requests(db, status="granted", limit=200) if r.kind == "borrow"]
        elif scope == SCOPE_ALL:
            rows = requests.list_requests(db)
        else:
            rows = requests.my_requests(db, actor)
        self.model.set_rows(rows)
        self.buttons["approve"].setVisible(scope == SCOPE_APPROVE)
        self.buttons["refuse"].setVisible(scope in (SCOPE_APPROVE, SCOPE_GRANT))
        self.buttons["grant"].setVisible(scope == SCOPE_GRANT)
        self.buttons["hand_out"].setVisible(scope == SCOPE_GRANT)
        unseen = requests.notifications(db, actor)
        if unseen:
            self.notice.setText(" ".join(_("Your request {no} for {document}: {status}.", no=r.number,
                                           document=r.document_title, status=_(REQUEST_STATUSES[r.status]))
                                         for r in unseen))
        else:
            self.notice.setText("")

    def selected(self):
        return _selected(self.table, self.model)

    def select_request(self, request_id: int) -> None:
        for i, r in enumerate(self.model.rows):
            if r.id == request_id:
                self.table.selectRow(i)
                return

    def _after(self, _result=None) -> None:
        self.refresh()
        self.sig_changed.emit()

    def approve(self) -> None:
        r = self.selected()
        if r is not None:
            operations.run(self.ctx, self, lambda: requests.decide_request(self.ctx.db, self.ctx.actor, r.id, True),
                           success=_("Request {no} approved.", no=r.number), on_success=self._after)

    def refuse(self) -> None:
        r = self.selected()
        if r is None:
            return
        reason = ask_reason(self, _("Refuse the request"), _("Why is the request refused?"))
        if reason is None:
            return
        if self.scope.currentData() == SCOPE_GRANT:
            call = lambda: requests.grant_request(self.ctx.db, self.ctx.actor, r.id, False, reason)  # noqa: E731
        else:
            call = lambda: requests.decide_request(self.ctx.db, self.ctx.actor, r.id, False, reason)  # noqa: E731
        operations.run(self.ctx, self, call, success=_("Request {no} refused.", no=r.number), on_success=self._after)

    def grant(self) -> None:
        r = self.selected()
        if r is not None:
            operations.run(self.ctx, self, lambda: requests.grant_request(self.ctx.db, self.ctx.actor, r.id),
                           success=_("Request {no} granted.", no=r.number), on_success=self._after)

    def hand_out(self) -> None:
        r = self.selected()
        if r is not None:
            operations.run(self.ctx, self, lambda: loans.hand_out(self.ctx.db, self.ctx.actor, r.id),
                           success=_("Paper handed out to {user}.", user=r.requester), on_success=self._after)

    def print_form(self) -> None:
        r = self.selected()
        if r is None:
            return
        path = ask_save_path(self, f"{r.number}.pdf", _("PDF (*.pdf)"))
        if path:
            operations.run(self.ctx, self, lambda: papers.print_request_form(self.ctx.db, self.ctx.actor, r.id, path,
                                                                             lang=current_language()),
                           success=_("Form written to {file}", file=path))

    def mark_seen(self) -> None:
        unseen = [r.id for r in requests.notifications(self.ctx.db, self.ctx.actor)]
        if unseen:
            operations.run(self.ctx, self, lambda: requests.mark_seen(self.ctx.db, self.ctx.actor, unseen),
                           quiet_errors=True)


class LoansView(QWidget):
    sig_changed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = RowsModel([
            RowColumn(N_("Document"), lambda r: r.document_title),
            RowColumn(N_("Order no."), lambda r: r.order_no),
            RowColumn(N_("Borrower"), lambda r: r.borrower),
            RowColumn(N_("Handed out"), lambda r: _when(r.handed_out_at)),
            RowColumn(N_("Due date"), lambda r: r.due_date.isoformat()),
            RowColumn(N_("Returned"), lambda r: _when(r.returned_at) if r.returned_at else
                      (_("overdue by {n} days", n=r.days_overdue) if r.overdue else "")),
            RowColumn(N_("Paper kept at"), lambda r: r.location),
        ])
        self.only_open = QComboBox()
        self.only_open.setObjectName("loan_scope")
        self.only_open.currentIndexChanged.connect(lambda _i: self.refresh())
        self.table = _table(self.model, "archive_loans", 0)
        self.return_button = QPushButton()
        self.return_button.setObjectName("loan_return")
        self.return_button.clicked.connect(self.return_selected)
        self.print_button = QPushButton()
        self.print_button.setObjectName("loan_print")
        self.print_button.clicked.connect(self.print_form)
        row = QHBoxLayout()
        for w in (self.only_open, self.return_button, self.print_button):
            row.addWidget(w)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        current = self.only_open.currentIndex()
        self.only_open.blockSignals(True)
        self.only_open.clear()
        self.only_open.addItems([_("On loan"), _("Overdue"), _("Every loan")])
        self.only_open.setCurrentIndex(max(0, current))
        self.only_open.blockSignals(False)
        self.return_button.setText(_("&Record the return"))
        self.return_button.setVisible(allowed(self.ctx.actor, "archive.keep"))
        self.print_button.setText(_("&Print the borrowing form…"))
        self.model.retranslate()
        self.refresh()

    def refresh(self) -> None:
        i = self.only_open.currentIndex()
        borrower = None if allowed(self.ctx.actor, "archive.keep") or self.ctx.actor.is_manager else \
            self.ctx.actor.user_id
        rows = loans.list_loans(self.ctx.db, open_only=i == 0, overdue_only=i == 1, borrower_id=borrower)
        self.model.set_rows(rows)

    def selected(self):
        return _selected(self.table, self.model)

    def return_selected(self) -> None:
        r = self.selected()
        if r is None:
            return
        operations.run(self.ctx, self, lambda: loans.return_document(self.ctx.db, self.ctx.actor, r.document_id),
                       success=_("Return of {document} recorded.", document=r.document_title),
                       on_success=lambda _r: (self.refresh(), self.sig_changed.emit()))

    def print_form(self) -> None:
        r = self.selected()
        if r is None:
            return
        path = ask_save_path(self, f"loan-{r.id}.pdf", _("PDF (*.pdf)"))
        if path:
            operations.run(self.ctx, self, lambda: papers.print_loan_form(self.ctx.db, self.ctx.actor, r.id, path,
                                                                          lang=current_language()),
                           success=_("Form written to {file}", file=path))


# ---- log, retention, data safety -------------------------------------------------------------------------------

class SafetyView(QWidget):
    """The access log, documents past retention, backups and restore."""

    sig_restored = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.log_model = RowsModel([
            RowColumn(N_("When"), lambda r: _when(r.at)),
            RowColumn(N_("Who"), lambda r: r.display_name),
            RowColumn(N_("Action"), lambda r: _(ACCESS_ACTIONS[r.action])),
            RowColumn(N_("Document"), lambda r: r.document_title),
            RowColumn(N_("Purpose"), lambda r: r.purpose),
            RowColumn(N_("Request"), lambda r: r.request_no),
        ])
        self.retention_model = RowsModel([
            RowColumn(N_("Title"), lambda r: r.title),
            RowColumn(N_("Category"), lambda r: _(DOCUMENT_CATEGORIES.get(r.category, r.category))),
            RowColumn(N_("Filed"), lambda r: _when(r.uploaded_at)),
            RowColumn(N_("Order no."), lambda r: r.order_no),
        ])
        self.log_table = _table(self.log_model, "archive_log", 3)
        self.retention_table = _table(self.retention_model, "archive_retention", 0)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for key, slot in (("backup", self.backup_now), ("restore", self.restore), ("export_log", self.export_log),
                          ("keep", self.keep_longer), ("dispose", self.dispose)):
            b = QPushButton()
            b.setObjectName(f"safety_{key}")
            b.clicked.connect(slot)
            self.buttons[key] = b
            row.addWidget(b)
        row.addStretch(1)
        self.log_label, self.retention_label = QLabel(), QLabel()
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.log_label)
        layout.addWidget(self.log_table, 2)
        layout.addWidget(self.retention_label)
        layout.addWidget(self.retention_table, 1)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        texts = {"backup": _("&Back up now"), "restore": _("&Restore…"), "export_log": _("Export the access &log…"),
                 "keep": _("&Keep longer…"), "dispose": _("&Dispose of…")}
        for key, b in self.buttons.items():
            b.setText(texts[key])
        a = self.ctx.actor
        self.buttons["backup"].setVisible(allowed(a, "archive.backup"))
        self.buttons["restore"].setVisible(allowed(a, "archive.restore"))
        self.buttons["export_log"].setVisible(allowed(a, "archive.log"))
        self.buttons["keep"].setVisible(allowed(a, "archive.keep"))
        self.buttons["dispose"].setVisible(allowed(a, "archive.keep"))
        self.log_label.setText(_("Access log (last 500)"))
        self.retention_label.setText(_("Past their retention period: the archive keeper decides"))
        self.log_model.retranslate()
        self.retention_model.retranslate()
        self.refresh()

    def refresh(self) -> None:
        if allowed(self.ctx.actor, "archive.log"):
            rows = requests.access_log(self.ctx.db, self.ctx.actor)
            self.log_model.set_rows(list(reversed(rows[-500:])))
        self.retention_model.set_rows(filing.past_retention(self.ctx.db, limit=500))

    def backup_now(self) -> None:
        operations.run(self.ctx, self, lambda: backups.backup_now(self.ctx.db, self.ctx.actor),
                       on_success=lambda p: self.ctx.bus.sig_status_message.emit(
                           _("Backup written and verified: {file}", file=str(p))))

    def restore(self) -> None:
        if self.ctx.db.path is None:
            return
        path, _filter = QFileDialog.getOpenFileName(self, _("Restore…"), str(self.ctx.db.path.parent),
                                                    _("jewelryorders databases (*.db *.sqlite *.sqlite3);;All files (*)"))
        if not path or not confirm(self, _("Restore…"), _("Replace the database with the backup {file}? The database "
                                                           "as it is now is backed up first; you log in again "
                                                           "afterwards.", file=path)):
            return
        password = ask_password(self, self.ctx.actor.username)
        if password is None:
            return

        def call():
            backups.check_restore_right(self.ctx.actor)
            return backups.restore(path, self.ctx.db.path, username=self.ctx.actor.username, password=password)

        if operations.run(self.ctx, self, call) is not None:
            self.sig_restored.emit()

    def export_log(self) -> None:
        path = ask_save_path(self, "access-log.xlsx", _("Excel workbook (*.xlsx)"))
        if path:
            operations.run(self.ctx, self, lambda: papers.export_access_log(self.ctx.db, self.ctx.actor, path,
                                                                            current_language()),
                           success=_("Access log written to {file}", file=path))

    def _retention_selected(self):
        return _selected(self.retention_table, self.retention_model)

    def keep_longer(self) -> None:
        r = self._retention_selected()
        if r is None:
            return
        until = ask_reason(self, _("Keep longer"), _("Keep until (YYYY-MM-DD)"))
        reason = ask_reason(self, _("Keep longer"), _("Reason")) if until else None
        if until and reason is not None:
            operations.run(self.ctx, self, lambda: filing.decide_retention(self.ctx.db, self.ctx.actor, r.id,
                                                                           keep_until=until, reason=reason),
                           on_success=lambda _r: self.refresh())

    def dispose(self) -> None:
        r = self._retention_selected()
        if r is None:
            return
        reason = ask_reason(self, _("Dispose of"), _("Reason"))
        if reason is not None and confirm(self, _("Dispose of"), _("Dispose of {file}? It leaves the archive's "
                                                                     "lists; its record and history stay.",
                                                                     file=r.title)):
            operations.run(self.ctx, self, lambda: filing.decide_retention(self.ctx.db, self.ctx.actor, r.id,
                                                                           dispose=True, reason=reason),
                           on_success=lambda _r: self.refresh())


class ArchiveTab(QWidget):
    sig_badge = Signal(str)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("archive_tab")
        self.documents = DocumentsView(ctx)
        self.requests = RequestsView(ctx)
        self.loans = LoansView(ctx)
        self.safety = SafetyView(ctx)
        self.views = QTabWidget()
        self.views.setObjectName("archive_views")
        for view in (self.documents, self.requests, self.loans, self.safety):
            self.views.addTab(view, "")
        self.documents.sig_changed.connect(self.requests.refresh)
        self.requests.sig_changed.connect(self.refresh_all)
        self.loans.sig_changed.connect(self.refresh_all)
        self.safety.sig_restored.connect(self._restored)
        self.views.currentChanged.connect(self._view_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.views)
        ctx.bus.sig_language_changed.connect(lambda _lang: self.retranslate_ui())
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        for i, title in enumerate((_("Documents"), _("Requests"), _("Loans"), _("Access log and backups"))):
            self.views.setTabText(i, title)
        for view in (self.documents, self.requests, self.loans, self.safety):
            view.retranslate_ui()
        self._update_badge()

    def refresh_all(self) -> None:
        self.documents.refresh()
        self.requests.refresh()
        self.loans.refresh()
        self.safety.refresh()
        self._update_badge()

    def refresh(self) -> None:
        self.refresh_all()

    def _update_badge(self) -> None:
        a = self.ctx.actor
        n = len(requests.notifications(self.ctx.db, a)) + len(requests.requests_to_approve(self.ctx.db, a))
        if allowed(a, "archive.keep"):
            n += len(requests.list_requests(self.ctx.db, status="approved")) + len(loans.overdue_loans(self.ctx.db))
        self.sig_badge.emit(str(n) if n else "")

    def _view_changed(self, index: int) -> None:
        if self.views.widget(index) is self.requests:
            self.requests.mark_seen()

    def _restored(self) -> None:
        window = self.window()
        signal = getattr(window, "sig_logout_requested", None)
        inform(self, _("Restore…"), _("The backup was restored. Log in again to work with the restored data."))
        if signal is not None:
            signal.emit()
