"""Each order's progress: steps done of the plan's steps and the projected finish."""

from __future__ import annotations


from PySide6.QtWidgets import QVBoxLayout, QWidget

from ...i18n import N_, _, formats
from ...services.ledger import entries as ledger
from ..context import UiContext
from ..materials.rows_model import RowColumn, RowsModel
from .common import _g, _table


# ---- progress ------------------------------------------------------------------------------------------------------

class ProgressView(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = RowsModel([
            RowColumn(N_("Order no."), lambda r: r.order_no),
            RowColumn(N_("Stage"), lambda r: _(__import__("jewelryorders.models.orders", fromlist=["STAGES"])
                                                .STAGES.get(r.stage, r.stage))),
            RowColumn(N_("Steps done"), lambda r: f"{r.steps_done} / {r.steps_total}", True),
            RowColumn(N_("Percent"), lambda r: f"{r.percent}%", True),
            RowColumn(N_("Delivery date"), lambda r: formats.date(r.delivery_date)),
            RowColumn(N_("Projected finish"), lambda r: formats.date(r.projected_finish)),
            RowColumn(N_("Days late"), lambda r: str(r.days_late or ""), True),
            RowColumn(N_("Loss (g)"), lambda r: _g(r.loss_mg), True),
            RowColumn(N_("Allowance (g)"), lambda r: _g(r.allowance_mg), True),
        ])
        self.table = _table(self.model)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)

    def refresh(self) -> None:
        self.model.set_rows(ledger.order_progress(self.ctx.db))

    def retranslate_ui(self) -> None:
        self.model.retranslate()
        self.refresh()
