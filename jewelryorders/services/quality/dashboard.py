"""The dashboard's figures of the quality part: first-pass yield per workshop, the defect Pareto, open NCRs with
overdue corrective actions, and the quality to-do (inspections to do, NCRs awaiting disposition or verification,
corrective actions the user owns). Registered through services/dashboard/registry.py (FIGURE_MODULES)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from ...db import Database
from ...i18n import N_, ntr, tr
from ...models.orders import Order
from ...models.planning import PlanStep, TaskSheet, Workshop
from ...models.quality import CHARACTERISTIC_KINDS, NCR_STATUSES, Inspection, Ncr
from ..context import Actor, read_session
from ..dashboard.figures import PALETTE, WARNING
from ..dashboard.registry import (CHART_BAR, CHART_HBAR, Chart, Figure, FigureContext, Link, Presentation,
                                  Series, Table, register_figure)
from ..dashboard.todo import TodoItem, register_todo
from ..permissions import allowed
from .ncr import repeat_offences

# The Quality tab's views (ui/quality/tab.py VIEW_*): each figure opens the one that acts on it.
INSPECTIONS_LINK = Link("quality", "inspections")
NCRS_LINK = Link("quality", "ncrs")
OFFENCES_LINK = Link("quality", "offences")
FIRST_PASS_KINDS = ("fai", "ipqc", "fqc")


def _bounds(ctx: FigureContext) -> tuple[dt.datetime, dt.datetime]:
    """The period as [start, end) instants in local time (as the quality register reads days)."""
    start = dt.datetime.combine(ctx.period.first, dt.time(0)).astimezone(dt.timezone.utc)
    end = dt.datetime.combine(ctx.period.last + dt.timedelta(days=1), dt.time(0)).astimezone(dt.timezone.utc)
    return start, end


# ---- first-pass yield per workshop -------------------------------------------------------------------------------

@dataclass(frozen=True)
class WorkshopYield:
    workshop: str          # "" for final inspection (FQC has no workshop)
    inspected: int
    passed: int

    @property
    def rate(self) -> float | None:
        return self.passed / self.inspected if self.inspected else None


@dataclass(frozen=True)
class FirstPassYield:
    rows: list[WorkshopYield]         # workshops by name, then final inspection

    @property
    def inspected(self) -> int:
        return sum(r.inspected for r in self.rows)

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.rows)

    def of(self, workshop: str) -> WorkshopYield | None:
        return next((r for r in self.rows if r.workshop == workshop), None)


def first_pass_yield(db: Database, ctx: FigureContext) -> FirstPassYield:
    """First inspections (FAI, IPQC of a workshop's task sheet; FQC of an order) in the period and how many passed;
    a re-inspection of a nonconformance is not a first pass and is left out. One GROUP BY."""
    start, end = _bounds(ctx)
    passed = case((Inspection.result == "passed", 1), else_=0)
    with read_session(db) as s:
        rows = s.execute(
            select(Workshop.name, func.count(Inspection.id), func.coalesce(func.sum(passed), 0))
            .select_from(Inspection)
            .outerjoin(TaskSheet, TaskSheet.id == Inspection.task_sheet_id)
            .outerjoin(PlanStep, PlanStep.id == TaskSheet.plan_step_id)
            .outerjoin(Workshop, Workshop.id == PlanStep.workshop_id)
            .where(Inspection.kind.in_(FIRST_PASS_KINDS), Inspection.reinspects_ncr_id.is_(None),
                   Inspection.inspected_at >= start, Inspection.inspected_at < end)
            .group_by(Workshop.name)).all()
    out = sorted((WorkshopYield(name or "", int(n), int(p)) for name, n, p in rows),
                 key=lambda r: (r.workshop == "", r.workshop))
    return FirstPassYield(out)


def present_first_pass_yield(r: FirstPassYield, lang: str | None) -> Presentation:
    labels = tuple(x.workshop or tr("Final inspection (FQC)", lang) for x in r.rows)
    links = tuple(INSPECTIONS_LINK for _x in r.rows)
    chart = Chart(CHART_HBAR, labels, (Series(tr("First-pass yield", lang),
                                              tuple(x.rate or 0.0 for x in r.rows), PALETTE[2]),),
                  unit=tr("First-pass yield", lang), links=links, percent=True) if r.rows else None
    table = Table((tr("Workshop", lang), tr("Inspected", lang), tr("Passed first time", lang),
                   tr("First-pass yield", lang)),
                  tuple((lbl, x.inspected, x.passed, x.rate) for lbl, x in zip(labels, r.rows)), links,
                  formats=("", "int", "int", "percent"))
    headline = ""
    if r.inspected:
        headline = tr("{rate} of {n} inspections passed the first time", lang,
                      rate=_percent(r.passed / r.inspected, lang), n=r.inspected)
    return Presentation(headline, table, chart, empty=tr("No inspection in this period.", lang))


def _percent(value: float, lang: str | None) -> str:
    from ...i18n import formats

    return formats.percent(value, 1, lang)


register_figure(Figure(
    "first_pass_yield", N_("First-pass yield"),
    N_("Per workshop, the first-article and in-process inspections of its task sheets in the period, and the share "
       "that passed the first time; final inspections (FQC) are a row of their own. Re-inspections after a "
       "nonconformance are not counted."),
    first_pass_yield, present_first_pass_yield, part="quality", order=60))


# ---- the defect Pareto ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DefectCount:
    kind: str              # a CHARACTERISTIC_KINDS key, "" when not named
    count: int
    cumulative_percent: float


@dataclass(frozen=True)
class DefectPareto:
    rows: list[DefectCount]           # most first

    @property
    def total(self) -> int:
        return sum(r.count for r in self.rows)


def defect_pareto(db: Database, ctx: FigureContext) -> DefectPareto:
    """NCRs found in the period per defect kind, most first, with the cumulative share (the quality part's
    repeat-offence count by defect)."""
    rows = repeat_offences(db, "defect", date_from=ctx.period.first, date_to=ctx.period.last)
    return DefectPareto([DefectCount(r.key, r.count, r.cumulative_percent) for r in rows])


def _defect_label(kind: str, lang: str | None) -> str:
    return tr(CHARACTERISTIC_KINDS[kind], lang) if kind in CHARACTERISTIC_KINDS else tr("not named", lang)


def present_defect_pareto(r: DefectPareto, lang: str | None) -> Presentation:
    labels = tuple(_defect_label(x.kind, lang) for x in r.rows)
    links = tuple(OFFENCES_LINK for _x in r.rows)
    chart = Chart(CHART_BAR, labels, (Series(tr("NCRs", lang), tuple(float(x.count) for x in r.rows), WARNING),),
                  unit=tr("NCRs", lang), links=links) if r.rows else None
    table = Table((tr("Defect", lang), tr("NCRs", lang), tr("Cumulative share", lang)),
                  tuple((lbl, x.count, x.cumulative_percent / 100) for lbl, x in zip(labels, r.rows)), links,
                  formats=("", "int", "percent"))
    headline = ""
    if r.rows:
        headline = ntr("{n} nonconformance in the period", "{n} nonconformances in the period", r.total, lang)
        headline += " · " + tr("most often: {defect}", lang, defect=labels[0])
    return Presentation(headline, table, chart, empty=tr("No nonconformance in this period.", lang))


register_figure(Figure(
    "defect_pareto", N_("Defect Pareto"),
    N_("Nonconformance reports (NCRs) found in the period, counted per defect kind (the kind of the characteristic "
       "that failed), most frequent first, with the cumulative share: the few defects that make most of the "
       "trouble."),
    defect_pareto, present_defect_pareto, part="quality", order=62))


# ---- open NCRs and overdue corrective actions ----------------------------------------------------------------------

@dataclass(frozen=True)
class StatusCount:
    status: str
    count: int
    overdue: int           # corrective action past its due date, no rectification yet


@dataclass(frozen=True)
class OpenNcrs:
    statuses: list[StatusCount]       # the not-closed statuses, in NCR_STATUSES order

    @property
    def open(self) -> int:
        return sum(x.count for x in self.statuses)

    @property
    def overdue(self) -> int:
        return sum(x.overdue for x in self.statuses)


def _action_overdue(today: dt.date):
    """The quality part's rule (NcrView.overdue): not closed, a due date before today, no rectification report."""
    return and_(Ncr.status != "closed", Ncr.action_due.is_not(None), Ncr.rectified_at.is_(None),
                Ncr.action_due < today)


def open_ncrs(db: Database, ctx: FigureContext) -> OpenNcrs:
    """NCRs not closed now, per status, and how many of them have an overdue corrective action (one GROUP BY)."""
    with read_session(db) as s:
        rows = s.execute(select(Ncr.status, func.count(Ncr.id),
                                func.coalesce(func.sum(case((_action_overdue(ctx.today), 1), else_=0)), 0))
                         .where(Ncr.status != "closed").group_by(Ncr.status)).all()
    counts = {st: (int(n), int(late)) for st, n, late in rows}
    return OpenNcrs([StatusCount(st, *counts.get(st, (0, 0))) for st in NCR_STATUSES if st != "closed"])


def present_open_ncrs(r: OpenNcrs, lang: str | None) -> Presentation:
    labels = tuple(tr(NCR_STATUSES[x.status], lang) for x in r.statuses)
    links = tuple(NCRS_LINK for _x in r.statuses)
    chart = Chart(CHART_HBAR, labels, (Series(tr("NCRs", lang), tuple(float(x.count) for x in r.statuses),
                                              PALETTE[1]),
                                       Series(tr("Corrective action overdue", lang),
                                              tuple(float(x.overdue) for x in r.statuses), WARNING)),
                  unit=tr("NCRs", lang), links=links, marked=tuple(x.overdue > 0 for x in r.statuses)) \
        if r.open else None
    table = Table((tr("Status", lang), tr("NCRs", lang), tr("Corrective action overdue", lang)),
                  tuple((lbl, x.count, x.overdue) for lbl, x in zip(labels, r.statuses)), links,
                  tuple(x.overdue > 0 for x in r.statuses), ("", "int", "int"))
    headline = ntr("{n} NCR open", "{n} NCRs open", r.open, lang) if r.open else ""
    if r.overdue:
        headline += " · " + ntr("{n} corrective action overdue", "{n} corrective actions overdue", r.overdue, lang)
    return Presentation(headline, table, chart, empty=tr("No NCR open.", lang))


register_figure(Figure(
    "open_ncrs", N_("Open NCRs"),
    N_("Nonconformance reports not yet closed, awaiting their disposition (open) or dispositioned and awaiting the "
       "corrective action, its verification and the re-inspection; a corrective action is overdue when its due date "
       "has passed without a rectification report."),
    open_ncrs, present_open_ncrs, part="quality", order=64))


# ---- to-do -------------------------------------------------------------------------------------------------------

def _inspections(s: Session, actor: Actor, ctx: FigureContext) -> list[TodoItem]:
    """Quality inspectors: orders in final inspection (FQC to do)."""
    if actor.department != "quality":
        return []
    n, first = s.execute(select(func.count(Order.id), func.min(Order.delivery_date))
                         .where(Order.stage == "final_qc")).one()
    if not n:
        return []
    return [TodoItem("fqc_to_do", N_("Orders waiting for final inspection (FQC): {count}"), int(n), INSPECTIONS_LINK,
                     first_due=first)]


def _ncr_decisions(s: Session, actor: Actor, ctx: FigureContext) -> list[TodoItem]:
    """Head of quality (and managers): NCRs awaiting their disposition, and rectified ones awaiting verification."""
    items: list[TodoItem] = []
    if actor.department == "quality" and allowed(actor, "quality.disposition"):
        n, first = s.execute(select(func.count(Ncr.id), func.min(Ncr.found_at))
                             .where(Ncr.status == "open", Ncr.disposition.is_(None))).one()
        if n:
            items.append(TodoItem("ncr_disposition", N_("NCRs awaiting your disposition: {count}"), int(n),
                                  NCRS_LINK, first_due=first))
    if actor.department == "quality" and allowed(actor, "quality.verify"):
        n = s.scalar(select(func.count(Ncr.id)).where(
            Ncr.status != "closed", Ncr.rectified_at.is_not(None),
            or_(Ncr.verified_at.is_(None), Ncr.verified_at < Ncr.rectified_at)))
        if n:
            items.append(TodoItem("ncr_verification",
                                  N_("Corrective actions awaiting your verification: {count}"), int(n), NCRS_LINK))
    return items


def _my_actions(s: Session, actor: Actor, ctx: FigureContext) -> list[TodoItem]:
    """Corrective actions of NCRs the user owns, without a rectification report yet."""
    n, late, first = s.execute(
        select(func.count(Ncr.id), func.coalesce(func.sum(case((_action_overdue(ctx.today), 1), else_=0)), 0),
               func.min(Ncr.action_due))
        .where(Ncr.action_owner_id == actor.user_id, Ncr.status != "closed", Ncr.rectified_at.is_(None))).one()
    if not n:
        return []
    return [TodoItem("my_corrective_actions", N_("Corrective actions you own: {count} ({overdue} overdue)"), int(n),
                     NCRS_LINK, int(late or 0), first)]


register_todo("quality_inspections", _inspections)
register_todo("quality_ncrs", _ncr_decisions)
register_todo("quality_actions", _my_actions)
