"""The planning Gantt widget: dragging bars, refusals snap back, warnings stand and undo, grouping, 5,000 bars."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from jewelryorders.gantt.data import (
    DayLoad,
    GanttBar,
    GanttData,
    MoveCheck,
    check_step_order,
    compress_dates,
    layout_rows,
    overload_summary,
    pack_lanes,
)
from jewelryorders.i18n import set_language

_BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench_gantt.py"
_spec = importlib.util.spec_from_file_location("bench_gantt", _BENCH)
bench_gantt = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("bench_gantt", bench_gantt)
_spec.loader.exec_module(bench_gantt)
make_plan = bench_gantt.make_plan

from jewelryorders.ui.planning.gantt_view import GanttWidget  # noqa: E402

TODAY = date(2026, 3, 16)  # a Monday


def _bar(order_id, seq, step, workshop_id, workshop, start, end, state="planned", order_no=None, customer="周大福珠寶"):
    order_no = order_no or f"JO-2026-{order_id:04d}"
    return GanttBar(key=f"{order_no}/{seq}", order_id=order_id, order_no=order_no, customer=customer,
                    workshop_id=workshop_id, workshop=workshop, step=step, seq=seq, start=start, end=end,
                    state=state, responsible="陳師傅", quantity=60, details="18K金 Au750 女戒 主石0.30ct")


def small_plan() -> GanttData:
    d = lambda m, day: date(2026, m, day)  # noqa: E731
    bars = [
        _bar(1, 1, "CAD設計", 1, "設計部", d(3, 9), d(3, 10), "done"),
        _bar(1, 2, "起版", 2, "起版倒模車間", d(3, 12), d(3, 17), "in_progress"),
        _bar(1, 3, "執模", 3, "執模車間", d(3, 18), d(3, 20)),
        _bar(1, 4, "鑲石", 4, "鑲石車間", d(3, 23), d(3, 25)),
        _bar(1, 5, "拋光", 5, "拋光車間", d(3, 26), d(3, 27)),
        _bar(2, 1, "CAD設計", 1, "設計部", d(3, 16), d(3, 17), customer="六福珠寶"),
        _bar(2, 2, "起版", 2, "起版倒模車間", d(3, 18), d(3, 19), customer="六福珠寶"),
        _bar(2, 3, "執模", 3, "執模車間", d(3, 23), d(3, 24), "late", customer="六福珠寶"),
    ]
    loads = [DayLoad(3, "執模車間", d(3, 18) + timedelta(days=i), 300 + 120 * i, 480) for i in range(5)]
    return GanttData(bars=bars, loads=loads, holidays=frozenset({d(4, 6)}), today=TODAY, title="三月排產計劃")


@pytest.fixture(autouse=True)
def english():
    set_language("en")
    yield
    set_language("en")


@pytest.fixture
def gantt(qtbot):
    widget = GanttWidget()
    qtbot.addWidget(widget)
    widget.resize(1400, 800)
    widget.set_data(small_plan())
    widget.set_zoom("day")
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    return widget


def _viewport_point(widget: GanttWidget, key: str, where: str = "middle") -> QPoint:
    widget.ensure_bar_visible(key)
    rect = widget.bar_scene_rect(key)
    x = rect.center().x() if where == "middle" else rect.right() - 2
    point = widget.view().mapFromScene(QPointF(x, rect.center().y()))
    assert widget.view().viewport().rect().contains(point), "the bar must be on screen to be dragged"
    return point


def _drag(qtbot, widget: GanttWidget, key: str, days: int, where: str = "middle") -> None:
    viewport = widget.view().viewport()
    start = _viewport_point(widget, key, where)
    end = start + QPoint(int(round(days * widget.zoom())), 0)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for step in range(1, 5):
        QTest.mouseMove(viewport, start + (end - start) * step / 4)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)


def test_dragging_a_bar_moves_it_by_whole_days_and_tells_the_owner(qtbot, gantt):
    calls = []

    def validator(key, start, end):
        calls.append((key, start, end))
        return MoveCheck()

    gantt.set_move_validator(validator)
    moved = []
    gantt.sig_bar_moved.connect(lambda key, start, end: moved.append((key, start, end)))
    before_x = gantt.bar_scene_rect("JO-2026-0001/5").x()

    _drag(qtbot, gantt, "JO-2026-0001/5", 3)

    expected = ("JO-2026-0001/5", date(2026, 3, 29), date(2026, 3, 30))
    assert calls == [expected]
    assert moved == [expected]
    bar = gantt.bar("JO-2026-0001/5")
    assert (bar.start, bar.end) == (date(2026, 3, 29), date(2026, 3, 30))
    assert gantt.bar_scene_rect("JO-2026-0001/5").x() == pytest.approx(before_x + 3 * gantt.zoom(), abs=0.5)
    assert "2026-03-29" in gantt.message()


def test_dragging_the_right_edge_changes_only_the_end(qtbot, gantt):
    moved = []
    gantt.sig_bar_moved.connect(lambda key, start, end: moved.append((key, start, end)))

    _drag(qtbot, gantt, "JO-2026-0002/3", 2, where="edge")

    bar = gantt.bar("JO-2026-0002/3")
    assert (bar.start, bar.end) == (date(2026, 3, 23), date(2026, 3, 26))
    assert moved == [("JO-2026-0002/3", date(2026, 3, 23), date(2026, 3, 26))]


def test_a_move_the_validator_refuses_snaps_back_and_says_why(qtbot, gantt):
    gantt.set_move_validator(lambda key, start, end: MoveCheck(errors=["鑲石車間 is closed for stocktaking."]))
    moved, messages = [], []
    gantt.sig_bar_moved.connect(lambda *args: moved.append(args))
    gantt.sig_message.connect(messages.append)
    before = gantt.bar_scene_rect("JO-2026-0001/4")

    _drag(qtbot, gantt, "JO-2026-0001/4", 2)

    bar = gantt.bar("JO-2026-0001/4")
    assert (bar.start, bar.end) == (date(2026, 3, 23), date(2026, 3, 25))
    assert gantt.bar_scene_rect("JO-2026-0001/4") == before
    assert moved == []
    assert "stocktaking" in gantt.message()
    assert any("stocktaking" in m for m in messages)
    assert gantt.undo_stack().count() == 0


def test_without_a_validator_a_step_cannot_overtake_the_next_one(qtbot, gantt):
    _drag(qtbot, gantt, "JO-2026-0001/3", 4)  # 執模 would end 3/24, after 鑲石 starts on 3/23

    bar = gantt.bar("JO-2026-0001/3")
    assert (bar.start, bar.end) == (date(2026, 3, 18), date(2026, 3, 20))
    assert "鑲石" in gantt.message() and "Not moved" in gantt.message()


def test_a_warned_move_stands_and_ctrl_z_puts_it_back(qtbot, gantt):
    gantt.set_move_validator(lambda key, start, end: MoveCheck(
        warnings=["執模車間 is over capacity on 2026-03-23 (135 %)."]))
    moved = []
    gantt.sig_bar_moved.connect(lambda key, start, end: moved.append((key, start, end)))

    _drag(qtbot, gantt, "JO-2026-0002/3", 1)

    bar = gantt.bar("JO-2026-0002/3")
    assert (bar.start, bar.end) == (date(2026, 3, 24), date(2026, 3, 25))
    assert "over capacity" in gantt.message() and "Ctrl+Z" in gantt.message()

    gantt.view().setFocus()
    QTest.keyClick(gantt.view(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    bar = gantt.bar("JO-2026-0002/3")
    assert (bar.start, bar.end) == (date(2026, 3, 23), date(2026, 3, 24))
    assert moved[-1] == ("JO-2026-0002/3", date(2026, 3, 23), date(2026, 3, 24))
    assert "Undone" in gantt.message()

    QTest.keyClick(gantt.view(), Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    bar = gantt.bar("JO-2026-0002/3")
    assert (bar.start, bar.end) == (date(2026, 3, 24), date(2026, 3, 25))
    assert moved[-1] == ("JO-2026-0002/3", date(2026, 3, 24), date(2026, 3, 25))


def test_a_finished_step_does_not_move_and_a_started_one_keeps_its_start(qtbot, gantt):
    _drag(qtbot, gantt, "JO-2026-0001/1", 2)
    bar = gantt.bar("JO-2026-0001/1")
    assert (bar.start, bar.end) == (date(2026, 3, 9), date(2026, 3, 10))
    assert "done" in gantt.message()

    _drag(qtbot, gantt, "JO-2026-0001/2", -2)  # grabbed in the middle: a started step cannot slide
    bar = gantt.bar("JO-2026-0001/2")
    assert bar.start == date(2026, 3, 12)
    assert "right edge" in gantt.message()


def test_escape_during_a_drag_leaves_the_bar_where_it_was(qtbot, gantt):
    moved = []
    gantt.sig_bar_moved.connect(lambda *args: moved.append(args))
    viewport = gantt.view().viewport()
    start = _viewport_point(gantt, "JO-2026-0001/4")
    before = gantt.bar_scene_rect("JO-2026-0001/4")
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(viewport, start + QPoint(int(2 * gantt.zoom()), 0))
    assert gantt.bar_scene_rect("JO-2026-0001/4").x() == pytest.approx(before.x() + 2 * gantt.zoom(), abs=0.5)
    QTest.keyClick(gantt.view(), Qt.Key.Key_Escape)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       start + QPoint(int(2 * gantt.zoom()), 0))
    bar = gantt.bar("JO-2026-0001/4")
    assert (bar.start, bar.end) == (date(2026, 3, 23), date(2026, 3, 25))
    assert gantt.bar_scene_rect("JO-2026-0001/4") == before
    assert moved == []


def test_double_click_activates_the_bar(qtbot, gantt):
    activated = []
    gantt.sig_bar_activated.connect(activated.append)
    point = _viewport_point(gantt, "JO-2026-0002/2")
    qtbot.mouseDClick(gantt.view().viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    assert activated == ["JO-2026-0002/2"]
    assert gantt.bar("JO-2026-0002/2").start == date(2026, 3, 18)


def test_switching_grouping_changes_the_rows(gantt):
    assert [label for _key, label in gantt.rows()] == ["JO-2026-0001", "JO-2026-0002"]
    assert gantt.row_of("JO-2026-0002/3") == "order:2"

    gantt.set_grouping("workshop")

    labels = [label for _key, label in gantt.rows()]
    assert labels == ["設計部", "起版倒模車間", "執模車間", "鑲石車間", "拋光車間"]
    assert gantt.row_of("JO-2026-0002/3") == "workshop:3"
    assert gantt.row_of("JO-2026-0001/3") == "workshop:3"


def test_tooltip_shows_the_step_details(gantt):
    text = gantt.tooltip_for("JO-2026-0002/3")
    for expected in ("JO-2026-0002", "執模", "執模車間", "六福珠寶", "2026-03-23", "陳師傅", "60 pcs", "Late",
                     "Au750"):
        assert expected in text


def test_language_switch_retranslates_the_controls(gantt):
    set_language("zh_TW")
    gantt.retranslate_ui()
    assert gantt._grouping_combo.itemText(0) == "按訂單"
    assert "進行中" in gantt._legend.text()
    assert "延誤" in gantt.tooltip_for("JO-2026-0002/3")


def test_five_thousand_bars_build_and_only_visible_bars_are_painted(qtbot, monkeypatch):
    data = make_plan(5000)
    widget = GanttWidget()
    qtbot.addWidget(widget)
    widget.resize(1400, 800)
    widget.show()
    qtbot.waitExposed(widget)
    widget.set_data(data)

    assert len(widget.bars()) == 5000
    assert len(widget.rows()) == len({b.order_id for b in data.bars})

    painted = []
    original = GanttWidget._paint_bar
    monkeypatch.setattr(GanttWidget, "_paint_bar", lambda self, item, painter: (painted.append(item.bar.key),
                                                                                 original(self, item, painter)))
    qtbot.wait(20)  # let the scene settle after the build, then count one full repaint
    painted.clear()
    widget.view().viewport().repaint()
    assert 0 < len(painted) < 1000

    widget.set_grouping("workshop")
    assert len(widget.rows()) == len(bench_gantt.WORKSHOPS)
    widget.set_zoom("month")
    assert widget.grab().width() > 0


def test_step_order_rule_allows_a_same_day_handover_but_not_overtaking():
    data = small_plan()
    ok = check_step_order(data.bars, "JO-2026-0001/4", date(2026, 3, 20), date(2026, 3, 26), lang="en")
    assert ok.ok
    early = check_step_order(data.bars, "JO-2026-0001/4", date(2026, 3, 19), date(2026, 3, 24), lang="en")
    assert not early.ok and "執模" in early.errors[0]
    late = check_step_order(data.bars, "JO-2026-0001/4", date(2026, 3, 24), date(2026, 3, 27), lang="en")
    assert not late.ok and "拋光" in late.errors[0]
    zh = check_step_order(data.bars, "JO-2026-0001/4", date(2026, 3, 19), date(2026, 3, 24), lang="zh_TW")
    assert "上一道工序" in zh.errors[0]


def test_lanes_stack_overlapping_steps_and_moves_keep_neighbours_still():
    bars = [
        _bar(1, 1, "執模", 3, "執模車間", date(2026, 3, 2), date(2026, 3, 4)),
        _bar(2, 1, "執模", 3, "執模車間", date(2026, 3, 3), date(2026, 3, 5)),
        _bar(3, 1, "執模", 3, "執模車間", date(2026, 3, 5), date(2026, 3, 6)),
    ]
    lanes, count = pack_lanes(bars)
    assert count == 2
    assert lanes["JO-2026-0001/1"] != lanes["JO-2026-0002/1"]
    assert lanes["JO-2026-0003/1"] == lanes["JO-2026-0001/1"]

    layout = layout_rows(bars, "workshop")
    by_key = {b.key: b for b in bars}
    by_key["JO-2026-0003/1"] = by_key["JO-2026-0003/1"].moved(date(2026, 3, 4), date(2026, 3, 5))
    grew = layout.replace_bar(by_key, "JO-2026-0003/1")
    assert grew and layout.rows[0].lanes == 3
    assert layout.placement["JO-2026-0001/1"][1] == lanes["JO-2026-0001/1"]


def test_overload_summary_groups_days_per_workshop():
    loads = [DayLoad(3, "執模車間", date(2026, 3, d), used, 480) for d, used in ((2, 500), (3, 700), (4, 400), (5, 490))]
    summary = overload_summary(loads)
    assert len(summary) == 1
    assert [d.day.day for d in summary[0].days] == [2, 3, 5]
    assert summary[0].peak.day == date(2026, 3, 3)
    assert compress_dates(d.day for d in summary[0].days) == [(date(2026, 3, 2), date(2026, 3, 3)),
                                                              (date(2026, 3, 5), date(2026, 3, 5))]


@pytest.mark.parametrize("lang", ["en", "zh_TW", "zh_CN"])
def test_the_legend_is_whole_in_a_narrow_chart(qtbot, lang):
    from PySide6.QtGui import QTextDocument

    from jewelryorders.i18n import tr
    from jewelryorders.ui.planning.gantt_view import STATE_LABELS

    set_language(lang)
    widget = GanttWidget()
    qtbot.addWidget(widget)
    widget.retranslate_ui()
    widget.resize(480, 600)
    widget.set_data(small_plan())
    widget.show()
    qtbot.waitExposed(widget)
    assert widget.minimumSizeHint().width() <= 700
    for legend, words in ((widget._legend, [tr(label, lang) for label in STATE_LABELS.values()] + [tr("Today", lang)]),
                          (widget._load_legend, [tr(w, lang) for w in ("Booked", "Over capacity", "Capacity")])):
        document = QTextDocument()
        document.setHtml(legend.text())
        plain = document.toPlainText().replace("\u00a0", " ")
        for word in words:
            assert word in plain
        # every line of the wrapped legend is shown: the label is as tall as its text needs at its width
        assert legend.isVisible() and legend.width() <= widget.width()
        assert legend.height() >= legend.heightForWidth(legend.width()) - 1
