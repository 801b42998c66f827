"""The order list's table model: paged SQL queries, days to delivery marked late or at risk, a hook for the forecast."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Callable, Mapping, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from ... import clock
from ...db import Database
from ...i18n import N_, _, ngettext
from ...services.errors import DomainError
from ...services.orders import reads as order_reads
from ...services.orders.intake import OrderFilter, OrderRow
from ...services.stages import OPEN_STAGES, stage_label
from ..common.paged_model import Column, PagedTableModel

# Days to delivery at or below which an order still in production or earlier counts as at risk.
AT_RISK_DAYS = 7
# Once the goods have left (or the order ended) days to delivery no longer mean anything to the clerk.
NOT_COUNTING_STAGES = frozenset({"shipped", "delivered", "closed", "abandoned", "cancelled"})
# From final QC on, a week is enough to inspect, pack and ship, so a near date alone is no risk.
FINISHING_STAGES = frozenset({"final_qc", "ready_to_ship", "partly_shipped"})
LATE_SOON_STAGES = [s for s in OPEN_STAGES if s not in NOT_COUNTING_STAGES]

LATE, AT_RISK, ON_TRACK, NOT_COUNTING = "late", "at_risk", "on_track", "not_counting"
DAYS_COLUMN = 7

LATE_TEXT = QColor("#b71c1c")
LATE_BACKGROUND = QColor("#fdecea")
AT_RISK_TEXT = QColor("#8a5300")
AT_RISK_BACKGROUND = QColor("#fff3d6")
MUTED_TEXT = QColor("#8a8a8a")

# order ids -> {order id: why it is at risk}; the planning forecast plugs in here, ids missing mean "no opinion".
RiskProvider = Callable[[Sequence[int]], Mapping[int, str]]


def overdue_text(days: int) -> str:
    """A delivery date that has passed reads as overdue, never as a negative count of days left."""
    return ngettext("Overdue {n} day", "Overdue {n} days", days, n=f"{days:,}")


@dataclass(frozen=True)
class DeliveryStatus:
    days: int | None        # delivery date minus today; None when there is no delivery date
    state: str              # LATE, AT_RISK, ON_TRACK, NOT_COUNTING or "" (no date)
    reason: str = ""        # why, in the clerk's words (tooltip)


def delivery_status(stage: str, delivery_date: dt.date | None, today: dt.date,
                    forecast_risk: str = "") -> DeliveryStatus:
    """Late: the date has passed and the goods have not left. At risk: the forecast says so, or the date is
    at most AT_RISK_DAYS away while the order has not reached final QC."""
    if delivery_date is None:
        return DeliveryStatus(None, "")
    days = (delivery_date - today).days
    if stage in NOT_COUNTING_STAGES:
        return DeliveryStatus(days, NOT_COUNTING)
    if days < 0:
        return DeliveryStatus(days, LATE, _("Late by {n} days: the delivery date {date} has passed.", n=-days,
                                            date=delivery_date.isoformat()))
    if forecast_risk:
        return DeliveryStatus(days, AT_RISK, forecast_risk)
    if days <= AT_RISK_DAYS and stage not in FINISHING_STAGES:
        if days == 0:
            reason = _("Due today and not yet in final QC.")
        else:
            reason = _("Due in {n} days and not yet in final QC.", n=days)
        return DeliveryStatus(days, AT_RISK, reason)
    return DeliveryStatus(days, ON_TRACK)


def default_filter() -> OrderFilter:
    """What a clerk sees first: every open order, newest first."""
    return OrderFilter(stages=tuple(OPEN_STAGES), sort="order_no", descending=True)


class OrderListModel(PagedTableModel[OrderRow]):
    """All orders matching a filter; only the pages scrolled into view are queried."""

    sig_load_failed = Signal(str)

    def __init__(self, db: Database, order_filter: OrderFilter | None = None, *,
                 today: Callable[[], dt.date] = clock.today, risk_provider: RiskProvider | None = None,
                 parent=None):
        self._db = db
        self._filter = order_filter or default_filter()
        self._today_source = today
        self._today = today()
        self._risk_provider = risk_provider
        self._risk: dict[int, str] = {}
        columns = [
            Column("order_no", N_("Order no."), lambda r: r.order_no),
            Column("customer", N_("Customer"), lambda r: r.customer_name),
            Column("style", N_("Styles"), lambda r: r.style_summary, tooltip=lambda r: r.style_summary),
            Column("quantity", N_("Quantity"), lambda r: f"{r.total_quantity:,}", align_right=True),
            Column("order_date", N_("Order date"), lambda r: r.order_date.isoformat()),
            Column("delivery_date", N_("Delivery date"),
                   lambda r: r.delivery_date.isoformat() if r.delivery_date else ""),
            Column("stage", N_("Stage"), lambda r: stage_label(r.stage)),
            # Days to delivery order exactly as the delivery date does, so the SQL sort is the delivery date's.
            Column("delivery_date", N_("Days to delivery"), self._days_text, align_right=True,
                   foreground=self._days_foreground, background=self._days_background, tooltip=self._days_tooltip),
            Column("owner", N_("Owner"), lambda r: r.owner),
        ]
        super().__init__(columns, self._fetch_page, self._count_rows, parent)
        self._sort_key = self._filter.sort
        self._descending = self._filter.descending

    # -- the query ---------------------------------------------------------------------------------------------
    @property
    def order_filter(self) -> OrderFilter:
        """The filter with the model's current sort, as an export of "what I see" needs it."""
        return replace(self._filter, sort=self.sort_key, descending=self.descending)

    def set_filter(self, order_filter: OrderFilter) -> None:
        """Filter and sort as the filter says (the tab hands back the sort the header shows)."""
        self._filter = order_filter
        self._sort_key, self._descending = order_filter.sort, order_filter.descending
        self.refresh()

    def set_risk_provider(self, provider: RiskProvider | None) -> None:
        self._risk_provider = provider
        self.refresh()

    def refresh(self) -> None:
        # Re-read today's date too, so a list left open overnight counts the days from the new day.
        self._today = self._today_source()
        self._risk = {}
        super().refresh()

    def _fetch_page(self, offset: int, limit: int, sort_key: str, descending: bool) -> list[OrderRow]:
        f = replace(self._filter, sort=sort_key, descending=descending)
        try:
            rows = order_reads.query_list_orders(self._db, f, offset, limit, matching=self._total)
            if self._risk_provider is not None and rows:
                self._risk.update(self._risk_provider([r.id for r in rows]))
        except DomainError as exc:
            self.sig_load_failed.emit(str(exc))
            return []
        return rows

    def _count_rows(self) -> int:
        try:
            return order_reads.count_list_orders(self._db, self._filter)
        except DomainError as exc:
            self.sig_load_failed.emit(str(exc))
            return 0

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        # A late order's days are bold as well as red, so they stand out on a selected or striped row too.
        if role == Qt.ItemDataRole.FontRole and index.isValid() and index.column() == DAYS_COLUMN:
            row = self.row_object(index.row())
            if row is not None and self.status_of(row).state == LATE:
                font = QFont()
                font.setBold(True)
                return font
            return None
        return super().data(index, role)

    def cached_page_numbers(self) -> list[int]:
        return sorted(self._pages)

    # -- days to delivery --------------------------------------------------------------------------------------
    def status_of(self, row: OrderRow) -> DeliveryStatus:
        return delivery_status(row.stage, row.delivery_date, self._today, self._risk.get(row.id, ""))

    def _days_text(self, row: OrderRow) -> str:
        status = self.status_of(row)
        if status.days is None or status.state == NOT_COUNTING:
            return ""
        if status.days < 0:
            return overdue_text(-status.days)
        return f"{status.days:,}"

    def _days_foreground(self, row: OrderRow):
        state = self.status_of(row).state
        if state == LATE:
            return QBrush(LATE_TEXT)
        if state == AT_RISK:
            return QBrush(AT_RISK_TEXT)
        return None

    def _days_background(self, row: OrderRow):
        state = self.status_of(row).state
        if state == LATE:
            return QBrush(LATE_BACKGROUND)
        if state == AT_RISK:
            return QBrush(AT_RISK_BACKGROUND)
        return None

    def _days_tooltip(self, row: OrderRow) -> str:
        status = self.status_of(row)
        if status.state == NOT_COUNTING:
            return _("{stage}: no longer counting days to delivery.", stage=stage_label(row.stage))
        return status.reason
