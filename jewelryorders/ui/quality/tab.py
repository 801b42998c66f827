"""The Quality tab: inspection entry (IQC, FAI, IPQC, FQC) against the standard in force, the NCR workflow
(disposition, corrective action, rectification, verification, closing), standards, instruments with their
calibration warnings, and repeat offences with a Pareto chart. One module per sub-view; what they share is in common.
Every change goes through the quality services."""

from __future__ import annotations

from ...i18n import N_
from ..common.sub_views import SubViewsTab
from .inspection_view import InspectionView
from .ncr_view import NcrView
from .offences_view import OffencesView
from .standards_view import StandardsView

VIEW_INSPECTIONS, VIEW_NCRS, VIEW_STANDARDS, VIEW_OFFENCES = "inspections", "ncrs", "standards", "offences"


class QualityTab(SubViewsTab):
    VIEWS = ((VIEW_INSPECTIONS, N_("Inspections"), InspectionView),
             (VIEW_NCRS, N_("Nonconformance reports"), NcrView),
             (VIEW_STANDARDS, N_("Standards and instruments"), StandardsView),
             (VIEW_OFFENCES, N_("Repeat offences"), OffencesView))
    tabs_name = "quality_views"
    CHANGE_REFRESHES_ALL = True  # an inspection saved refreshes its own list as well as the NCRs

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.inspection = self.views[VIEW_INSPECTIONS]
        self.ncrs = self.views[VIEW_NCRS]
        self.standards = self.views[VIEW_STANDARDS]
        self.offences = self.views[VIEW_OFFENCES]
        self.finish_setup()


__all__ = ["QualityTab", "VIEW_INSPECTIONS", "VIEW_NCRS", "VIEW_OFFENCES", "VIEW_STANDARDS"]
