"""A table model over a paged query: counts once, fetches pages of rows as they scroll into view, sorts in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Generic, Sequence, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from ...i18n import _

R = TypeVar("R")


@dataclass
class Column(Generic[R]):
    key: str                                # sort key handed to the query (None-able columns sort in SQL too)
    title_msgid: str                        # translated on every headerData call, so a language switch shows at once
    value: Callable[[R], Any]               # display text
    align_right: bool = False
    sortable: bool = True
    foreground: Callable[[R], Any] | None = None   # a QColor/QBrush or None
    background: Callable[[R], Any] | None = None
    tooltip: Callable[[R], str] | None = None


class PagedTableModel(QAbstractTableModel, Generic[R]):
    """Rows come from fetch(offset, limit); the row count from count(). Only pages that are looked at are loaded,
    so 100,000 orders cost a COUNT and a couple of 200-row queries, not 100,000 objects."""

    PAGE_SIZE = 200
    MAX_CACHED_PAGES = 50

    def __init__(self, columns: Sequence[Column[R]], fetch: Callable[[int, int, str, bool], list[R]],
                 count: Callable[[], int], parent=None):
        super().__init__(parent)
        self.columns = list(columns)
        self._fetch = fetch
        self._count = count
        self._total = 0
        self._pages: dict[int, list[R]] = {}
        self._sort_key = self.columns[0].key if self.columns else ""
        self._descending = True
        self.refresh()

    # -- data source ------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-run the count and drop cached pages (after a filter change or a save elsewhere)."""
        self.beginResetModel()
        self._pages.clear()
        self._total = int(self._count())
        self.endResetModel()

    def set_source(self, fetch, count) -> None:
        self._fetch, self._count = fetch, count
        self.refresh()

    def _page(self, number: int) -> list[R]:
        page = self._pages.get(number)
        if page is None:
            if len(self._pages) >= self.MAX_CACHED_PAGES:
                self._pages.pop(next(iter(self._pages)))
            page = self._fetch(number * self.PAGE_SIZE, self.PAGE_SIZE, self._sort_key, self._descending)
            self._pages[number] = page
        return page

    def row_object(self, row: int) -> R | None:
        if row < 0 or row >= self._total:
            return None
        page = self._page(row // self.PAGE_SIZE)
        i = row % self.PAGE_SIZE
        return page[i] if i < len(page) else None

    @property
    def sort_key(self) -> str:
        return self._sort_key

    @property
    def descending(self) -> bool:
        return self._descending

    # -- Qt model API ------------------------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and section < len(self.columns):
            return _(self.columns[section].title_msgid)
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        obj = self.row_object(index.row())
        if obj is None:
            return None
        col = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            v = col.value(obj)
            return "" if v is None else str(v)
        if role == Qt.ItemDataRole.TextAlignmentRole and col.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and col.foreground:
            return col.foreground(obj)
        if role == Qt.ItemDataRole.BackgroundRole and col.background:
            return col.background(obj)
        if role == Qt.ItemDataRole.ToolTipRole and col.tooltip:
            return col.tooltip(obj)
        if role == Qt.ItemDataRole.UserRole:
            return obj
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if column < 0 or column >= len(self.columns) or not self.columns[column].sortable:
            return
        self._sort_key = self.columns[column].key
        self._descending = order == Qt.SortOrder.DescendingOrder
        self.refresh()
