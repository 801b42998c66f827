"""Coordination meetings (agenda, reports, action items, minutes, pack) and the user's to-do list."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ... import clock
from ...i18n import N_, _, current_language, formats
from ...models.ledger import ACTION_STATES
from ...services.ledger import meetings as meeting_service
from ...services.permissions import allowed
from .. import operations
from ..context import UiContext
from ..materials.rows_model import RowColumn, RowsModel
from . import common
from .common import _table


class MeetingsView(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.todo_model = RowsModel([
            RowColumn(N_("Due"), lambda r: formats.date(r.due_on)),
            RowColumn(N_("Action"), lambda r: r.description),
            RowColumn(N_("Order no."), lambda r: r.order_no),
            RowColumn(N_("Meeting"), lambda r: r.meeting_no),
            RowColumn(N_("State"), lambda r: _(ACTION_STATES[r.state]) + (
                " — " + _("overdue") if r.overdue(clock.today()) else "")),
        ])
        self.todo_table = _table(self.todo_model)
        self.meetings_model = RowsModel([
            RowColumn(N_("Meeting"), lambda r: r.meeting_no),
            RowColumn(N_("Date"), lambda r: formats.date(r.held_on)),
            RowColumn(N_("Chair"), lambda r: r.chair),
            RowColumn(N_("Agenda items"), lambda r: str(r.agenda.size), True),
            RowColumn(N_("Open actions"), lambda r: str(sum(a.state == "open" for a in r.actions)), True),
        ])
        self.meetings_table = _table(self.meetings_model)
        self.todo_title, self.meetings_title = QLabel(), QLabel()
        self.done_button, self.hold_button, self.minutes_button, self.pack_button = (QPushButton() for _i in range(4))
        self.done_button.clicked.connect(self.mark_done)
        self.hold_button.clicked.connect(self.hold)
        self.minutes_button.clicked.connect(self.print_minutes)
        self.pack_button.clicked.connect(self.export_pack)
        self.hold_button.setEnabled(allowed(ctx.actor, "ledger.meetings"))
        top = QHBoxLayout()
        top.addWidget(self.todo_title)
        top.addStretch(1)
        top.addWidget(self.done_button)
        mid = QHBoxLayout()
        mid.addWidget(self.meetings_title)
        mid.addStretch(1)
        for b in (self.hold_button, self.minutes_button, self.pack_button):
            mid.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.todo_table, 1)
        layout.addLayout(mid)
        layout.addWidget(self.meetings_table, 1)

    def refresh(self) -> None:
        self.todo_model.set_rows(meeting_service.my_actions(self.ctx.db, self.ctx.actor.user_id or 0))
        self.meetings_model.set_rows(meeting_service.list_meetings(self.ctx.db))

    def retranslate_ui(self) -> None:
        self.todo_title.setText(_("My action items"))
        self.meetings_title.setText(_("Coordination meetings"))
        self.done_button.setText(_("Mark done…"))
        self.hold_button.setText(_("Hold meeting…"))
        self.minutes_button.setText(_("Print minutes…"))
        self.pack_button.setText(_("Meeting pack…"))
        self.todo_model.retranslate()
        self.meetings_model.retranslate()
        self.refresh()

    def _selected(self, table, model):
        rows = table.selectionModel().selectedRows()
        return model.row_at(rows[0].row()) if rows else None

    def mark_done(self) -> None:
        item = self._selected(self.todo_table, self.todo_model)
        if item is None:
            return
        note = common.ask_text(self, _("Mark done"), _("What was done?"))
        if note is not None and operations.run(self.ctx, self, lambda: meeting_service.set_action_state(
                self.ctx.db, self.ctx.actor, item.id, "done", note, item.version),
                success=_("Action item closed.")) is not None:
            self.refresh()

    def hold(self) -> None:
        data = common.ask_meeting(self, self.ctx)
        if data is not None and operations.run(self.ctx, self, lambda: meeting_service.hold_meeting(
                self.ctx.db, self.ctx.actor, data), success=_("Meeting recorded.")) is not None:
            self.refresh()

    def print_minutes(self) -> None:
        m = self._selected(self.meetings_table, self.meetings_model)
        if m is None:
            return
        path = common.ask_save_path(self, f"{m.meeting_no}.pdf", _("PDF (*.pdf)"))
        if path:
            from ...services.ledger.papers import print_minutes

            operations.run(self.ctx, self, lambda: print_minutes(self.ctx.db, self.ctx.actor, m.meeting_no, path,
                                                                 lang=current_language(),
                                                                 factory_name=self.ctx.factory_name),
                           success=_("Minutes written to {file}", file=Path(path).name))

    def export_pack(self) -> None:
        m = self._selected(self.meetings_table, self.meetings_model)
        if m is None:
            return
        path = common.ask_save_path(self, f"{m.meeting_no}.xlsx", _("Excel workbook (*.xlsx)"))
        if path:
            from ...services.ledger.papers import export_pack

            operations.run(self.ctx, self, lambda: export_pack(self.ctx.db, self.ctx.actor, m.meeting_no, path,
                                                               lang=current_language(),
                                                               factory_name=self.ctx.factory_name),
                           success=_("Meeting pack written to {file}", file=Path(path).name))
