"""The order window: every field, the lines with stones and totals, attachments with thumbnails, and the timeline."""

from __future__ import annotations

import tempfile
from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSize, Qt, QUrl
from PySide6.QtGui import QColor, QDesktopServices, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QFileIconProvider,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ... import clock
from ...i18n import N_, _, ngettext
from ...i18n import formats
from ...models.documents import DOCUMENT_CATEGORIES
from ...models.orders import CHANNELS, METALS, STONE_TYPES
from ...services import documents, stages
from ...services.documents import DocumentInfo
from ...services.errors import DomainError
from ...services.orders import intake as orders
from ...services.orders.intake import LineView, OrderView
from ...services.orders.papers import confirmation_refusal
from ...services.orders.timeline import file_size_text
from ...services.permissions import allowed
from ...services.validation import mg_to_grams_text
from .. import operations
from ..context import UiContext
from .launch import open_order_form, run_external_action
from .list_model import AT_RISK, AT_RISK_TEXT, LATE, LATE_TEXT, NOT_COUNTING, delivery_status, overdue_text
from .style import TABLE_STYLE, stage_badge_css
from .timeline import TimelineWidget, local_time_text

THUMBNAIL_SIZE = 150
THUMBNAIL_CACHE_SIZE = 200
# Thumbnails by SHA-256: the same design image attached to many orders is decoded once per session.
_thumbnails: "OrderedDict[str, QPixmap]" = OrderedDict()
_export_folder: Path | None = None



def open_local_file(path: Path) -> bool:
    """Hand a file to the system's viewer for its type (tests replace this function)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def export_folder() -> Path:
    global _export_folder
    if _export_folder is None or not _export_folder.is_dir():
        _export_folder = Path(tempfile.mkdtemp(prefix="jewelryorders-open-"))
    return _export_folder


def thumbnail_for(db, doc: DocumentInfo) -> QPixmap | None:
    cached = _thumbnails.get(doc.sha256)
    if cached is not None:
        _thumbnails.move_to_end(doc.sha256)
        return cached
    try:
        _info, content = documents.document_content(db, doc.id)
    except DomainError:
        return None
    pixmap = QPixmap()
    if not pixmap.loadFromData(content):
        return None
    scaled = pixmap.scaled(THUMBNAIL_SIZE, THUMBNAIL_SIZE, Qt.AspectRatioMode.KeepAspectRatio,
                           Qt.TransformationMode.SmoothTransformation)
    # Centre on a fixed square so the grid of thumbnails lines up whatever the image's proportions.
    square = QPixmap(THUMBNAIL_SIZE, THUMBNAIL_SIZE)
    square.fill(QColor("white"))
    painter = QPainter(square)
    painter.drawPixmap((THUMBNAIL_SIZE - scaled.width()) // 2, (THUMBNAIL_SIZE - scaled.height()) // 2, scaled)
    painter.end()
    _thumbnails[doc.sha256] = square
    while len(_thumbnails) > THUMBNAIL_CACHE_SIZE:
        _thumbnails.popitem(last=False)
    return square


def stones_lines(line: LineView) -> str:
    return "\n".join(_("{stone} × {count} / {carat} ct", stone=_(STONE_TYPES.get(s.stone_type, s.stone_type)),
                       count=s.count, carat=f"{s.carat:.3f}") for s in line.stones)


LINE_VIEW_COLUMNS = (N_("No."), N_("Style code"), N_("Description"), N_("Metal"), N_("Size"), N_("Quantity"),
                     N_("Target weight (g)"), N_("Stones"), N_("Unit price"), N_("Amount"))
_RIGHT_ALIGNED = {0, 5, 6, 8, 9}


class LinesViewModel(QAbstractTableModel):
    """The saved lines, read-only, with each line's stones on lines of their own."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.lines: tuple[LineView, ...] = ()
        self.currency = ""

    def set_lines(self, lines: tuple[LineView, ...], currency: str = "") -> None:
        self.beginResetModel()
        self.lines = lines
        self.currency = currency
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(LINE_VIEW_COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(LINE_VIEW_COLUMNS[section])
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        line = self.lines[index.row()]
        c = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            values = (line.line_no, line.style_code, line.description,
                      f"{line.metal} {_(METALS[line.metal])}" if line.metal in METALS else line.metal, line.size,
                      f"{line.quantity:,}", mg_to_grams_text(line.target_weight_mg), stones_lines(line),
                      formats.amount(line.unit_price, self.currency), formats.amount(line.amount, self.currency))
            return str(values[c])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = Qt.AlignmentFlag.AlignRight if c in _RIGHT_ALIGNED else Qt.AlignmentFlag.AlignLeft
            return int(horizontal | Qt.AlignmentFlag.AlignTop)
        return None


class OrderWindow(QDialog):
    """Everything about one order; refreshes itself when the order changes anywhere in the application."""

    def __init__(self, ctx: UiContext, order_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("order_window")
        self.setWindowFlag(Qt.WindowType.WindowMinMaxButtonsHint, True)
        self.ctx = ctx
        self.order_id = order_id
        self.view: OrderView | None = None
        self.documents: list[DocumentInfo] = []
        self._thumbnails_shown = False
        self._build()
        ctx.bus.sig_order_changed.connect(self._order_changed)
        ctx.bus.sig_orders_changed.connect(self.reload)
        ctx.bus.sig_language_changed.connect(self._language_changed)
        self.reload()

    # -- layout -----------------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.order_no_label = QLabel()
        self.order_no_label.setStyleSheet("font-size: 20px; font-weight: bold;")
        self.order_no_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.stage_label = QLabel()
        self.delivery_label = QLabel()
        self.delivery_label.setStyleSheet("font-weight: bold;")
        self.edit_button = QPushButton()
        self.submit_button = QPushButton()
        self.print_button = QPushButton()
        self.refresh_button = QPushButton()
        self.close_button = QPushButton()
        title_row = QHBoxLayout()
        title_row.addWidget(self.order_no_label)
        title_row.addSpacing(12)
        title_row.addWidget(self.stage_label)
        title_row.addSpacing(12)
        title_row.addWidget(self.delivery_label)
        title_row.addStretch(1)
        for b in (self.edit_button, self.submit_button, self.print_button, self.refresh_button):
            title_row.addWidget(b)

        self.field_labels: dict[str, QLabel] = {}
        self.field_values: dict[str, QLabel] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(6)
        layout_plan = [
            ("customer", 0, 0, 1), ("channel", 0, 1, 1), ("owner", 0, 2, 1),
            ("order_date", 1, 0, 1), ("delivery_date", 1, 1, 1), ("priority", 1, 2, 1),
            ("delivery_place", 2, 0, 3), ("currency", 3, 0, 1), ("created_at", 3, 1, 1),
            ("submitted_at", 3, 2, 1), ("special_requirements", 4, 0, 3),
        ]
        for key, row, col, span in layout_plan:
            label = QLabel()
            label.setStyleSheet("color: #666;")
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            value = QLabel()
            value.setWordWrap(True)
            value.setTextFormat(Qt.TextFormat.PlainText)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            self.field_labels[key], self.field_values[key] = label, value
            grid.addWidget(label, row, col * 2)
            grid.addWidget(value, row, col * 2 + 1, 1, span * 2 - 1)
        for c in (1, 3, 5):
            grid.setColumnStretch(c, 1)

        self.lines_model = LinesViewModel(self)
        self.lines_view = QTableView()
        self.lines_view.setModel(self.lines_model)
        self.lines_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.lines_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.lines_view.setWordWrap(True)
        self.lines_view.setStyleSheet(TABLE_STYLE)
        self.lines_view.verticalHeader().setVisible(False)
        self.lines_view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.lines_view.verticalHeader().setMinimumSectionSize(28)
        hh = self.lines_view.horizontalHeader()
        for column, width in ((0, 40), (1, 110), (3, 175), (4, 60), (5, 70), (6, 110), (7, 190), (8, 100), (9, 110)):
            self.lines_view.setColumnWidth(column, width)
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.totals_label = QLabel()
        self.totals_label.setWordWrap(True)
        self.totals_label.setStyleSheet("font-weight: bold;")
        lines_page = QWidget()
        lines_layout = QVBoxLayout(lines_page)
        lines_layout.addWidget(self.lines_view, 1)
        lines_layout.addWidget(self.totals_label)

        self.attachments = QListWidget()
        self.attachments.setViewMode(QListView.ViewMode.IconMode)
        self.attachments.setIconSize(QSize(THUMBNAIL_SIZE, THUMBNAIL_SIZE))
        self.attachments.setGridSize(QSize(THUMBNAIL_SIZE + 70, THUMBNAIL_SIZE + 72))
        self.attachments.setResizeMode(QListView.ResizeMode.Adjust)
        self.attachments.setMovement(QListView.Movement.Static)
        self.attachments.setWordWrap(True)
        self.attachments.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.attachments.itemDoubleClicked.connect(lambda item: self.open_document(item.data(Qt.ItemDataRole.UserRole)))
        self.open_button = QPushButton()
        self.save_copy_button = QPushButton()
        self.add_files_button = QPushButton()
        self.remove_button = QPushButton()
        self.attachments_hint = QLabel()
        self.attachments_hint.setStyleSheet("color: #666;")
        att_buttons = QHBoxLayout()
        for b in (self.open_button, self.save_copy_button, self.add_files_button, self.remove_button):
            att_buttons.addWidget(b)
        att_buttons.addStretch(1)
        att_buttons.addWidget(self.attachments_hint)
        attachments_page = QWidget()
        att_layout = QVBoxLayout(attachments_page)
        att_layout.addLayout(att_buttons)
        att_layout.addWidget(self.attachments, 1)

        self.timeline = TimelineWidget(self.ctx.db, self.order_id)
        self.timeline.model.sig_load_failed.connect(self.ctx.bus.sig_status_message)
        timeline_page = QWidget()
        tl_layout = QVBoxLayout(timeline_page)
        tl_layout.addWidget(self.timeline)

        self.tabs = QTabWidget()
        self.tabs.addTab(lines_page, "")
        self.tabs.addTab(attachments_page, "")
        self.tabs.addTab(timeline_page, "")
        self.tabs.currentChanged.connect(self._tab_changed)

        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(title_row)
        layout.addLayout(grid)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)

        self.edit_button.clicked.connect(lambda: open_order_form(self.ctx, self.order_id, self.parentWidget()))
        self.submit_button.clicked.connect(self.submit)
        self.print_button.clicked.connect(
            lambda: run_external_action(self.ctx, "actions_print", "print_confirmation", self, self.order_id))
        self.refresh_button.clicked.connect(self.reload)
        self.close_button.clicked.connect(self.close)
        self.open_button.clicked.connect(self._open_selected)
        self.save_copy_button.clicked.connect(self._save_copy_of_selected)
        self.add_files_button.clicked.connect(self._choose_files)
        self.remove_button.clicked.connect(self._remove_selected)
        self.attachments.itemSelectionChanged.connect(self._update_buttons)
        self.resize(1150, 780)

    def _language_changed(self, _language: str) -> None:
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        # The timeline's texts are composed when read, so they are read again in the new language.
        self.timeline.retranslate_ui()
        self._set_texts()
        if self._thumbnails_shown:
            self._fill_attachments()

    def _set_texts(self) -> None:
        names = {
            "customer": _("Customer"), "channel": _("Channel"), "owner": _("Owner"), "order_date": _("Order date"),
            "delivery_date": _("Delivery date"), "priority": _("Priority"), "delivery_place": _("Delivery place"),
            "currency": _("Currency"), "created_at": _("Created"), "submitted_at": _("Submitted"),
            "special_requirements": _("Special requirements"),
        }
        for key, text in names.items():
            self.field_labels[key].setText(text)
        self.edit_button.setText(_("Edit…"))
        self.submit_button.setText(_("Submit for review"))
        self.print_button.setText(_("Print confirmation"))
        self.refresh_button.setText(_("Refresh"))
        self.close_button.setText(_("Close"))
        self.open_button.setText(_("Open file"))
        self.save_copy_button.setText(_("Save a copy…"))
        self.add_files_button.setText(_("Add files…"))
        self.remove_button.setText(_("Remove"))
        self.attachments_hint.setText(_("Double-click a file to open it."))
        self.lines_model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(LINE_VIEW_COLUMNS) - 1)
        self._show()

    # -- data -------------------------------------------------------------------------------------------------
    def reload(self) -> None:
        def read():
            return orders.get_order(self.ctx.db, self.order_id), documents.list_documents(self.ctx.db, self.order_id)

        loaded = operations.run(self.ctx, self, read)
        if loaded is None:
            return
        self.view, self.documents = loaded
        self._thumbnails_shown = False
        self.timeline.reload()
        self._set_texts()
        if self.tabs.currentIndex() == 1:
            self._fill_attachments()

    def _order_changed(self, order_id: int) -> None:
        if order_id == self.order_id:
            self.reload()

    def _show(self) -> None:
        v = self.view
        if v is None:
            return
        self.setWindowTitle(_("Order {order_no} — {customer}", order_no=v.order_no, customer=v.customer_name))
        self.order_no_label.setText(v.order_no)
        self.stage_label.setText(stages.stage_label(v.stage))
        self.stage_label.setStyleSheet(stage_badge_css(v.stage))
        self._show_delivery(v)
        values = {
            "customer": f"{v.customer_name}  ({v.customer_code})",
            "channel": _(CHANNELS.get(v.channel, v.channel)),
            "owner": v.owner,
            "order_date": v.order_date.isoformat(),
            "delivery_date": v.delivery_date.isoformat() if v.delivery_date else _("not agreed yet"),
            "priority": {1: _("1 — low"), 3: _("3 — normal"), 5: _("5 — urgent")}.get(v.priority, str(v.priority)),
            "delivery_place": v.delivery_place or "—",
            "currency": v.currency,
            "created_at": local_time_text(v.created_at),
            "submitted_at": local_time_text(v.submitted_at) if v.submitted_at else _("not yet"),
            "special_requirements": v.special_requirements or "—",
        }
        for key, text in values.items():
            self.field_values[key].setText(text)
        self.lines_model.set_lines(v.lines, v.currency)
        self.totals_label.setText(self._totals_text(v))
        count = ngettext("{n} line", "{n} lines", len(v.lines))
        self.tabs.setTabText(0, _("Order lines ({count})", count=count))
        self.tabs.setTabText(1, _("Attachments ({n})", n=len(self.documents)))
        self.tabs.setTabText(2, _("Timeline ({n})", n=self.timeline.model.total))
        self._update_buttons()

    def _show_delivery(self, v: OrderView) -> None:
        status = delivery_status(v.stage, v.delivery_date, clock.today())
        colour = "#333"
        if status.days is None or status.state == NOT_COUNTING:
            text = ""
        elif status.days < 0:
            text = overdue_text(-status.days)
        elif status.days == 0:
            text = _("Due today")
        else:
            text = _("Due in {n} days", n=status.days)
        if status.state == LATE:
            colour = LATE_TEXT.name()
        elif status.state == AT_RISK:
            colour = AT_RISK_TEXT.name()
        self.delivery_label.setText(text)
        self.delivery_label.setToolTip(status.reason)
        self.delivery_label.setStyleSheet(f"font-weight: bold; color: {colour};")

    @staticmethod
    def _totals_text(v: OrderView) -> str:
        # Target weights are per piece, so the metal the whole order needs is weight × quantity per metal.
        weight_by_metal: dict[str, int] = {}
        for line in v.lines:
            if line.target_weight_mg is not None:
                weight_by_metal[line.metal] = weight_by_metal.get(line.metal, 0) + line.target_weight_mg * line.quantity
        parts = [_("Total {quantity} pcs", quantity=f"{v.total_quantity:,}"),
                 _("{currency} {amount}", currency=v.currency, amount=formats.amount(v.total_amount, v.currency))]
        if weight_by_metal:
            metals = ", ".join(f"{metal} {mg_to_grams_text(mg)} g" for metal, mg in weight_by_metal.items())
            parts.append(_("target metal for all pieces: {metals}", metals=metals))
        return "   ·   ".join(parts)

    def _update_buttons(self) -> None:
        v = self.view
        editable = v is not None and v.stage in stages.EDITABLE_STAGES
        can_edit = allowed(self.ctx.actor, "orders.edit")
        self.edit_button.setEnabled(editable and can_edit)
        self.submit_button.setVisible(v is not None and v.stage == "draft")
        self.submit_button.setEnabled(v is not None and v.stage == "draft"
                                      and allowed(self.ctx.actor, "orders.submit"))
        refusal = confirmation_refusal(v.order_no, v.stage) if v is not None else None
        self.print_button.setEnabled(v is not None and refusal is None)
        self.print_button.setToolTip(refusal or "")
        selected = bool(self.attachments.selectedItems())
        self.open_button.setEnabled(selected)
        self.save_copy_button.setEnabled(selected)
        self.add_files_button.setEnabled(can_edit and v is not None and v.stage not in stages.END_STAGES)
        self.remove_button.setEnabled(selected and editable and can_edit)

    # -- attachments ------------------------------------------------------------------------------------------
    def _tab_changed(self, index: int) -> None:
        if index == 1 and not self._thumbnails_shown:
            self._fill_attachments()

    def _fill_attachments(self) -> None:
        """Thumbnails are decoded only when the attachments are looked at: a big design image costs time."""
        self._thumbnails_shown = True
        self.attachments.clear()
        icons = QFileIconProvider()
        # Design images first: they are what the clerk looks for; then CAD and other files, by name.
        for doc in sorted(self.documents, key=lambda d: (not d.is_image, d.file_name.lower(), d.doc_version)):
            pixmap = thumbnail_for(self.ctx.db, doc) if doc.is_image else None
            icon = QIcon(pixmap) if pixmap is not None else icons.icon(QFileIconProvider.IconType.File)
            caption = f"{doc.file_name}\n{_(DOCUMENT_CATEGORIES.get(doc.category, doc.category))} · " \
                      f"{file_size_text(doc.size)}"
            item = QListWidgetItem(icon, caption)
            item.setData(Qt.ItemDataRole.UserRole, doc.id)
            item.setToolTip("\n".join((doc.file_name,
                                        _("version {version}, stored {when}", version=doc.doc_version,
                                          when=local_time_text(doc.uploaded_at)),
                                        _("SHA-256 {sha}", sha=doc.sha256))))
            self.attachments.addItem(item)
        self._update_buttons()

    def _selected_document_ids(self) -> list[int]:
        return [item.data(Qt.ItemDataRole.UserRole) for item in self.attachments.selectedItems()]

    def open_document(self, document_id: int) -> Path | None:
        """Write the stored file (checked against its SHA-256) to a temporary folder and open it."""
        path = operations.run(self.ctx, self, lambda: documents.export_document(self.ctx.db, document_id,
                                                                                 export_folder()))
        if path is None:
            return None
        if not open_local_file(path):
            self.ctx.bus.sig_status_message.emit(_("No program is set up to open {file}; it was saved as {path}.",
                                                   file=path.name, path=str(path)))
        return path

    def _open_selected(self) -> None:
        for document_id in self._selected_document_ids():
            self.open_document(document_id)

    def _save_copy_of_selected(self) -> None:
        for document_id in self._selected_document_ids():
            loaded = operations.run(self.ctx, self, lambda d=document_id: documents.document_content(self.ctx.db, d))
            if loaded is None:
                return
            info, content = loaded
            target, _filter = QFileDialog.getSaveFileName(self, _("Save a copy of {file}", file=info.file_name),
                                                          info.file_name)
            if not target:
                return
            try:
                Path(target).write_bytes(content)
            except OSError as exc:
                QMessageBox.warning(self, _("Cannot save"), _("The file {file} cannot be written: {error}",
                                                             file=target, error=exc.strerror or exc))
                return
            self.ctx.bus.sig_status_message.emit(_("Saved {file}.", file=target))

    def _choose_files(self) -> None:
        paths, _filter = QFileDialog.getOpenFileNames(self, _("Attach design images, CAD files or documents"))
        if paths:
            self.add_files(paths)

    def add_files(self, paths) -> None:
        ok = operations.run(self.ctx, self, lambda: orders.add_attachments(self.ctx.db, self.ctx.actor,
                                                                           self.order_id, list(paths)) or True,
                            success=_("Attachments stored."))
        if ok:
            self.ctx.bus.sig_order_changed.emit(self.order_id)

    def _remove_selected(self) -> None:
        ids = self._selected_document_ids()
        if not ids:
            return
        answer = QMessageBox.question(self, _("Remove attachments"),
                                      _("Remove {n} attachments from this order? The files stay in the archive.",
                                        n=len(ids)))
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.remove_documents(ids)

    def remove_documents(self, ids: list[int]) -> None:
        def remove():
            for document_id in ids:
                orders.remove_attachment(self.ctx.db, self.ctx.actor, document_id)
            return True

        if operations.run(self.ctx, self, remove, success=_("Attachments removed.")):
            self.ctx.bus.sig_order_changed.emit(self.order_id)

    # -- actions ----------------------------------------------------------------------------------------------
    def submit(self) -> None:
        v = self.view
        if v is None:
            return
        result = operations.run(self.ctx, self, lambda: orders.submit_for_review(self.ctx.db, self.ctx.actor, v.id,
                                                                                   v.version),
                                success=_("Order {order_no} submitted for review.", order_no=v.order_no))
        if result is not None:
            self.ctx.bus.sig_order_changed.emit(v.id)
