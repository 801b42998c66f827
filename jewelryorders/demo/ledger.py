"""Demo progress ledger, exceptions and coordination meetings, through the services: the last steps of orders
through production corrected with realistic metal weights and losses (a few over the allowance, with their
reasons), exceptions with
and without the customer's notification, and past weekly meetings with open and closed action items."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from .. import clock
from ..db import Database
from ..i18n import _
from ..models.ledger import LedgerEntry
from ..models.orders import Order
from ..models.planning import PlanStep, ProductionPlan, TaskSheet
from ..services.context import Actor
from ..services.errors import DomainError
from ..services.ledger import entries, exceptions, meetings

LOSS_REASONS = ["坩堝裂開，部分金水濺出 crucible cracked, metal spilled",
                "執模打磨過度，需補料 over-filed, metal added back",
                "拋光輪更換前損耗偏高 polishing wheel worn, higher loss"]
EXCEPTIONS = [
    ("material_shortage", "high", "18K 玫瑰金顆粒到貨延遲一週 18K rose gold grain one week late", 5, "3"),
    ("equipment_failure", "medium", "真空倒模機故障，等待零件 vacuum casting machine down, waiting for parts", 2, "3"),
    ("staff_change", "low", "鑲石師傅離職，新人培訓中 setter left, new setter in training", 3, "5"),
    ("other", "medium", "颱風停工一天 typhoon closed the factory for a day", 1, ""),
]


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0)).astimezone()


def advance_demo(db: Database, rng: random.Random, actors: Mapping[str, Actor], today: dt.date) -> str:
    worker, head = actors["production"], actors["production.head"]
    # Orders through production: the last step's finish was scanned without weights; the production head reverses
    # it and the clerk records it again with the metal weighed (a correction, as the ledger keeps them).
    later = aliased(PlanStep)
    with db.read_session() as s:
        last_steps = list(s.execute(
            select(TaskSheet.sheet_no, Order.total_quantity, PlanStep.loss_allowance_pct, PlanStep.actual_end_at)
            .join(PlanStep, PlanStep.id == TaskSheet.plan_step_id)
            .join(ProductionPlan, ProductionPlan.id == PlanStep.plan_id)
            .join(Order, Order.id == TaskSheet.order_id)
            .where(TaskSheet.status == "issued", PlanStep.state == "done", Order.stage == "final_qc",
                   ProductionPlan.status == "released",
                   PlanStep.seq == select(func.max(later.seq)).where(later.plan_id == PlanStep.plan_id)
                   .correlate(PlanStep).scalar_subquery())
            .order_by(PlanStep.actual_end_at.desc()).limit(40)))
    finished = over = 0
    for sheet_no, qty, pct, ended in last_steps:
        with db.read_session() as s:
            entry_no = s.scalar(select(LedgerEntry.entry_no).join(TaskSheet, TaskSheet.id == LedgerEntry.task_sheet_id)
                                .where(TaskSheet.sheet_no == sheet_no, LedgerEntry.kind == "finish")
                                .order_by(LedgerEntry.id.desc()).limit(1))
        if entry_no is None:
            continue
        issued = Decimal(qty) * Decimal(rng.choice(["3.2", "4.5", "5.8", "7.1"])) * Decimal("1.12")
        in_piece = issued * Decimal("0.86")
        ratio = Decimal(str(rng.choice([0.3, 0.5, 0.7, 0.9, 0.95, 1.4])))
        loss = issued * Decimal(pct) / 100 * ratio
        returned = issued - in_piece - loss
        g = lambda d: str(d.quantize(Decimal("0.001")))  # noqa: E731
        reason = rng.choice(LOSS_REASONS) if ratio > 1 else ""
        rejected = rng.choice([0, 0, 0, 1])
        moment = ended + dt.timedelta(hours=1)
        try:
            with clock.frozen(moment):
                entries.reverse_entry(db, head, entry_no, "補登金屬重量 metal weights added")
                done = entries.record_finish(db, worker, sheet_no, entries.FinishInput(
                    qty - rejected, rejected, g(issued), g(returned), g(in_piece),
                    worker=rng.choice(["陳師傅", "黃師傅", "李師傅", "吳師傅"]), loss_reason=reason,
                    inspection_state="passed" if rejected == 0 else "failed", at=moment))
        except DomainError:
            continue
        finished += 1
        over += done.over_allowance
    with db.read_session() as s:
        at_work = list(s.scalars(select(Order.order_no).where(Order.stage == "in_production")
                                 .order_by(Order.delivery_date).limit(len(EXCEPTIONS))))
    recorded = []
    for i, (order_no, (kind, severity, text, days, steps)) in enumerate(zip(at_work, EXCEPTIONS)):
        with clock.frozen(_at(today - dt.timedelta(days=10 - 2 * i), 10)):
            e = exceptions.record_exception(db, head, exceptions.ExceptionInput(
                kind, text, order_no=order_no, severity=severity, impact_days=days,
                actions="通知生產部及主管領導 production and the manager informed", informed_production=True,
                informed_manager=severity != "low", affected_steps=steps))
            recorded.append(e)
            if i % 2 == 0:
                exceptions.add_notification(db, actors["sales"], e.exception_no, method=rng.choice(["phone", "email"]),
                                            notified_by=actors["sales"].display_name,
                                            customer_response="同意延期 agrees to the later date")
                with db.read_session() as s:
                    due = s.scalar(select(Order.delivery_date).where(Order.order_no == order_no))
                if due is not None:
                    exceptions.move_delivery_date(db, head, e.exception_no, due + dt.timedelta(days=days))
            if i == 0:
                exceptions.close_exception(db, head, e.exception_no, "改向第二供應商採購 bought from the second supplier")
    owners = [actors["purchasing.head"], actors["production.head"], actors["technical.head"], actors["sales.head"]]
    for week in (3, 2, 1):
        day = today - dt.timedelta(days=7 * week)
        while day.weekday() != 0:
            day -= dt.timedelta(days=1)
        with clock.frozen(_at(day, 15)):
            m = meetings.hold_meeting(db, head, meetings.MeetingInput(
                day, attendees={"production": [head.display_name], "sales": [actors["sales.head"].display_name],
                                "technical": [actors["technical.head"].display_name],
                                "purchasing": [actors["purchasing.head"].display_name]},
                reports={"production": "本週在製訂單按計劃推進 orders at work on plan",
                         "sales": "已通知延期客戶 customers told of the delays",
                         "purchasing": "18K 顆粒補貨中 18K grain on order"},
                actions=[meetings.ActionInput(text, owner.user_id, day + dt.timedelta(days=rng.randint(3, 12)))
                         for text, owner in zip(["催供應商交貨 chase the supplier", "安排加班追進度 overtime to catch up",
                                                 "確認新款工藝 confirm the new style's craft",
                                                 "回覆客戶交期 answer the customer about dates"],
                                                rng.sample(owners, 4))][:rng.randint(2, 4)]))
        for action in m.actions:
            if action.due_on < today - dt.timedelta(days=3) and rng.random() < 0.6:
                with clock.frozen(_at(min(action.due_on, today), 16)):
                    meetings.set_action_state(db, head, action.id, "done", "已完成 done")
    return _("Ledger: {finished} steps recorded again with their weights ({over} over the allowance), {exceptions} "
             "exceptions, 3 coordination meetings.", finished=finished, over=over, exceptions=len(recorded))
