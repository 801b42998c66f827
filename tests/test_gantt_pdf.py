"""The wall Gantt PDF: A3 landscape, order numbers and workshops on it, Chinese title, rows repeated over pages."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from jewelryorders.gantt.data import DayLoad, GanttBar, GanttData
from jewelryorders.reports.gantt_pdf import write_gantt_pdf

_BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench_gantt.py"
_spec = importlib.util.spec_from_file_location("bench_gantt", _BENCH)
bench_gantt = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("bench_gantt", bench_gantt)
_spec.loader.exec_module(bench_gantt)
make_plan = bench_gantt.make_plan

TODAY = date(2026, 3, 16)


def _text(path: Path, page: int | None = None) -> str:
    args = ["pdftotext", "-layout"]
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    return subprocess.run(args + [str(path), "-"], check=True, capture_output=True, text=True).stdout


def _pages_and_size(path: Path) -> tuple[int, float, float]:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    return pages, width, height


def _bar(order_id, seq, step, workshop_id, workshop, start, end, state="planned"):
    order_no = f"JO-2026-{order_id:04d}"
    return GanttBar(f"{order_no}/{seq}", order_id, order_no, "周生生", workshop_id, workshop, step, seq,
                    start, end, state, "李師傅", 30, "Pt950 婚戒一對")


@pytest.fixture
def small() -> GanttData:
    bars = [
        _bar(41, 1, "CAD設計", 1, "設計部", date(2026, 3, 10), date(2026, 3, 11), "done"),
        _bar(41, 2, "執模", 3, "執模車間", date(2026, 3, 12), date(2026, 3, 18), "late"),
        _bar(41, 3, "鑲石", 4, "鑲石車間", date(2026, 3, 19), date(2026, 3, 24)),
        _bar(42, 1, "起版", 2, "起版倒模車間", date(2026, 3, 16), date(2026, 3, 17), "in_progress"),
        _bar(42, 2, "電金", 6, "電金車間", date(2026, 3, 23), date(2026, 3, 23)),
        _bar(7, 1, "終檢", 7, "品檢部", date(2026, 1, 5), date(2026, 1, 6), "done"),  # long before the window
    ]
    loads = [DayLoad(3, "執模車間", date(2026, 3, 17), 660, 480), DayLoad(3, "執模車間", date(2026, 3, 18), 700, 480),
             DayLoad(4, "鑲石車間", date(2026, 3, 19), 300, 480)]
    return GanttData(bars, loads, frozenset({date(2026, 4, 6)}), TODAY, title="三月排產計劃")


def test_a3_landscape_with_orders_workshops_and_chinese_title(tmp_path, small):
    path = write_gantt_pdf(small, tmp_path / "gantt.pdf", factory_name="金輝珠寶首飾廠", lang="zh_TW",
                           date_from=date(2026, 3, 2), date_to=date(2026, 4, 12))
    pages, width, height = _pages_and_size(path)
    assert (round(width), round(height)) == (1191, 842)  # A3 is 420 x 297 mm, wider than tall
    text = _text(path)
    assert "三月排產計劃" in text
    assert "金輝珠寶首飾廠" in text
    assert "JO-2026-0041" in text and "JO-2026-0042" in text
    assert "JO-2026-0007" not in text  # its only step finished before the window
    for workshop in ("執模車間", "鑲石車間"):
        assert workshop in text
    assert "車間超負荷日" in text and "2026-03-18" in text  # the overloaded day is listed
    assert "今天" in text and "延誤" in text and "週末" in text


def test_rows_by_workshop_and_english_default_title(tmp_path, small):
    small.title = ""
    path = write_gantt_pdf(small, tmp_path / "by_workshop.pdf", factory_name="Golden Glory Jewellery Works",
                           lang="en", grouping="workshop")
    text = _text(path)
    assert "Production schedule" in text
    for workshop in ("設計部", "執模車間", "鑲石車間", "起版倒模車間", "電金車間"):
        assert workshop in text
    assert "Overloaded workshop days" in text
    assert "Workshop" in text and "Order · Customer" not in text
    assert "品檢部" not in text  # by default the wall starts two weeks before today; its January step is gone


def test_a_plan_longer_than_a_page_repeats_the_header_and_labels_on_every_page(tmp_path):
    data = make_plan(1500, title="排產計劃（全廠）")
    path = write_gantt_pdf(data, tmp_path / "big.pdf", factory_name="金輝珠寶首飾廠", lang="zh_TW",
                           date_from=date(2026, 2, 23), date_to=date(2026, 5, 31))
    pages, width, height = _pages_and_size(path)
    assert pages >= 3 and width > height
    chart_pages = [p for p in range(1, pages + 1) if "訂單 · 客戶" in _text(path, p)]
    assert len(chart_pages) >= 2
    seen: set[str] = set()
    for page in chart_pages:
        text = _text(path, page)
        numbers = set(re.findall(r"JO-2026-\d{4}", text))
        assert numbers, f"page {page} has no order numbers beside its rows"
        assert "排產計劃（全廠）" in text and "2026年3月" in text
        seen |= numbers
    in_window = {b.order_no for b in data.bars if b.end >= date(2026, 2, 23) and b.start <= date(2026, 5, 31)}
    assert in_window <= seen


def test_simplified_chinese_paper(tmp_path, small):
    path = write_gantt_pdf(small, tmp_path / "cn.pdf", factory_name="金辉珠宝首饰厂", lang="zh_CN",
                           date_from=date(2026, 3, 9), date_to=date(2026, 3, 29))
    text = _text(path)
    assert "三月排產計劃" in text  # the plan's own title, as the planner typed it
    assert "订单 · 客户" in text and "车间超负荷日" in text and "延误" in text


def test_no_overload_is_said_plainly(tmp_path, small):
    small.loads = [DayLoad(4, "鑲石車間", date(2026, 3, 19), 300, 480)]
    path = write_gantt_pdf(small, tmp_path / "calm.pdf", factory_name="F", lang="en",
                           date_from=date(2026, 3, 9), date_to=date(2026, 3, 29))
    assert "No workshop is over capacity in this period." in _text(path)
