"""Bench of the planning Gantt: scene build time and repaint time while scrolling, for 5,000 bars, offscreen.

Run:  QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_gantt.py [--bars 5000] [--steps 50]
The plan generator `make_plan` is also what the Gantt tests draw their sample factory from.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta

from jewelryorders.gantt.data import DayLoad, GanttBar, GanttData

WORKSHOPS: list[tuple[int, str]] = [
    (1, "設計部"), (2, "起版倒模車間"), (3, "執模車間"), (4, "鑲石車間"), (5, "拋光車間"), (6, "電金車間"), (7, "品檢部"),
]
# step, workshop id, (shortest, longest) working days, minutes of work per piece
ROUTING: list[tuple[str, int, tuple[int, int], int]] = [
    ("CAD設計", 1, (1, 3), 12),
    ("起版", 2, (1, 2), 10),
    ("倒模", 2, (1, 2), 4),
    ("執模", 3, (2, 4), 18),
    ("鑲石", 4, (2, 5), 30),
    ("拋光", 5, (1, 2), 12),
    ("電金", 6, (1, 1), 4),
    ("終檢", 7, (1, 1), 5),
]
CUSTOMERS = ["周大福珠寶", "六福珠寶", "謝瑞麟", "周生生", "老鳳祥", "金至尊", "潮宏基", "周六福", "萃華金店",
             "Pandora HK", "Aurora Jewels GmbH", "Kimura Trading", "明牌珠寶", "中國黃金", "TTF高級珠寶"]
PRODUCTS = ["18K金 Au750 女戒 主石0.30ct", "Pt950 鉑金 男戒", "足金 Au999 龍鳳手鐲", "S925 銀 吊墜",
            "18K玫瑰金 耳環 碎鑽24粒", "Au750 白金 項鏈 主石0.50ct", "Pt950 婚戒一對", "18K黃金 手鏈 配石12粒"]
MASTERS = ["陳師傅", "李師傅", "黃師傅", "張師傅", "梁師傅", "吳師傅", "林師傅", "何師傅", "郭師傅", "鄭師傅"]
HOLIDAYS_2026 = frozenset(
    [date(2026, 1, 1), date(2026, 1, 2)]
    + [date(2026, 2, 16) + timedelta(days=i) for i in range(6)]
    + [date(2026, 4, 6), date(2026, 5, 1), date(2026, 5, 4), date(2026, 5, 5), date(2026, 6, 19),
       date(2026, 9, 25)]
    + [date(2026, 10, 1) + timedelta(days=i) for i in range(7)])
WEEKEND = frozenset({5, 6})


def _working(day: date) -> bool:
    return day.weekday() not in WEEKEND and day not in HOLIDAYS_2026


def _next_working(day: date) -> date:
    while not _working(day):
        day += timedelta(days=1)
    return day


def _add_working_days(start: date, days: int) -> date:
    """The last day of a step that takes `days` working days from `start` (a working day)."""
    end = start
    left = days - 1
    while left > 0:
        end += timedelta(days=1)
        if _working(end):
            left -= 1
    return end


def make_plan(n_bars: int = 5000, today: date = date(2026, 3, 16), seed: int = 7, spread_days: int = 150,
              title: str = "") -> GanttData:
    """A jewelry factory's plan: orders through CAD → 起版/倒模 → 執模 → 鑲石 → 拋光 → 電金 → 終檢, with daily loads."""
    rng = random.Random(seed)
    bars: list[GanttBar] = []
    minutes_per_piece: dict[str, int] = {}
    order_id = 0
    while len(bars) < n_bars:
        order_id += 1
        order_no = f"JO-2026-{order_id:04d}"
        customer = rng.choice(CUSTOMERS)
        product = rng.choice(PRODUCTS)
        quantity = rng.choice([12, 20, 30, 50, 60, 80, 100, 120, 200, 300])
        with_stones = "石" in product or "鑽" in product or rng.random() < 0.3
        cursor = _next_working(today + timedelta(days=rng.randint(-spread_days * 2 // 3, spread_days // 3)))
        behind = rng.random() < 0.08
        for seq, (step, workshop_id, (shortest, longest), minutes) in enumerate(ROUTING, start=1):
            if step == "鑲石" and not with_stones:
                continue
            if len(bars) >= n_bars:
                break
            days = rng.randint(shortest, longest) + (1 if quantity >= 200 and longest > 1 else 0)
            start = cursor
            end = _add_working_days(start, days)
            if end < today:
                state = "done"
            elif start <= today:
                state = "late" if behind else "in_progress"
            else:
                state = "late" if behind and rng.random() < 0.5 else "planned"
            key = f"{order_no}/{seq}"
            bars.append(GanttBar(
                key=key, order_id=order_id, order_no=order_no, customer=customer,
                workshop_id=workshop_id, workshop=dict(WORKSHOPS)[workshop_id], step=step, seq=seq,
                start=start, end=end, state=state, responsible=rng.choice(MASTERS), quantity=quantity,
                details=product))
            minutes_per_piece[key] = minutes
            cursor = _next_working(end + timedelta(days=1 + (rng.random() < 0.25)))
    loads = _loads_for(bars, minutes_per_piece)
    return GanttData(bars=bars, loads=loads, holidays=HOLIDAYS_2026, today=today, title=title, weekend_days=WEEKEND)


def _loads_for(bars: list[GanttBar], minutes_per_piece: dict[str, int]) -> list[DayLoad]:
    """Spread each step's minutes over its working days; staff each workshop for about 90 % of its average day."""
    used: dict[tuple[int, date], int] = {}
    for bar in bars:
        days = [bar.start + timedelta(days=i) for i in range(bar.days)]
        days = [d for d in days if _working(d)] or [bar.start]
        share = bar.quantity * minutes_per_piece[bar.key] // len(days)
        for d in days:
            used[(bar.workshop_id, d)] = used.get((bar.workshop_id, d), 0) + share
    first = min(b.start for b in bars)
    last = max(b.end for b in bars)
    loads: list[DayLoad] = []
    for workshop_id, name in WORKSHOPS:
        values = [v for (w, _d), v in used.items() if w == workshop_id]
        average = sum(values) / max(len(values), 1)
        staff = max(1, math.ceil(average / 480 / 0.9))
        day = first
        while day <= last:
            capacity = staff * 480 if _working(day) else 0
            minutes = used.get((workshop_id, day), 0)
            if capacity or minutes:
                loads.append(DayLoad(workshop_id, name, day, minutes, capacity))
            day += timedelta(days=1)
    return loads


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=5000)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--width", type=int, default=1600)
    parser.add_argument("--height", type=int, default=1000)
    args = parser.parse_args(argv)

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from jewelryorders.gantt.data import layout_rows
    from jewelryorders.ui.planning.gantt_view import GanttWidget

    app = QApplication.instance() or QApplication(sys.argv)
    t0 = time.perf_counter()
    data = make_plan(args.bars)
    t_generate = time.perf_counter() - t0
    print(f"plan: {len(data.bars)} bars, {len({b.order_id for b in data.bars})} orders, "
          f"{len(data.loads)} workshop-days   (generated in {_ms(t_generate).strip()})")

    t0 = time.perf_counter()
    layout = layout_rows(data.bars, "order")
    t_layout = time.perf_counter() - t0
    print(f"layout_rows by order ({len(layout.rows)} rows):      {_ms(t_layout)}")

    widget = GanttWidget()
    widget.resize(args.width, args.height)
    widget.show()
    app.processEvents()

    t0 = time.perf_counter()
    widget.set_data(data)
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    app.processEvents()
    widget.view().viewport().repaint()
    t_first = time.perf_counter() - t0
    print(f"scene build (set_data, {len(data.bars)} items):    {_ms(t_build)}")
    print(f"first paint after build:              {_ms(t_first)}")

    view = widget.view()
    viewport = view.viewport()

    def scroll_run(label: str, bar, step: int, paint) -> None:
        if bar.maximum() == bar.minimum():
            print(f"{label:<38}(the whole plan fits: nothing to scroll)")
            return
        bar.setValue(bar.minimum())
        app.processEvents()
        times = []
        for _i in range(args.steps):
            value = bar.value() + step
            if value > bar.maximum():
                value = bar.minimum()
            t0 = time.perf_counter()
            bar.setValue(value)
            paint()
            app.processEvents()
            times.append(time.perf_counter() - t0)
        print(f"{label:<38}median {_ms(statistics.median(times))}   max {_ms(max(times))}   "
              f"({args.steps} steps)")

    for zoom in ("day", "week", "month"):
        t0 = time.perf_counter()
        widget.set_zoom(zoom)
        t_zoom = time.perf_counter() - t0
        print(f"-- zoom {zoom} ({widget.zoom():.0f} px/day), re-laid out in {_ms(t_zoom).strip()}")
        hbar = view.horizontalScrollBar()
        vbar = view.verticalScrollBar()
        scroll_run("  scroll right, viewport().repaint()", hbar, max(viewport.width() // 5, 1), viewport.repaint)
        scroll_run("  scroll down, viewport().repaint()", vbar, max(viewport.height() // 5, 1), viewport.repaint)
        scroll_run("  scroll right, full grab()", hbar, max(viewport.width() // 5, 1), lambda: viewport.grab())

    t0 = time.perf_counter()
    widget.set_grouping("workshop")
    t_group = time.perf_counter() - t0
    print(f"switch to rows by workshop:           {_ms(t_group)}")
    t0 = time.perf_counter()
    widget.grab()
    print(f"whole widget grab (by workshop):      {_ms(time.perf_counter() - t0)}")
    widget.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
