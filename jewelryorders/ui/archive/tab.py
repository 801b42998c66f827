"""The Archive tab: browse and search filed documents, preview and verify them, the request → approval → grant →
reading / borrowing → return cycle, the access log, retention decisions, backups and restore. One module per
sub-view (documents_view, requests_view, loans_view, safety_view); what they share is in common."""

from __future__ import annotations

from PySide6.QtCore import Signal

from ...i18n import N_, _
from ...services.archive import loans, requests
from ...services.permissions import allowed
from ..common.sub_views import SubViewsTab
from . import common
from .documents_view import DocumentsView
from .loans_view import LoansView
from .requests_view import SCOPE_ALL, SCOPE_APPROVE, SCOPE_GRANT, SCOPE_MINE, RequestsView
from .safety_view import SafetyView

VIEW_DOCUMENTS, VIEW_REQUESTS, VIEW_LOANS, VIEW_SAFETY = "documents", "requests", "loans", "safety"


class ArchiveTab(SubViewsTab):
    VIEWS = ((VIEW_DOCUMENTS, N_("Documents"), DocumentsView), (VIEW_REQUESTS, N_("Requests"), RequestsView),
             (VIEW_LOANS, N_("Loans"), LoansView), (VIEW_SAFETY, N_("Access log and backups"), SafetyView))
    tabs_name = "archive_views"
    MARGINS = 4
    REFRESH_ON_OPEN = False      # each view reads its data as it is built

    sig_badge = Signal(str)

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.setObjectName("archive_tab")
        self.documents = self.views[VIEW_DOCUMENTS]
        self.requests = self.views[VIEW_REQUESTS]
        self.loans = self.views[VIEW_LOANS]
        self.safety = self.views[VIEW_SAFETY]
        self.safety.sig_restored.connect(self._restored)
        self.finish_setup()

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self._update_badge()

    def view_changed(self, view_id: str) -> None:
        """A new request shows in the requests; a decision or a return changes every list and the badge."""
        if view_id == VIEW_DOCUMENTS:
            self.requests.refresh()
        elif view_id in (VIEW_REQUESTS, VIEW_LOANS):
            self.refresh_all()

    def page_changed(self, view_id: str) -> None:
        if view_id == VIEW_REQUESTS:
            self.requests.mark_seen()

    def refresh_all(self) -> None:
        super().refresh()
        self._update_badge()

    def refresh(self) -> None:
        self.refresh_all()

    def _update_badge(self) -> None:
        a = self.ctx.actor
        n = len(requests.notifications(self.ctx.db, a)) + len(requests.requests_to_approve(self.ctx.db, a))
        if allowed(a, "archive.keep"):
            n += len(requests.list_requests(self.ctx.db, status="approved")) + len(loans.overdue_loans(self.ctx.db))
        self.sig_badge.emit(str(n) if n else "")

    def _restored(self) -> None:
        window = self.window()
        signal = getattr(window, "sig_logout_requested", None)
        common.inform(self, _("Restore…"), _("The backup was restored. Log in again to work with the restored data."))
        if signal is not None:
            signal.emit()


__all__ = ["ArchiveTab", "SCOPE_ALL", "SCOPE_APPROVE", "SCOPE_GRANT", "SCOPE_MINE", "VIEW_DOCUMENTS", "VIEW_LOANS",
           "VIEW_REQUESTS", "VIEW_SAFETY"]
