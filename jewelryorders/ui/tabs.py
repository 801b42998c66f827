"""The registry of the main window's tabs, one per part of the procedure, each loaded lazily from its own module."""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ..i18n import N_, _
from .context import UiContext

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TabSpec:
    key: str                 # stable id, remembered in QSettings as the last tab
    title_msgid: str
    module_path: str
    class_name: str
    summary_msgid: str = ""  # what this part of the procedure will do, shown while its tab is not built yet


TABS: list[TabSpec] = [
    TabSpec("orders", N_("Orders"), "jewelryorders.ui.orders.tab", "OrdersTab",
            N_("Order intake: customer, order lines, stones, delivery date, attachments, order confirmation.")),
    TabSpec("review", N_("Review"), "jewelryorders.ui.review.tab", "ReviewTab",
            N_("Preliminary review by sales, detailed review by production, technical and purchasing, "
               "negotiation, management decisions and the contract.")),
    TabSpec("planning", N_("Planning"), "jewelryorders.ui.planning.tab", "PlanningTab",
            N_("Production plans from routing templates, workshop capacity, the Gantt chart and task sheets.")),
    TabSpec("materials", N_("Materials"), "jewelryorders.ui.materials.tab", "MaterialsTab",
            N_("Stock and lots in quarantine, purchase orders and receipts, an order's requirement and picking.")),
    TabSpec("ledger", N_("Ledger"), "jewelryorders.ui.ledger.tab", "LedgerTab",
            N_("Progress per step, metal issued and returned with loss, coordination meetings and exceptions.")),
    TabSpec("quality", N_("Quality"), "jewelryorders.ui.quality.tab", "QualityTab",
            N_("Quality standards, IQC, first article, in-process and final inspections, nonconformance reports.")),
    TabSpec("delivery", N_("Delivery & After-sales"), "jewelryorders.ui.delivery.tab", "DeliveryTab",
            N_("Packing, quality certificates, shipments and tracking, repairs, maintenance and complaints.")),
    TabSpec("archive", N_("Archive"), "jewelryorders.ui.archive.tab", "ArchiveTab",
            N_("Every document of an order filed by category, paper locations, access requests and borrowing.")),
    TabSpec("dashboard", N_("Dashboard"), "jewelryorders.ui.dashboard.tab", "DashboardTab",
            N_("Open orders by stage, due dates at risk, workshop load and quality figures at a glance.")),
]


def tab_spec(key: str) -> TabSpec:
    for spec in TABS:
        if spec.key == key:
            return spec
    raise KeyError(key)


def _module_is_missing(exc: ModuleNotFoundError, module_path: str) -> bool:
    """True when the tab's own module (or its package) does not exist yet; False when it exists but imports
    something missing, which is a real error that must not be dressed up as 'coming later'."""
    missing = exc.name or ""
    return bool(missing) and (module_path == missing or module_path.startswith(missing + "."))


def load_tab_class(spec: TabSpec) -> type | None:
    """The tab's widget class, or None when its part of the procedure has not been written yet."""
    try:
        module = importlib.import_module(spec.module_path)
    except ModuleNotFoundError as exc:
        if _module_is_missing(exc, spec.module_path):
            return None
        raise
    cls = getattr(module, spec.class_name, None)
    return cls if isinstance(cls, type) else None


class _MessagePage(QWidget):
    """A calm, centred explanation in place of a tab's content."""

    def __init__(self, spec: TabSpec, parent: QWidget | None = None):
        super().__init__(parent)
        self.spec = spec
        self.title_label = QLabel()
        self.title_label.setObjectName("page_title")
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.title_label.setFont(font)
        self.body_label = QLabel()
        self.body_label.setObjectName("page_body")
        self.body_label.setWordWrap(True)
        self.body_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail_label = QLabel()
        self.detail_label.setObjectName("page_detail")
        self.detail_label.setWordWrap(True)
        self.detail_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail_label.setStyleSheet("color: #5f6368;")

        card = QFrame()
        card.setObjectName("page_card")
        # Word-wrapped labels take their width from the card, so the card needs a definite one; the nested
        # layouts (rather than an alignment flag) keep the labels' height-for-width, so no line is cut off.
        card.setFixedWidth(max(560, card.fontMetrics().horizontalAdvance("M") * 46))
        card.setFrameShape(QFrame.Shape.StyledPanel)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(32, 28, 32, 28)
        inner.setSpacing(12)
        inner.addWidget(self.title_label)
        inner.addWidget(self.body_label)
        inner.addWidget(self.detail_label)

        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card)
        row.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addStretch(2)
        outer.addLayout(row)
        outer.addStretch(3)


class ComingLaterPage(_MessagePage):
    """The honest empty page of a part of the procedure that a later version adds; it shows no data at all."""

    def __init__(self, spec: TabSpec, parent: QWidget | None = None):
        super().__init__(spec, parent)
        self.setObjectName(f"coming_later_{spec.key}")
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.title_label.setText(_(self.spec.title_msgid))
        self.body_label.setText(_("This part of the procedure is coming in a later version of jewelryorders."))
        self.detail_label.setText(_(self.spec.summary_msgid) if self.spec.summary_msgid else "")


class TabFailedPage(_MessagePage):
    """Shown when a tab exists but could not be built, so one broken part does not keep the others from working."""

    def __init__(self, spec: TabSpec, error: BaseException, parent: QWidget | None = None):
        super().__init__(spec, parent)
        self.setObjectName(f"tab_failed_{spec.key}")
        self.error = error
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.title_label.setText(_(self.spec.title_msgid))
        self.body_label.setText(_("This tab could not be opened. The other tabs work as usual; please tell the "
                                  "administrator and quote this message:"))
        self.detail_label.setText(f"{type(self.error).__name__}: {self.error}")


def create_tab(spec: TabSpec, ctx: UiContext, parent: QWidget | None = None) -> QWidget:
    """Build the tab's widget, or the page explaining why it is not there."""
    try:
        cls = load_tab_class(spec)
        if cls is None:
            return ComingLaterPage(spec, parent)
        return cls(ctx, parent)
    except Exception as exc:  # one tab's defect must not stop the whole application from starting
        log.exception("Tab %s could not be created", spec.key)
        return TabFailedPage(spec, exc, parent)
