"""The only way widgets change data: call a service, show its error as it is, announce success on the bus."""

from __future__ import annotations

from typing import Callable, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ..i18n import _
from ..services.errors import ConcurrentEditError, DomainError, PermissionDenied, StorageError, ValidationError
from .context import UiContext

T = TypeVar("T")


def error_title(exc: DomainError) -> str:
    if isinstance(exc, ValidationError):
        return _("Please correct the input")
    if isinstance(exc, PermissionDenied):
        return _("Not allowed")
    if isinstance(exc, ConcurrentEditError):
        return _("Changed by someone else")
    if isinstance(exc, StorageError):
        return _("Database problem")
    return _("Cannot do this")


def show_error(parent: QWidget | None, exc: DomainError) -> None:
    """Modal message box; tests replace this function to capture the message instead of blocking."""
    box = QMessageBox(QMessageBox.Icon.Warning, error_title(exc), str(exc), QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("domain_error_box")
    box.exec()


def run(ctx: UiContext, parent: QWidget | None, call: Callable[[], T], *, success: str = "",
        on_success: Callable[[T], None] | None = None, quiet_errors: bool = False) -> T | None:
    """Run one service call. On a domain error: show it (nothing was saved) and return None.
    On success: put `success` in the status bar and call `on_success(result)`."""
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        result = call()
    except DomainError as exc:
        QApplication.restoreOverrideCursor()
        if not quiet_errors:
            show_error(parent, exc)
        ctx.bus.sig_status_message.emit(str(exc).splitlines()[0])
        return None
    except BaseException:
        QApplication.restoreOverrideCursor()
        raise
    QApplication.restoreOverrideCursor()
    if success:
        ctx.bus.sig_status_message.emit(success)
    if on_success is not None:
        on_success(result)
    return result
