"""Task sheets: issued on release, following their step through plan versions, printed (and reprints counted)."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from ... import clock
from ...db import Database
from ...i18n import LazyText, _, normalize_language, tr
from ...models.documents import Document
from ...models.orders import STONE_TYPES, Order, OrderLine
from ...models.planning import CHECKLIST_KEYS, ChecklistItem, PlanStep, ProductionPlan, TaskSheet, Workshop
from ...models.quality import QualityCharacteristic, QualityStandard
from .. import audit, sequences
from ..context import Actor, read_session, unit_of_work
from ..documents import export_document
from ..errors import GateError, NotFound, ValidationError

if TYPE_CHECKING:  # ReportLab loads when a sheet is printed, not when planning starts
    from ...reports.task_sheet import TaskSheetData
from ..permissions import require
from ..users import get_setting
from .common import load_order, needs_of, step_display_dates, user_name

# ---- issuing ----------------------------------------------------------------------------------------------------

def issue_sheets(session: Session, actor: Actor, order: Order, plan: ProductionPlan,
                 now: dt.datetime | None = None) -> list[TaskSheet]:
    """Give every step of a released plan its task sheet: a step keeps the sheet its seq had in earlier versions,
    new steps get new numbers, and sheets whose step has left the plan become void."""
    moment = now or clock.now()
    existing = {sheet.seq: sheet for sheet in session.scalars(
        select(TaskSheet).where(TaskSheet.order_id == order.id, TaskSheet.status == "issued"))}
    sheets = []
    for step in plan.steps:
        sheet = existing.pop(step.seq, None)
        if sheet is None:
            sheet = TaskSheet(sheet_no=sequences.next_number(session, "task_sheet", moment.astimezone().year),
                              order_id=order.id, seq=step.seq, plan_step_id=step.id, status="issued",
                              issued_at=moment, issued_by_id=actor.user_id)
            session.add(sheet)
        else:
            sheet.plan_step_id = step.id
        sheets.append(sheet)
    for leftover in existing.values():
        leftover.status = "void"
    session.flush()
    return sheets


# ---- listing ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TaskSheetInfo:
    id: int
    sheet_no: str
    order_id: int
    order_no: str
    seq: int
    step_name: str
    workshop: str
    status: str
    print_count: int
    last_printed_at: dt.datetime | None
    stale: bool  # printed from an older plan version: the paper at the bench shows old dates

    @property
    def printed(self) -> bool:
        return self.print_count > 0


def list_task_sheets(db: Database, order_id: int, include_void: bool = False) -> list[TaskSheetInfo]:
    with read_session(db) as s:
        stmt = (select(TaskSheet, Order.order_no, ProductionPlan.version_no)
                .join(Order, Order.id == TaskSheet.order_id)
                .join(PlanStep, PlanStep.id == TaskSheet.plan_step_id)
                .join(ProductionPlan, ProductionPlan.id == PlanStep.plan_id)
                .where(TaskSheet.order_id == order_id))
        if not include_void:
            stmt = stmt.where(TaskSheet.status == "issued")
        rows = []
        for sheet, order_no, version_no in s.execute(stmt.order_by(TaskSheet.seq, TaskSheet.id)):
            stale = sheet.printed_plan_version is not None and sheet.printed_plan_version < version_no
            rows.append(TaskSheetInfo(sheet.id, sheet.sheet_no, sheet.order_id, order_no, sheet.seq, sheet.step.name,
                                      sheet.step.workshop.name, sheet.status, sheet.print_count,
                                      sheet.last_printed_at, stale))
        return rows


# ---- the paper's data -------------------------------------------------------------------------------------------

def _specs(line: OrderLine, lang: str) -> str:
    parts = [line.style_code]
    if line.size:
        parts.append(tr("size {size}", lang, size=line.size))
    parts.append(f"×{line.quantity}")
    for stone in line.stones:
        parts.append(tr("{stone} {count} pcs {carat} ct", lang, stone=tr(STONE_TYPES.get(stone.stone_type,
                                                                                        stone.stone_type), lang),
                        count=stone.stone_count, carat=f"{stone.carat:.3f}"))
    return " ".join(parts)


def _checklist_notes(step: PlanStep, items: dict[str, ChecklistItem], lang: str) -> str:
    needs = needs_of(step.checklist_needs)
    if not needs:
        return tr("This step needs no checklist item.", lang)
    marks = []
    for key in needs:
        item = items.get(key)
        state = "✔" if item is not None and (item.done or not item.required) else "✘"
        marks.append(f"{state} {tr(CHECKLIST_KEYS[key], lang)}")
    return tr("Needed before start: {items}", lang, items="; ".join(marks))


def _sheet_parts(lines: list[OrderLine], lang: str) -> list[tuple[list[OrderLine], str]]:
    """The order lines each printed copy of a step's sheet covers: all lines on one sheet while they share one
    metal, else one sheet per line, so that metal can be issued and weighed back against each sheet."""
    if len({line.metal for line in lines}) <= 1:
        return [(lines, "")]
    return [([line], tr("Line {number} of {total}", lang, number=index, total=len(lines)))
            for index, line in enumerate(lines, start=1)]


def _review_conditions(session: Session, order_ids: Sequence[int], lang: str) -> dict[int, str]:
    """The conditions the review agreed for each order (carried into its plan at the contract), one per line
    with the department that set it, in the paper's language."""
    from ...models.planning import PlanReviewInput
    from ...models.users import DEPARTMENTS
    from .review_inputs import parse_conditions

    out: dict[int, str] = {}
    rows = session.execute(select(PlanReviewInput.order_id, PlanReviewInput.conditions)
                           .where(PlanReviewInput.order_id.in_(list(order_ids))))
    for order_id, raw in rows:
        colon = "：" if lang.startswith("zh") else ": "
        lines = [tr(DEPARTMENTS[c.department], lang) + colon + c.text if c.department in DEPARTMENTS else c.text
                 for c in parse_conditions(raw)]
        if lines:
            out[order_id] = "\n".join(lines)
    return out


# ---- the step's quality standard --------------------------------------------------------------------------------

def standard_in_force(session: Session, code: str, day: dt.date) -> QualityStandard | None:
    """The version of standard `code` in force on `day` (the latest that took effect by then)."""
    if not code:
        return None
    return session.scalars(select(QualityStandard).where(QualityStandard.code == code,
                                                         QualityStandard.effective_from <= day)
                           .order_by(QualityStandard.effective_from.desc(), QualityStandard.version_no.desc())).first()


def standard_link(session: Session, code: str, day: dt.date) -> dict:
    """The columns a plan step keeps of its standard: the code, and the version in force on the step's day."""
    found = standard_in_force(session, code, day)
    return {"standard_code": code, "standard_id": found.id if found else None}


def step_standard(session: Session, step: PlanStep, today: dt.date) -> QualityStandard | None:
    """The standard version a step's sheet shows: for a step not started, the version in force on the day it is
    printed (or on its planned start, when later), so a new version that took effect is picked up; once started,
    the version the step kept."""
    if not step.standard_code:
        return None
    if step.state != "planned" and step.standard_id is not None:
        return session.get(QualityStandard, step.standard_id)
    found = standard_in_force(session, step.standard_code, max(today, step.planned_start))
    if found is None and step.standard_id is not None:
        found = session.get(QualityStandard, step.standard_id)
    return found


def characteristic_text(c: QualityCharacteristic, lang: str) -> str:
    """One characteristic in short: 'Ring size: 16.5 ±0.1 mm', 'Fineness: ≥ 750 ‰', 'Surface: no porosity'."""
    from ..quality.common import number_text, tolerance_text, unit_label

    if c.nominal is None:
        return f"{c.name}: {c.criterion}"
    tolerance = tolerance_text(c, lang)
    if c.tol_minus is not None and c.tol_plus is not None:
        return f"{c.name}: {number_text(c.nominal)} {tolerance}"
    if c.tol_minus is None and c.tol_plus is None:
        return f"{c.name}: {number_text(c.nominal)} {unit_label(c.unit, lang)} ({tolerance})"
    return f"{c.name}: {tolerance}"


def standard_box_text(standard: QualityStandard | None, code: str, lang: str) -> tuple[str, str]:
    """(what the 'Quality standard' box shows, the line that ends it when it does not fit)."""
    if standard is None:
        if not code:
            return "", ""
        return tr("Quality standard {code} has no version in force yet: ask the technical department.", lang,
                  code=code), ""
    # The characteristics run on as one paragraph, so the small box holds as many as it can.
    text = (f"{standard.code} v{standard.version_no} — {standard.title}\n"
            + ";  ".join(characteristic_text(c, lang) for c in standard.characteristics))
    return text, tr("… see standard {code} v{n}", lang, code=standard.code, n=standard.version_no)


def sheet_data(session: Session, sheets: Sequence[TaskSheet], lang: str,
               image_folder: Path | None = None, db: Database | None = None,
               today: dt.date | None = None) -> list[TaskSheetData]:
    """The printable data of each sheet (the design image exported into `image_folder` when given)."""
    from ...reports.task_sheet import TaskSheetData

    lang = normalize_language(lang)
    order_ids = sorted({sheet.order_id for sheet in sheets})
    orders = {o.id: o for o in session.scalars(select(Order).where(Order.id.in_(order_ids))
                                               .options(selectinload(Order.lines).selectinload(OrderLine.stones)))}
    checklist: dict[int, dict[str, ChecklistItem]] = {}
    for item in session.scalars(select(ChecklistItem).where(ChecklistItem.order_id.in_(order_ids))):
        checklist.setdefault(item.order_id, {})[item.key] = item
    step_counts = dict(session.execute(
        select(PlanStep.plan_id, func.count()).where(PlanStep.plan_id.in_({sheet.step.plan_id for sheet in sheets}))
        .group_by(PlanStep.plan_id)).all())
    images: dict[int, str | None] = {}
    if image_folder is not None and db is not None:
        first_images = session.execute(
            select(Document.order_id, func.min(Document.id))
            .where(Document.order_id.in_(order_ids), Document.category == "design_image",
                   Document.removed.is_(False)).group_by(Document.order_id)).all()
        for order_id, document_id in first_images:
            try:
                images[order_id] = str(export_document(db, document_id, image_folder / str(order_id)))
            except (NotFound, ValidationError):
                images[order_id] = None  # the paper prints a framed notice instead of the picture
    out = []
    today = today or clock.today()
    conditions = _review_conditions(session, order_ids, lang)
    for sheet in sheets:
        order = orders[sheet.order_id]
        step = sheet.step
        requirements = [t for t in (step.process_requirements, order.special_requirements) if t.strip()]
        start, end = step_display_dates(step, today) if step.state != "planned" else (step.planned_start,
                                                                                      step.planned_end)
        quality_text, quality_more = standard_box_text(step_standard(session, step, today), step.standard_code,
                                                       lang)
        common = dict(
            sheet_no=sheet.sheet_no,
            order_no=order.order_no,
            customer=order.customer.name,
            step_name=step.name,
            step_seq=step.seq,
            step_count=step_counts.get(step.plan_id, 1),
            process_requirements="\n".join(requirements),
            quality_standard=quality_text,
            quality_more=quality_more,
            planned_start=start,
            due=end,
            order_delivery=order.delivery_date,
            workshop=step.workshop.name,
            responsible=user_name(step.responsible),
            design_image_path=images.get(order.id),
            metal_allowance_pct=step.loss_allowance_pct,
            print_count=sheet.print_count,
            checklist_notes=_checklist_notes(step, checklist.get(order.id, {}), lang),
            review_conditions=conditions.get(order.id, ""),
        )
        for lines, part_label in _sheet_parts(list(order.lines), lang):
            styles = list(dict.fromkeys(line.style_code for line in lines))
            metals = list(dict.fromkeys(line.metal for line in lines))
            descriptions = list(dict.fromkeys(line.description for line in lines if line.description))
            weights = {line.target_weight_mg for line in lines}
            out.append(TaskSheetData(
                style_code=", ".join(styles),
                style_description="; ".join(descriptions),
                specs="; ".join(_specs(line, lang) for line in lines),
                metal=", ".join(metals),
                quantity=sum(line.quantity for line in lines),
                target_weight_mg=weights.pop() if len(weights) == 1 else None,
                part_label=part_label,
                **common,
            ))
    return out


# ---- choosing what to print -------------------------------------------------------------------------------------

def find_workshop(session: Session, name_or_id: str | int) -> Workshop:
    if isinstance(name_or_id, int):
        workshop = session.get(Workshop, name_or_id)
    else:
        wanted = str(name_or_id).strip()
        workshop = session.scalar(select(Workshop).where(func.lower(Workshop.name) == wanted.lower()))
    if workshop is None:
        names = ", ".join(session.scalars(select(Workshop.name).where(Workshop.active.is_(True))
                                          .order_by(Workshop.sort_order, Workshop.name)))
        raise NotFound(_("There is no workshop {name}. Workshops: {names}.", name=name_or_id, names=names))
    return workshop


def sheets_of_order(session: Session, order_no_or_id: str | int) -> list[TaskSheet]:
    if isinstance(order_no_or_id, int):
        order = load_order(session, order_no_or_id)
    else:
        order = session.scalar(select(Order).where(Order.order_no == str(order_no_or_id).strip()))
        if order is None:
            raise NotFound(_("There is no order {order_no}.", order_no=order_no_or_id))
    sheets = list(session.scalars(select(TaskSheet).where(TaskSheet.order_id == order.id,
                                                          TaskSheet.status == "issued").order_by(TaskSheet.seq)))
    if not sheets:
        raise GateError(_("Order {order_no} has no task sheets yet: they are issued when its plan is released.",
                          order_no=order.order_no))
    return sheets


def sheets_of_workshop_day(session: Session, workshop: str | int, day: dt.date) -> list[TaskSheet]:
    """Sheets of the steps a workshop works on that day (started or planned, not finished), by order."""
    ws = find_workshop(session, workshop)
    stmt = (select(TaskSheet).join(PlanStep, PlanStep.id == TaskSheet.plan_step_id)
            .join(ProductionPlan, ProductionPlan.id == PlanStep.plan_id)
            .join(Order, Order.id == TaskSheet.order_id)
            .where(TaskSheet.status == "issued", ProductionPlan.status == "released", PlanStep.workshop_id == ws.id,
                   PlanStep.state != "done", PlanStep.planned_start <= day,
                   or_(PlanStep.planned_end >= day, PlanStep.state == "in_progress"))
            .order_by(Order.order_no, TaskSheet.seq))
    sheets = list(session.scalars(stmt))
    if not sheets:
        raise GateError(_("Workshop {workshop} has no task sheets for {day}.", workshop=ws.name,
                          day=day.isoformat()))
    return sheets


def sheets_by_number(session: Session, sheet_nos: Sequence[str]) -> list[TaskSheet]:
    wanted = [n.strip().upper() for n in sheet_nos if n and n.strip()]
    found = {s.sheet_no: s for s in session.scalars(select(TaskSheet).where(TaskSheet.sheet_no.in_(wanted)))}
    unknown = [n for n in wanted if n not in found]
    if unknown:
        raise NotFound(_("No task sheet has the number {sheet_no}. Check the barcode or type the number printed "
                         "under it.", sheet_no=", ".join(unknown)))
    return [found[n] for n in wanted]


# ---- printing ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PrintResult:
    path: Path
    sheet_nos: tuple[str, ...]
    reprints: int

    @property
    def count(self) -> int:
        return len(self.sheet_nos)


def print_task_sheets(db: Database, actor: Actor, path: str | Path, *, order: str | int | None = None,
                      workshop: str | int | None = None, day: dt.date | None = None,
                      sheet_nos: Sequence[str] = (), lang: str = "zh_TW", factory_name: str | None = None,
                      now: dt.datetime | None = None,
                      progress: Callable[[int, int], object] | None = None) -> PrintResult:
    """Print one PDF: the given sheets, all sheets of an order, or all sheets of a workshop for a day.

    Each sheet's print count goes up by one once the file is written (a failed print counts nothing), and a
    sheet printed before carries the 'REPRINT #n' mark.
    """
    require(actor, "planning.print")
    if sum(x is not None and x != () for x in (order, workshop, tuple(sheet_nos) or None)) != 1:
        raise ValidationError(_("Choose what to print: sheet numbers, an order, or a workshop and a day."))
    if workshop is not None and day is None:
        raise ValidationError(_("Give the day whose task sheets the workshop needs."), "day")
    target = Path(path)
    moment = now or clock.now()
    factory = factory_name if factory_name is not None else get_setting(db, "factory_name")
    with tempfile.TemporaryDirectory(prefix="jo-sheets-") as tmp:
        folder = Path(tmp)
        with read_session(db) as s:
            if sheet_nos:
                sheets = sheets_by_number(s, sheet_nos)
            elif order is not None:
                sheets = sheets_of_order(s, order)
            else:
                sheets = sheets_of_workshop_day(s, workshop, day)
            void = [sh.sheet_no for sh in sheets if sh.status != "issued"]
            if void:
                raise GateError(_("Task sheet {sheet_no} is void: its step is no longer in the plan.",
                                  sheet_no=", ".join(void)))
            data = sheet_data(s, sheets, lang, folder, db)
            ids = [sh.id for sh in sheets]
        draft = folder / "sheets.pdf"
        from ...reports.task_sheet import write_task_sheets

        try:
            write_task_sheets(data, draft, factory_name=factory, lang=lang,
                              printed_by=actor.display_name or actor.username, printed_at=moment.astimezone(),
                              progress=progress)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
        with unit_of_work(db) as s:
            reprints = 0
            by_order: dict[int, list[str]] = {}
            for sheet in s.scalars(select(TaskSheet).where(TaskSheet.id.in_(ids))):
                reprints += sheet.print_count > 0
                sheet.print_count += 1
                sheet.last_printed_at = moment
                sheet.last_printed_by_id = actor.user_id
                sheet.printed_plan_version = sheet.step.plan.version_no
                # The step keeps the standard version its printed sheet showed (the link an auditor follows).
                shown = step_standard(s, sheet.step, moment.date())
                if shown is not None and sheet.step.standard_id != shown.id:
                    sheet.step.standard_id = shown.id
                by_order.setdefault(sheet.order_id, []).append(sheet.sheet_no)
            for order_id, numbers in by_order.items():
                audit.record(s, actor, "print", "task_sheet", None,
                             LazyText("Task sheets printed: {sheets}", sheets=", ".join(sorted(numbers))), None,
                             {"sheets": sorted(numbers)}, order_id=order_id)
            # The archive files the printed copy (a reprint is the next version of the same paper).
            from ..documents import store_bytes

            store_bytes(s, actor, file_name="task-sheets.pdf" if order is not None else
                        f"task-sheets-{min(n for ns in by_order.values() for n in ns)}.pdf", content=draft.read_bytes(),
                        category="task_sheet", order_id=next(iter(by_order)) if len(by_order) == 1 else None,
                        title=", ".join(sorted(n for ns in by_order.values() for n in ns))[:200])
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(draft), str(target))
            except OSError as exc:
                raise ValidationError(_("The PDF could not be saved as {path}: {reason}", path=str(target),
                                        reason=exc.strerror or str(exc)), "path") from exc
    return PrintResult(target, tuple(dict.fromkeys(d.sheet_no for d in data)), reprints)
