"""The Review tab: one sub-view per part of the review, shown to the users who work in it; overdue badge."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from ...i18n import _
from ...models.users import DEPARTMENTS
from ...services.review import queries
from ...services.errors import DomainError
from ...services.permissions import allowed
from ...services.review.procedure import answers_for
from ..context import UiContext
from .views import EscalationsView, InboxView, PreliminaryView, RoundsView

VIEW_PRELIMINARY = "preliminary"
VIEW_INBOX = "inbox"
VIEW_ROUNDS = "rounds"
VIEW_ESCALATIONS = "escalations"
BADGE_REFRESH_MS = 60_000


class ReviewTab(QWidget):
    """Sales sees preliminary review, rounds and escalations; a department its inbox; a manager the escalations."""

    sig_badge = Signal(str)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        actor = ctx.actor
        self.department = answers_for(actor)
        self.views: dict[str, QWidget] = {}
        self.tabs = QTabWidget()
        self.tabs.setObjectName("review_views")
        if allowed(actor, "review.preliminary"):
            self.views[VIEW_PRELIMINARY] = PreliminaryView(ctx)
        if self.department:
            self.views[VIEW_INBOX] = InboxView(ctx, self.department)
        if allowed(actor, "review.close_round"):
            self.views[VIEW_ROUNDS] = RoundsView(ctx)
        if allowed(actor, "review.decide") or allowed(actor, "review.preliminary"):
            self.views[VIEW_ESCALATIONS] = EscalationsView(ctx)
        for view in self.views.values():
            self.tabs.addTab(view, "")
            view.sig_changed.connect(self._on_changed)
        if allowed(actor, "review.decide") and VIEW_ESCALATIONS in self.views:
            self.tabs.setCurrentWidget(self.views[VIEW_ESCALATIONS])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self._last_overdue: int | None = None
        ctx.bus.sig_review_changed.connect(lambda _id: self.refresh())
        ctx.bus.sig_order_changed.connect(lambda _id: self.refresh())
        ctx.bus.sig_orders_changed.connect(self.refresh)
        self.timer = QTimer(self)
        self.timer.setInterval(BADGE_REFRESH_MS)
        self.timer.timeout.connect(self.update_badge)
        self.timer.start()
        self.retranslate_ui()
        QTimer.singleShot(0, self.update_badge)

    def view(self, key: str) -> QWidget | None:
        return self.views.get(key)

    def show_view(self, key: str) -> None:
        self.tabs.setCurrentWidget(self.views[key])

    def retranslate_ui(self) -> None:
        titles = {
            VIEW_PRELIMINARY: _("Preliminary review"),
            VIEW_INBOX: _("Inbox of {department}", department=_(DEPARTMENTS.get(self.department or "", ""))),
            VIEW_ROUNDS: _("Rounds"),
            VIEW_ESCALATIONS: _("Escalations"),
        }
        for key, view in self.views.items():
            self.tabs.setTabText(self.tabs.indexOf(view), titles[key])
            view.retranslate_ui()
        self._last_overdue = None
        self.update_badge()

    def _on_changed(self, order_id: int) -> None:
        # The bus tells the other tabs (and this one's other views, through refresh).
        self.ctx.bus.sig_review_changed.emit(order_id)

    def refresh(self) -> None:
        for view in self.views.values():
            view.refresh()
        self.update_badge()

    def overdue_count(self) -> int:
        """Overdue opinions of the user's own department; all of them for sales and managers."""
        actor = self.ctx.actor
        sees_all = allowed(actor, "review.preliminary") or allowed(actor, "review.decide")
        if not sees_all and not self.department:
            return 0
        try:
            return queries.overdue_count(self.ctx.db, None if sees_all else self.department)
        except DomainError:
            return 0

    def update_badge(self) -> None:
        count = self.overdue_count()
        self.sig_badge.emit(str(count) if count else "")
        if VIEW_INBOX in self.views:
            inbox = self.views[VIEW_INBOX]
            title = _("Inbox of {department}", department=_(DEPARTMENTS.get(self.department or "", "")))
            own = queries.overdue_count(self.ctx.db, self.department) if self.department else 0
            self.tabs.setTabText(self.tabs.indexOf(inbox), f"{title} ({own})" if own else title)
        if count != self._last_overdue:
            self._last_overdue = count
            if count:
                self.ctx.bus.sig_status_message.emit(_("{count} review opinions are overdue", count=count))
