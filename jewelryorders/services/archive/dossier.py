"""The order dossier: one PDF with every record and document of an order. Sections come from a registry, so each
later part of the procedure adds its own (ledger, exceptions, inspections, NCRs, shipments, after-sales):

    from jewelryorders.services.archive.dossier import register_section
    register_section("ledger", N_("Progress ledger"), lambda session, order, lang: DossierRows(...), order=40)

A section function gets the read session, the Order row and the paper's language and returns rows
(`reports.dossier.DossierRows`), a list of (label, value) pairs, or a list of ReportLab flowables; None or an
empty result prints "None recorded."."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import select

from ... import clock
from ...db import Database
from ...i18n import N_, current_language, set_language, tr
from ...models.customers import Customer
from ...models.documents import DOCUMENT_CATEGORIES, Document
from ...models.orders import CHANNELS, STAGES, Order, OrderLine
from ...models.users import DEPARTMENTS, User
from ...reports.dossier import DossierPaper, DossierRows, DossierSection
from ..context import Actor, read_session, unit_of_work
from ..documents import store_bytes
from ..errors import NotFound, PermissionDenied
from ..users import get_setting

SectionFn = Callable[[Any, Order, str], Any]


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title_msgid: str
    fn: SectionFn
    order: int


SECTIONS: dict[str, SectionSpec] = {}


def register_section(key: str, title_msgid: str, fn: SectionFn, order: int = 50) -> None:
    """Add (or replace) a dossier section; `order` places it (intake 10 … documents 90, timeline 95)."""
    SECTIONS[key] = SectionSpec(key, title_msgid, fn, order)


def _when(value: dt.datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else ""


def _users(session) -> dict[int, str]:
    return {uid: name for uid, name in session.execute(select(User.id, User.display_name))}


# ---- the sections of parts 1-3 and the archive ---------------------------------------------------------------

def _intake(session, order: Order, lang: str):
    lines = session.scalars(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.line_no))
    return DossierRows([tr("Line", lang), tr("Style", lang), tr("Description", lang), tr("Metal", lang),
                        tr("Size", lang), tr("Quantity", lang), tr("Unit price", lang)],
                       [(ln.line_no, ln.style_code, ln.description, ln.metal, ln.size, ln.quantity,
                         f"{ln.unit_price} {order.currency}" if ln.unit_price is not None else "")
                        for ln in lines], (0.6, 1.3, 2.6, 0.9, 0.8, 0.9, 1.4),
                       note=tr("Channel: {channel}. Delivery: {date}, {place}. Special requirements: {req}", lang,
                               channel=tr(CHANNELS.get(order.channel, order.channel), lang),
                               date=order.delivery_date.isoformat() if order.delivery_date else "—",
                               place=order.delivery_place or "—", req=order.special_requirements or "—"))


def _review_rounds(session, order: Order, lang: str):
    from ...models.reviews import ROUND_RESULTS, VERDICTS, ReviewOpinion, ReviewRound

    names = _users(session)
    rows = []
    for rnd in session.scalars(select(ReviewRound).where(ReviewRound.order_id == order.id)
                               .order_by(ReviewRound.round_no)):
        result = tr(ROUND_RESULTS[rnd.result], lang) if rnd.result in ROUND_RESULTS else tr("open", lang)
        for op in session.scalars(select(ReviewOpinion).where(ReviewOpinion.round_id == rnd.id)
                                  .order_by(ReviewOpinion.department)):
            verdict = tr(VERDICTS[op.verdict], lang) if op.verdict in VERDICTS else "—"
            rows.append((rnd.round_no, result, tr(DEPARTMENTS.get(op.department, op.department), lang), verdict,
                         names.get(op.answered_by_id, ""), _when(op.answered_at),
                         "; ".join(x for x in (op.conditions, op.comments, op.proposed_solution) if x)))
    return DossierRows([tr("Round", lang), tr("Result", lang), tr("Department", lang), tr("Opinion", lang),
                        tr("By", lang), tr("Answered", lang), tr("Comments", lang)], rows,
                       (0.6, 1.1, 1.0, 1.1, 1.1, 1.3, 3.0))


def _contract(session, order: Order, lang: str):
    from ...models.reviews import Contract, ContractCopy

    c = session.scalar(select(Contract).where(Contract.order_id == order.id).order_by(Contract.id.desc()))
    if c is None:
        return None
    copies = session.scalars(select(ContractCopy).where(ContractCopy.contract_id == c.id)).all() \
        if hasattr(ContractCopy, "contract_id") else []
    received = ", ".join(tr(DEPARTMENTS.get(getattr(cp, "department", ""), getattr(cp, "department", "")), lang)
                         for cp in copies)
    return [(tr("Contract no.", lang), c.contract_no), (tr("Signed", lang), c.signed_date.isoformat()),
            (tr("Recorded", lang), _when(c.recorded_at)), (tr("Copies distributed to", lang), received or "—")]


def _plans(session, order: Order, lang: str):
    from ...models.planning import PlanStep, ProductionPlan

    rows = []
    for plan in session.scalars(select(ProductionPlan).where(ProductionPlan.order_id == order.id)
                                .order_by(ProductionPlan.version_no)):
        steps = session.scalars(select(PlanStep).where(PlanStep.plan_id == plan.id).order_by(PlanStep.seq)).all()
        span = (f"{min(s.planned_start for s in steps).isoformat()} – {max(s.planned_end for s in steps).isoformat()}"
                if steps else "")
        rows.append((plan.plan_no, plan.version_no, plan.status, _when(plan.released_at), len(steps), span,
                     plan.change_reason))
    return DossierRows([tr("Plan no.", lang), tr("Version", lang), tr("Status", lang), tr("Released", lang),
                        tr("Steps", lang), tr("Planned", lang), tr("Reason for change", lang)], rows,
                       (1.3, 0.7, 0.9, 1.3, 0.6, 2.0, 2.0))


def _task_sheets(session, order: Order, lang: str):
    from ...models.planning import TaskSheet

    rows = [(t.sheet_no, t.seq, t.step.name, t.step.workshop.name if t.step.workshop else "", t.status,
             _when(t.issued_at), t.print_count)
            for t in session.scalars(select(TaskSheet).where(TaskSheet.order_id == order.id).order_by(TaskSheet.seq))]
    return DossierRows([tr("Sheet no.", lang), tr("Step", lang), tr("Name", lang), tr("Workshop", lang),
                        tr("Status", lang), tr("Issued", lang), tr("Prints", lang)], rows,
                       (1.6, 0.5, 1.6, 1.4, 0.8, 1.3, 0.6))


def _materials(session, order: Order, lang: str):
    from ...models.materials import PICK_STATUSES, Material, PickItem, PickList

    rows = []
    for pick in session.scalars(select(PickList).where(PickList.order_id == order.id).order_by(PickList.id)):
        for item, code, name in session.execute(select(PickItem, Material.code, Material.name)
                                                .join(Material, Material.id == PickItem.material_id)
                                                .where(PickItem.pick_list_id == pick.id).order_by(PickItem.item_no)):
            rows.append((pick.pick_no, tr(PICK_STATUSES.get(pick.status, pick.status), lang), item.item_no, code, name,
                         f"{item.qty / 1000:.3f}", "☑" if item.picked else "☐"))
    return DossierRows([tr("Pick list no.", lang), tr("Status", lang), tr("No.", lang), tr("Code", lang),
                        tr("Material", lang), tr("Quantity", lang), tr("Picked", lang)], rows,
                       (1.5, 1.0, 0.5, 1.0, 2.0, 1.0, 0.6))


def _documents(session, order: Order, lang: str):
    names = _users(session)
    rows = [(d.id, tr(DOCUMENT_CATEGORIES.get(d.category, d.category), lang), d.title or d.file_name,
             f"{d.doc_version}{' ' + tr('(superseded)', lang) if d.superseded else ''}", _when(d.uploaded_at),
             names.get(d.uploaded_by_id, ""), d.sha256)
            for d in session.scalars(select(Document).where(Document.order_id == order.id, Document.removed.is_(False))
                                     .order_by(Document.category, Document.file_name, Document.doc_version))]
    return DossierRows([tr("No.", lang), tr("Category", lang), tr("Title", lang), tr("Version", lang),
                        tr("Filed", lang), tr("By", lang), "SHA-256"], rows, (0.5, 1.2, 2.0, 0.8, 1.2, 0.9, 3.2),
                       note=tr("Each file can be checked against its SHA-256 with `jewelryorders check`.", lang))


def _timeline(session, order: Order, lang: str):
    from ..orders.timeline import count_timeline, order_timeline

    db = session.info.get("jo_dossier_db")
    previous = current_language()
    set_language(lang)  # the history reads in the paper's language (audit events keep message ids)
    try:
        n = count_timeline(db, order.id)
        entries = order_timeline(db, order.id, 0, max(n, 1))
        rows = [(_when(e.at), e.who, e.full_text) for e in sorted(entries, key=lambda e: (e.at, e.id))]
    finally:
        set_language(previous)
    return DossierRows([tr("When", lang), tr("Who", lang), tr("What happened", lang)], rows, (1.2, 1.2, 5.6))


register_section("intake", N_("Order intake"), _intake, 10)
register_section("review", N_("Review rounds and opinions"), _review_rounds, 20)
register_section("contract", N_("Contract"), _contract, 25)
register_section("plans", N_("Production plan versions"), _plans, 30)
register_section("task_sheets", N_("Task sheets"), _task_sheets, 35)
register_section("materials", N_("Materials and picking"), _materials, 38)
register_section("documents", N_("Filed documents"), _documents, 90)
register_section("timeline", N_("Timeline of the order"), _timeline, 95)


def dossier_paper(db: Database, order_no: str, lang: str) -> tuple[int, DossierPaper]:
    with read_session(db) as s:
        s.info["jo_dossier_db"] = db
        order = s.scalar(select(Order).where(Order.order_no == order_no.strip()))
        if order is None:
            raise NotFound(tr("There is no order {order_no}.", lang, order_no=order_no))
        customer = s.get(Customer, order.customer_id)
        sections = []
        for spec in sorted(SECTIONS.values(), key=lambda x: (x.order, x.key)):
            sections.append(DossierSection(tr(spec.title_msgid, lang), spec.fn(s, order, lang)))
        paper = DossierPaper(
            factory_name=get_setting(db, "factory_name") or "", order_no=order.order_no,
            customer=f"{customer.code} {customer.name}", stage=tr(STAGES.get(order.stage, order.stage), lang),
            summary=[(tr("Order date", lang), order.order_date.isoformat()),
                     (tr("Delivery date", lang), order.delivery_date.isoformat() if order.delivery_date else "—"),
                     (tr("Quantity", lang), order.total_quantity),
                     (tr("Amount", lang), f"{order.total_amount} {order.currency}")],
            sections=sections)
        return order.id, paper


def print_dossier(db: Database, actor: Actor, order_no: str, out: str | Path, *, lang: str,
                  printed_at: dt.datetime | None = None) -> Path:
    """Write the dossier PDF and file it under the order (category "dossier"). Management, the archive and sales
    (who answer customer disputes) print it."""
    from ...reports.dossier import write_dossier

    if not (actor.department in ("archive", "management", "sales") or actor.is_manager):
        raise PermissionDenied(tr("{user} may not print an order dossier; the archive, sales or management do.",
                                  current_language(), user=actor.display_name))
    order_id, paper = dossier_paper(db, order_no, lang)
    out = Path(out)
    write_dossier(paper, out, lang=lang, printed_by=actor.display_name, printed_at=printed_at or clock.now())
    with unit_of_work(db) as s:
        store_bytes(s, actor, file_name=f"{paper.order_no}-dossier.pdf", content=out.read_bytes(), category="dossier",
                    order_id=order_id, title=f"{tr('Order dossier', lang)} {paper.order_no}")
    return out
