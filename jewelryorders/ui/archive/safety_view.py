"""The access log, retention decisions, backups and restore."""

from __future__ import annotations


from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ...i18n import N_, _, current_language
from ...models.archive import ACCESS_ACTIONS
from ...models.documents import DOCUMENT_CATEGORIES
from ...services.archive import backups, filing, papers, requests
from ...services.permissions import allowed
from .. import operations
from ..context import UiContext
from ..materials.rows_model import RowColumn, RowsModel, _selected, _table
from . import common
from .common import _when


# ---- log, retention, data safety -------------------------------------------------------------------------------

class SafetyView(QWidget):
    """The access log, documents past retention, backups and restore."""

    sig_restored = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.log_model = RowsModel([
            RowColumn(N_("When"), lambda r: _when(r.at)),
            RowColumn(N_("Who"), lambda r: r.display_name),
            RowColumn(N_("Action"), lambda r: _(ACCESS_ACTIONS[r.action])),
            RowColumn(N_("Document"), lambda r: r.document_title),
            RowColumn(N_("Purpose"), lambda r: r.purpose),
            RowColumn(N_("Request"), lambda r: r.request_no),
        ])
        self.retention_model = RowsModel([
            RowColumn(N_("Title"), lambda r: r.title),
            RowColumn(N_("Category"), lambda r: _(DOCUMENT_CATEGORIES.get(r.category, r.category))),
            RowColumn(N_("Filed"), lambda r: _when(r.uploaded_at)),
            RowColumn(N_("Order no."), lambda r: r.order_no),
        ])
        self.log_table = _table(self.log_model, "archive_log", 3)
        self.retention_table = _table(self.retention_model, "archive_retention", 0)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for key, slot in (("backup", self.backup_now), ("restore", self.restore), ("export_log", self.export_log),
                          ("keep", self.keep_longer), ("dispose", self.dispose)):
            b = QPushButton()
            b.setObjectName(f"safety_{key}")
            b.clicked.connect(slot)
            self.buttons[key] = b
            row.addWidget(b)
        row.addStretch(1)
        self.log_label, self.retention_label = QLabel(), QLabel()
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.log_label)
        layout.addWidget(self.log_table, 2)
        layout.addWidget(self.retention_label)
        layout.addWidget(self.retention_table, 1)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        texts = {"backup": _("&Back up now"), "restore": _("&Restore…"), "export_log": _("Export the access &log…"),
                 "keep": _("&Keep longer…"), "dispose": _("&Dispose of…")}
        for key, b in self.buttons.items():
            b.setText(texts[key])
        a = self.ctx.actor
        self.buttons["backup"].setVisible(allowed(a, "archive.backup"))
        self.buttons["restore"].setVisible(allowed(a, "archive.restore"))
        self.buttons["export_log"].setVisible(allowed(a, "archive.log"))
        self.buttons["keep"].setVisible(allowed(a, "archive.keep"))
        self.buttons["dispose"].setVisible(allowed(a, "archive.keep"))
        self.log_label.setText(_("Access log (last 500)"))
        self.retention_label.setText(_("Past their retention period: the archive keeper decides"))
        self.log_model.retranslate()
        self.retention_model.retranslate()
        self.refresh()

    def refresh(self) -> None:
        if allowed(self.ctx.actor, "archive.log"):
            rows = requests.access_log(self.ctx.db, self.ctx.actor)
            self.log_model.set_rows(list(reversed(rows[-500:])))
        self.retention_model.set_rows(filing.past_retention(self.ctx.db, limit=500))

    def backup_now(self) -> None:
        operations.run(self.ctx, self, lambda: backups.backup_now(self.ctx.db, self.ctx.actor),
                       on_success=lambda p: self.ctx.bus.sig_status_message.emit(
                           _("Backup written and verified: {file}", file=str(p))))

    def restore(self) -> None:
        if self.ctx.db.path is None:
            return
        path, _filter = QFileDialog.getOpenFileName(self, _("Restore…"), str(self.ctx.db.path.parent),
                                                    _("jewelryorders databases (*.db *.sqlite *.sqlite3);;All files (*)"))
        if not path or not common.confirm(self, _("Restore…"), _("Replace the database with the backup {file}? "
                                                                 "The database as it is now is backed up first; you "
                                                                 "log in again afterwards.", file=path)):
            return
        password = common.ask_password(self, self.ctx.actor.username)
        if password is None:
            return

        def call():
            backups.check_restore_right(self.ctx.actor)
            return backups.restore(path, self.ctx.db.path, username=self.ctx.actor.username, password=password)

        if operations.run(self.ctx, self, call) is not None:
            self.sig_restored.emit()

    def export_log(self) -> None:
        path = common.ask_save_path(self, "access-log.xlsx", _("Excel workbook (*.xlsx)"))
        if path:
            operations.run(self.ctx, self, lambda: papers.export_access_log(self.ctx.db, self.ctx.actor, path,
                                                                            current_language()),
                           success=_("Access log written to {file}", file=path))

    def _retention_selected(self):
        return _selected(self.retention_table, self.retention_model)

    def keep_longer(self) -> None:
        r = self._retention_selected()
        if r is None:
            return
        until = common.ask_reason(self, _("Keep longer"), _("Keep until (YYYY-MM-DD)"))
        reason = common.ask_reason(self, _("Keep longer"), _("Reason")) if until else None
        if until and reason is not None:
            operations.run(self.ctx, self, lambda: filing.decide_retention(self.ctx.db, self.ctx.actor, r.id,
                                                                           keep_until=until, reason=reason),
                           on_success=lambda _r: self.refresh())

    def dispose(self) -> None:
        r = self._retention_selected()
        if r is None:
            return
        reason = common.ask_reason(self, _("Dispose of"), _("Reason"))
        if reason is not None and common.confirm(self, _("Dispose of"), _("Dispose of {file}? It leaves the "
                                                                            "archive's lists; its record and history "
                                                                            "stay.", file=r.title)):
            operations.run(self.ctx, self, lambda: filing.decide_retention(self.ctx.db, self.ctx.actor, r.id,
                                                                           dispose=True, reason=reason),
                           on_success=lambda _r: self.refresh())
