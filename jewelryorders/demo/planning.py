"""Demo planning data through the planning services: workshops, the factory calendar, routings, and plans of the
contracted orders in every state (no plan, draft, released, changed after release, in production), with task
sheets printed and reprinted and checklists empty, partly done and complete.

The demo command calls `advance_demo(db, rng, actors, today)` after the review demo has contracted some orders;
`actors` maps demo user names ("production.head", "production", "technical.head", "purchasing.head", ...) to
logged-in actors. It returns a one-line summary for the demo report.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy import select

from ..db import Database
from ..i18n import _
from ..models.orders import Order
from ..models.reviews import Contract
from ..services.context import Actor, unit_of_work
from ..services.errors import DomainError
from ..services.planning.plans import StepChange, change_steps, finish_step, get_plan, propose_plan, release_plan, start_step
from ..services.planning.checklist import set_checklist_item
from ..services.planning.forecast import refresh_forecast
from ..services.planning.master_data import (
    RoutingInput,
    RoutingStepInput,
    WorkshopInput,
    add_holiday_in,
    create_routing_in,
    create_workshop_in,
)
from ..services.planning.sheets import print_task_sheets

# More contracted orders than this stay unplanned ("to plan"): a demo of 100,000 orders need not plan thousands.
MAX_DEMO_PLANS = 300

# key, name, department, hours a day, benches, working weekdays
WORKSHOPS = [
    ("cad", "設計起版部 CAD", "技術部 Technical", "8", 3, "01234"),
    ("wax", "噴蠟倒模車間 Wax & Mould", "生產一部 Production 1", "8", 4, "012345"),
    ("casting", "鑄造車間 Casting", "生產一部 Production 1", "8", 3, "012345"),
    ("filing", "執模車間 Filing", "生產一部 Production 1", "8", 10, "01234"),
    ("setting", "鑲石車間 Stone setting", "生產二部 Production 2", "8", 12, "01234"),
    ("polishing", "打磨拋光車間 Polishing", "生產二部 Production 2", "8", 8, "01234"),
    ("plating", "電金車間 Plating", "生產二部 Production 2", "7.5", 2, "01234"),
    ("qc", "品檢部 Final QC", "品質部 Quality", "8", 4, "01234"),
]

# Public holidays of a Guangdong/Hong Kong factory (the years the demo is likely run in), plus fixed dates.
HOLIDAYS = {
    2026: [("2026-01-01", "元旦 New Year"), ("2026-02-17", "春節 Lunar New Year"),
           ("2026-02-18", "春節 Lunar New Year"), ("2026-02-19", "春節 Lunar New Year"),
           ("2026-04-06", "清明節 Ching Ming"), ("2026-05-01", "勞動節 Labour Day"),
           ("2026-06-19", "端午節 Dragon Boat"), ("2026-09-25", "中秋節 Mid-Autumn"),
           ("2026-10-01", "國慶日 National Day"), ("2026-10-02", "國慶日 National Day"),
           ("2026-10-05", "國慶日 National Day"), ("2026-12-25", "聖誕節 Christmas")],
    2027: [("2027-01-01", "元旦 New Year"), ("2027-02-08", "春節 Lunar New Year"),
           ("2027-02-09", "春節 Lunar New Year"), ("2027-02-10", "春節 Lunar New Year"),
           ("2027-04-05", "清明節 Ching Ming"), ("2027-06-09", "端午節 Dragon Boat"),
           ("2027-09-16", "中秋節 Mid-Autumn"), ("2027-10-01", "國慶日 National Day"),
           ("2027-10-04", "國慶日 National Day"), ("2027-10-05", "國慶日 National Day"),
           ("2027-12-27", "聖誕節 Christmas")],
}
FIXED_HOLIDAYS = [("01-01", "元旦 New Year"), ("05-01", "勞動節 Labour Day"), ("10-01", "國慶日 National Day"),
                  ("12-25", "聖誕節 Christmas")]

# workshop key, step name, hours per piece, hours per batch, loss allowance %, needs, process, quality
_STEP = tuple[str, str, str, str, str, tuple[str, ...], str, str]
CAD: _STEP = ("cad", "設計/CAD 起版", "0", "6", "0", (), "按客戶設計圖起版，3D 列印樣版交客戶確認。",
              "尺寸與設計圖相符，公差 ±0.05 mm。")
WAX: _STEP = ("wax", "噴蠟/倒模", "0.04", "1.5", "0", ("tooling",), "膠模開模，蠟件無氣泡、無斷爪。",
              "蠟樹重量記錄，蠟件完整。")
CAST: _STEP = ("casting", "鑄造", "0.03", "2", "1.0", ("equipment", "materials"), "真空鑄造，按成色配料，記錄出入金重。",
               "無砂眼、無縮孔；成色抽檢。")
FILE: _STEP = ("filing", "執模", "0.2", "0", "1.5", ("tooling",), "去水口、執順、焊接配件。", "表面平順，焊口牢固無砂孔。")
SET: _STEP = ("setting", "鑲石", "0.25", "0", "0.2", ("materials", "training"), "按圖鑲石，石位對正。",
              "石頭牢固（搖動測試），無崩石、無歪石。")
POLISH: _STEP = ("polishing", "打磨/拋光", "0.12", "0", "0.8", (), "粗磨、細磨、拋光至鏡面。", "鏡面無砂紋、無拋光痕。")
PLATE: _STEP = ("plating", "電金（電白）", "0.02", "1", "0.1", ("equipment",), "電白金（銠）兩次，厚度 ≥ 0.1 µm。",
                "顏色均勻，無發黃、無水漬。")
QC: _STEP = ("qc", "終檢 Final QC", "0.05", "0.5", "0", (), "逐件檢查外觀、尺寸、重量，抽檢成色。", "按品質標準 FQC 表。")
CHAIN: _STEP = ("filing", "鏈條組裝", "0.15", "0.5", "0.5", ("tooling",), "鏈條焊接、裝扣、長度按訂單。", "拉力測試合格。")

ROUTINGS = {
    "ring": ("戒指工藝路線 Ring routing", [CAD, WAX, CAST, FILE, SET, POLISH, PLATE, QC]),
    "pendant": ("吊墜工藝路線 Pendant routing", [CAD, WAX, CAST, FILE, SET, POLISH, PLATE, QC]),
    "earring": ("耳環工藝路線 Earring routing", [CAD, WAX, CAST, FILE, SET, POLISH, PLATE, QC]),
    "necklace": ("項鍊工藝路線 Necklace routing", [CAD, CAST, CHAIN, SET, POLISH, PLATE, QC]),
    "bracelet": ("手鏈工藝路線 Bracelet routing", [CAD, CAST, CHAIN, SET, POLISH, PLATE, QC]),
    "bangle": ("手鐲工藝路線 Bangle routing", [CAD, WAX, CAST, FILE, POLISH, PLATE, QC]),
    "brooch": ("胸針工藝路線 Brooch routing", [CAD, WAX, CAST, FILE, SET, POLISH, PLATE, QC]),
}

CONFIRMERS = {"equipment": "production.head", "tooling": "technical.head", "materials": "purchasing.head",
              "training": "technical.head"}


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0)).astimezone()


def _master_data(db: Database, actors: Mapping[str, Actor], today: dt.date) -> dict[str, int]:
    planner = actors["production.head"]
    supervisors = [actors.get("production.head"), actors.get("production")]
    workshops: dict[str, int] = {}
    with unit_of_work(db) as s:
        for order, (key, name, department, hours, benches, days) in enumerate(WORKSHOPS):
            boss = supervisors[order % len(supervisors)]
            w = create_workshop_in(s, planner, WorkshopInput(name, department, hours, benches, [int(d) for d in days],
                                                             boss.user_id if boss else None, order))
            workshops[key] = w.id
        for year in (today.year, today.year + 1):
            days = HOLIDAYS.get(year) or [(f"{year}-{md}", name) for md, name in FIXED_HOLIDAYS]
            for day, name in days:
                add_holiday_in(s, planner, dt.date.fromisoformat(day), name)
        for product_type, (name, steps) in ROUTINGS.items():
            create_routing_in(s, planner, RoutingInput(product_type, name, [
                RoutingStepInput(step_name, workshops[wkey], piece, batch, loss, needs, process, quality)
                for wkey, step_name, piece, batch, loss, needs, process, quality in steps]))
    return workshops


def _tick(db: Database, actors: Mapping[str, Actor], order_id: int, keys, when: dt.datetime) -> None:
    for key in keys:
        actor = actors.get(CONFIRMERS[key]) or actors["admin"]
        set_checklist_item(db, actor, order_id, key, done=True, now=when,
                           note="" if key != "materials" else "IQC 合格 / passed IQC")


def _run_steps_until(db: Database, actors: Mapping[str, Actor], order_id: int, today: dt.date) -> bool:
    """Work the plan as it was planned: steps planned to end before today are done, the step of today started.
    Returns whether any step started (a plan scheduled backwards from a far delivery date may start later)."""
    worker = actors.get("production") or actors["production.head"]
    plan = get_plan(db, order_id, today)
    started = False
    for step in plan.steps:
        if step.planned_start > today:
            break
        start_step(db, worker, order_id, step.seq, now=_at(step.planned_start, 9))
        started = True
        if step.planned_end >= today:
            break
        finish_step(db, worker, order_id, step.seq, now=_at(step.planned_end, 17))
    return started


def advance_demo(db: Database, rng: random.Random, actors: Mapping[str, Actor], today: dt.date) -> str:
    """Create the planning master data and plan the contracted orders in every state (see the module docstring)."""
    _master_data(db, actors, today)
    planner = actors["production.head"]
    with db.read_session() as s:
        rows = list(s.execute(select(Order.id, Order.delivery_date).where(Order.stage == "contracted")
                              .order_by(Order.delivery_date, Order.order_no)))
    # Orders still due are planned first (in delivery order); those already past their date follow, planned late.
    contracted = [oid for oid, due in rows if due is None or due >= today] + \
        [oid for oid, due in rows if due is not None and due < today]
    due_by_id = dict(rows)
    with db.read_session() as s:
        signed_by_id = {oid: day for oid, day in s.execute(select(Contract.order_id, Contract.signed_date))}
    counts = {"unplanned": 0, "draft": 0, "released": 0, "changed": 0, "in_production": 0, "failed": 0}
    printable: list[int] = []
    counts["unplanned"] += max(0, len(contracted) - MAX_DEMO_PLANS)
    fates: dict[int, str] = {}
    for order_id in contracted[:MAX_DEMO_PLANS]:
        fate = rng.choices(["unplanned", "draft", "released", "checklist", "running"], weights=[1, 2, 3, 2, 4])[0]
        if fate == "running" and due_by_id.get(order_id) and due_by_id[order_id] > today + dt.timedelta(days=12):
            # Planned backwards from a far delivery date, its first step would still lie ahead: not at work yet.
            fate = "checklist"
        fates[order_id] = fate
    # Orders at work were planned two weeks ago, before the rest took the workshops' capacity: plan them first.
    for order_id in sorted(fates, key=lambda oid: fates[oid] != "running"):
        fate = fates[order_id]
        if fate == "unplanned":
            counts["unplanned"] += 1
            continue
        # Orders already at work were planned on the day their contract was signed and worked as planned since.
        planned_on = signed_by_id.get(order_id, today) if fate == "running" else today
        try:
            plan = propose_plan(db, planner, order_id, today=planned_on)
            if fate == "draft":
                counts["draft"] += 1
                continue
            plan = release_plan(db, planner, plan.id, today=planned_on)
            counts["released"] += 1
            if fate == "checklist":
                _tick(db, actors, order_id, rng.sample(["equipment", "tooling", "materials"], rng.randint(1, 2)),
                      _at(today - dt.timedelta(days=1), 10))
            elif fate == "running":
                _tick(db, actors, order_id, ["equipment", "tooling", "materials", "training"],
                      _at(planned_on, 7))
                if _run_steps_until(db, actors, order_id, today):
                    counts["in_production"] += 1
            printable.append(order_id)
            if rng.random() < 0.15:
                current = get_plan(db, order_id, today)
                movable = [st for st in current.steps if st.state == "planned" and st.start > today]
                if len(movable) >= 2:
                    last = movable[-1]
                    shift = dt.timedelta(days=rng.choice([1, 2]))
                    change = StepChange(last.seq, last.start + shift, last.end + shift, last.workshop_id,
                                        last.responsible_id)
                    change_steps(db, planner, current.id, [change], reason=rng.choice(
                        ["客戶要求延後交貨 Customer asked to deliver later", "電金缸保養 Plating tank maintenance",
                         "鑲石師傅請假 Setter on leave"]), today=today)
                    counts["changed"] += 1
        except DomainError:
            counts["failed"] += 1
    with tempfile.TemporaryDirectory(prefix="jo-demo-") as tmp:
        printer = actors.get("production.head")
        for number, order_id in enumerate(printable[:6]):
            print_task_sheets(db, printer, Path(tmp) / f"{order_id}.pdf", order=order_id, lang="zh_TW")
            if number < 2:
                print_task_sheets(db, printer, Path(tmp) / f"{order_id}-again.pdf", order=order_id, lang="zh_TW")
    refresh_forecast(db, today)
    return _("Planning: {workshops} workshops, {routings} routings; {released} plans released ({running} in "
             "production, {changed} changed after release), {drafts} drafts, {unplanned} contracted orders still to "
             "plan.", workshops=len(WORKSHOPS), routings=len(ROUTINGS), released=counts["released"],
             running=counts["in_production"], changed=counts["changed"], drafts=counts["draft"],
             unplanned=counts["unplanned"] + counts["failed"])
