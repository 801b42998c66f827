"""The searchable customer list the customers window and the picker share: search as you type, paged from SQL."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...i18n import N_, _
from ...i18n import formats
from ..common.column_sizing import fit_columns
from ...models.customers import CREDIT_RATINGS
from ...services import customers
from ...services.customers import CustomerInfo
from ..common.paged_model import Column, PagedTableModel
from ..context import UiContext

SEARCH_DELAY_MS = 250
INACTIVE_COLOR = QColor("#8a8a8a")


def money_text(amount: Decimal, currency: str = "") -> str:
    text = formats.amount(Decimal(amount), currency)
    return f"{text} {currency}" if currency else text


def rating_label(rating: str) -> str:
    return _(CREDIT_RATINGS[rating]) if rating in CREDIT_RATINGS else rating


def _grey_if_inactive(c: CustomerInfo):
    return None if c.active else QBrush(INACTIVE_COLOR)


def _inactive_tooltip(c: CustomerInfo) -> str:
    return "" if c.active else _("Deactivated customer")


def customer_columns() -> list[Column[CustomerInfo]]:
    # The search orders by name in SQL; the columns therefore do not offer their own sorting.
    def col(key, title, value, align_right=False):
        return Column(key, title, value, align_right=align_right, sortable=False, foreground=_grey_if_inactive,
                      tooltip=_inactive_tooltip)

    return [
        col("code", N_("Code"), lambda c: c.code),
        col("name", N_("Customer name"), lambda c: c.name),
        col("name_en", N_("English name"), lambda c: c.name_en),
        col("contact_person", N_("Contact person"), lambda c: c.contact_person),
        col("phone", N_("Phone"), lambda c: c.phone),
        col("email", N_("E-mail"), lambda c: c.email),
        col("country", N_("Country"), lambda c: c.country),
        col("credit_rating", N_("Credit rating"), lambda c: rating_label(c.credit_rating)),
        col("credit_limit", N_("Credit limit"), lambda c: money_text(c.credit_limit, c.currency), True),
    ]


class CustomerList(QWidget):
    """Search box, 'show deactivated' switch and the table; double-click or Enter activates a customer."""

    sig_activated = Signal(object)          # CustomerInfo
    sig_selection_changed = Signal(object)  # CustomerInfo or None

    def __init__(self, ctx: UiContext, parent: QWidget | None = None, query: str = ""):
        super().__init__(parent)
        self.ctx = ctx
        self.search = QLineEdit(query)
        self.search.setObjectName("customer_search")
        self.search.setClearButtonEnabled(True)
        self.show_inactive = QCheckBox()
        self.show_inactive.setObjectName("customer_show_inactive")
        self.count_label = QLabel()
        self.count_label.setObjectName("customer_count")
        self.count_label.setStyleSheet("color: #5f6368;")
        self.table = QTableView()
        self.table.setObjectName("customer_table")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.model: PagedTableModel[CustomerInfo] = PagedTableModel(customer_columns(), self._fetch, self._count,
                                                                   self)
        self.table.setModel(self.model)
        self.column_fitter = fit_columns(self.table)
        header.setStretchLastSection(True)
        self._set_column_widths()

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.refresh)

        top = QHBoxLayout()
        top.setSpacing(10)
        top.addWidget(self.search, 1)
        top.addWidget(self.show_inactive)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)

        self.search.textChanged.connect(lambda _text: self._timer.start())
        self.search.returnPressed.connect(self._search_return)
        self.show_inactive.toggled.connect(lambda _on: self.refresh())
        self.table.doubleClicked.connect(lambda index: self._activate(index.row()))
        self.table.selectionModel().selectionChanged.connect(
            lambda *_a: self.sig_selection_changed.emit(self.selected_customer()))
        self.table.installEventFilter(self)
        ctx.bus.sig_customers_changed.connect(self.refresh)
        self.retranslate_ui()
        if self.model.rowCount() > 0:
            self.table.selectRow(0)

    # -- data ---------------------------------------------------------------------------------------------------
    def query(self) -> str:
        return self.search.text().strip()

    def _fetch(self, offset: int, limit: int, _sort_key: str, _descending: bool) -> list[CustomerInfo]:
        return customers.search_customers(self.ctx.db, self.query(), include_inactive=self.show_inactive.isChecked(),
                                          offset=offset, limit=limit)

    def _count(self) -> int:
        return customers.count_customers(self.ctx.db, self.query(), self.show_inactive.isChecked())

    def refresh(self, select_id: int | None = None) -> None:
        """Run the search now (the box waits a moment after each key so typing stays smooth)."""
        self._timer.stop()
        keep = select_id if select_id is not None else getattr(self.selected_customer(), "id", None)
        self.model.refresh()
        self._update_count()
        if keep is not None:
            self.select_id(keep)
        if not self.table.selectionModel().hasSelection() and self.model.rowCount() > 0:
            self.table.selectRow(0)
        self.sig_selection_changed.emit(self.selected_customer())

    def select_id(self, customer_id: int) -> bool:
        """Select the customer if it is among the first page of results (the usual case after saving it)."""
        for row in range(min(self.model.rowCount(), PagedTableModel.PAGE_SIZE)):
            info = self.model.row_object(row)
            if info is not None and info.id == customer_id:
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))
                return True
        return False

    def selected_customer(self) -> CustomerInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_object(rows[0].row()) if rows else None

    # -- presentation ------------------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.search.setPlaceholderText(_("Search by code, name, contact person, phone or e-mail…"))
        self.show_inactive.setText(_("Show &deactivated"))
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.model.columnCount() - 1)
        if self.model.rowCount():
            self.model.dataChanged.emit(self.model.index(0, 0),
                                        self.model.index(self.model.rowCount() - 1, self.model.columnCount() - 1))
        self._update_count()

    def _update_count(self) -> None:
        n = self.model.rowCount()
        if self.query():
            self.count_label.setText(_("{count} customers match “{query}”.", count=n, query=self.query()))
        else:
            self.count_label.setText(_("{count} customers.", count=n))

    def _set_column_widths(self) -> None:
        # Widths from typical values rather than from the rows, which may be 100,000 and are loaded by the page.
        typical = ("C000000", "周大福珠寶金行有限", "Chow Tai Fook Jewellery", "陳小姐陳小", "+852 2345 6789",
                   "orders@company.example", "Hong Kong", rating_label("D"), "2,000,000.00 HKD")
        metrics = self.table.fontMetrics()
        for column, sample in enumerate(typical):
            self.table.setColumnWidth(column, metrics.horizontalAdvance(sample) + 24)

    # -- keyboard ----------------------------------------------------------------------------------------------
    def _search_return(self) -> None:
        self.refresh()
        if self.model.rowCount() == 1:
            self._activate(0)
        elif self.model.rowCount() > 1:
            self.table.setFocus()

    def _activate(self, row: int) -> None:
        info = self.model.row_object(row)
        if info is not None:
            self.sig_activated.emit(info)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and event.type() == QEvent.Type.KeyPress:
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                rows = self.table.selectionModel().selectedRows()
                if rows:
                    self._activate(rows[0].row())
                return True
        return super().eventFilter(watched, event)
