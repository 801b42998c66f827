"""After-sales cases (repairs, complaints, maintenance ...) carried to closure."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ... import clock
from ...i18n import N_, _, current_language
from ...models.delivery import CASE_KINDS, CASE_STATUSES, CAUSES, COST_BEARERS, SATISFACTION, UPDATE_CHANNELS
from ...models.users import DEPARTMENTS
from ...services.delivery import aftersales
from .. import operations
from ..context import UiContext
from ..materials.rows_model import RowColumn, RowsModel, _selected, _table
from . import common
from .common import _combo, _date, _date_edit, _retranslate_combo


class CasesView(QWidget):
    """After-sales cases: opened against a delivered order or a piece by certificate no., carried to closure."""

    sig_changed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = RowsModel([
            RowColumn(N_("Case no."), lambda r: r.case_no),
            RowColumn(N_("Kind"), lambda r: _(CASE_KINDS[r.kind])),
            RowColumn(N_("Status"), lambda r: _(CASE_STATUSES[r.status])),
            RowColumn(N_("Order no."), lambda r: r.order_no),
            RowColumn(N_("Certificate no."), lambda r: r.certificate_no),
            RowColumn(N_("Customer"), lambda r: r.customer_name),
            RowColumn(N_("Owner"), lambda r: r.owner_name),
            RowColumn(N_("Due date"), lambda r: r.due_on.isoformat()),
        ])
        self.view = _table(self.model, "cases", stretch_column=5)
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self.show_case())
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("case_search")
        self.search_edit.returnPressed.connect(self.refresh)
        self.history_button = QPushButton()
        self.history_button.setObjectName("piece_history")
        self.history_button.clicked.connect(self.show_history)
        top = QHBoxLayout()
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.history_button)
        # Opening a case.
        self.open_box = QGroupBox()
        self.kind_box = _combo("case_kind", CASE_KINDS)
        self.via_box = _combo("received_via", UPDATE_CHANNELS)
        self.order_edit = QLineEdit()
        self.order_edit.setObjectName("case_order_no")
        self.cert_edit = QLineEdit()
        self.cert_edit.setObjectName("case_certificate_no")
        self.words_edit = QLineEdit()
        self.words_edit.setObjectName("customer_words")
        self.due_edit = _date_edit("case_due")
        self.due_edit.setDate(self.due_edit.date().addDays(14))
        self.open_button = QPushButton()
        self.open_button.setObjectName("open_case")
        self.open_button.clicked.connect(self.open_case)
        of = QFormLayout(self.open_box)
        self.open_labels = [QLabel() for _i in range(6)]
        for label, widget in zip(self.open_labels, (self.kind_box, self.via_box, self.order_edit, self.cert_edit,
                                                    self.words_edit, self.due_edit)):
            of.addRow(label, widget)
        of.addRow(self.open_button)
        # Carrying the selected case.
        self.work_box = QGroupBox()
        self.work_edit = QLineEdit()
        self.work_edit.setObjectName("work_done")
        self.done_by_edit = QLineEdit()
        self.done_by_edit.setObjectName("done_by")
        self.materials_edit = QLineEdit()
        self.materials_edit.setObjectName("materials_used")
        self.metal_edit = QLineEdit("0")
        self.metal_edit.setObjectName("metal_used")
        self.cost_edit = QLineEdit("0")
        self.cost_edit.setObjectName("repair_cost")
        self.bearer_box = _combo("cost_borne_by", {k: v for k, v in COST_BEARERS.items() if k})
        self.returned_edit = _date_edit("returned_on")
        self.repair_button = QPushButton()
        self.repair_button.setObjectName("record_repair")
        self.repair_button.clicked.connect(self.record_repair)
        self.record_button = QPushButton()
        self.record_button.setObjectName("print_repair_record")
        self.record_button.clicked.connect(self.print_record)
        self.photo_button = QPushButton()
        self.photo_button.setObjectName("add_photos")
        self.photo_button.clicked.connect(self.add_photos)
        wf = QFormLayout(self.work_box)
        self.work_labels = [QLabel() for _i in range(7)]
        for label, widget in zip(self.work_labels, (self.work_edit, self.done_by_edit, self.materials_edit,
                                                    self.metal_edit, self.cost_edit, self.bearer_box,
                                                    self.returned_edit)):
            wf.addRow(label, widget)
        buttons = QHBoxLayout()
        for b in (self.repair_button, self.record_button, self.photo_button):
            buttons.addWidget(b)
        wf.addRow(buttons)
        self.finding_box = QGroupBox()
        self.cause_box = _combo("cause", {k: v for k, v in CAUSES.items() if k})
        self.cause_edit = QLineEdit()
        self.cause_edit.setObjectName("cause_detail")
        self.departments_edit = QLineEdit()
        self.departments_edit.setObjectName("departments")
        self.actions_edit = QLineEdit()
        self.actions_edit.setObjectName("actions")
        self.answer_edit = QLineEdit()
        self.answer_edit.setObjectName("answer")
        self.finding_button = QPushButton()
        self.finding_button.setObjectName("record_finding")
        self.finding_button.clicked.connect(self.record_finding)
        self.satisfaction_box = _combo("satisfaction", SATISFACTION)
        self.decision_edit = QLineEdit()
        self.decision_edit.setObjectName("escalation_decision")
        self.lesson_edit = QLineEdit()
        self.lesson_edit.setObjectName("lesson")
        self.close_button = QPushButton()
        self.close_button.setObjectName("close_case")
        self.close_button.clicked.connect(self.close_case)
        ff = QFormLayout(self.finding_box)
        self.finding_labels = [QLabel() for _i in range(8)]
        for label, widget in zip(self.finding_labels, (self.cause_box, self.cause_edit, self.departments_edit,
                                                       self.actions_edit, self.answer_edit, self.satisfaction_box,
                                                       self.decision_edit, self.lesson_edit)):
            ff.addRow(label, widget)
        fb = QHBoxLayout()
        fb.addWidget(self.finding_button)
        fb.addWidget(self.close_button)
        ff.addRow(fb)
        self.detail = QPlainTextEdit()
        self.detail.setObjectName("case_detail")
        self.detail.setReadOnly(True)
        forms = QWidget()
        fl = QVBoxLayout(forms)
        fl.addWidget(self.open_box)
        fl.addWidget(self.work_box)
        fl.addWidget(self.finding_box)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(forms)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addLayout(top)
        ll.addWidget(self.view, 2)
        ll.addWidget(self.detail, 1)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(scroll)
        splitter.setSizes([700, 600])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    def retranslate_ui(self) -> None:
        self.model.retranslate()
        self.search_edit.setPlaceholderText(_("Search case, order, certificate no. or style"))
        self.history_button.setText(_("Piece history"))
        self.open_box.setTitle(_("New case"))
        for label, text in zip(self.open_labels, (_("Kind"), _("Received via"), _("Order no."), _("Certificate no."),
                                                  _("What the customer says"), _("Due date"))):
            label.setText(text)
        _retranslate_combo(self.kind_box, CASE_KINDS)
        _retranslate_combo(self.via_box, UPDATE_CHANNELS)
        self.open_button.setText(_("Open the case"))
        self.work_box.setTitle(_("Repair or maintenance"))
        for label, text in zip(self.work_labels, (_("Work done"), _("Done by"), _("Materials used"),
                                                  _("Metal used (g)"), _("Cost"), _("Cost borne by"),
                                                  _("Returned on"))):
            label.setText(text)
        _retranslate_combo(self.bearer_box, COST_BEARERS)
        self.repair_button.setText(_("Record the repair"))
        self.record_button.setText(_("Print repair record"))
        self.photo_button.setText(_("Add photos"))
        self.finding_box.setTitle(_("Cause, actions, answer and closing"))
        for label, text in zip(self.finding_labels, (_("Cause"), _("Cause in detail"), _("Departments involved"),
                                                     _("Actions"), _("Answer given to the customer"),
                                                     _("Customer's answer"), _("Management's decision"),
                                                     _("Lesson learned"))):
            label.setText(text)
        self.departments_edit.setPlaceholderText(_("e.g. production, quality"))
        _retranslate_combo(self.cause_box, CAUSES)
        _retranslate_combo(self.satisfaction_box, SATISFACTION)
        self.finding_button.setText(_("Record the finding"))
        self.close_button.setText(_("Close the case"))

    def refresh(self) -> None:
        rows = operations.run(self.ctx, self, lambda: aftersales.list_cases(self.ctx.db,
                                                                           search=self.search_edit.text()),
                              quiet_errors=True)
        self.model.set_rows(rows or [])
        self.show_case()

    def selected(self):
        return _selected(self.view, self.model)

    def select(self, case_no: str) -> None:
        for i, row in enumerate(self.model.rows):
            if row.case_no == case_no:
                self.view.selectRow(i)
                return

    def show_case(self) -> None:
        c = self.selected()
        if c is None:
            self.detail.setPlainText("")
            return
        lines = [f"{c.case_no} · {_(CASE_KINDS[c.kind])} · {_(CASE_STATUSES[c.status])}",
                 _("Received {date} via {via}", date=c.received_on.isoformat(), via=_(UPDATE_CHANNELS[c.received_via])),
                 c.customer_words]
        if c.work_done:
            lines.append(_("Work done") + ": " + c.work_done + f" ({c.done_by})")
        if c.cause:
            lines.append(_("Cause") + ": " + _(CAUSES[c.cause]) + " " + c.cause_detail)
        if c.answer:
            lines.append(_("Answer given to the customer") + ": " + c.answer)
        if c.lesson:
            lines.append(_("Lesson learned") + ": " + c.lesson)
        self.detail.setPlainText("\n".join(lines))

    def _changed(self, view) -> None:
        self.sig_changed.emit()
        self.select(view.case_no)

    def open_case(self) -> None:
        order_id = None
        order_no = self.order_edit.text().strip()
        if order_no:
            from ...services.orders.intake import get_order_by_no

            order = operations.run(self.ctx, self, lambda: get_order_by_no(self.ctx.db, order_no))
            if order is None:
                return
            order_id = order.id
        data = aftersales.CaseInput(self.kind_box.currentData(), self.via_box.currentData(), self.words_edit.text(),
                                    self.ctx.actor.user_id, _date(self.due_edit), clock.today(), order_id,
                                    self.cert_edit.text())
        operations.run(self.ctx, self, lambda: aftersales.open_case(self.ctx.db, self.ctx.actor, data),
                       success=_("After-sales case opened."), on_success=self._changed)

    def record_repair(self) -> None:
        c = self.selected()
        if c is None:
            return
        data = aftersales.RepairInput(self.work_edit.text(), self.done_by_edit.text(), self.materials_edit.text(),
                                      self.metal_edit.text(), self.cost_edit.text(), self.bearer_box.currentData(),
                                      _date(self.returned_edit))
        operations.run(self.ctx, self, lambda: aftersales.record_repair(self.ctx.db, self.ctx.actor, c.id, data,
                                                                        c.version),
                       success=_("Repair recorded."), on_success=self._changed)

    def record_finding(self) -> None:
        c = self.selected()
        if c is None:
            return
        departments = tuple(d.strip() for d in self.departments_edit.text().replace("，", ",").split(",") if d.strip())
        by_name = {_(msgid).lower(): key for key, msgid in DEPARTMENTS.items()}
        departments = tuple(by_name.get(d.lower(), d) for d in departments)
        data = aftersales.FindingInput(self.cause_box.currentData(), self.cause_edit.text(), departments,
                                       self.actions_edit.text(), self.answer_edit.text())
        operations.run(self.ctx, self, lambda: aftersales.record_finding(self.ctx.db, self.ctx.actor, c.id, data,
                                                                         c.version),
                       success=_("Finding recorded."), on_success=self._changed)

    def close_case(self) -> None:
        c = self.selected()
        if c is None:
            return
        data = aftersales.ClosingInput(self.satisfaction_box.currentData(), self.decision_edit.text(),
                                       self.lesson_edit.text())
        operations.run(self.ctx, self, lambda: aftersales.close_case(self.ctx.db, self.ctx.actor, c.id, data,
                                                                     c.version),
                       success=_("Case closed."), on_success=self._changed)

    def add_photos(self) -> None:
        c = self.selected()
        if c is None:
            return
        for path in common.ask_open_paths(self):
            p = Path(path)
            operations.run(self.ctx, self, lambda p=p: aftersales.add_photo(self.ctx.db, self.ctx.actor, c.id,
                                                                            p.name, p.read_bytes()))
        self.sig_changed.emit()

    def print_record(self) -> None:
        c = self.selected()
        if c is None:
            return
        from ...services.delivery.aftersales_papers import file_repair_record

        done = operations.run(self.ctx, self, lambda: file_repair_record(self.ctx.db, self.ctx.actor, c.case_no,
                                                                        current_language()))
        if done is not None:
            common._show_paper(*done)

    def show_history(self) -> None:
        """A piece's history: every case of the certificate no. typed in the search box (or the selected case's)."""
        c = self.selected()
        cert = self.search_edit.text().strip() or (c.certificate_no if c else "")
        if not cert:
            return
        cases = operations.run(self.ctx, self, lambda: aftersales.piece_history(self.ctx.db, cert))
        if cases is not None:
            self.model.set_rows(cases)
            self.detail.setPlainText(_("History of certificate {no}: {count} cases.", no=cert, count=len(cases)))
