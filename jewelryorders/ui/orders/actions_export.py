"""The Orders tab's Export action: the list as filtered and sorted on screen, to an Excel workbook, with progress."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ... import clock
from ...i18n import _, current_language
from ...services.errors import DomainError
from ...services.orders import exporting as order_export
from ...services.orders.intake import OrderFilter
from ..context import UiContext
from .actions_import import run_in_background, show_failure

SETTINGS_LAST_FOLDER = "order_export/last_folder"


def ask_save_path(parent: QWidget | None, suggested_name: str) -> str | None:
    """Where to write the workbook (tests replace this function)."""
    settings = QSettings()
    folder = settings.value(SETTINGS_LAST_FOLDER)
    if not isinstance(folder, str) or not Path(folder).is_dir():
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    path, _filter = QFileDialog.getSaveFileName(parent, _("Export orders to Excel"),
                                                str(Path(folder) / suggested_name),
                                                _("Excel workbooks (*.xlsx)"))
    if not path:
        return None
    if not path.lower().endswith(".xlsx"):
        path += ".xlsx"
    settings.setValue(SETTINGS_LAST_FOLDER, str(Path(path).parent))
    return path


def offer_to_open(parent: QWidget | None, path: Path, count: int) -> None:
    """Say what was written and offer to open it (tests replace this function)."""
    box = QMessageBox(QMessageBox.Icon.Information, _("Export finished"),
                      _("{n:,} orders exported to {file}.", n=count, file=str(path)),
                      QMessageBox.StandardButton.NoButton, parent)
    open_button = box.addButton(_("Open the workbook"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(_("Close"), QMessageBox.ButtonRole.RejectRole)
    box.exec()
    if box.clickedButton() is open_button:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def export_orders(ctx: UiContext, parent: QWidget | None, order_filter: OrderFilter) -> Path | None:
    """Export every order the filter matches, in the list's sort order; returns the workbook written, or None."""
    path = ask_save_path(parent, f"orders-{clock.today().isoformat()}.xlsx")
    if not path:
        return None
    target = Path(path)
    db, lang = ctx.db, current_language()
    exported_by = ctx.actor.display_name or ctx.actor.username
    try:
        count = run_in_background(parent, _("Exporting orders"), lambda progress, stop: order_export.export_orders(
            db, order_filter, target, lang=lang, exported_by=exported_by,
            progress=lambda done, total: progress(_("Exporting orders"), done, total), should_stop=stop))
    except DomainError as exc:
        show_failure(ctx, parent, exc)
        return None
    ctx.bus.sig_status_message.emit(_("{n:,} orders exported to {file}.", n=count, file=str(target)))
    offer_to_open(parent, target, count)
    return target


__all__ = ["export_orders", "ask_save_path", "offer_to_open"]
