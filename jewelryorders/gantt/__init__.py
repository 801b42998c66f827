"""The Gantt chart's plain data and layout rules, shared by the planning widget and the wall PDF (no Qt here)."""

from .data import (
    GROUPING_LABELS,
    GROUPINGS,
    STATE_COLORS,
    STATE_LABELS,
    STATES,
    DayLoad,
    GanttBar,
    GanttData,
    GanttLayout,
    GanttRow,
    MoveCheck,
    WorkshopOverload,
    check_step_order,
    compress_dates,
    date_span,
    drag_modes,
    is_non_working,
    layout_rows,
    loads_by_workshop,
    month_starts,
    overload_summary,
    pack_lanes,
    week_starts,
    workshops_of,
)

__all__ = [
    "GROUPING_LABELS", "GROUPINGS", "STATE_COLORS", "STATE_LABELS", "STATES", "DayLoad", "GanttBar", "GanttData",
    "GanttLayout", "GanttRow", "MoveCheck", "WorkshopOverload", "check_step_order", "compress_dates", "date_span",
    "drag_modes", "is_non_working", "layout_rows", "loads_by_workshop", "month_starts", "overload_summary",
    "pack_lanes", "week_starts", "workshops_of",
]
