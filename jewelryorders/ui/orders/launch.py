"""Opening order windows and forms (one per order, raised when already open) and the actions other modules supply."""

from __future__ import annotations

import importlib
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from ...i18n import _
from ..context import UiContext

# (id of the event bus, order id or None for a new order, kind) -> the open window; one application has one bus.
_open: dict[tuple[int, int | None, str], QWidget] = {}


def _show(key: tuple[int, int | None, str], make) -> QWidget:
    existing = _open.get(key)
    if existing is not None:
        try:
            existing.showNormal()
            existing.raise_()
            existing.activateWindow()
            return existing
        except RuntimeError:  # the C++ window is gone already
            _open.pop(key, None)
    window = make()
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    _open[key] = window
    window.destroyed.connect(lambda *_args, k=key: _open.pop(k, None))
    window.show()
    return window


def open_order_window(ctx: UiContext, order_id: int, parent: QWidget | None = None) -> QWidget:
    from .order_window import OrderWindow

    return _show((id(ctx.bus), order_id, "window"), lambda: OrderWindow(ctx, order_id, parent))


def open_order_form(ctx: UiContext, order_id: int | None, parent: QWidget | None = None) -> QWidget:
    """A form per order; each new order gets its own form (several can be typed at once)."""
    from .order_form import OrderForm

    if order_id is None:
        form = OrderForm(ctx, None, parent)
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        form.show()
        return form
    return _show((id(ctx.bus), order_id, "form"), lambda: OrderForm(ctx, order_id, parent))


def open_windows() -> list[QWidget]:
    return list(_open.values())


def run_external_action(ctx: UiContext, module: str, function: str, *args: Any) -> Any:
    """Import, import/export and printing are written in their own modules; they load only when used."""
    name = f"jewelryorders.ui.orders.{module}"
    try:
        target = getattr(importlib.import_module(name), function)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        ctx.bus.sig_status_message.emit(_("This function is not part of this installation."))
        return None
    return target(ctx, *args)
