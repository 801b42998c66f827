"""Filed documents: browse and search, preview and verify, file a paper document, request access, print."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ...i18n import N_, _
from ...models.documents import DOCUMENT_CATEGORIES
from ...models.users import DEPARTMENTS
from ...services.archive import filing, requests
from ...services.permissions import allowed
from .. import operations
from ..context import UiContext
from ..common.paged_model import Column, PagedTableModel
from ..materials.rows_model import _selected, _table
from . import common
from .common import _size, _when


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
            pixmap = common.pdf_page_image(content)
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
        common.open_with_system(target)

    def verify_selected(self) -> None:
        r = self.selected()
        if r is None:
            return
        problem = operations.run(self.ctx, self, lambda: filing.verify_document(self.ctx.db, r.id))
        message = problem.describe() if problem else _("{file}: the stored file matches its SHA-256.",
                                                       file=r.file_name)
        self.ctx.bus.sig_status_message.emit(message)
        common.inform(self, _("Verify hash"), message)

    def request_selected(self) -> None:
        r = self.selected()
        if r is None:
            return
        values = common.ask_request(self, r.title)
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
        values = common.ask_location(self, tuple(parts))
        if values is None:
            return
        operations.run(self.ctx, self, lambda: filing.set_location(self.ctx.db, self.ctx.actor, r.id, *values),
                       success=_("Paper location saved."), on_success=lambda _r: self.refresh())

    def file_new(self) -> None:
        values = common.ask_filing(self)
        if values is None:
            return
        path = values.pop("path")
        operations.run(self.ctx, self, lambda: filing.file_document(self.ctx.db, self.ctx.actor, path=path or None,
                                                                    **values),
                       success=_("Document filed."), on_success=lambda _r: self.refresh())
