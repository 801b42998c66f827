"""The installed Qt binding keeps Python's reference counts intact (PySide6 6.12.0 on Python 3.11 did not)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QGraphicsRectItem


class _Emitter(QObject):
    sig_tick = Signal(int)


def test_void_qt_calls_and_signals_do_not_leak_or_steal_references(qtbot):
    """A binding that drops a reference per call crashes the app after a few thousand calls ("deallocating None")."""
    item = QGraphicsRectItem()
    emitter = _Emitter()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(500):
        item.setPos(1.0, 2.0)
        emitter.sig_tick.emit(1)
    assert sys.getrefcount(None) >= none_before - 5
    assert sys.getrefcount(True) >= true_before - 5
