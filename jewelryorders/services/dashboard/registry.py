"""The dashboard's registry of figures: what each figure computes, how it is shown, and how a later part adds one.

A figure is a `Figure`: a key, a title and a definition (message ids), a query `(db, ctx) -> result` that computes
it in SQL and returns plain dataclasses, and a `present(result, lang) -> Presentation` that turns the result into
a generic chart (bars, lines, a capacity line, marked categories, clickable categories) and a table (the figures
behind the chart). The tab, the management report (PDF) and the workbook draw every figure from its Presentation,
so a new figure needs no change to any of them.

To add a figure from another part (quality, delivery, ledger...):
1. in that part's own module (e.g. `services/quality/dashboard.py`) write the query and the present function and
   call `register_figure(Figure(...))` at import time;
2. add that module's path to `FIGURE_MODULES` below (one line);
3. test the query on a small fixed data set, and translate the new messages in the part's own domain.
"""

from __future__ import annotations

import datetime as dt
import importlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ... import clock
from ...db import Database
from ..context import Actor

# Modules that register figures (the built-in ones first); a later part appends its own module here.
FIGURE_MODULES: list[str] = [
    "jewelryorders.services.dashboard.figures",
    "jewelryorders.services.dashboard.todo",
    "jewelryorders.services.delivery.dashboard",
    "jewelryorders.services.quality.dashboard",
    "jewelryorders.services.ledger.dashboard",
    "jewelryorders.services.archive.dashboard",
]

# Chart kinds every renderer (tab, PDF) knows.
CHART_BAR = "bar"          # vertical bars, one group per category, one bar per series
CHART_HBAR = "hbar"        # horizontal bars (long category names: departments, workshops, defects)
CHART_LINE = "line"        # one line per series over the categories (months)
CHART_KINDS = (CHART_BAR, CHART_HBAR, CHART_LINE)


@dataclass(frozen=True)
class Period:
    """The period the manager chose: first and last day, both included."""

    first: dt.date
    last: dt.date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("period ends before it starts")

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def contains(self, day: dt.date) -> bool:
        return self.first <= day <= self.last


def month_period(year: int, month: int) -> Period:
    first = dt.date(year, month, 1)
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return Period(first, following - dt.timedelta(days=1))


def parse_month(text: str) -> Period:
    """'2026-11' -> the period of that month; ValueError when it is not a month."""
    year, sep, month = text.strip().partition("-")
    if not sep or not (year.isdigit() and month.isdigit()) or len(year) != 4 or not 1 <= int(month) <= 12:
        raise ValueError(text)
    return month_period(int(year), int(month))


# Period presets of the tab's selector (key -> label msgid is in figures.PERIOD_LABELS).
PERIOD_THIS_MONTH = "this_month"
PERIOD_LAST_MONTH = "last_month"
PERIOD_LAST_3_MONTHS = "last_3_months"
PERIOD_YEAR_TO_DATE = "year_to_date"
PERIOD_LAST_12_MONTHS = "last_12_months"
PERIOD_PRESETS = (PERIOD_THIS_MONTH, PERIOD_LAST_MONTH, PERIOD_LAST_3_MONTHS, PERIOD_YEAR_TO_DATE,
                  PERIOD_LAST_12_MONTHS)


def preset_period(key: str, today: dt.date | None = None) -> Period:
    today = today or clock.today()
    this_month = month_period(today.year, today.month)
    if key == PERIOD_LAST_MONTH:
        last = this_month.first - dt.timedelta(days=1)
        return month_period(last.year, last.month)
    if key == PERIOD_LAST_3_MONTHS:
        first = _months_back(this_month.first, 2)
        return Period(first, today)
    if key == PERIOD_YEAR_TO_DATE:
        return Period(dt.date(today.year, 1, 1), today)
    if key == PERIOD_LAST_12_MONTHS:
        return Period(_months_back(this_month.first, 11), today)
    return Period(this_month.first, today)


def _months_back(first_of_month: dt.date, months: int) -> dt.date:
    index = first_of_month.year * 12 + first_of_month.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class FigureContext:
    """What every query receives: the chosen period, today (snapshot figures), now, and who is looking."""

    period: Period
    today: dt.date
    now: dt.datetime
    actor: Actor | None = None

    @classmethod
    def make(cls, period: Period | None = None, actor: Actor | None = None, *, today: dt.date | None = None,
             now: dt.datetime | None = None) -> "FigureContext":
        today = today or clock.today()
        return cls(period or preset_period(PERIOD_THIS_MONTH, today), today, now or clock.now(), actor)


# ---- the generic presentation every renderer draws ---------------------------------------------------------------

@dataclass(frozen=True)
class Link:
    """Where a click leads: a tab of the main window, optionally one of its views, stages (Orders tab filter),
    or an order."""

    tab: str
    view: str = ""
    stages: tuple[str, ...] = ()
    order_id: int | None = None


@dataclass(frozen=True)
class Series:
    name: str                     # translated
    values: tuple[float, ...]
    color: str = ""               # "#rrggbb"; empty: the renderer's palette


@dataclass(frozen=True)
class Chart:
    kind: str                                   # one of CHART_KINDS
    categories: tuple[str, ...]                 # translated labels
    series: tuple[Series, ...]
    unit: str = ""                              # translated axis title
    limit: Series | None = None                 # a line drawn over the bars (capacity, allowance, target)
    marked: tuple[bool, ...] = ()               # per category: drawn in the warning colour (overload, late)
    links: tuple[Link | None, ...] = ()         # per category: what a click on it opens
    percent: bool = False                       # values are fractions shown as percent


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]                    # translated
    rows: tuple[tuple[Any, ...], ...]           # real values: int, float, Decimal, date, str
    links: tuple[Link | None, ...] = ()         # per row
    marked: tuple[bool, ...] = ()               # per row: warning colour
    formats: tuple[str, ...] = ()               # per column: "" | "int" | "0.0" | "percent" | "date" | "hours"


@dataclass(frozen=True)
class Presentation:
    headline: str                               # one sentence: the figure in ten seconds
    table: Table
    chart: Chart | None = None
    empty: str = ""                             # shown instead of the chart when there is nothing to show


@dataclass(frozen=True)
class Figure:
    key: str
    title: str                                  # msgid
    definition: str                             # msgid: the tooltip, the report's footnote
    query: Callable[[Database, FigureContext], Any]
    present: Callable[[Any, str | None], Presentation]
    part: str = "dashboard"                     # which part of the procedure owns it
    order: int = 100                            # position on the tab and in the report
    per_user: bool = False                      # depends on who looks (my to-do): not in the management report
    in_report: bool = True
    wide: bool = False                          # takes a whole row on the tab
    table_on_tab: bool = False                  # the tab shows the table (rows to click) rather than the chart


_figures: dict[str, Figure] = {}
_loaded = False


def register_figure(figure: Figure) -> None:
    """Add (or replace, by key) a figure."""
    _figures[figure.key] = figure


def _load() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        for module in FIGURE_MODULES:
            importlib.import_module(module)


def figures() -> list[Figure]:
    """Every registered figure, in display order."""
    _load()
    return sorted(_figures.values(), key=lambda f: (f.order, f.key))


def figure(key: str) -> Figure:
    _load()
    return _figures[key]


class _FiguresView(Sequence):
    """`FIGURES`: the registry read as a list (loads the registering modules on first use)."""

    def __getitem__(self, index):
        return figures()[index]

    def __len__(self) -> int:
        return len(figures())

    def keys(self) -> list[str]:
        return [f.key for f in figures()]


FIGURES = _FiguresView()


@dataclass(frozen=True)
class Computed:
    figure: Figure
    result: Any
    seconds: float
    error: str = ""


@dataclass
class DashboardData:
    context: FigureContext
    computed: list[Computed] = field(default_factory=list)
    seconds: float = 0.0

    def result(self, key: str) -> Any:
        return next(c.result for c in self.computed if c.figure.key == key)


def compute(db: Database, ctx: FigureContext, *, keys: Sequence[str] | None = None,
            for_report: bool = False) -> DashboardData:
    """Run every figure's query (or those in `keys`), timing each. A figure that fails is reported with its error
    and the others still show; a report (for_report) leaves out the per-user figures."""
    from ..errors import DomainError

    started = time.perf_counter()
    data = DashboardData(ctx)
    for fig in figures():
        if keys is not None and fig.key not in keys:
            continue
        if for_report and (fig.per_user or not fig.in_report):
            continue
        if fig.per_user and ctx.actor is None:
            continue
        t0 = time.perf_counter()
        try:
            result = fig.query(db, ctx)
            error = ""
        except DomainError as exc:
            result, error = None, str(exc)
        data.computed.append(Computed(fig, result, time.perf_counter() - t0, error))
    data.seconds = time.perf_counter() - started
    return data
