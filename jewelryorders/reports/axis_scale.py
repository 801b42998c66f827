"""The value axis of a dashboard chart — its top and ticks — shared by the tab's QtCharts and the management report."""

from __future__ import annotations

import math
from collections.abc import Sequence


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def tick_count(top: float) -> int:
    """Ticks on whole numbers where possible: 0-20 in four steps of 5, 0-10 in five steps of 2."""
    for steps in (4, 5, 2):
        if abs(top / steps - round(top / steps)) < 1e-9:
            return steps + 1
    return 5


def value_axis_scale(plotted: Sequence[float], *, whole: bool, percent: bool = False) -> tuple[float, int]:
    """The value axis's top and tick count for the values plotted (percent values already multiplied by 100).

    A rate never reads past 100 %. Counts (`whole`) are never labelled 0.5 or 2.5 orders: their top is a whole
    number and, up to 5, every whole number gets its tick."""
    peak = max(list(plotted) + [0.0])
    if percent and peak <= 100.0:
        return 100.0, 5
    top = _nice_max(peak * 1.08)
    if whole:
        top = float(max(1, math.ceil(top - 1e-9)))
        if top <= 5:
            return top, int(top) + 1
        while all(abs(top / steps - round(top / steps)) > 1e-9 for steps in (4, 5, 2)):
            top += 1
    return top, tick_count(top)
