"""The Planning tab's list of orders to plan: contracted, planned and in production, with their plan and risk."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...i18n import N_, _
from ..common.column_sizing import fit_columns
from ...models.planning import PLAN_STATUSES
from ...services.planning import plans as plan_service
from ...services.stages import stage_label
from ..common.paged_model import Column, PagedTableModel
from ..context import UiContext

LATE_TEXT = QColor("#b42318")
LATE_BACKGROUND = QColor("#fde2e1")

# key -> (label msgid, stages)
STAGE_FILTERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "all": (N_("All in planning"), ("contracted", "planned", "in_production")),
    "contracted": (N_("To plan (contracted)"), ("contracted",)),
    "planned": (N_("Planned"), ("planned",)),
    "in_production": (N_("In production"), ("in_production",)),
}


def _plan_text(row: plan_service.PlanningOrderRow) -> str:
    if row.plan_status is None:
        return _("no plan")
    return _("v{version} {status}", version=row.plan_version, status=_(PLAN_STATUSES[row.plan_status]))


def _late_text(row: plan_service.PlanningOrderRow) -> str:
    if row.days_late:
        return _("{days} d late", days=row.days_late)
    return ""


class OrderList(QWidget):
    sig_selected = Signal(object)  # order id or None

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.filter = plan_service.PlanningOrderFilter()
        self.search = QLineEdit()
        self.search.setObjectName("planning_search")
        self.search.setClearButtonEnabled(True)
        self.stage = QComboBox()
        self.stage.setObjectName("planning_stage_filter")
        self.only_late = QCheckBox()
        self.only_late.setObjectName("planning_only_late")
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.stage.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.only_late.toggled.connect(lambda _b: self.apply_filter())

        late = lambda r: LATE_TEXT if r.days_late else None  # noqa: E731
        late_bg = lambda r: LATE_BACKGROUND if r.days_late else None  # noqa: E731
        self.model = PagedTableModel([
            Column("order_no", N_("Order no."), lambda r: r.order_no, foreground=late),
            Column("customer", N_("Customer"), lambda r: r.customer),
            Column("delivery_date", N_("Delivery"), lambda r: r.delivery_date.isoformat() if r.delivery_date else ""),
            Column("days_late", N_("At risk"), _late_text, foreground=late, background=late_bg,
                   tooltip=lambda r: _("Projected finish {date}", date=r.projected_finish.isoformat())
                   if r.projected_finish else ""),
            Column("plan", N_("Plan"), _plan_text),
            Column("stage", N_("Stage"), lambda r: stage_label(r.stage)),
            Column("priority", N_("Priority"), lambda r: r.priority, align_right=True),
        ], self._fetch, self._count)
        self.model.sort(2, Qt.SortOrder.AscendingOrder)
        self.table = QTableView()
        self.table.setObjectName("planning_orders")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(2, Qt.SortOrder.AscendingOrder)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.column_fitter = fit_columns(self.table)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self.sig_selected.emit(self.selected_id()))

        filters = QHBoxLayout()
        filters.addWidget(self.stage, 1)
        filters.addWidget(self.only_late)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.search.setPlaceholderText(_("Search order no., customer, style"))
        self.only_late.setText(_("At risk only"))
        current = self.stage.currentData() or "all"
        self.stage.blockSignals(True)
        self.stage.clear()
        for key, (label, _stages) in STAGE_FILTERS.items():
            self.stage.addItem(_(label), key)
        self.stage.setCurrentIndex(max(0, self.stage.findData(current)))
        self.stage.blockSignals(False)
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.model.columns) - 1)

    def _fetch(self, offset: int, limit: int, sort_key: str, descending: bool):
        f = plan_service.PlanningOrderFilter(self.filter.search, self.filter.stages, self.filter.only_late,
                                             sort_key, descending)
        return plan_service.query_planning_orders(self.ctx.db, f, offset, limit)

    def _count(self) -> int:
        return plan_service.count_planning_orders(self.ctx.db, self.filter)

    def apply_filter(self) -> None:
        stages = STAGE_FILTERS.get(self.stage.currentData() or "all", STAGE_FILTERS["all"])[1]
        self.filter = plan_service.PlanningOrderFilter(self.search.text(), stages, self.only_late.isChecked())
        self.refresh()

    def selected_id(self) -> int | None:
        index = self.table.currentIndex()
        row = self.model.row_object(index.row()) if index.isValid() else None
        return row.order_id if row is not None else None

    def selected_row(self) -> plan_service.PlanningOrderRow | None:
        index = self.table.currentIndex()
        return self.model.row_object(index.row()) if index.isValid() else None

    def select_order(self, order_id: int) -> bool:
        """Select an order's row if it is among the first rows (the planning queue is short)."""
        for row in range(min(self.model.rowCount(), 2000)):
            obj = self.model.row_object(row)
            if obj is not None and obj.order_id == order_id:
                self.table.selectionModel().setCurrentIndex(
                    self.model.index(row, 0),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
                self.table.scrollTo(self.model.index(row, 0))
                return True
        return False

    def refresh(self) -> None:
        current = self.selected_id()
        self.table.selectionModel().blockSignals(True)
        self.model.refresh()
        self.table.selectionModel().blockSignals(False)
        if current is not None and self.select_order(current):
            return
        self.sig_selected.emit(self.selected_id())
