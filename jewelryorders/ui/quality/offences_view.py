"""Repeat offences: NCR counts per department, person and defect kind, with a Pareto chart."""

from __future__ import annotations


from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from ...i18n import N_, _
from ...services.quality import ncr
from ..context import UiContext
from ..materials.rows_model import RowColumn, RowsModel, _table


class ParetoChart(QWidget):
    """Bars of the counts, most first, with the cumulative percentage as a line; over-threshold bars in red."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.rows: list = []
        self.setMinimumHeight(160)

    def set_rows(self, rows) -> None:
        self.rows = list(rows)[:12]
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if not self.rows:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        left, bottom, top = 30, 36, 10
        top_count = max(r.count for r in self.rows)
        slot = (w - left - 10) / len(self.rows)
        points = []
        for i, r in enumerate(self.rows):
            bar_h = (h - bottom - top) * r.count / top_count
            x = left + i * slot + slot * 0.15
            painter.fillRect(QRectF(x, h - bottom - bar_h, slot * 0.7, bar_h),
                             QColor("#c62828") if r.over_threshold else QColor("#7b5e24"))
            painter.setPen(QColor("#333333"))
            painter.drawText(QRectF(left + i * slot, h - bottom + 2, slot, bottom - 2),
                             Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap, f"{r.label}\n{r.count}")
            points.append((left + i * slot + slot / 2, h - bottom - (h - bottom - top) * r.cumulative_percent / 100))
        painter.setPen(QColor("#1565c0"))
        for (x1, y1), (x2, y2) in zip(points, points[1:]):
            painter.drawLine(int(x1), int(y1), int(x2), int(y2))
        painter.end()


class OffencesView(QWidget):
    """NCRs counted per department, person, defect kind or month (a Pareto), over-threshold rows marked."""

    sig_changed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.group = QComboBox()
        self.group.setObjectName("offence_group")
        for key in ncr.OFFENCE_GROUPS:
            self.group.addItem("", key)
        self.group.currentIndexChanged.connect(self.refresh)
        self.model = RowsModel([
            RowColumn(N_("Counted by"), lambda r: r.label + ("  ⚠" if r.over_threshold else "")),
            RowColumn(N_("NCRs"), lambda r: str(r.count), True),
            RowColumn(N_("Cumulative %"), lambda r: f"{r.cumulative_percent:.1f}", True),
        ])
        self.table = _table(self.model, "offences_table", stretch_column=0)
        self.chart = ParetoChart()
        self.chart.setObjectName("pareto_chart")
        self.threshold_label = QLabel()
        self.overdue_label = QLabel()
        self.overdue_label.setObjectName("overdue_actions")
        self.overdue_label.setWordWrap(True)
        head = QHBoxLayout()
        head.addWidget(self.group)
        head.addWidget(self.threshold_label, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(self.chart)
        layout.addWidget(split, 1)
        layout.addWidget(self.overdue_label)

    def retranslate_ui(self) -> None:
        for i, text in enumerate((_("per department"), _("per person"), _("per defect kind"), _("per month"))):
            self.group.setItemText(i, text)
        self.model.retranslate()

    def refresh(self) -> None:
        rows = ncr.repeat_offences(self.ctx.db, self.group.currentData() or "department")
        self.model.set_rows(rows)
        self.chart.set_rows(rows)
        self.threshold_label.setText(_("Marked ⚠: at or over the factory's threshold of {n} NCRs.",
                                       n=ncr.repeat_threshold(self.ctx.db)))
        overdue = ncr.overdue_actions(self.ctx.db)
        self.overdue_label.setText(_("Corrective actions overdue: {list}", list=", ".join(
            f"{n.ncr_no} ({n.action_due.isoformat()})" for n in overdue)) if overdue else "")
