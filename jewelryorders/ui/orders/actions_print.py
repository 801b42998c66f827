"""The Print action: write the order confirmation PDF where the clerk chooses, file a copy, open it to print."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QWidget

from ...i18n import _, current_language
from ...services.orders import intake as orders
from ...services.errors import DomainError
from ...services.orders.papers import PrintedPaper, confirmation_file_name, print_order_confirmation
from .. import operations
from ..context import UiContext
from .actions_import import run_in_background, show_failure

SETTINGS_LAST_FOLDER = "order_confirmation/last_folder"


def ask_save_path(parent: QWidget | None, suggested_name: str) -> str | None:
    """Where to save the PDF (tests replace this function)."""
    settings = QSettings()
    folder = settings.value(SETTINGS_LAST_FOLDER)
    if not isinstance(folder, str) or not Path(folder).is_dir():
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    path, _filter = QFileDialog.getSaveFileName(parent, _("Save the order confirmation"),
                                                str(Path(folder) / suggested_name), _("PDF documents (*.pdf)"))
    if not path:
        return None
    if not path.lower().endswith(".pdf"):
        path += ".pdf"
    settings.setValue(SETTINGS_LAST_FOLDER, str(Path(path).parent))
    return path


def open_document(path: Path) -> bool:
    """Open the PDF in the system's viewer, which prints it (tests replace this function).

    Qt's own print dialog would need QtPdf to draw the PDF's pages, and this installation's PySide6 has no
    QtPdf module; the system viewer prints the very file that was filed."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def print_confirmation(ctx: UiContext, parent: QWidget | None, order_id: int) -> PrintedPaper | None:
    """Ask where to save `<order no>-confirmation.pdf`, write and file it, then open it for printing."""
    order = operations.run(ctx, parent, lambda: orders.get_order(ctx.db, order_id))
    if order is None:
        return None
    path = ask_save_path(parent, confirmation_file_name(order.order_no))
    if not path:
        return None
    lang = current_language()
    try:
        # An order of hundreds of lines takes a while to typeset: off the GUI thread like every long job.
        printed = run_in_background(parent, _("Printing the order confirmation of {order_no}",
                                              order_no=order.order_no),
                                    lambda _progress, _stop: print_order_confirmation(ctx.db, ctx.actor, order_id,
                                                                                      Path(path), lang=lang))
    except DomainError as exc:
        show_failure(ctx, parent, exc)
        return None
    ctx.bus.sig_status_message.emit(_("Order confirmation of {order_no} saved to {file}.", order_no=order.order_no,
                                      file=str(printed.path)))
    ctx.bus.sig_order_changed.emit(order_id)
    if not open_document(printed.path):
        ctx.bus.sig_status_message.emit(_("The PDF was saved to {file}, but no program to open PDF files was "
                                          "found.", file=str(printed.path)))
    return printed


__all__ = ["print_confirmation", "ask_save_path", "open_document"]
