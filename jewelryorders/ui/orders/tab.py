"""The Orders tab: every order in a fast paged list with search and filters, and the actions on the chosen order."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QStyle,
    QTableView,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ... import clock
from ...i18n import _
from ...models.orders import CHANNELS, STAGES
from ...services.customers import CustomerInfo
from ...services.errors import DomainError
from ...services.orders import intake as orders
from ...services.orders import reads as order_reads
from ...services.orders.intake import OrderFilter, OrderRow
from ...services.orders.papers import confirmation_refusal
from ...services.permissions import allowed
from ...services.stages import EDITABLE_STAGES, OPEN_STAGES, TRANSITIONS, stage_label
from .. import operations
from ..context import UiContext
from .customer_choice import choose_customer
from .launch import open_order_form, open_order_window, run_external_action
from ..common.column_sizing import fit_columns
from .list_model import LATE_SOON_STAGES, OrderListModel

SEARCH_DELAY_MS = 250
# Saves elsewhere arrive in bursts (an import, a re-plan); one refresh answers the whole burst.
REFRESH_DELAY_MS = 150

ACTION_NEW = "orders.new"
ACTION_EDIT = "orders.edit"
ACTION_OPEN = "orders.open"
ACTION_SUBMIT = "orders.submit"
ACTION_CANCEL = "orders.cancel"
ACTION_REFRESH = "orders.refresh"
ACTION_IMPORT = "orders.import"
ACTION_EXPORT = "orders.export"
ACTION_PRINT = "orders.print_confirmation"
ACTION_STYLES = "orders.styles"

STAGES_OPEN = "open"
STAGES_ALL = "all"
STAGES_CHOSEN = "chosen"

DATE_ANY, DATE_ORDER, DATE_DELIVERY = "", "order_date", "delivery_date"


def ask_cancel_reason(parent: QWidget, order_no: str) -> str | None:
    """Cancelling needs a reason for the record (tests replace this function)."""
    text, ok = QInputDialog.getMultiLineText(parent, _("Cancel order {order_no}", order_no=order_no),
                                             _("Why is the order cancelled? (kept in the order's history)"))
    return text if ok else None


class _StickyMenu(QMenu):
    """Ticking several stages one after another without the menu closing after each tick."""

    def mouseReleaseEvent(self, event) -> None:
        action = self.activeAction()
        if action is not None and action.isCheckable() and action.isEnabled():
            action.trigger()
            return
        super().mouseReleaseEvent(event)


class _OrderTable(QTableView):
    sig_open_current = Signal()

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.sig_open_current.emit()
            return
        super().keyPressEvent(event)


class OrdersTab(QWidget):
    sig_badge = Signal(str)          # late open orders, shown on the tab

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._customer: CustomerInfo | None = None
        self._stage_mode = STAGES_OPEN
        self._chosen_stages: set[str] = set()
        self._build()
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filter)
        self.search_edit.textChanged.connect(lambda _t: self._search_timer.start())
        # Bound methods (not lambdas): Qt drops the connection when the tab is destroyed, the bus lives on.
        ctx.bus.sig_order_changed.connect(self._something_changed)
        ctx.bus.sig_orders_changed.connect(self._something_changed)
        ctx.bus.sig_planning_changed.connect(self._something_changed)
        ctx.bus.sig_customers_changed.connect(self._something_changed)
        ctx.bus.sig_open_order.connect(self.open_order)
        self.retranslate_ui()
        self.apply_filter()
        # The main window connects sig_badge after building the tab; the first count goes out once it listens.
        QTimer.singleShot(0, self._update_badge)

    # -- layout -----------------------------------------------------------------------------------------------
    def _build(self) -> None:
        style = self.style()
        self.toolbar = QToolBar()
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.actions_by_id: dict[str, QAction] = {}

        def action(key: str, icon: QStyle.StandardPixmap | None, handler, shortcut=None) -> QAction:
            a = QAction(self)
            if icon is not None:
                a.setIcon(style.standardIcon(icon))
            if shortcut is not None:
                a.setShortcut(shortcut)
                a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            a.triggered.connect(lambda _checked=False: handler())
            self.actions_by_id[key] = a
            self.addAction(a)
            return a

        sp = QStyle.StandardPixmap
        self.toolbar.addAction(action(ACTION_NEW, sp.SP_FileIcon, self.new_order, QKeySequence.StandardKey.New))
        self.toolbar.addAction(action(ACTION_OPEN, sp.SP_FileDialogContentsView, self.open_current))
        self.toolbar.addAction(action(ACTION_EDIT, sp.SP_FileDialogDetailedView, self.edit_current))
        self.toolbar.addAction(action(ACTION_SUBMIT, sp.SP_DialogApplyButton, self.submit_current))
        self.toolbar.addAction(action(ACTION_CANCEL, sp.SP_DialogCancelButton, self.cancel_current))
        self.toolbar.addSeparator()
        self.toolbar.addAction(action(ACTION_PRINT, None, self.print_current))
        self.toolbar.addAction(action(ACTION_IMPORT, None, self.import_orders))
        self.toolbar.addAction(action(ACTION_EXPORT, None, self.export_orders))
        self.toolbar.addAction(action(ACTION_STYLES, None, self.open_styles))
        self.toolbar.addSeparator()
        self.toolbar.addAction(action(ACTION_REFRESH, sp.SP_BrowserReload, self.refresh,
                                      QKeySequence.StandardKey.Refresh))

        self.search_edit = QLineEdit()
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(260)
        self.stage_button = QPushButton()
        self.stage_menu = _StickyMenu(self.stage_button)
        self.stage_button.setMenu(self.stage_menu)
        self.channel_combo = QComboBox()
        self.customer_button = QPushButton()
        self.customer_button.clicked.connect(self.choose_customer_filter)
        self.customer_clear = QToolButton()
        self.customer_clear.setText("✕")
        self.customer_clear.clicked.connect(lambda: self.set_customer_filter(None))
        self.date_field_combo = QComboBox()
        self.date_from = QDateEdit()
        self.date_to = QDateEdit()
        today = clock.today()
        for edit, day in ((self.date_from, today - dt.timedelta(days=30)),
                          (self.date_to, today + dt.timedelta(days=90))):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(QDate(day.year, day.month, day.day))
            edit.dateChanged.connect(lambda _d: self._search_timer.start())
        self.date_dash = QLabel("–")
        self.clear_button = QPushButton()
        self.clear_button.clicked.connect(self.clear_filters)
        self.count_label = QLabel()
        self.count_label.setStyleSheet("font-weight: bold;")

        filters = QHBoxLayout()
        filters.setSpacing(6)
        filters.addWidget(self.search_edit, 2)
        filters.addWidget(self.stage_button)
        filters.addWidget(self.channel_combo)
        filters.addWidget(self.customer_button)
        filters.addWidget(self.customer_clear)
        filters.addSpacing(6)
        filters.addWidget(self.date_field_combo)
        filters.addWidget(self.date_from)
        filters.addWidget(self.date_dash)
        filters.addWidget(self.date_to)
        filters.addWidget(self.clear_button)
        filters.addStretch(1)
        filters.addWidget(self.count_label)

        self.model = OrderListModel(self.ctx.db, parent=self, risk_provider=self._forecast_risk)
        self.model.sig_load_failed.connect(self.ctx.bus.sig_status_message)
        self.model.modelReset.connect(self._after_reload)
        self.table = _OrderTable()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        # Fixed row heights: the view never measures rows, so scrolling 100,000 orders loads only what shows.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        header.setSortIndicatorShown(True)
        header.setSectionsClickable(True)
        header.sortIndicatorChanged.connect(self.model.sort)
        header.setHighlightSections(False)
        # Sized to the header and the first page's rows after each load; the customer column takes what is left.
        self.column_fitter = fit_columns(self.table, stretch=2)
        self.table.doubleClicked.connect(lambda index: self.open_row(index.row()))
        self.table.sig_open_current.connect(self.open_current)
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self._update_actions())
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.toolbar)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)

        self.channel_combo.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.date_field_combo.currentIndexChanged.connect(self._date_field_changed)

    def _forecast_risk(self, order_ids):
        """The planning forecast's verdict for the rows on screen, in words for the tooltip."""
        from ...services.planning.forecast import projected_late

        return {order_id: (_("Projected to finish {days} days late", days=days) if days > 0 else
                           _("Projected to finish less than two days before delivery"))
                for order_id, days in projected_late(self.ctx.db, order_ids).items()}

    def retranslate_ui(self) -> None:
        names = {
            ACTION_NEW: (_("New order"), _("Type a new order (Ctrl+N)")),
            ACTION_OPEN: (_("Open order"), _("Show the order with its lines, attachments and history (Enter)")),
            ACTION_EDIT: (_("Edit"), _("Change the order; possible until the review is done")),
            ACTION_SUBMIT: (_("Submit for review"), _("Send the draft to the preliminary review")),
            ACTION_CANCEL: (_("Cancel order"), _("Cancel the order, with a reason")),
            ACTION_PRINT: (_("Print confirmation"), _("Print the order confirmation for the customer")),
            ACTION_IMPORT: (_("Import…"), _("Import orders from an Excel workbook")),
            ACTION_EXPORT: (_("Export…"), _("Export the orders in the list to an Excel workbook")),
            ACTION_STYLES: (_("Styles…"), _("The styles and what an order line of each starts with")),
            ACTION_REFRESH: (_("Refresh"), _("Read the list again from the database (F5)")),
        }
        for key, (text, tip) in names.items():
            self.actions_by_id[key].setText(text)
            self.actions_by_id[key].setToolTip(tip)
        self.search_edit.setPlaceholderText(_("Search order no., customer or style…"))
        self._fill_stage_menu()
        channel = self.channel_combo.currentData()
        self.channel_combo.blockSignals(True)
        self.channel_combo.clear()
        self.channel_combo.addItem(_("All channels"), "")
        for key, msgid in CHANNELS.items():
            self.channel_combo.addItem(_(msgid), key)
        self.channel_combo.setCurrentIndex(max(0, self.channel_combo.findData(channel or "")))
        self.channel_combo.blockSignals(False)
        date_field = self.date_field_combo.currentData()
        self.date_field_combo.blockSignals(True)
        self.date_field_combo.clear()
        self.date_field_combo.addItem(_("Any date"), DATE_ANY)
        self.date_field_combo.addItem(_("Order date"), DATE_ORDER)
        self.date_field_combo.addItem(_("Delivery date"), DATE_DELIVERY)
        self.date_field_combo.setCurrentIndex(max(0, self.date_field_combo.findData(date_field or DATE_ANY)))
        self.date_field_combo.blockSignals(False)
        self._date_field_changed(refresh=False)
        self.clear_button.setText(_("Clear filters"))
        self.customer_clear.setToolTip(_("All customers"))
        self._show_customer()
        self._show_stage_choice()
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.model.columnCount() - 1)
        self._update_count()
        self._update_actions()

    # -- filters ----------------------------------------------------------------------------------------------
    def _fill_stage_menu(self) -> None:
        self.stage_menu.clear()
        for text, mode in ((_("All open orders"), STAGES_OPEN), (_("All stages"), STAGES_ALL)):
            preset = self.stage_menu.addAction(text)
            preset.triggered.connect(lambda _c=False, m=mode: self.set_stage_filter(m))
        self.stage_menu.addSeparator()
        self.stage_actions: dict[str, QAction] = {}
        for key, msgid in STAGES.items():
            a = self.stage_menu.addAction(_(msgid))
            a.setCheckable(True)
            a.setChecked(self._stage_mode == STAGES_CHOSEN and key in self._chosen_stages)
            a.toggled.connect(lambda on, k=key: self._stage_toggled(k, on))
            self.stage_actions[key] = a

    def set_stage_filter(self, mode: str, chosen: set[str] | None = None) -> None:
        self._stage_mode = mode
        self._chosen_stages = set(chosen or ())
        for key, a in self.stage_actions.items():
            a.blockSignals(True)
            a.setChecked(mode == STAGES_CHOSEN and key in self._chosen_stages)
            a.blockSignals(False)
        self._show_stage_choice()
        self.apply_filter()

    def _stage_toggled(self, key: str, on: bool) -> None:
        chosen = set(self._chosen_stages) if self._stage_mode == STAGES_CHOSEN else set()
        (chosen.add if on else chosen.discard)(key)
        self.set_stage_filter(STAGES_CHOSEN if chosen else STAGES_OPEN, chosen)

    def _show_stage_choice(self) -> None:
        if self._stage_mode == STAGES_OPEN:
            text = _("Stage: all open")
        elif self._stage_mode == STAGES_ALL:
            text = _("Stage: all")
        elif len(self._chosen_stages) <= 2:
            names = [stage_label(k) for k in STAGES if k in self._chosen_stages]
            text = _("Stage: {stages}", stages=", ".join(names))
        else:
            text = _("Stage: {n} chosen", n=len(self._chosen_stages))
        self.stage_button.setText(text)

    def _stages(self) -> tuple[str, ...]:
        if self._stage_mode == STAGES_OPEN:
            return tuple(OPEN_STAGES)
        if self._stage_mode == STAGES_CHOSEN:
            return tuple(k for k in STAGES if k in self._chosen_stages)
        return ()

    def choose_customer_filter(self) -> None:
        chosen = choose_customer(self.ctx, self)
        if chosen is not None:
            self.set_customer_filter(chosen)

    def set_customer_filter(self, customer: CustomerInfo | None) -> None:
        self._customer = customer
        self._show_customer()
        self.apply_filter()

    def _show_customer(self) -> None:
        if self._customer is None:
            self.customer_button.setText(_("Customer: all"))
            self.customer_clear.setVisible(False)
        else:
            name = self._customer.name if len(self._customer.name) <= 24 else self._customer.name[:23] + "…"
            self.customer_button.setText(_("Customer: {name}", name=name))
            self.customer_button.setToolTip(self._customer.label)
            self.customer_clear.setVisible(True)

    def _date_field_changed(self, *_args, refresh: bool = True) -> None:
        on = bool(self.date_field_combo.currentData())
        for w in (self.date_from, self.date_to, self.date_dash):
            w.setVisible(on)
        if refresh:
            self.apply_filter()

    def current_filter(self) -> OrderFilter:
        date_field = self.date_field_combo.currentData() or DATE_ANY
        return OrderFilter(
            search=self.search_edit.text().strip(),
            stages=self._stages(),
            channels=(self.channel_combo.currentData(),) if self.channel_combo.currentData() else (),
            customer_id=self._customer.id if self._customer else None,
            date_field=date_field or DATE_ORDER,
            date_from=self.date_from.date().toPython() if date_field else None,
            date_to=self.date_to.date().toPython() if date_field else None,
            sort=self.model.sort_key,
            descending=self.model.descending,
        )

    def apply_filter(self) -> None:
        self._search_timer.stop()
        selected = self.selected_row()
        self.model.set_filter(self.current_filter())
        self._reselect(selected)

    def clear_filters(self) -> None:
        for w in (self.search_edit, self.channel_combo, self.date_field_combo):
            w.blockSignals(True)
        self.search_edit.clear()
        self.channel_combo.setCurrentIndex(0)
        self.date_field_combo.setCurrentIndex(0)
        for w in (self.search_edit, self.channel_combo, self.date_field_combo):
            w.blockSignals(False)
        self._date_field_changed(refresh=False)
        self._customer = None
        self._show_customer()
        self.set_stage_filter(STAGES_OPEN)

    # -- refreshing -------------------------------------------------------------------------------------------
    def _something_changed(self, *_args) -> None:
        self._refresh_timer.start()

    def refresh(self) -> None:
        """Read the list again, keeping the chosen order selected when it is still on the same page."""
        self._refresh_timer.stop()
        selected = self.selected_row()
        self.model.refresh()
        self._reselect(selected)

    def _reselect(self, previous: tuple[int, OrderRow] | None) -> None:
        if previous is None:
            return
        old_row, old = previous
        page = self.model.PAGE_SIZE
        start = max(0, old_row - page // 2)
        for row in range(start, min(self.model.rowCount(), start + page)):
            obj = self.model.row_object(row)
            if obj is not None and obj.id == old.id:
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))
                return

    def _after_reload(self) -> None:
        self._update_count()
        self._update_actions()
        self._update_badge()

    def _update_count(self) -> None:
        n = self.model.rowCount()
        self.count_label.setText(_("1 order") if n == 1 else _("{count} orders", count=f"{n:,}"))

    def _update_badge(self) -> None:
        """The tab shows how many open orders are past their delivery date."""
        late = OrderFilter(stages=tuple(LATE_SOON_STAGES), date_field=DATE_DELIVERY,
                           date_to=clock.today() - dt.timedelta(days=1))
        try:
            n = order_reads.count_list_orders(self.ctx.db, late)
        except DomainError:
            return
        self.sig_badge.emit(str(n) if n else "")

    # -- the chosen order -------------------------------------------------------------------------------------
    def selected_row(self) -> tuple[int, OrderRow] | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        obj = self.model.row_object(index.row())
        return (index.row(), obj) if obj is not None else None

    def selected_order(self) -> OrderRow | None:
        selected = self.selected_row()
        return selected[1] if selected else None

    def _update_actions(self) -> None:
        row = self.selected_order()
        actor = self.ctx.actor
        stage = row.stage if row else None
        enable = {
            ACTION_NEW: allowed(actor, "orders.edit"),
            ACTION_OPEN: row is not None,
            ACTION_EDIT: row is not None and stage in EDITABLE_STAGES and allowed(actor, "orders.edit"),
            ACTION_SUBMIT: row is not None and stage == "draft" and allowed(actor, "orders.submit"),
            ACTION_CANCEL: row is not None and "cancelled" in TRANSITIONS.get(stage, set())
            and allowed(actor, "orders.cancel"),
            ACTION_PRINT: row is not None and confirmation_refusal(row.order_no, row.stage) is None,
            ACTION_IMPORT: allowed(actor, "orders.edit"),
            ACTION_EXPORT: True,
            ACTION_STYLES: True,  # all may look; saving needs the right to edit styles
            ACTION_REFRESH: True,
        }
        for key, on in enable.items():
            self.actions_by_id[key].setEnabled(on)
        # A disabled Print says why: the confirmation exists only for a contracted order.
        refusal = confirmation_refusal(row.order_no, row.stage) if row is not None else None
        self.actions_by_id[ACTION_PRINT].setToolTip(refusal or _("Print the order confirmation for the customer"))

    def _context_menu(self, pos) -> None:
        index = self.table.indexAt(pos)
        if index.isValid():
            self.table.selectRow(index.row())
        menu = QMenu(self)
        for key in (ACTION_OPEN, ACTION_EDIT, ACTION_SUBMIT, ACTION_CANCEL, ACTION_PRINT):
            menu.addAction(self.actions_by_id[key])
        menu.addSeparator()
        menu.addAction(self.actions_by_id[ACTION_NEW])
        menu.exec(self.table.viewport().mapToGlobal(pos))

    def open_row(self, row: int) -> None:
        obj = self.model.row_object(row)
        if obj is not None:
            self.open_order(obj.id)

    def open_current(self) -> None:
        row = self.selected_order()
        if row is not None:
            self.open_order(row.id)

    def open_order(self, order_id: int) -> QWidget:
        return open_order_window(self.ctx, order_id, self.window())

    def new_order(self) -> QWidget:
        return open_order_form(self.ctx, None, self.window())

    def edit_current(self) -> QWidget | None:
        row = self.selected_order()
        if row is None:
            return None
        return open_order_form(self.ctx, row.id, self.window())

    def submit_current(self) -> None:
        row = self.selected_order()
        if row is None:
            return
        result = operations.run(self.ctx, self, lambda: orders.submit_for_review(self.ctx.db, self.ctx.actor, row.id),
                                success=_("Order {order_no} submitted for review.", order_no=row.order_no))
        if result is not None:
            self.ctx.bus.sig_order_changed.emit(row.id)

    def cancel_current(self) -> None:
        row = self.selected_order()
        if row is None:
            return
        reason = ask_cancel_reason(self, row.order_no)
        if reason is None:
            return
        result = operations.run(self.ctx, self, lambda: orders.cancel_order(self.ctx.db, self.ctx.actor, row.id,
                                                                            reason),
                                success=_("Order {order_no} cancelled.", order_no=row.order_no))
        if result is not None:
            self.ctx.bus.sig_order_changed.emit(row.id)

    def print_current(self) -> None:
        row = self.selected_order()
        if row is not None:
            run_external_action(self.ctx, "actions_print", "print_confirmation", self, row.id)

    def open_styles(self) -> None:
        from ..styles.window import open_styles_window

        self.styles_window = open_styles_window(self.ctx, self)

    def import_orders(self) -> None:
        run_external_action(self.ctx, "actions_import", "import_orders", self)

    def export_orders(self) -> None:
        run_external_action(self.ctx, "actions_export", "export_orders", self, self.model.order_filter)
