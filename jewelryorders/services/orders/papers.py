"""Printing the order confirmation: write the PDF and file the very copy that was sent in the document store."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from ... import clock
from ...db import Database
from ...i18n import N_, _, normalize_language
from ..context import Actor, unit_of_work
from ..documents import list_documents, store_bytes
from ..errors import GateError, ValidationError
from ..permissions import register, require
from ..review.report import order_paper_data
from .intake import get_order

register("orders.print_confirmation",
         lambda a: a.department in ("sales", "management") or a.role in ("manager", "administrator"),
         N_("print order confirmations"))

CONFIRMATION_CATEGORY = "order_confirmation"
ATTACHMENT_CATEGORIES = frozenset({"design_image", "cad", "attachment"})


@dataclass(frozen=True)
class PrintedPaper:
    path: Path  # where the PDF was written
    document_id: int  # the filed copy in the document store
    version: int  # how many times this order's confirmation has been filed, this one included
    order_no: str


# The confirmation states what the customer signed: it exists only once the contract is signed (procedure 2.5).
CONFIRMABLE_STAGES = frozenset({"contracted", "planned", "in_production", "final_qc", "ready_to_ship",
                                "partly_shipped", "shipped", "delivered", "closed"})


def confirmation_refusal(order_no: str, stage: str) -> str | None:
    """Why the order confirmation of an order in `stage` cannot be printed yet, or None when it can."""
    if stage in CONFIRMABLE_STAGES:
        return None
    from ..stages import stage_label

    return _("The order confirmation of {order_no} is printed only once the contract is signed; the order is "
             "{stage}. Finish the review and record the contract first.", order_no=order_no,
             stage=stage_label(stage))


def confirmation_file_name(order_no: str) -> str:
    return f"{order_no}-confirmation.pdf"


def print_order_confirmation(db: Database, actor: Actor, order_id: int, out_path: str | Path, *, lang: str,
                             printed_at: dt.datetime | None = None) -> PrintedPaper:
    """Write the order confirmation to `out_path` and file the same bytes under the order (category
    "order_confirmation", a new version each time), with an audit event; the archive keeps what was sent."""
    require(actor, "orders.print_confirmation")
    lang = normalize_language(lang)
    target = Path(out_path).expanduser()
    if target.is_dir():
        raise ValidationError(_("{file} is a folder; choose a file name for the PDF.", file=str(target)), "path")
    if not target.parent.exists():
        raise ValidationError(_("The folder {folder} does not exist.", folder=str(target.parent)), "path")
    order = get_order(db, order_id)
    refusal = confirmation_refusal(order.order_no, order.stage)
    if refusal:
        raise GateError(refusal)
    data = order_paper_data(db, order_id, lang)
    # The customer's attachments are the order's own files, not the papers filed with it (earlier confirmations,
    # the review report ...), which the order's document list holds too.
    own_files = {d.file_name for d in list_documents(db, order_id) if d.category in ATTACHMENT_CATEGORIES}
    data = replace(data, attachments=[name for name in data.attachments if name in own_files])
    printed_at = printed_at or clock.now()
    with tempfile.TemporaryDirectory(prefix="jo-confirmation-") as tmp:
        from ...reports.order_confirmation import write_order_confirmation  # ReportLab only when printing

        rendered = write_order_confirmation(data, Path(tmp) / confirmation_file_name(order.order_no), lang=lang,
                                            printed_by=actor.display_name or actor.username, printed_at=printed_at)
        content = Path(rendered).read_bytes()
    try:
        # Written before filing: a file that cannot be written must not leave a filed copy nobody received.
        target.write_bytes(content)
    except OSError as exc:
        raise ValidationError(_("The PDF {file} cannot be written: {error}. Close it if it is open, or choose "
                                "another folder.", file=str(target), error=exc.strerror or str(exc)),
                              "path") from exc
    with unit_of_work(db) as s:
        doc = store_bytes(s, actor, file_name=confirmation_file_name(order.order_no), content=content,
                          category=CONFIRMATION_CATEGORY, order_id=order.id)
        return PrintedPaper(target, doc.id, doc.doc_version, order.order_no)


__all__ = ["print_order_confirmation", "confirmation_refusal", "CONFIRMABLE_STAGES", "confirmation_file_name", "PrintedPaper", "CONFIRMATION_CATEGORY"]
