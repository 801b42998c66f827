"""The dashboard: the factory at a glance. A registry of figures (registry.py), each one SQL query returning plain
dataclasses, the built-in figures of parts 1-3 (figures.py) and the logged-in user's to-do (todo.py)."""

from .registry import (  # noqa: F401
    FIGURE_MODULES,
    FIGURES,
    Chart,
    Computed,
    DashboardData,
    Figure,
    FigureContext,
    Link,
    Period,
    Presentation,
    Series,
    Table,
    compute,
    month_period,
    parse_month,
    preset_period,
    register_figure,
)
from . import papers  # noqa: E402,F401  (registers the report's permission)
