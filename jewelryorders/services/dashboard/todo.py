"""My to-do: what the logged-in user must do now, each item a click away from the tab that does it.

Each source is `fn(session, actor, ctx) -> list[TodoItem]`, registered with `register_todo`; a later part (action
items of the coordination meetings, inspections to do, borrowed documents to chase) adds its own source from its
own module (listed in registry.FIGURE_MODULES), without changing this one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from ...db import Database
from ...i18n import N_, tr
from ...models.orders import Order
from ...models.planning import CHECKLIST_KEYS, ChecklistItem, ProductionPlan
from ...models.reviews import REVIEW_DEPARTMENTS, ReviewOpinion, ReviewRound
from ..context import Actor, read_session
from ..planning.common import CHECKLIST_DEPARTMENTS
from .registry import Figure, FigureContext, Link, Presentation, Table, register_figure


@dataclass(frozen=True)
class TodoItem:
    kind: str                    # stable key, e.g. "review_opinions"
    text: str                    # msgid with {count} / {overdue} / {department} / {item}
    count: int
    link: Link
    overdue: int = 0             # of `count`, how many are past their due time
    first_due: dt.datetime | dt.date | None = None
    params: tuple[tuple[str, str], ...] = ()   # further {name: msgid} translated into the text

    def sentence(self, lang: str | None = None) -> str:
        extra = {name: tr(value, lang) for name, value in self.params}
        return tr(self.text, lang, count=self.count, overdue=self.overdue, **extra)


@dataclass(frozen=True)
class MyTodo:
    items: list[TodoItem]

    @property
    def total(self) -> int:
        return sum(i.count for i in self.items)

    def of(self, kind: str) -> TodoItem | None:
        return next((i for i in self.items if i.kind == kind), None)


TodoSource = Callable[[Session, Actor, FigureContext], list[TodoItem]]
_sources: dict[str, TodoSource] = {}


def register_todo(name: str, source: TodoSource) -> None:
    """Add (or replace, by name) a source of to-do items."""
    _sources[name] = source


# ---- the sources of parts 2-3 and materials -----------------------------------------------------------------------

def _review_opinions(s: Session, actor: Actor, ctx: FigureContext) -> list[TodoItem]:
    """Detailed review requests waiting for the answer of the user's own department."""
    department = actor.department if actor.department in REVIEW_DEPARTMENTS else None
    if department is None:
        return []
    n, late, first = s.execute(
        select(func.count(), func.coalesce(func.sum(case((ReviewOpinion.due_at < ctx.now, 1), else_=0)), 0),
               func.min(ReviewOpinion.due_at))
        .join(ReviewRound, ReviewRound.id == ReviewOpinion.round_id)
        .where(ReviewOpinion.department == department, ReviewOpinion.answered_at.is_(None),
               ReviewRound.closed_at.is_(None))).one()
    if not n:
        return []
    return [TodoItem("review_opinions", N_("Review opinions due from {department}: {count} ({overdue} overdue)"),
                     int(n), Link("review", "inbox"), int(late or 0), first,
                     (("department", REVIEW_DEPARTMENTS[department]),))]


def _decisions(s: Session, actor: Actor, ctx: FigureContext) -> list[TodoItem]:
    """Escalated orders and failed reviews awaiting a manager's decision."""
    from ..review.procedure import is_decision_maker
    from ..review.queries import _escalation_filter  # the review part's own rule of what waits for a manager

    if not is_decision_maker(actor):
        return []
    n = s.scalar(select(func.count(Order.id)).where(Order.stage.in_(("escalated", "negotiating")),
                                                    _escalation_filter()))
    if not n:
        return []
    return [TodoItem("decisions", N_("Escalations or failed reviews awaiting your decision: {count}"), int(n),
                     Link("review", "escalations"))]


def _preliminary(s: Session, actor: Actor, ctx: FigureContext) -> list[TodoItem]:
    """Orders submitted by intake and waiting for sales' preliminary review."""
    if actor.department != "sales":
        return []
    n = s.scalar(select(func.count(Order.id)).where(Order.stage == "preliminary_review"))
    if not n:
        return []
    return [TodoItem("preliminary", N_("Orders waiting for the preliminary review: {count}"), int(n),
                     Link("review", "preliminary"))]


def _rounds(s: Session, actor: Actor, ctx: FigureContext) -> list[TodoItem]:
    """Sales: review rounds every department has answered (to close), and passed rounds awaiting the contract."""
    from ..review.queries import _latest_round_col  # the review part's own reading of an order's latest round

    if actor.department != "sales":
        return []
    latest_id = _latest_round_col(ReviewRound.id)
    unanswered = (select(func.count(ReviewOpinion.id))
                  .where(ReviewOpinion.round_id == latest_id, ReviewOpinion.answered_at.is_(None))
                  .correlate(Order).scalar_subquery())
    result = _latest_round_col(ReviewRound.result)
    to_close, to_sign = s.execute(
        select(func.coalesce(func.sum(case((and_(result.is_(None), unanswered == 0), 1), else_=0)), 0),
               func.coalesce(func.sum(case((result == "passed", 1), else_=0)), 0))
        .where(Order.stage == "detailed_review")).one()
    items = []
    if to_close:
        items.append(TodoItem("rounds_to_close", N_("Review rounds answered by every department, to close: {count}"),
                              int(to_close), Link("review", "rounds")))
    if to_sign:
        items.append(TodoItem("contracts", N_("Passed reviews awaiting the signed contract: {count}"), int(to_sign),
                              Link("review", "rounds")))
    return items


def _checklist(s: Session, actor: Actor, ctx: FigureContext) -> list[TodoItem]:
    """Pre-production checklist items the user's department confirms, still open on orders with a released plan."""
    keys = [k for k, deps in CHECKLIST_DEPARTMENTS.items() if actor.department in deps]
    if not keys:
        return []
    released = select(ProductionPlan.order_id).where(ProductionPlan.status == "released")
    rows = s.execute(select(ChecklistItem.key, func.count())
                     .join(Order, Order.id == ChecklistItem.order_id)
                     .where(ChecklistItem.key.in_(keys), ChecklistItem.required.is_(True),
                            ChecklistItem.done.is_(False), Order.stage.in_(("planned", "in_production")),
                            ChecklistItem.order_id.in_(released))
                     .group_by(ChecklistItem.key)).all()
    counts = dict(rows)
    return [TodoItem("checklist_" + key, N_("Orders needing '{item}' confirmed: {count}"), int(counts[key]),
                     Link("planning"), params=(("item", CHECKLIST_KEYS[key]),))
            for key in CHECKLIST_KEYS if counts.get(key)]


def _lots(s: Session, actor: Actor, ctx: FigureContext) -> list[TodoItem]:
    """Lots in quarantine awaiting release or rejection by the head of purchasing."""
    from ...models.materials import Lot

    if not (actor.department == "purchasing" and actor.role == "department_head"):
        return []
    n, first = s.execute(select(func.count(Lot.id), func.min(Lot.received_at))
                         .where(Lot.status == "quarantined")).one()
    if not n:
        return []
    return [TodoItem("lots", N_("Lots in quarantine awaiting release: {count}"), int(n), Link("materials", "stock"),
                     first_due=first)]


register_todo("review_opinions", _review_opinions)
register_todo("decisions", _decisions)
register_todo("preliminary", _preliminary)
register_todo("rounds", _rounds)
register_todo("checklist", _checklist)
register_todo("lots", _lots)


def my_todo(db: Database, ctx: FigureContext) -> MyTodo:
    """Every registered source's items for ctx.actor (nothing without one)."""
    if ctx.actor is None:
        return MyTodo([])
    from .registry import _load

    _load()  # the later parts register their to-do sources with their figures
    items: list[TodoItem] = []
    with read_session(db) as s:
        for source in list(_sources.values()):
            items.extend(source(s, ctx.actor, ctx))
    return MyTodo(items)


def present_my_todo(r: MyTodo, lang: str | None) -> Presentation:
    rows = tuple((item.sentence(lang), item.count) for item in r.items)
    table = Table((tr("To do", lang), tr("todo|Count", lang)), rows, tuple(i.link for i in r.items),
                  tuple(i.overdue > 0 for i in r.items), ("", "int"))
    headline = "" if not r.items else tr("Waiting for you: {count}", lang, count=r.total)
    return Presentation(headline, table, None, empty=tr("Nothing waits for you.", lang))


register_figure(Figure(
    "my_todo", N_("My to-do"),
    N_("What waits for you now: review opinions due from your department, escalations and failed reviews awaiting "
       "a manager's decision, orders waiting for the preliminary review, review rounds to close and contracts to record (sales), pre-production checklist items "
       "your department confirms on released plans, lots in quarantine (head of purchasing). Click a line to open "
       "the tab that does it."),
    my_todo, present_my_todo, order=5, per_user=True, in_report=False, wide=True, table_on_tab=True))
