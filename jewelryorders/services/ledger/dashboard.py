"""The dashboard's figures of the progress ledger: metal loss per workshop and per worker against the allowance for
the period, and the to-do of open meeting action items. Registered through services/dashboard/registry.py
(FIGURE_MODULES)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ...db import Database
from ...i18n import N_, formats, tr
from ...models.ledger import ActionItem
from ..context import Actor
from ..dashboard.figures import PALETTE, WARNING
from ..dashboard.registry import (CHART_HBAR, Chart, Figure, FigureContext, Link, Presentation, Series, Table,
                                  register_figure)
from ..dashboard.todo import TodoItem, register_todo
from .entries import LedgerFilter, LossLine, loss_by

LEDGER_LINK = Link("ledger", "ledger")  # the Ledger tab's ledger view (entries with their losses)
WORKER_ROWS = 15


@dataclass(frozen=True)
class MetalLoss:
    by: str                        # "workshop" | "worker"
    lines: list[LossLine]          # workshops by name; workers worst first (loss over allowance), at most WORKER_ROWS
    total: int                     # how many workshops / workers lost metal in the period
    loss_mg: int                   # over every line, not only those shown
    allowance_mg: int

    @property
    def over(self) -> list[LossLine]:
        return [x for x in self.lines if x.over]


def _metal_loss(db: Database, ctx: FigureContext, by: str) -> MetalLoss:
    """The ledger's own loss computation (finish entries and their reversals, recorded in the period)."""
    lines = loss_by(db, by, LedgerFilter(date_from=ctx.period.first, date_to=ctx.period.last))
    total_loss, total_allowance = sum(x.loss_mg for x in lines), sum(x.allowance_mg for x in lines)
    lines = [x for x in lines if x.issued_mg or x.loss_mg]
    count = len(lines)
    if by == "worker":
        lines = sorted(lines, key=lambda x: (-(x.loss_mg - x.allowance_mg), x.key))[:WORKER_ROWS]
    return MetalLoss(by, lines, count, total_loss, total_allowance)


def metal_loss_by_workshop(db: Database, ctx: FigureContext) -> MetalLoss:
    return _metal_loss(db, ctx, "workshop")


def metal_loss_by_worker(db: Database, ctx: FigureContext) -> MetalLoss:
    return _metal_loss(db, ctx, "worker")


def _g(mg: int) -> float:
    return mg / 1000


def present_metal_loss(r: MetalLoss, lang: str | None) -> Presentation:
    labels = tuple(x.key or tr("not named", lang) for x in r.lines)
    links = tuple(LEDGER_LINK for _x in r.lines)
    marked = tuple(x.over for x in r.lines)
    chart = None
    if r.lines:
        chart = Chart(CHART_HBAR, labels,
                      (Series(tr("Metal loss (g)", lang), tuple(_g(x.loss_mg) for x in r.lines), PALETTE[1]),),
                      unit=tr("Metal loss (g)", lang),
                      limit=Series(tr("Allowance (g)", lang), tuple(_g(x.allowance_mg) for x in r.lines), WARNING),
                      marked=marked, links=links)
    first = tr("Workshop", lang) if r.by == "workshop" else tr("Worker", lang)
    rows = tuple((lbl, _g(x.issued_mg), _g(x.loss_mg), _g(x.allowance_mg),
                  x.loss_mg / x.issued_mg if x.issued_mg else None) for lbl, x in zip(labels, r.lines))
    table = Table((first, tr("Metal issued (g)", lang), tr("Metal loss (g)", lang), tr("Allowance (g)", lang),
                   tr("Loss rate", lang)), rows, links, marked, ("", "0.000", "0.000", "0.000", "percent"))
    headline = ""
    if r.lines:
        headline = tr("Loss {loss} g against an allowance of {allowance} g", lang,
                      loss=formats.grams(r.loss_mg, lang), allowance=formats.grams(r.allowance_mg, lang))
        if r.over:
            headline += " · " + tr("{n} over the allowance", lang, n=len(r.over))
    return Presentation(headline, table, chart, empty=tr("No metal loss recorded in this period.", lang))


register_figure(Figure(
    "metal_loss_workshops", N_("Metal loss per workshop"),
    N_("Per workshop, the metal lost in the steps finished in the period (issued − returned − in the piece, from the "
       "progress ledger) against the allowance of those steps (their loss percentage of the metal issued); "
       "workshops over the allowance are marked."),
    metal_loss_by_workshop, present_metal_loss, part="ledger", order=66))

register_figure(Figure(
    "metal_loss_workers", N_("Metal loss per worker"),
    N_("Per worker named in the progress ledger, the metal lost in the steps finished in the period against their "
       "allowance; the workers furthest over their allowance first (at most 15), those over it marked."),
    metal_loss_by_worker, present_metal_loss, part="ledger", order=67))


# ---- to-do: open action items of the coordination meetings -------------------------------------------------------

def _action_items(s: Session, actor: Actor, ctx: FigureContext) -> list[TodoItem]:
    """The user's open action items from the coordination meetings; overdue ones are past their due date."""
    n, late, first = s.execute(
        select(func.count(ActionItem.id),
               func.coalesce(func.sum(case((ActionItem.due_on < ctx.today, 1), else_=0)), 0),
               func.min(ActionItem.due_on))
        .where(ActionItem.owner_id == actor.user_id, ActionItem.state == "open")).one()
    if not n:
        return []
    return [TodoItem("action_items", N_("Your action items from the meetings: {count} ({overdue} overdue)"), int(n),
                     Link("ledger", "meetings"), int(late or 0), first)]


register_todo("ledger_action_items", _action_items)
