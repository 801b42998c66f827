"""An order's timeline in the order window: when (local time), who, what — loaded a page at a time as it scrolls."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from ...db import Database
from ...i18n import N_, _
from ...services.orders import timeline
from ...services.errors import DomainError
from ...services.orders.timeline import TimelineEntry
from .style import TABLE_STYLE

STAGE_EVENT_BACKGROUND = QColor("#eef5ff")
TIMELINE_COLUMNS = (N_("When"), N_("Who"), N_("What"))


def local_time_text(at: dt.datetime) -> str:
    return at.astimezone().strftime("%Y-%m-%d %H:%M")


class TimelineModel(QAbstractTableModel):
    """Newest first; the first page on open, the next whenever the view scrolls to the end (canFetchMore)."""

    PAGE_SIZE = 100
    sig_load_failed = Signal(str)

    def __init__(self, db: Database, order_id: int, parent=None):
        super().__init__(parent)
        self._db = db
        self._order_id = order_id
        self._entries: list[TimelineEntry] = []
        self._total = 0
        self.pages_fetched = 0
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self._entries = []
        self.pages_fetched = 0
        try:
            self._total = timeline.count_timeline(self._db, self._order_id)
        except DomainError as exc:
            self._total = 0
            self.sig_load_failed.emit(str(exc))
        self.endResetModel()
        if self.canFetchMore():
            self.fetchMore()

    @property
    def total(self) -> int:
        return self._total

    def entry(self, row: int) -> TimelineEntry | None:
        return self._entries[row] if 0 <= row < len(self._entries) else None

    def canFetchMore(self, parent=QModelIndex()) -> bool:
        return not parent.isValid() and len(self._entries) < self._total

    def fetchMore(self, parent=QModelIndex()) -> None:
        if parent.isValid():
            return
        try:
            page = timeline.order_timeline(self._db, self._order_id, offset=len(self._entries),
                                           limit=self.PAGE_SIZE)
        except DomainError as exc:
            self.sig_load_failed.emit(str(exc))
            return
        if not page:
            # The history is shorter than counted (should not happen: events are never deleted); stop asking.
            self._total = len(self._entries)
            return
        self.pages_fetched += 1
        start = len(self._entries)
        self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
        self._entries.extend(page)
        self.endInsertRows()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(TIMELINE_COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(TIMELINE_COLUMNS[section])
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        entry = self.entry(index.row()) if index.isValid() else None
        if entry is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return local_time_text(entry.at)
            if column == 1:
                return entry.who
            if not entry.details:
                return entry.text
            return entry.text + "\n" + "\n".join("  · " + d for d in entry.details)
        if role == Qt.ItemDataRole.ToolTipRole and column == 2:
            return entry.full_text
        if role == Qt.ItemDataRole.BackgroundRole and entry.action == "stage":
            return QBrush(STAGE_EVENT_BACKGROUND)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        return None

    def plain_lines(self) -> list[str]:
        """The loaded history as the clerk reads it, one line per event."""
        return [f"{local_time_text(e.at)}  {e.who}  {e.full_text}" for e in self._entries]


class TimelineWidget(QWidget):
    def __init__(self, db: Database, order_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = TimelineModel(db, order_id, self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setWordWrap(True)
        self.view.setStyleSheet(TABLE_STYLE)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setMinimumSectionSize(26)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.summary = QLabel()
        self.summary.setStyleSheet("color: #666;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.summary)
        self.model.modelReset.connect(self._update_summary)
        self.model.rowsInserted.connect(self._update_summary)
        self._update_summary()

    def reload(self) -> None:
        self.model.reload()

    def retranslate_ui(self) -> None:
        # Event texts are composed in the reader's language when read, so a language switch reloads them.
        self.model.reload()

    def _update_summary(self, *args) -> None:
        total = self.model.total
        shown = self.model.rowCount()
        if total > shown:
            self.summary.setText(_("{shown} of {total} events shown, newest first; scroll down for older ones.",
                                   shown=f"{shown:,}", total=f"{total:,}"))
        else:
            self.summary.setText(_("{total} events, newest first.", total=f"{total:,}"))
