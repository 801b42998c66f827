"""Exporting the filtered order list to Excel, page by page, so 100,000 orders never sit in memory at once."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterator, Sequence

from sqlalchemy import case, func, select

from ... import clock
from ...db import Database
from ...i18n import _, normalize_language, tr
from ...models.orders import CHANNELS, STAGES, OrderLine
from ...reports.orders_xlsx import OrderExportRow, write_orders_xlsx
from ..context import read_session
from ..customers import get_customer
from ..errors import DomainError, ValidationError
from .intake import OrderFilter, OrderRow
from .reads import count_list_orders as count_orders
from .reads import query_list_orders as query_orders

EXPORT_PAGE = 5_000
PROGRESS_EVERY_ROWS = 500
# Once the goods have left (or the order ended) days to delivery mean nothing; the order list leaves them blank too.
NOT_COUNTING_STAGES = frozenset({"shipped", "delivered", "closed", "abandoned", "cancelled"})

ProgressCallback = Callable[[int, int], None]


class ExportCancelled(DomainError):
    """The user stopped the export; no file was written."""


def days_to_delivery(stage: str, delivery_date: dt.date | None, today: dt.date) -> int | None:
    if delivery_date is None or stage in NOT_COUNTING_STAGES:
        return None
    return (delivery_date - today).days


def _target_weights(db: Database, order_ids: Sequence[int]) -> dict[int, int | None]:
    """Order id -> metal of all its pieces in mg; None when any line has no target weight (a total would lie)."""
    if not order_ids:
        return {}
    stmt = (select(OrderLine.order_id,
                   func.sum(OrderLine.quantity * OrderLine.target_weight_mg),
                   func.sum(case((OrderLine.target_weight_mg.is_(None), 1), else_=0)))
            .where(OrderLine.order_id.in_(list(order_ids))).group_by(OrderLine.order_id))
    with read_session(db) as s:
        return {oid: (int(total) if total is not None and not missing else None)
                for oid, total, missing in s.execute(stmt)}


def _export_row(r: OrderRow, weight_mg: int | None, lang: str, today: dt.date) -> OrderExportRow:
    return OrderExportRow(
        order_no=r.order_no, customer=r.customer_name, styles=r.style_summary, quantity=r.total_quantity,
        order_date=r.order_date, delivery_date=r.delivery_date, stage=tr(STAGES.get(r.stage, r.stage), lang),
        channel=tr(CHANNELS.get(r.channel, r.channel), lang), amount=r.total_amount, currency=r.currency,
        owner=r.owner, days_to_delivery=days_to_delivery(r.stage, r.delivery_date, today),
        target_weight_mg=weight_mg)


def export_rows(db: Database, order_filter: OrderFilter, *, lang: str, today: dt.date | None = None,
                page_size: int = EXPORT_PAGE, progress: ProgressCallback | None = None,
                should_stop: Callable[[], bool] | None = None, total: int | None = None) -> Iterator[OrderExportRow]:
    """The rows of the export in the list's order, fetched one page at a time."""
    lang = normalize_language(lang)
    today = today or clock.today()
    offset = 0
    while True:
        if should_stop is not None and should_stop():
            raise ExportCancelled(_("Export cancelled; no file was written."))
        page = query_orders(db, order_filter, offset=offset, limit=page_size)
        weights = _target_weights(db, [r.id for r in page])
        for r in page:
            yield _export_row(r, weights.get(r.id), lang, today)
        offset += len(page)
        if progress is not None:
            progress(offset, total if total is not None else offset)
        if len(page) < page_size:
            return


def describe_filter(order_filter: OrderFilter, lang: str) -> list[tuple[str, str]]:
    """What the export contains, in words, for the workbook's second sheet."""
    lines: list[tuple[str, str]] = []
    if order_filter.search.strip():
        lines.append((tr("Search", lang), order_filter.search.strip()))
    if order_filter.stages:
        lines.append((tr("Stages", lang), ", ".join(tr(STAGES.get(s, s), lang) for s in order_filter.stages)))
    else:
        lines.append((tr("Stages", lang), tr("All stages", lang)))
    if order_filter.channels:
        lines.append((tr("Channels", lang), ", ".join(tr(CHANNELS.get(c, c), lang) for c in order_filter.channels)))
    if order_filter.date_from or order_filter.date_to:
        which = tr("Delivery date", lang) if order_filter.date_field == "delivery_date" else tr("Order date", lang)
        lines.append((which, f"{order_filter.date_from.isoformat() if order_filter.date_from else '…'} – "
                             f"{order_filter.date_to.isoformat() if order_filter.date_to else '…'}"))
    return lines


def export_orders(db: Database, order_filter: OrderFilter, path: str | Path, *, lang: str,
                  exported_by: str = "", today: dt.date | None = None, progress: ProgressCallback | None = None,
                  should_stop: Callable[[], bool] | None = None) -> int:
    """Write every order matching the filter, sorted as the list sorts it, to an .xlsx; return the number written.

    Exporting changes nothing in the database. The file is replaced only when complete."""
    lang = normalize_language(lang)
    target = Path(path).expanduser()
    if target.is_dir():
        raise ValidationError(_("{file} is a folder; choose a file name for the workbook.", file=str(target)), "path")
    if not target.parent.exists():
        raise ValidationError(_("The folder {folder} does not exist.", folder=str(target.parent)), "path")
    total = count_orders(db, order_filter)
    now = clock.local_now()
    about = [(tr("Exported at", lang), now.strftime("%Y-%m-%d %H:%M")),
             (tr("Exported by", lang), exported_by),
             (tr("Orders", lang), f"{total:,}")]
    if order_filter.customer_id:
        customer = get_customer(db, order_filter.customer_id)
        about.append((tr("Customer", lang), f"{customer.code} {customer.name}"))
    about += describe_filter(order_filter, lang)
    rows = export_rows(db, replace(order_filter), lang=lang, today=today, should_stop=should_stop, total=total)

    def on_row(written: int) -> None:
        # Writing a row costs more than fetching it, so progress and Cancel follow the rows written.
        if written % PROGRESS_EVERY_ROWS == 0 or written == total:
            if should_stop is not None and should_stop():
                raise ExportCancelled(_("Export cancelled; no file was written."))
            if progress is not None:
                progress(written, max(total, written))

    try:
        return write_orders_xlsx(rows, target, lang=lang, about=about, on_row=on_row)
    except OSError as exc:
        raise ValidationError(_("The workbook {file} cannot be written: {error}. Close it if it is open in Excel, "
                                "or choose another folder.", file=str(target), error=exc.strerror or str(exc)),
                              "path") from exc


__all__ = ["export_orders", "export_rows", "describe_filter", "days_to_delivery", "ExportCancelled",
           "NOT_COUNTING_STAGES"]
