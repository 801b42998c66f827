"""The four views of the Review tab: preliminary review, a department's inbox, review rounds, escalations."""

from __future__ import annotations

import html
import tempfile
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt, QUrl, Signal
from PySide6.QtGui import QColor, QDesktopServices
from PySide6.QtWidgets import (
    QFrame,
    QScrollArea,
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ... import clock
from ...i18n import N_, _, current_language
from ...models.reviews import DECISIONS, FEASIBILITY, LEVELS, VERDICTS
from ...models.users import DEPARTMENTS
from ...services.orders import intake as order_service
from ...services.permissions import allowed
from ...services.review import policy as price_policy
from ...services.review import procedure as review_service
from ...services.review import queries
from ...services.stages import stage_label
from .. import operations
from ..common.column_sizing import fit_columns
from ..common.paged_model import Column, PagedTableModel
from ..context import UiContext
from .dialogs import (
    AmountDialog,
    ContractDialog,
    NegotiationDialog,
    PricePolicyDialog,
    ReasonDialog,
    SendToDepartmentsDialog,
)
from .panels import HistoryBrowser, OrderDetailsPanel, checks_html, local_time, money
from .production import ProductionProposalPanel

# The reviewer's judgement of the style and craft requirements; the first entry is where every order starts.
CRAFT_CHOICES: dict[bool | None, str] = {
    None: N_("Not judged yet"),
    True: N_("Clear"),
    False: N_("Too complex"),
}

OVERDUE_BACKGROUND = QColor("#fde2e1")
OVERDUE_TEXT = QColor("#b42318")


def open_file(path: Path) -> None:
    """Hand a written paper to the system's viewer (tests replace this)."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def print_review_report(ctx: UiContext, parent: QWidget, order_id: int) -> Path | None:
    """Write the order's review report to a temporary PDF in the user's language and open it."""
    from ...reports.review_report import write_review_report
    from ...services.documents import file_printed_paper
    from ...services.review.report import review_report_data

    lang = current_language()

    def write() -> Path:
        data = review_report_data(ctx.db, order_id, lang)
        folder = Path(tempfile.mkdtemp(prefix="jewelryorders-"))
        written = write_review_report(data, folder / f"{data.order.order_no}-review.pdf", lang=lang,
                                     printed_by=ctx.actor.display_name,
                                     printed_at=clock.now())
        file_printed_paper(ctx.db, ctx.actor, written, category="review_report", order_id=order_id)
        return written

    path = operations.run(ctx, parent, write, success=_("Review report written"))
    if path is not None:
        open_file(path)
    return path


def _table(model: PagedTableModel, widths: list[int]) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setSortingEnabled(True)
    view.horizontalHeader().setSortIndicatorShown(True)
    view.horizontalHeader().setStretchLastSection(True)
    view.verticalHeader().setVisible(False)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    # Sized to the header and a sample of the first page's rows (never every page of a long list); the widths
    # given are where the columns start before the first load.
    for column, width in enumerate(widths):
        view.setColumnWidth(column, width)
    view.column_fitter = fit_columns(view)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class _ListView(QWidget):
    """A paged list on the left and the selected order's panel on the right."""

    sig_changed = Signal(int)  # an order's review changed
    COLUMN_WIDTHS: list[int] = []

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = self._make_model()
        self.table = _table(self.model, self.COLUMN_WIDTHS)
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self._on_select())
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.table)
        self.splitter.setChildrenCollapsible(False)

    def _make_model(self) -> PagedTableModel:
        raise TypeError(f"{type(self).__name__} must build its list's model")

    def selected(self):
        index = self.table.currentIndex()
        return self.model.row_object(index.row()) if index.isValid() else None

    def select_order(self, order_id: int) -> bool:
        """Select the row of an order (first pages only: the lists are short work queues)."""
        for row in range(min(self.model.rowCount(), 1000)):
            obj = self.model.row_object(row)
            if obj is not None and obj.order_id == order_id:
                self.table.selectionModel().setCurrentIndex(
                    self.model.index(row, 0),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
                return True
        return False

    def refresh(self) -> None:
        current = self.selected()
        self.model.refresh()
        if current is None or not self.select_order(current.order_id):
            self._on_select()

    def _on_select(self) -> None:
        raise TypeError(f"{type(self).__name__} must show the selected order")

    def _changed(self, order_id: int) -> None:
        self.sig_changed.emit(order_id)

    def print_report(self) -> None:
        """The review report of the selected order, whichever list it is chosen from."""
        row = self.selected()
        if row is not None:
            print_review_report(self.ctx, self, row.order_id)


# ---- preliminary review ---------------------------------------------------------------------------------------

class PreliminaryView(_ListView):
    """Orders waiting for sales: the computed checks, the craft and price judgement, and the outcome buttons."""

    COLUMN_WIDTHS = [120, 130, 95, 120, 230, 120]

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.title = QLabel()
        self.title.setObjectName("preliminary_title")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.checks_group = QGroupBox()
        self.checks = QLabel()
        self.checks.setObjectName("checks")
        self.checks.setWordWrap(True)
        checks_layout = QVBoxLayout(self.checks_group)
        checks_layout.addWidget(self.checks)
        self.judgement_group = QGroupBox()
        # Nothing is assumed: the craft starts "not judged" and the reviewer chooses, with a note.
        self.craft_choice = QComboBox()
        self.craft_choice.setObjectName("craft_choice")
        for _key in CRAFT_CHOICES:
            self.craft_choice.addItem("")
        self.craft_note = QLineEdit()
        self.craft_note.setObjectName("craft_note")
        self.price_note = QLineEdit()
        self.price_note.setObjectName("price_note")
        self.craft_label, self.price_label = QLabel(), QLabel()
        form = QFormLayout(self.judgement_group)
        craft_row = QHBoxLayout()
        craft_row.addWidget(self.craft_choice)
        craft_row.addWidget(self.craft_note, 1)
        form.addRow(self.craft_label, craft_row)
        form.addRow(self.price_label, self.price_note)
        self.accept_button = QPushButton()
        self.accept_button.setObjectName("accept_send")
        self.negotiate_button = QPushButton()
        self.negotiate_button.setObjectName("negotiate")
        self.log_button = QPushButton()
        self.log_button.setObjectName("log_negotiation")
        self.escalate_button = QPushButton()
        self.escalate_button.setObjectName("escalate")
        self.report_button = QPushButton()
        self.report_button.setObjectName("report")
        # What answers a failed check, each for those allowed to record it.
        self.clear_button = QPushButton()
        self.clear_button.setObjectName("clear_check")
        self.clear_menu = QMenu(self.clear_button)
        self.payment_action = self.clear_menu.addAction("", self.record_payment)
        self.limit_action = self.clear_menu.addAction("", self.raise_limit)
        self.technical_action = self.clear_menu.addAction("", self.confirm_craft)
        self.clear_menu.addSeparator()
        self.policy_action = self.clear_menu.addAction("", self.edit_price_policy)
        self.clear_button.setMenu(self.clear_menu)
        buttons = QHBoxLayout()
        for b in (self.accept_button, self.negotiate_button, self.log_button, self.escalate_button,
                  self.clear_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.report_button)
        self.history = HistoryBrowser()
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.addWidget(self.title)
        layout.addWidget(self.status)
        layout.addWidget(self.checks_group)
        layout.addWidget(self.judgement_group)
        layout.addLayout(buttons)
        layout.addWidget(self.history, 1)
        self.splitter.addWidget(panel)
        self.splitter.setSizes([560, 640])
        self.table.sortByColumn(5, Qt.SortOrder.AscendingOrder)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.splitter)
        self.accept_button.clicked.connect(self.accept_and_send)
        self.negotiate_button.clicked.connect(lambda: self.negotiate(first=True))
        self.log_button.clicked.connect(lambda: self.negotiate(first=False))
        self.escalate_button.clicked.connect(self.escalate)
        self.report_button.clicked.connect(self.print_report)
        self.craft_choice.currentIndexChanged.connect(lambda _i: self._show_checks())
        self.retranslate_ui()

    def _make_model(self) -> PagedTableModel:
        columns = [
            Column("order_no", N_("Order no."), lambda r: r.order_no),
            Column("customer", N_("Customer"), lambda r: r.customer_name),
            Column("delivery_date", N_("Delivery date"), lambda r: r.delivery_date.isoformat() if r.delivery_date else ""),
            Column("amount", N_("Amount"), lambda r: money(r.total_amount, r.currency), align_right=True),
            Column("stage", N_("Status"), lambda r: _(queries.STATUS_LABELS[r.status]),
                   foreground=lambda r: OVERDUE_TEXT if r.status == queries.STATUS_AWAITING_MANAGER else None),
            Column("submitted", N_("Submitted"), lambda r: local_time(r.submitted_at)),
        ]
        return PagedTableModel(columns, lambda o, n, k, d: queries.preliminary_rows(self.ctx.db, o, n, k, d),
                               lambda: queries.count_preliminary(self.ctx.db))

    def retranslate_ui(self) -> None:
        self.checks_group.setTitle(_("Checks"))
        self.judgement_group.setTitle(_("Sales' judgement"))
        self.craft_label.setText(_("Style and craft requirements"))
        for index, key in enumerate(CRAFT_CHOICES):
            self.craft_choice.setItemText(index, _(CRAFT_CHOICES[key]))
        self.craft_note.setPlaceholderText(_("Note on the craft (required when too complex)"))
        self.price_label.setText(_("Price terms"))
        self.price_note.setPlaceholderText(_("Note on price terms (optional; the policy check is above)"))
        self.clear_button.setText(_("Clear a check"))
        self.clear_button.setToolTip(_("Record what answers a failed check; a talk with the customer alone clears "
                                       "nothing"))
        self.payment_action.setText(_("Record a payment…"))
        self.limit_action.setText(_("Raise the credit limit…"))
        self.technical_action.setText(_("Technical confirmation of the craft…"))
        self.policy_action.setText(_("Company price policy…"))
        self.accept_button.setText(_("Accept and send…"))
        self.accept_button.setToolTip(_("Accept the order and send it to production, technical and purchasing for "
                                        "the detailed review"))
        self.negotiate_button.setText(_("Talks with the customer…"))
        self.negotiate_button.setToolTip(_("Record a talk with the customer; the order waits in talks"))
        self.log_button.setText(_("Log a talk…"))
        self.escalate_button.setText(_("Escalate…"))
        self.report_button.setText(_("Review report"))
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.model.columns) - 1)
        self._on_select()

    def _on_select(self) -> None:
        row = self.selected()
        editable = allowed(self.ctx.actor, "review.preliminary")
        for b in (self.accept_button, self.negotiate_button, self.log_button, self.escalate_button,
                  self.report_button):
            b.setEnabled(row is not None and editable)
        self.report_button.setEnabled(row is not None)
        actor = self.ctx.actor
        in_review = row is not None and row.stage in review_service.PRELIMINARY_STAGES
        self.payment_action.setEnabled(in_review and allowed(actor, "review.credit"))
        self.limit_action.setEnabled(in_review and allowed(actor, "review.credit"))
        self.technical_action.setEnabled(in_review and allowed(actor, "review.technical_confirm"))
        self.policy_action.setEnabled(allowed(actor, "review.price_policy"))
        self.clear_button.setEnabled(any(a.isEnabled() for a in (self.payment_action, self.limit_action,
                                                                 self.technical_action, self.policy_action)))
        if row is None:
            self.title.setText(_("Choose an order in the list."))
            self.status.clear()
            self.checks.clear()
            self.history.show_history(None)
            return
        self.title.setText(f"<b>{row.order_no}</b> · {row.customer_name}")
        self.status.setText(_(queries.STATUS_LABELS[row.status]))
        self.negotiate_button.setEnabled(editable and row.stage in ("preliminary_review", "negotiating"))
        self.escalate_button.setEnabled(editable and row.stage in ("preliminary_review", "negotiating"))
        self.accept_button.setEnabled(editable and row.status != queries.STATUS_AWAITING_MANAGER)
        self._show_checks()
        history = operations.run(self.ctx, self, lambda: queries.review_history(self.ctx.db, row.order_id),
                                 quiet_errors=True)
        self.history.show_history(history)

    def _craft_judgement(self) -> bool | None:
        return list(CRAFT_CHOICES)[self.craft_choice.currentIndex()] if self.craft_choice.currentIndex() >= 0 \
            else None

    def _show_checks(self) -> None:
        """The checks as they stand, with the craft as judged on screen (or the latest recorded judgement)."""
        row = self.selected()
        if row is None:
            return
        judged = self._craft_judgement()
        craft = None if judged is None else review_service.CraftCheck(judged, self.craft_note.text())
        checks = operations.run(self.ctx, self, lambda: review_service.compute_checks(self.ctx.db, row.order_id,
                                                                                      craft=craft),
                                quiet_errors=True)
        self.checks.setText(checks_html(checks) if checks else "")

    def _prelim(self) -> review_service.PreliminaryInput:
        return review_service.PreliminaryInput(self._craft_judgement(), self.craft_note.text(),
                                               self.price_note.text())

    def _done(self, order_id: int) -> None:
        self.craft_choice.setCurrentIndex(0)
        self.craft_note.clear()
        self.price_note.clear()
        self._changed(order_id)

    def record_payment(self) -> None:
        row = self.selected()
        if row is None:
            return
        dialog = AmountDialog(_("Record a payment"), _("A payment the customer made for order {order_no} (a deposit, "
                                                       "or cash in advance).", order_no=row.order_no),
                              _("Amount paid"), _("Note"), row.currency, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        amount, note = dialog.value()
        operations.run(self.ctx, self, lambda: review_service.record_payment(self.ctx.db, self.ctx.actor,
                                                                             row.order_id, amount, note),
                       success=_("Payment recorded for {order_no}", order_no=row.order_no),
                       on_success=lambda _r: self._changed(row.order_id))

    def raise_limit(self) -> None:
        row = self.selected()
        if row is None:
            return
        dialog = AmountDialog(_("Raise the credit limit"), _("The new credit limit of {customer} and the reason.",
                                                             customer=row.customer_name),
                              _("New credit limit"), _("Reason"), row.currency, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        amount, note = dialog.value()
        operations.run(self.ctx, self, lambda: review_service.raise_credit_limit(self.ctx.db, self.ctx.actor,
                                                                                 row.order_id, amount, note),
                       success=_("Credit limit of {customer} raised", customer=row.customer_name),
                       on_success=lambda _r: self._changed(row.order_id))

    def confirm_craft(self) -> None:
        row = self.selected()
        if row is None:
            return
        dialog = ReasonDialog(_("Technical confirmation"),
                              _("How can the style of {order_no} be made?", order_no=row.order_no),
                              _("Confirm"), self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        note = dialog.value()
        operations.run(self.ctx, self, lambda: review_service.confirm_craft(self.ctx.db, self.ctx.actor,
                                                                            row.order_id, note),
                       success=_("Craft of {order_no} confirmed by technical", order_no=row.order_no),
                       on_success=lambda _r: self._changed(row.order_id))

    def edit_price_policy(self) -> None:
        row = self.selected()
        current = operations.run(self.ctx, self, lambda: price_policy.get_price_policy(self.ctx.db))
        if current is None:
            return
        dialog = PricePolicyDialog(current, row.currency if row is not None else "HKD", self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        data = dialog.value()
        operations.run(self.ctx, self, lambda: price_policy.set_price_policy(self.ctx.db, self.ctx.actor, data),
                       success=_("Price policy saved"), on_success=lambda _r: self._show_checks())

    def accept_and_send(self) -> None:
        row = self.selected()
        if row is None:
            return
        dialog = SendToDepartmentsDialog(row.order_no, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        prelim, dues, note = self._prelim(), dialog.due_times(), dialog.note.toPlainText()
        operations.run(self.ctx, self, lambda: review_service.accept_and_send(self.ctx.db, self.ctx.actor,
                                                                              row.order_id, dues, prelim, note),
                       success=_("Order {order_no} sent to the departments", order_no=row.order_no),
                       on_success=lambda _r: self._done(row.order_id))

    def negotiate(self, first: bool) -> None:
        row = self.selected()
        if row is None:
            return
        dialog = NegotiationDialog(row.order_no, first, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        entry, prelim = dialog.value(), self._prelim()
        if first:
            call = lambda: review_service.negotiate(self.ctx.db, self.ctx.actor, row.order_id, entry, prelim)
        else:
            call = lambda: review_service.log_negotiation(self.ctx.db, self.ctx.actor, row.order_id, entry)
        operations.run(self.ctx, self, call, success=_("Negotiation logged"),
                       on_success=lambda _r: self._done(row.order_id))

    def escalate(self) -> None:
        row = self.selected()
        if row is None:
            return
        dialog = ReasonDialog(_("Escalate to management"),
                              _("Why should a manager decide on order {order_no}?", order_no=row.order_no),
                              _("Escalate"), self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        reason, prelim = dialog.value(), self._prelim()
        operations.run(self.ctx, self, lambda: review_service.escalate(self.ctx.db, self.ctx.actor, row.order_id,
                                                                       reason, prelim),
                       success=_("Order {order_no} escalated", order_no=row.order_no),
                       on_success=lambda _r: self._done(row.order_id))


# ---- a department's inbox -------------------------------------------------------------------------------------

class AnswerForm(QGroupBox):
    """The structured opinion of one department and its verdict."""

    def __init__(self, department: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.department = department
        self.setObjectName("answer_form")
        form = QFormLayout(self)
        self.labels: dict[str, QLabel] = {}

        def row(key: str, widget: QWidget) -> QWidget:
            widget.setObjectName(key)
            self.labels[key] = QLabel()
            form.addRow(self.labels[key], widget)
            return widget

        def combo(key: str, choices: dict[str, str]) -> QComboBox:
            box = QComboBox()
            box.addItem("", None)
            for value in choices:
                box.addItem("", value)
            return row(key, box)

        self.choices: dict[str, dict[str, str]] = {}
        if department == "production":
            self.difficulty = combo("difficulty", LEVELS)
            self.choices["difficulty"] = LEVELS
            self.cycle_days = row("cycle_days", QSpinBox())
            self.cycle_days.setRange(0, review_service.MAX_CYCLE_DAYS)
            self.capacity_load = row("capacity_load_pct", QSpinBox())
            self.capacity_load.setRange(0, review_service.MAX_LOAD_PCT)
            self.capacity_load.setSuffix(" %")
        elif department == "technical":
            self.feasibility = combo("craft_feasibility", FEASIBILITY)
            self.choices["craft_feasibility"] = FEASIBILITY
            self.solution = row("proposed_solution", QPlainTextEdit())
            self.solution.setMaximumHeight(70)
        else:
            self.materials = row("materials_list", QPlainTextEdit())
            self.materials.setMaximumHeight(70)
            self.lead_days = row("purchase_lead_days", QSpinBox())
            self.lead_days.setRange(0, review_service.MAX_CYCLE_DAYS)
            self.risk = combo("supplier_risk", LEVELS)
            self.choices["supplier_risk"] = LEVELS
        self.verdict = combo("verdict", VERDICTS)
        self.choices["verdict"] = VERDICTS
        self.conditions = row("conditions", QPlainTextEdit())
        self.comments = row("comments", QPlainTextEdit())
        for edit in (self.conditions, self.comments):
            edit.setMaximumHeight(60)
        self.submit = QPushButton()
        self.submit.setObjectName("submit_opinion")
        form.addRow("", self.submit)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setTitle(_("Opinion of {department}", department=_(DEPARTMENTS[self.department])))
        texts = {"difficulty": _("Difficulty"), "cycle_days": _("Cycle days"),
                 "capacity_load_pct": _("Capacity load %"), "craft_feasibility": _("Craft feasibility"),
                 "proposed_solution": _("Proposed solution"), "materials_list": _("Materials list"),
                 "purchase_lead_days": _("Purchasing lead time (days)"), "supplier_risk": _("Supplier risk"),
                 "verdict": _("Verdict"), "conditions": _("Conditions"), "comments": _("Comments")}
        for key, label in self.labels.items():
            label.setText(texts[key])
        for key, choices in self.choices.items():
            box = self.findChild(QComboBox, key)
            box.setItemText(0, _("— choose —"))
            for i, value in enumerate(choices, start=1):
                box.setItemText(i, _(choices[value]))
        self.submit.setText(_("Send opinion"))

    def answer(self) -> review_service.OpinionAnswer:
        def value(key: str):
            return self.findChild(QComboBox, key).currentData()

        a = review_service.OpinionAnswer(verdict=value("verdict") or "", comments=self.comments.toPlainText(),
                                         conditions=self.conditions.toPlainText())
        if self.department == "production":
            a.difficulty = value("difficulty")
            a.cycle_days = self.cycle_days.value() or None
            a.capacity_load_pct = self.capacity_load.value()
        elif self.department == "technical":
            a.craft_feasibility = value("craft_feasibility")
            a.proposed_solution = self.solution.toPlainText()
        else:
            a.materials_list = self.materials.toPlainText()
            a.purchase_lead_days = self.lead_days.value()
            a.supplier_risk = value("supplier_risk")
        return a

    def clear(self) -> None:
        for box in self.findChildren(QComboBox):
            box.setCurrentIndex(0)
        for edit in self.findChildren(QPlainTextEdit):
            edit.clear()
        for spin in self.findChildren(QSpinBox):
            spin.setValue(0)


class InboxView(_ListView):
    """A department's open review requests, overdue first and red, with the full order and the answer form."""

    COLUMN_WIDTHS = [120, 130, 190, 50, 95, 120]

    def __init__(self, ctx: UiContext, department: str, parent: QWidget | None = None):
        self.department = department
        super().__init__(ctx, parent)
        self.title = QLabel()
        self.title.setObjectName("inbox_title")
        self.details = OrderDetailsPanel()
        self.history = HistoryBrowser()
        self.history.setMaximumHeight(160)
        self.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
        self.form = AnswerForm(department)
        self.form.submit.clicked.connect(self.send_opinion)
        self.report_button = QPushButton()
        self.report_button.setObjectName("report")
        self.report_button.clicked.connect(self.print_report)
        # Purchasing answers from what the application knows: the order's materials against stock and orders.
        self.materials = QLabel()
        self.materials.setObjectName("materials_requirement")
        self.materials.setWordWrap(True)
        self.materials.setTextFormat(Qt.TextFormat.RichText)
        self.materials.setVisible(department == "purchasing")
        self.requirement: list = []
        # Production answers from what the application knows: the plan the scheduler would propose.
        self.proposal = ProductionProposalPanel(ctx) if department == "production" else None
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.report_button)
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.addLayout(top)
        layout.addWidget(self.details, 2)
        layout.addWidget(self.materials)
        if self.proposal is not None:
            layout.addWidget(self.proposal)
        layout.addWidget(self.history, 1)
        layout.addWidget(self.form)
        # The answer side scrolls, so production's proposal never pushes the window past a 1366×768 screen.
        scroller = QScrollArea()
        scroller.setObjectName("inbox_scroll")
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setWidget(panel)
        self.splitter.addWidget(scroller)
        self.splitter.setSizes([460, 640])
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.splitter)
        self.retranslate_ui()

    def _make_model(self) -> PagedTableModel:
        def late(r):
            return OVERDUE_BACKGROUND if r.overdue() else None

        def late_text(r):
            return OVERDUE_TEXT if r.overdue() else None

        columns = [
            Column("order_no", N_("Order no."), lambda r: r.order_no, foreground=late_text, background=late),
            Column("customer", N_("Customer"), lambda r: r.customer_name, foreground=late_text, background=late),
            Column("due", N_("Reply due"), lambda r: local_time(r.due_at) + ("  " + _("OVERDUE") if r.overdue() else ""),
                   foreground=late_text, background=late),
            Column("requested", N_("Round"), lambda r: str(r.round_no), sortable=False, foreground=late_text,
                   background=late),
            Column("delivery_date", N_("Delivery date"), lambda r: r.delivery_date.isoformat() if r.delivery_date else "",
                   foreground=late_text, background=late),
            Column("order_no", N_("Styles"), lambda r: r.style_summary, sortable=False, foreground=late_text,
                   background=late),
        ]
        return PagedTableModel(
            columns, lambda o, n, k, d: queries.inbox_rows(self.ctx.db, self.department, o, n, k, d),
            lambda: queries.count_inbox(self.ctx.db, self.department))

    def retranslate_ui(self) -> None:
        self.report_button.setText(_("Review report"))
        self.form.retranslate_ui()
        self.details.retranslate_ui()
        if self.proposal is not None:
            self.proposal.retranslate_ui()
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.model.columns) - 1)
        self._on_select()

    def _on_select(self) -> None:
        row = self.selected()
        self.form.setEnabled(row is not None)
        self.report_button.setEnabled(row is not None)
        if row is None:
            self.title.setText(_("No open request for {department}.",
                                 department=_(DEPARTMENTS[self.department]))
                               if self.model.rowCount() == 0 else _("Choose a request in the list."))
            self.details.set_order(None)
            self.history.show_history(None)
            if self.proposal is not None:
                self.proposal.set_order(None)
            return
        due = local_time(row.due_at)
        state = (f" <span style='color:#b42318'><b>{_('OVERDUE')}</b></span>" if row.overdue() else "")
        self.title.setText(_("<b>{order_no}</b> · round {round} · reply due {due}", order_no=row.order_no,
                             round=row.round_no, due=due) + state)
        order = operations.run(self.ctx, self, lambda: order_service.get_order(self.ctx.db, row.order_id),
                               quiet_errors=True)
        self.details.set_order(order)
        history = operations.run(self.ctx, self, lambda: queries.review_history(self.ctx.db, row.order_id),
                                 quiet_errors=True)
        # Earlier rounds' answers of this department help it answer again consistently.
        self.history.show_history(history, {self.department})
        if self.department == "purchasing":
            self._show_materials(row.order_id)
        if self.proposal is not None:
            self.proposal.set_order(row.order_id)
            self._prefill_from_proposal()

    def _prefill_from_proposal(self) -> None:
        """Production's figures start from the proposal: its cycle and the busiest workshop's load."""
        preview = self.proposal.preview
        if preview is None or preview.problems:
            return
        if not self.form.cycle_days.value() and preview.cycle_days:
            self.form.cycle_days.setValue(min(preview.cycle_days, review_service.MAX_CYCLE_DAYS))
        if not self.form.capacity_load.value() and preview.peak_percent is not None:
            self.form.capacity_load.setValue(min(preview.peak_percent, review_service.MAX_LOAD_PCT))

    def _show_materials(self, order_id: int) -> None:
        from ...services.materials.common import qty_with_unit
        from ...services.materials.requirements import order_requirement

        rows = operations.run(self.ctx, self, lambda: order_requirement(self.ctx.db, order_id), quiet_errors=True)
        self.requirement = rows or []
        if not self.requirement:
            self.materials.setText(_("No material requirement: the styles have no bill of materials yet."))
            return
        head = "".join(f"<th align='left'>{html.escape(h)}</th>" for h in (
            _("Material"), _("Required"), _("Available"), _("On order"), _("Shortage")))
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in (
                f"{r.material_code} {r.material_name}", qty_with_unit(r.still_needed, r.unit),
                qty_with_unit(r.in_stock, r.unit), qty_with_unit(r.on_order, r.unit))) +
            (f"<td style='color:#b42318'><b>{html.escape(qty_with_unit(r.shortage, r.unit))}</b></td>" if r.shortage
             else "<td>—</td>") + "</tr>" for r in self.requirement)
        self.materials.setText(f"<b>{html.escape(_('Materials for this order'))}</b>"
                               f"<table cellspacing='6'><tr>{head}</tr>{body}</table>")
        if not self.form.materials.toPlainText().strip():
            self.form.materials.setPlainText("\n".join(
                _("{material}: {required} (in stock {available}, on order {on_order}, short {shortage})",
                  material=f"{r.material_code} {r.material_name}", required=qty_with_unit(r.still_needed, r.unit),
                  available=qty_with_unit(r.in_stock, r.unit), on_order=qty_with_unit(r.on_order, r.unit),
                  shortage=qty_with_unit(r.shortage, r.unit)) for r in self.requirement))

    def send_opinion(self) -> None:
        row = self.selected()
        if row is None:
            return
        answer = self.form.answer()
        if self.proposal is not None:
            answer.capacity_measures = self.proposal.measure_inputs()
        operations.run(self.ctx, self, lambda: review_service.answer_opinion(self.ctx.db, self.ctx.actor,
                                                                             row.opinion_id, answer),
                       success=_("Opinion on {order_no} sent", order_no=row.order_no),
                       on_success=lambda _r: (self.form.clear(), self._changed(row.order_id)))


# ---- rounds ---------------------------------------------------------------------------------------------------

class RoundsView(_ListView):
    """Orders in detailed review: every round with every opinion; close the round; record the contract."""

    COLUMN_WIDTHS = [120, 130, 50, 65, 65, 200, 95]

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.title = QLabel()
        self.title.setObjectName("rounds_title")
        self.title.setWordWrap(True)
        self.history = HistoryBrowser()
        self.close_button = QPushButton()
        self.close_button.setObjectName("close_round")
        self.contract_button = QPushButton()
        self.contract_button.setObjectName("record_contract")
        self.report_button = QPushButton()
        self.report_button.setObjectName("report")
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.contract_button)
        buttons.addStretch(1)
        buttons.addWidget(self.report_button)
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.addWidget(self.title)
        layout.addLayout(buttons)
        layout.addWidget(self.history, 1)
        self.splitter.addWidget(panel)
        self.splitter.setSizes([520, 580])
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.splitter)
        self.close_button.clicked.connect(self.close_round)
        self.contract_button.clicked.connect(self.record_contract)
        self.report_button.clicked.connect(self.print_report)
        self.retranslate_ui()

    def _make_model(self) -> PagedTableModel:
        def late(r):
            return OVERDUE_BACKGROUND if r.overdue else None

        def late_text(r):
            return OVERDUE_TEXT if r.overdue else None

        columns = [
            Column("order_no", N_("Order no."), lambda r: r.order_no, background=late, foreground=late_text),
            Column("customer", N_("Customer"), lambda r: r.customer_name, background=late, foreground=late_text),
            Column("opened", N_("Round"), lambda r: str(r.round_no), background=late, foreground=late_text),
            Column("opened", N_("Answers"), lambda r: f"{r.answered}/{r.requested}", sortable=False, background=late,
                   foreground=late_text),
            Column("opened", N_("Overdue"), lambda r: str(r.overdue) if r.overdue else "", sortable=False,
                   background=late, foreground=late_text),
            Column("opened", N_("Status"), self._status, sortable=False, background=late, foreground=late_text),
            Column("delivery_date", N_("Delivery date"), lambda r: r.delivery_date.isoformat() if r.delivery_date else "",
                   background=late, foreground=late_text),
        ]
        return PagedTableModel(columns, lambda o, n, k, d: queries.round_rows(self.ctx.db, o, n, k, d),
                               lambda: queries.count_round_rows(self.ctx.db))

    @staticmethod
    def _status(r) -> str:
        if r.awaiting_contract:
            return _("Passed: record the contract")
        if r.ready_to_close:
            return _("All answered: close the round")
        return _("Waiting for opinions")

    def retranslate_ui(self) -> None:
        self.close_button.setText(_("Close round"))
        self.contract_button.setText(_("Record contract…"))
        self.report_button.setText(_("Review report"))
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.model.columns) - 1)
        self._on_select()

    def _on_select(self) -> None:
        row = self.selected()
        can = allowed(self.ctx.actor, "review.close_round")
        self.close_button.setEnabled(row is not None and can and row.result is None)
        self.contract_button.setEnabled(row is not None and allowed(self.ctx.actor, "review.contract")
                                        and row.awaiting_contract)
        self.report_button.setEnabled(row is not None)
        if row is None:
            self.title.setText(_("Choose an order in the list."))
            self.history.show_history(None)
            return
        self.title.setText(f"<b>{row.order_no}</b> · {row.customer_name} · {self._status(row)}")
        history = operations.run(self.ctx, self, lambda: queries.review_history(self.ctx.db, row.order_id),
                                 quiet_errors=True)
        self.history.show_history(history)

    def close_round(self) -> None:
        row = self.selected()
        if row is None:
            return

        def done(result: str) -> None:
            self.ctx.bus.sig_status_message.emit(
                _("Round {round} of {order_no} passed", round=row.round_no, order_no=row.order_no)
                if result == "passed" else
                _("Round {round} of {order_no} failed; the order is back in negotiation", round=row.round_no,
                  order_no=row.order_no))
            self._changed(row.order_id)

        operations.run(self.ctx, self, lambda: review_service.close_round(self.ctx.db, self.ctx.actor,
                                                                          row.order_id), on_success=done)

    def record_contract(self) -> None:
        row = self.selected()
        if row is None:
            return
        dialog = ContractDialog(row.order_no, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        data = dialog.value()
        operations.run(self.ctx, self, lambda: review_service.record_contract(self.ctx.db, self.ctx.actor,
                                                                              row.order_id, data),
                       success=_("Contract of {order_no} recorded", order_no=row.order_no),
                       on_success=lambda _r: self._changed(row.order_id))


# ---- escalations ----------------------------------------------------------------------------------------------

class EscalationsView(_ListView):
    """What waits for a manager: escalated orders and failed reviews; decide with a reason."""

    COLUMN_WIDTHS = [120, 130, 150, 120, 130]

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.title = QLabel()
        self.title.setObjectName("escalation_title")
        self.title.setWordWrap(True)
        self.checks = QLabel()
        self.checks.setWordWrap(True)
        self.history = HistoryBrowser()
        self.decision_group = QGroupBox()
        self.decision_buttons = QButtonGroup(self)
        self.radios: dict[str, QRadioButton] = {}
        radios = QHBoxLayout()
        for decision in DECISIONS:
            radio = QRadioButton()
            radio.setObjectName(f"decide_{decision}")
            self.radios[decision] = radio
            self.decision_buttons.addButton(radio)
            radios.addWidget(radio)
        radios.addStretch(1)
        self.reason_label = QLabel()
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("decision_reason")
        self.reason.setMaximumHeight(80)
        self.decide_button = QPushButton()
        self.decide_button.setObjectName("record_decision")
        self.decide_button.clicked.connect(self.decide)
        box = QVBoxLayout(self.decision_group)
        box.addLayout(radios)
        box.addWidget(self.reason_label)
        box.addWidget(self.reason)
        box.addWidget(self.decide_button, 0, Qt.AlignmentFlag.AlignRight)
        self.report_button = QPushButton()
        self.report_button.setObjectName("report")
        self.report_button.clicked.connect(self.print_report)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.report_button)
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.addLayout(top)
        layout.addWidget(self.checks)
        layout.addWidget(self.decision_group)
        layout.addWidget(self.history, 1)
        self.splitter.addWidget(panel)
        self.splitter.setSizes([460, 640])
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.splitter)
        self.retranslate_ui()

    def _make_model(self) -> PagedTableModel:
        columns = [
            Column("order_no", N_("Order no."), lambda r: r.order_no),
            Column("customer", N_("Customer"), lambda r: r.customer_name),
            Column("stage", N_("Situation"), lambda r: _("Escalated") if r.kind == "escalated"
                   else _("Review round failed")),
            Column("amount", N_("Amount"), lambda r: money(r.total_amount, r.currency), align_right=True),
            Column("order_no", N_("Since"), lambda r: local_time(r.since), sortable=False),
        ]
        return PagedTableModel(columns, lambda o, n, k, d: queries.escalation_rows(self.ctx.db, o, n, k, d),
                               lambda: queries.count_escalations(self.ctx.db))

    def retranslate_ui(self) -> None:
        self.decision_group.setTitle(_("Manager's decision"))
        for decision, radio in self.radios.items():
            radio.setText(_(DECISIONS[decision]))
        self.reason_label.setText(_("Reason (kept with the decision)"))
        self.decide_button.setText(_("Record decision"))
        self.report_button.setText(_("Review report"))
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.model.columns) - 1)
        self._on_select()

    def _on_select(self) -> None:
        row = self.selected()
        may_decide = allowed(self.ctx.actor, "review.decide")
        self.decision_group.setEnabled(row is not None and may_decide)
        self.report_button.setEnabled(row is not None)
        if row is None:
            self.title.setText(_("Nothing waits for a manager's decision.") if self.model.rowCount() == 0
                               else _("Choose an order in the list."))
            self.checks.clear()
            self.history.show_history(None)
            return
        self.radios["renegotiate"].setEnabled(row.stage == "escalated")
        if not may_decide:
            self.decision_group.setTitle(_("Manager's decision (only a manager decides)"))
        self.title.setText(f"<b>{row.order_no}</b> · {row.customer_name} · {stage_label(row.stage)}")
        checks = operations.run(self.ctx, self, lambda: review_service.compute_checks(self.ctx.db, row.order_id),
                                quiet_errors=True)
        self.checks.setText(checks_html(checks) if checks else "")
        history = operations.run(self.ctx, self, lambda: queries.review_history(self.ctx.db, row.order_id),
                                 quiet_errors=True)
        self.history.show_history(history)

    def decide(self) -> None:
        row = self.selected()
        if row is None:
            return
        decision = next((d for d, radio in self.radios.items() if radio.isChecked()), "")
        reason = self.reason.toPlainText()

        def done(_r) -> None:
            self.reason.clear()
            self._changed(row.order_id)

        operations.run(self.ctx, self, lambda: review_service.decide(self.ctx.db, self.ctx.actor, row.order_id,
                                                                     decision, reason),
                       success=_("Decision on {order_no} recorded", order_no=row.order_no), on_success=done)


__all__ = ["PreliminaryView", "InboxView", "RoundsView", "EscalationsView", "AnswerForm", "print_review_report",
           "open_file"]
