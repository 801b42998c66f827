"""The quality papers' data, read from the database and handed to reports/ as plain objects; every printed paper
is filed in the document store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from ... import clock
from ...db import Database
from ...i18n import _, tr
from ...models.documents import DocumentBlob
from ...models.quality import (
    DISPOSITIONS,
    INSPECTION_KINDS,
    INSPECTION_RESULTS,
    NCR_STATUSES,
    CHARACTERISTIC_KINDS,
    QualityPhoto,
)
from ...models.documents import Document
from ...models.users import DEPARTMENTS
from ..context import Actor, read_session, unit_of_work
from ..documents import store_bytes
from ..permissions import require
from ..users import get_setting
from ..validation import Problems, parse_date
from .common import number_text, tolerance_text, unit_label
from .inspections import get_inspection, list_inspections
from .master import STANDARD_STATES, get_standard
from .ncr import get_ncr, list_ncrs


def _photos(db: Database, *, ncr_id: int | None = None, inspection_id: int | None = None) -> tuple[bytes, ...]:
    with read_session(db) as s:
        stmt = (select(DocumentBlob.content).join(Document, Document.sha256 == DocumentBlob.sha256)
                .join(QualityPhoto, QualityPhoto.document_id == Document.id))
        stmt = stmt.where(QualityPhoto.ncr_id == ncr_id) if ncr_id else stmt.where(
            QualityPhoto.inspection_id == inspection_id)
        return tuple(s.scalars(stmt))


def _subject(v) -> str:
    return " / ".join(x for x in (v.order_no, v.sheet_no, getattr(v, "step_name", ""), v.lot_no) if x)


def inspection_paper(db: Database, inspection_no: str, lang: str):
    from ...reports.quality_inspection import InspectionPaper, ResultLine

    v = get_inspection(db, inspection_no)
    lines = tuple(ResultLine(r.kind, r.name, number_text(r.nominal) + (f" {unit_label(r.unit, lang)}" if r.unit
                                                                       else ""),
                             tolerance_text(r, lang),
                             (number_text(r.measured) if r.measured is not None else
                              tr(INSPECTION_RESULTS["passed" if r.passed else "failed"], lang)),
                             r.passed, f"{r.instrument_code} {r.instrument_name}".strip() if r.instrument_code
                             and r.instrument_name != r.instrument_code else r.instrument_code)
                  for r in v.results)
    return InspectionPaper(get_setting(db, "factory_name") or "", v.inspection_no, v.kind,
                           f"{v.standard_code} v{v.standard_version} — {v.standard_title}", _subject(v), v.sampling,
                           v.aql, v.quantity, v.sample_size, v.quantity_passed, v.quantity_failed, v.result,
                           v.inspected_at, v.inspector, v.note, v.ncr_no, v.reinspects_ncr_no, lines,
                           _photos(db, inspection_id=v.id))


def ncr_paper(db: Database, ncr_no: str, lang: str):
    from ...reports.quality_ncr import NcrPaper

    n = get_ncr(db, ncr_no)
    verification = ""
    if n.verified_effective is not None:
        verification = (tr("effective", lang) if n.verified_effective else tr("not effective", lang)) + \
            (f" — {n.verification_note}" if n.verification_note else "")
    re = "; ".join(f"{no} {tr(INSPECTION_RESULTS[res], lang)} ({q})" for no, res, q in n.reinspections)
    return NcrPaper(get_setting(db, "factory_name") or "", n.ncr_no, n.status, n.inspection_no,
                    " / ".join(x for x in (n.order_no, n.sheet_no, n.lot_no) if x), n.description, n.defect_kind,
                    n.found_at, n.found_where, n.batch, n.quantity,
                    tr(DEPARTMENTS.get(n.responsible_department, n.responsible_department), lang),
                    n.responsible_person, n.disposition, n.disposition_note, n.decided_by, n.decided_at,
                    n.customer_approval, n.ledger_entry_no,
                    f"{n.metal_recovered_mg // 1000}.{n.metal_recovered_mg % 1000:03d}"
                    if n.metal_recovered_mg is not None else "", n.root_cause, n.action, n.action_owner,
                    n.action_due, n.rectification, n.rectified_by, n.rectified_at, verification, n.verified_by,
                    n.verified_at, n.closed_at, re, _photos(db, ncr_id=n.id))


def standard_paper(db: Database, standard_id: int, lang: str):
    from ...reports.quality_standard import StandardLine, StandardPaper

    v = get_standard(db, standard_id)
    applies = (v.style_code or v.product_type or tr("every product", lang)) if v.scope == "product" else \
        (tr("incoming material: {kind}", lang, kind=v.material_kind or "—"))
    lines = tuple(StandardLine(c.kind, c.name, number_text(c.nominal) + (f" {unit_label(c.unit, lang)}" if c.unit
                                                                         else ""),
                               tolerance_text(c, lang), c.method, c.instrument_kind) for c in v.characteristics)
    return StandardPaper(get_setting(db, "factory_name") or "", v.code, v.version_no, v.title, applies,
                         v.effective_from, tr(STANDARD_STATES[v.state], lang), v.change_note, lines)


def _file(db: Database, actor: Actor, path: Path, category: str, order_id: int | None) -> None:
    with unit_of_work(db) as s:
        store_bytes(s, actor, file_name=path.name, content=path.read_bytes(), category=category, order_id=order_id)


def print_inspection_report(db: Database, actor: Actor, inspection_no: str, path: str | Path, lang: str) -> Path:
    from ...reports.quality_inspection import write_inspection_report

    require(actor, "quality.print")
    data = inspection_paper(db, inspection_no, lang)
    out = write_inspection_report(data, path, lang=lang, printed_by=actor.display_name, printed_at=clock.now())
    _file(db, actor, Path(out), "inspection_report", get_inspection(db, inspection_no).order_id)
    return Path(out)


def print_ncr(db: Database, actor: Actor, ncr_no: str, path: str | Path, lang: str) -> Path:
    from ...reports.quality_ncr import write_ncr

    require(actor, "quality.print")
    data = ncr_paper(db, ncr_no, lang)
    out = write_ncr(data, path, lang=lang, printed_by=actor.display_name, printed_at=clock.now())
    _file(db, actor, Path(out), "ncr", get_ncr(db, ncr_no).order_id)
    return Path(out)


def print_standard(db: Database, actor: Actor, standard_id: int, path: str | Path, lang: str) -> Path:
    from ...reports.quality_standard import write_standard

    require(actor, "quality.print")
    out = write_standard(standard_paper(db, standard_id, lang), path, lang=lang, printed_by=actor.display_name,
                         printed_at=clock.now())
    _file(db, actor, Path(out), "quality_standard", None)
    return Path(out)


def export_register(db: Database, actor: Actor, path: str | Path, date_from, date_to, lang: str = "zh_TW") -> Path:
    """Every inspection and NCR of the period (both days included) in one workbook, filed as the register."""
    from ...reports.quality_register import InspectionRegisterRow, NcrRegisterRow, write_quality_register

    require(actor, "quality.print")
    p = Problems()
    first = parse_date(p, "from", _("From"), date_from, required=True)
    last = parse_date(p, "to", _("To"), date_to, required=True)
    if first and last and last < first:
        p.add("to", _("The period ends before it starts."))
    p.raise_if_any()
    rows = list_inspections(db, date_from=first, date_to=last, limit=1_000_000)
    ncrs = list_ncrs(db, date_from=first, date_to=last, limit=1_000_000)
    ncr_of = {}
    with read_session(db) as s:
        from ...models.quality import Inspection, Ncr

        for ins_no, ncr_no in s.execute(select(Inspection.inspection_no, Ncr.ncr_no)
                                        .join(Ncr, Ncr.inspection_id == Inspection.id)):
            ncr_of[ins_no] = ncr_no
        samples = dict(s.execute(select(Inspection.id, Inspection.sample_size)).all())
    ins_rows = [InspectionRegisterRow(r.inspection_no, tr(INSPECTION_KINDS[r.kind], lang), r.inspected_at, r.subject,
                                      r.standard, r.quantity, samples.get(r.id, r.quantity), r.quantity_passed,
                                      r.quantity - r.quantity_passed if r.result == "failed" else 0,
                                      tr(INSPECTION_RESULTS[r.result], lang), r.inspector,
                                      ncr_of.get(r.inspection_no, ""))
                for r in reversed(rows)]
    ncr_rows = [NcrRegisterRow(n.ncr_no, tr(NCR_STATUSES[n.status], lang), n.found_at, n.inspection_no,
                               " / ".join(x for x in (n.order_no, n.sheet_no, n.lot_no) if x),
                               tr(CHARACTERISTIC_KINDS[n.defect_kind], lang) if n.defect_kind else "", n.quantity,
                               tr(DEPARTMENTS.get(n.responsible_department, n.responsible_department), lang),
                               n.responsible_person, tr(DISPOSITIONS[n.disposition], lang) if n.disposition else "",
                               n.action_due, (tr("effective", lang) if n.verified_effective else
                                              tr("not effective", lang) if n.verified_effective is False else ""),
                               n.closed_at)
                for n in reversed(ncrs)]
    out = write_quality_register(path, ins_rows, ncr_rows, factory_name=get_setting(db, "factory_name") or "",
                                 date_from=first, date_to=last, lang=lang)
    _file(db, actor, Path(out), "quality_register", None)
    return Path(out)


def today_period() -> tuple[dt.date, dt.date]:
    today = clock.today()
    return today.replace(day=1), today
