"""The repair record and the after-sales workbook: data read here, written by reports/."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from sqlalchemy import select

from ... import clock
from ...db import Database
from ...i18n import formats, tr
from ...models.delivery import CASE_KINDS, CASE_STATUSES, CAUSES, COST_BEARERS, SATISFACTION, UPDATE_CHANNELS
from ..context import Actor, unit_of_work
from ..documents import store_bytes
from ..permissions import require
from ..users import get_setting
from . import common  # noqa: F401
from .aftersales import analyse, get_case_by_no, list_cases, piece_history
from .papers import grams


def repair_record_paper(db: Database, case_no: str, lang: str):
    from ...reports.repair_record import RepairRecordPaper

    c = get_case_by_no(db, case_no)
    history = ()
    if c.certificate_no:
        history = tuple((h.case_no, h.received_on.isoformat(), tr(CASE_KINDS[h.kind], lang))
                        for h in piece_history(db, c.certificate_no) if h.id != c.id)
    from ...models.orders import Order
    from ..context import read_session

    with read_session(db) as s:
        currency = s.scalar(select(Order.currency).where(Order.id == c.order_id)) or ""
    return RepairRecordPaper(
        get_setting(db, "factory_name") or "", c.case_no, tr(CASE_KINDS[c.kind], lang),
        tr(CASE_STATUSES[c.status], lang), c.order_no, c.customer_name, c.certificate_no, c.style_code,
        c.received_on, tr(UPDATE_CHANNELS[c.received_via], lang), c.customer_words, c.work_done, c.done_by,
        c.materials_used, grams(c.metal_used_mg), formats.money(c.repair_cost, currency, lang),
        tr(COST_BEARERS[c.cost_borne_by], lang), c.returned_on, history)


def render_repair_record(db: Database, case_no: str, lang: str, printed_by: str = ""):
    from ...reports.repair_record import write_repair_record

    data = repair_record_paper(db, case_no, lang)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "record.pdf"
        write_repair_record(data, out, lang=lang, printed_by=printed_by, printed_at=clock.now())
        return data, out.read_bytes()


def file_repair_record(db: Database, actor: Actor, case_no: str, lang: str) -> tuple[str, bytes]:
    """Print the repair record and file it with the order's documents; returns (file name, PDF bytes)."""
    require(actor, "aftersales.edit")
    data, content = render_repair_record(db, case_no, lang, actor.display_name)
    c = get_case_by_no(db, case_no)
    name = f"{data.case_no}-repair-record-{lang}.pdf"
    with unit_of_work(db) as s:
        store_bytes(s, actor, file_name=name, content=content, category="repair_record", order_id=c.order_id)
    return name, content


def export_after_sales(db: Database, actor: Actor, date_from: dt.date, date_to: dt.date, path, lang: str) -> Path:
    from ...reports.delivery_after_sales_xlsx import CaseRow, write_after_sales_xlsx

    require(actor, "aftersales.export")
    cases = [c for c in list_cases(db, limit=1_000_000) if date_from <= c.received_on <= date_to]
    cases.sort(key=lambda c: (c.received_on, c.case_no))
    rows = [CaseRow(c.case_no, tr(CASE_KINDS[c.kind], lang), tr(CASE_STATUSES[c.status], lang), c.order_no,
                    c.customer_name, c.certificate_no, c.style_code, c.received_on, c.due_on, c.closed_on,
                    tr(CAUSES[c.cause], lang) if c.cause else "", c.owner_name, c.repair_cost,
                    tr(SATISFACTION[c.satisfaction], lang) if c.satisfaction else "", c.lesson) for c in cases]
    a = analyse(db, date_from, date_to)
    kinds = list(CASE_KINDS)
    return write_after_sales_xlsx(
        path, rows, [(m, [counts[k] for k in kinds]) for m, counts in a.by_month_kind.items()],
        [tr(CASE_KINDS[k], lang) for k in kinds], a.by_style,
        [(tr(CAUSES[c], lang), n) for c, n in a.by_cause],
        [(tr(CASE_KINDS[k], lang), v) for k, v in a.days_to_close.items()], a.repeat_customers,
        factory_name=get_setting(db, "factory_name") or "", date_from=date_from, date_to=date_to, lang=lang)
