"""Columns sized to what they show (amounts, names, workshop names, status texts), measured on a sample of rows."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QHeaderView, QTableView

# Rows measured per column: the first page is already loaded, so measuring never fetches more from the database.
SAMPLE_ROWS = 60
MAX_COLUMN_WIDTH = 360  # a long free text column is not allowed to push every other column out of sight


class ColumnFitter(QObject):
    """Sizes a table's columns to the header text and the widest of the first rows after every load and language
    switch. Columns stay user-resizable; a column given as `stretch` takes the width that is left."""

    def __init__(self, view: QTableView, stretch: int | None = None, max_width: int = MAX_COLUMN_WIDTH,
                 sample_rows: int = SAMPLE_ROWS):
        super().__init__(view)
        self.view = view
        self.stretch = stretch
        self.max_width = max_width
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        if stretch is not None:
            header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        for h in (header, view.verticalHeader()):
            h.setResizeContentsPrecision(sample_rows)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.fit)
        self._model = None
        self.watch_model()

    def watch_model(self) -> None:
        """Follow the view's current model (call again after setModel)."""
        model = self.view.model()
        if model is None or model is self._model:
            return
        self._model = model
        for signal in (model.modelReset, model.layoutChanged, model.headerDataChanged, model.rowsInserted):
            signal.connect(self.schedule)
        self.schedule()

    def schedule(self, *_args) -> None:
        self._timer.start()

    def fit(self) -> None:
        model = self.view.model()
        if model is None:
            return
        header = self.view.horizontalHeader()
        for column in range(model.columnCount()):
            if column == self.stretch or self.view.isColumnHidden(column):
                continue
            self.view.resizeColumnToContents(column)
            if header.sectionSize(column) > self.max_width:
                header.resizeSection(column, self.max_width)


def fit_columns(view: QTableView, stretch: int | None = None, max_width: int = MAX_COLUMN_WIDTH) -> ColumnFitter:
    fitter = ColumnFitter(view, stretch, max_width)
    fitter.fit()
    return fitter
