"""The ledger's workbooks: the ledger of any filter, and the periodic summary per workshop and ISO week."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import case, func, select

from ... import clock
from ...db import Database
from ...i18n import _, tr
from ...models.ledger import ENTRY_KINDS, INSPECTION_STATES, LedgerEntry
from ...models.orders import Order
from ...models.planning import PlanStep, ProductionPlan, Workshop
from ..context import Actor, read_session
from ..errors import ValidationError
from .entries import LedgerFilter, count_entries, iter_entries
from .meetings import file_paper


def _factory_name(db: Database) -> str:
    from .. import users

    try:
        return users.get_settings(db).get("factory_name", "")
    except Exception:  # noqa: BLE001 - a missing setting must not stop an export
        return ""


def export_ledger(db: Database, path: str | Path, f: LedgerFilter, *, lang: str, actor: Actor | None = None,
                  progress: Callable[[int, int], bool] | None = None, factory_name: str | None = None) -> int:
    """Write the entries of `f` to an Excel workbook; with an actor the export is filed with the documents."""
    from ...reports.ledger_xlsx import write_ledger_xlsx

    total = count_entries(db, f)
    written = write_ledger_xlsx(
        path, iter_entries(db, f), total, factory_name=factory_name if factory_name is not None else _factory_name(db),
        filter_text=_filter_text(f, lang), kind_label=lambda k: tr(ENTRY_KINDS.get(k, k), lang),
        inspection_label=lambda s: tr(INSPECTION_STATES.get(s, s), lang) if s else "", yes=tr("Yes", lang),
        lang=lang, exported_at=clock.now(), progress=progress)
    if actor is not None and Path(path).stat().st_size < 20_000_000:
        file_paper(db, actor, file_name=Path(path).name, content=Path(path).read_bytes(), category="ledger_export")
    return written


def _filter_text(f: LedgerFilter, lang: str) -> str:
    from ...i18n import set_language, current_language

    before = current_language()
    set_language(lang)
    try:
        return f.describe()
    finally:
        set_language(before)


_WEEK = re.compile(r"^\s*(\d{4})-?W(\d{1,2})\s*$", re.IGNORECASE)


def parse_week(text: str) -> tuple[dt.date, dt.date]:
    """'2026-W47' -> (Monday, Sunday) of that ISO week."""
    m = _WEEK.match(text or "")
    try:
        if not m:
            raise ValueError
        monday = dt.date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        raise ValidationError(_("'{value}' is not an ISO week; write it as YYYY-Www, e.g. 2026-W47.",
                                value=(text or "")[:20]), "week") from None
    return monday, monday + dt.timedelta(days=6)


def week_of(day: dt.date) -> str:
    year, week, _d = day.isocalendar()
    return f"{year}-W{week:02d}"


def weekly_summary(db: Database, week: str):
    """Per workshop for the ISO week: planned vs actual output, late steps, metal loss vs allowance."""
    from ...reports.ledger_xlsx import SummaryRow

    first, last = parse_week(week)
    start = dt.datetime.combine(first, dt.time()).astimezone(dt.timezone.utc)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time()).astimezone(dt.timezone.utc)
    today = clock.today()
    with read_session(db) as s:
        names = {wid: name for wid, name in s.execute(select(Workshop.id, Workshop.name)
                                                           .order_by(Workshop.sort_order, Workshop.name))}
        planned = {wid: (int(n), int(q or 0)) for wid, n, q in s.execute(
            select(PlanStep.workshop_id, func.count(PlanStep.id), func.sum(Order.total_quantity))
            .join(ProductionPlan, ProductionPlan.id == PlanStep.plan_id).join(Order, Order.id == ProductionPlan.order_id)
            .where(ProductionPlan.status == "released", PlanStep.planned_end >= first, PlanStep.planned_end <= last)
            .group_by(PlanStep.workshop_id))}
        late: dict[int, int] = {}
        for wid, planned_end, state, ended in s.execute(
                select(PlanStep.workshop_id, PlanStep.planned_end, PlanStep.state, PlanStep.actual_end_at)
                .join(ProductionPlan, ProductionPlan.id == PlanStep.plan_id)
                .where(ProductionPlan.status == "released", PlanStep.planned_end >= first,
                       PlanStep.planned_end <= last)):
            finished_late = state == "done" and ended is not None and ended.astimezone().date() > planned_end
            if finished_late or (state != "done" and planned_end < today):
                late[wid] = late.get(wid, 0) + 1
        actual = {wid: tuple(int(v or 0) for v in rest) for wid, *rest in s.execute(
            select(LedgerEntry.workshop_id,
                   func.sum(case((LedgerEntry.kind == "finish", case((LedgerEntry.reverses_id.is_(None), 1),
                                                                     else_=-1)), else_=0)),
                   func.sum(LedgerEntry.qty_done), func.sum(LedgerEntry.qty_rejected), func.sum(LedgerEntry.issued_mg),
                   func.sum(LedgerEntry.loss_mg), func.sum(LedgerEntry.allowance_mg))
            .where(LedgerEntry.recorded_at >= start, LedgerEntry.recorded_at < end)
            .group_by(LedgerEntry.workshop_id))}
    rows = []
    for wid, name in names.items():
        p = planned.get(wid, (0, 0))
        a = actual.get(wid, (0, 0, 0, 0, 0, 0))
        if p == (0, 0) and not any(a) and not late.get(wid):
            continue
        rows.append(SummaryRow(name, p[0], p[1], a[0], a[1], a[2], late.get(wid, 0), a[3], a[4], a[5]))
    return rows, first, last


def export_summary(db: Database, path: str | Path, week: str, *, lang: str,
                   factory_name: str | None = None) -> Path:
    from ...reports.ledger_xlsx import write_summary_xlsx

    rows, first, last = weekly_summary(db, week)
    return write_summary_xlsx(path, rows, factory_name=factory_name if factory_name is not None
                              else _factory_name(db), week=week_of(first), first_day=first, last_day=last,
                              lang=lang, exported_at=clock.now())
