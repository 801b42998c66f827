"""The Ledger tab: the scan field for the shop floor, the ledger with filters and totals, each order's progress,
exceptions with the customer's notification, and coordination meetings with the user's to-do list. One module per
sub-view (ledger_view, progress_view, exceptions_view, meetings_view); what they share is in common."""

from __future__ import annotations

from ...i18n import N_
from ..common.sub_views import SubViewsTab
from .exceptions_view import ExceptionsView
from .ledger_view import LedgerView
from .meetings_view import MeetingsView
from .progress_view import ProgressView

VIEW_LEDGER, VIEW_PROGRESS, VIEW_EXCEPTIONS, VIEW_MEETINGS = "ledger", "progress", "exceptions", "meetings"


class LedgerTab(SubViewsTab):
    VIEWS = ((VIEW_LEDGER, N_("Ledger"), LedgerView), (VIEW_PROGRESS, N_("Order progress"), ProgressView),
             (VIEW_EXCEPTIONS, N_("Exceptions"), ExceptionsView),
             (VIEW_MEETINGS, N_("Meetings and to-do"), MeetingsView))
    MARGINS = 4
    FOLLOW_LANGUAGE = False      # the main window retranslates this tab
    REFRESH_ON_OPEN = False      # each view reads its data as it is built
    REFRESH_ON_PAGE = True       # a view turned to shows what changed meanwhile

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.ledger_view = self.views[VIEW_LEDGER]
        self.progress_view = self.views[VIEW_PROGRESS]
        self.exceptions_view = self.views[VIEW_EXCEPTIONS]
        self.meetings_view = self.views[VIEW_MEETINGS]
        self.finish_setup()


__all__ = ["LedgerTab", "VIEW_EXCEPTIONS", "VIEW_LEDGER", "VIEW_MEETINGS", "VIEW_PROGRESS"]
