"""The NCR workflow: disposition, corrective action, rectification, verification, closing and photos."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ...i18n import N_, _, current_language
from ...models.quality import DISPOSITIONS, INSPECTION_RESULTS, NCR_STATUSES
from ...models.users import DEPARTMENTS
from ...services.permissions import allowed
from ...services.quality import ncr, papers
from .. import operations
from ..context import UiContext
from ..materials.rows_model import RowColumn, RowsModel, _selected, _table
from . import common
from .common import _when


class NcrView(QWidget):
    """Nonconformance reports and their workflow, each step by whoever the procedure names."""

    sig_changed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.filter = QComboBox()
        self.filter.setObjectName("ncr_filter")
        for key in ("not_closed", "", "closed"):
            self.filter.addItem("", key)
        self.filter.currentIndexChanged.connect(self.refresh)
        self.model = RowsModel([
            RowColumn(N_("NCR no."), lambda r: r.ncr_no),
            RowColumn(N_("Status"), lambda r: _(NCR_STATUSES[r.status]) + (" ⚠" if r.overdue else "")),
            RowColumn(N_("What was found"), lambda r: r.description),
            RowColumn(N_("Quantity affected"), lambda r: str(r.quantity), True),
            RowColumn(N_("Responsible department"), lambda r: _(DEPARTMENTS.get(r.responsible_department, "—"))),
            RowColumn(N_("Disposition"), lambda r: _(DISPOSITIONS[r.disposition]) if r.disposition else ""),
            RowColumn(N_("Found at"), lambda r: _when(r.found_at)),
        ])
        self.table = _table(self.model, "ncr_table", stretch_column=2)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self.show_detail())
        self.detail = QPlainTextEdit()
        self.detail.setObjectName("ncr_detail")
        self.detail.setReadOnly(True)
        self.buttons = {}
        for key, handler, perm in (("disposition", self.disposition, "quality.disposition"),
                                   ("action", self.corrective_action, "quality.corrective"),
                                   ("rectify", self.rectify, "quality.corrective"),
                                   ("verify", self.verify, "quality.verify"),
                                   ("close", self.close_ncr, "quality.verify"),
                                   ("photos", self.attach_photos, "quality.inspect_fai"),
                                   ("print", self.print_ncr, "quality.print")):
            b = QPushButton()
            b.setObjectName(f"ncr_{key}")
            b.setEnabled(allowed(ctx.actor, perm))
            b.clicked.connect(handler)
            self.buttons[key] = b
        head = QHBoxLayout()
        head.addWidget(self.filter)
        head.addStretch(1)
        row = QHBoxLayout()
        for b in self.buttons.values():
            row.addWidget(b)
        row.addStretch(1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(split, 1)
        layout.addLayout(row)

    def retranslate_ui(self) -> None:
        for i, text in enumerate((_("Not closed"), _("All"), _("ncr|Closed"))):
            self.filter.setItemText(i, text)
        for key, text in (("disposition", _("Disposition…")), ("action", _("Corrective action…")),
                          ("rectify", _("Rectification report…")), ("verify", _("Verify…")),
                          ("close", _("Close NCR")), ("photos", _("Attach photos…")),
                          ("print", _("Print NCR…"))):
            self.buttons[key].setText(text)
        self.model.retranslate()
        self.show_detail()

    def refresh(self) -> None:
        selected = self.current()
        self.model.set_rows(ncr.list_ncrs(self.ctx.db, status=self.filter.currentData() or None, limit=500))
        if selected is not None:
            self.select(selected.ncr_no)

    def select(self, ncr_no: str) -> None:
        for i, r in enumerate(self.model.rows):
            if r.ncr_no == ncr_no:
                self.table.selectRow(i)
                return

    def current(self):
        return _selected(self.table, self.model)

    def show_detail(self) -> None:
        n = self.current()
        if n is None:
            self.detail.setPlainText("")
            return
        lines = [f"{n.ncr_no} — {_(NCR_STATUSES[n.status])}",
                 f"{_('Found by inspection')}: {n.inspection_no}  {n.order_no} {n.sheet_no} {n.lot_no}",
                 f"{_('What was found')}: {n.description}",
                 f"{_('Disposition')}: {_(DISPOSITIONS[n.disposition]) if n.disposition else '—'} {n.disposition_note}",
                 f"{_('Root cause')}: {n.root_cause or '—'}",
                 f"{_('Corrective action')}: {n.action or '—'} ({n.action_owner} {n.action_due or ''})",
                 f"{_('Rectification report')}: {n.rectification or '—'}",
                 f"{_('Re-inspections')}: " + ("; ".join(f"{a} {_(INSPECTION_RESULTS[b])} ({c})"
                                                          for a, b, c in n.reinspections) or "—")]
        if n.close_blockers:
            lines.append(_("Before it closes: {reasons}", reasons="; ".join(n.close_blockers)))
        self.detail.setPlainText("\n".join(lines))

    def _act(self, call, success: str):
        done = operations.run(self.ctx, self, call, success=success)
        if done is not None:
            self.sig_changed.emit()
        return done

    def disposition(self):
        n = self.current()
        if n is None:
            return None
        keys = list(DISPOSITIONS)
        choice = common.ask_choice(self, _("Disposition"), _("Disposition"), [_(DISPOSITIONS[k]) for k in keys])
        if choice is None:
            return None
        key = keys[choice]
        note = common.ask_text(self, _("Disposition"), _("Reason"))
        if note is None:
            return None
        approval = metal = ""
        if key == "concession":
            approval = common.ask_text(self, _("Disposition"), _("Customer's approval (who, when, how)")) or ""
        if key == "scrap":
            metal = common.ask_text(self, _("Disposition"), _("Metal recovered (g)")) or ""
        return self._act(lambda: ncr.decide_disposition(self.ctx.db, self.ctx.actor, n.id, key, note=note,
                                                        customer_approval=approval, metal_recovered_g=metal,
                                                        expected_version=n.version),
                         _("Disposition recorded."))

    def corrective_action(self):
        n = self.current()
        if n is None:
            return None
        whys = []
        for i in range(5):
            why = common.ask_text(self, _("Root cause (5-why)"), _("Why {n}?", n=i + 1))
            if why is None:
                return None
            if not why.strip():
                break
            whys.append(why)
        action = common.ask_text(self, _("Corrective action"), _("Corrective action"))
        due = common.ask_text(self, _("Corrective action"), _("Due date (YYYY-MM-DD)"))
        if action is None or due is None:
            return None
        return self._act(lambda: ncr.record_corrective_action(
            self.ctx.db, self.ctx.actor, n.id, method="five_why", root_cause=whys, action=action,
            owner_id=self.ctx.actor.user_id, due=due, expected_version=n.version), _("Corrective action recorded."))

    def rectify(self):
        n = self.current()
        report = common.ask_text(self, _("Rectification report"), _("What the department did")) if n else None
        if report is None:
            return None
        return self._act(lambda: ncr.submit_rectification(self.ctx.db, self.ctx.actor, n.id, report,
                                                          expected_version=n.version),
                         _("Rectification report submitted."))

    def verify(self):
        n = self.current()
        if n is None:
            return None
        choice = common.ask_choice(self, _("Verify"), _("Was the corrective action effective?"),
                            [_("effective"), _("not effective")])
        note = common.ask_text(self, _("Verify"), _("What was re-checked")) if choice is not None else None
        if note is None:
            return None
        return self._act(lambda: ncr.verify(self.ctx.db, self.ctx.actor, n.id, effective=choice == 0, note=note,
                                            expected_version=n.version), _("Verification recorded."))

    def close_ncr(self):
        n = self.current()
        if n is None:
            return None
        return self._act(lambda: ncr.close_ncr(self.ctx.db, self.ctx.actor, n.id, expected_version=n.version),
                         _("NCR closed."))

    def attach_photos(self):
        n = self.current()
        paths = common.ask_photo_paths(self) if n else []
        if not paths:
            return None
        return self._act(lambda: ncr.attach_photos(self.ctx.db, self.ctx.actor, paths=paths, ncr_id=n.id),
                         _("Photos attached."))

    def print_ncr(self) -> None:
        n = self.current()
        if n is None:
            return
        out = Path(tempfile.mkdtemp(prefix="jo-quality-")) / f"{n.ncr_no}.pdf"
        done = operations.run(self.ctx, self, lambda: papers.print_ncr(self.ctx.db, self.ctx.actor, n.ncr_no, out,
                                                                       current_language()))
        if done is not None:
            common.open_file(done)
