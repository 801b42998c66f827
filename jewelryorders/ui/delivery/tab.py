"""The Delivery & After-sales tab: ship an order's released goods (whole or in parts) with packages and
certificates, follow each shipment to delivery and tell the customer, print the papers; carry after-sales cases
(repairs, complaints ...) to closure; see the analysis. Every change goes through the delivery services. One module
per sub-view (ship_view, shipments_view, cases_view, analysis_view); what they share is in common."""

from __future__ import annotations

from ...i18n import N_
from ..common.sub_views import SubViewsTab
from .analysis_view import AnalysisView
from .cases_view import CasesView
from .common import VIEW_ANALYSIS, VIEW_CASES, VIEW_SHIP, VIEW_SHIPMENTS
from .ship_view import ShipView
from .shipments_view import ShipmentsView


class DeliveryTab(SubViewsTab):
    VIEWS = ((VIEW_SHIP, N_("Ready to ship"), ShipView),
             (VIEW_SHIPMENTS, N_("Shipments and tracking"), ShipmentsView),
             (VIEW_CASES, N_("After-sales cases"), CasesView),
             (VIEW_ANALYSIS, N_("After-sales analysis"), AnalysisView))
    tabs_name = "delivery_views"
    CHANGE_REFRESHES_ALL = True  # a view that changed data reads it again with the others

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.finish_setup()

    def refresh_view(self, view_id: str) -> None:
        """Shipments and cases keep the selected row; the analysis reads its period only when asked."""
        if view_id == VIEW_ANALYSIS:
            return
        view = self.views[view_id]
        selected = None
        if view_id == VIEW_SHIPMENTS and view.selected():
            selected = view.selected().shipment_no
        if view_id == VIEW_CASES and view.selected():
            selected = view.selected().case_no
        view.refresh()
        if selected:
            view.select(selected)


__all__ = ["DeliveryTab", "VIEW_ANALYSIS", "VIEW_CASES", "VIEW_SHIP", "VIEW_SHIPMENTS"]
