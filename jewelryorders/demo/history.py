"""Years of a demo factory's history, lived through the services: each order's fate, its dates, and the calls that
carry it there (review, contract, plan, checklist, steps), each made at its moment on the application's clock."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from .. import clock
from ..models.orders import Order
from ..models.planning import PlanStep, ProductionPlan, TaskSheet
from ..models.reviews import REVIEW_DEPARTMENTS, ReviewOpinion, ReviewRound
from ..services.orders.intake import LineInput, OrderInput, StoneInput
from ..services.planning.checklist import set_checklist_item
from ..services.planning.plans import finish_step, propose_plan, release_plan, start_step
from ..services.review import procedure as review
from . import data

# Where an order stands today, and how many of a hundred orders stand there: a factory that has run for years has
# most of its orders behind it. The services carry an order at most to "in production" (no service ships or closes
# yet), so the orders a real factory would have delivered or closed end with every production step finished.
FATE_WEIGHTS: dict[str, float] = {
    "draft": 1.5, "preliminary_review": 1.5, "negotiating": 1.0, "escalated": 1.0, "detailed_review": 2.0,
    "contracted": 1.5, "planned": 2.5, "in_production": 7.0, "finished": 76.0, "abandoned": 3.0, "cancelled": 3.0,
}
# The stage each fate leaves the order in.
FATE_STAGE = {"draft": "draft", "preliminary_review": "preliminary_review", "negotiating": "negotiating",
              "escalated": "escalated", "detailed_review": "detailed_review", "contracted": "contracted",
              "planned": "planned", "in_production": "in_production", "finished": "in_production",
              "abandoned": "abandoned", "cancelled": "cancelled"}
HISTORY_DAYS = 3 * 365  # the oldest order is about three years old
OLD_AGE_DAYS = 150  # finished orders were ordered at least this long ago, so their whole plan lies in the past
LATE_SHARE = 0.12  # of the orders at work, those whose current step has overrun its planned end

_CONTACTS = ["陳小姐", "李先生", "Mr. Wong", "Ms. Tan", "黃經理", "Mrs. Kapoor", "王小姐", "Mr. Smith"]
_ESCALATIONS = ["交期比標準交期短，需管理層批准加急", "新客戶首單金額大，需管理層決定", "客戶要求延長付款期，需管理層決定"]
_ABANDON_REASONS = ["客戶不接受預付條件，放棄此單", "交期無法滿足，客戶取消", "客戶改向其他工廠下單"]
CANCEL_REASONS = ["客戶撤回訂單", "重複下單，取消此張", "客戶預算改變，取消訂單"]
_CONDITIONS = "首件需經客戶確認後方可批量生產"


@dataclass
class OrderLife:
    """One demo order: what it is, when it came in, and how far its life goes."""

    fate: str
    customer_index: int
    input: OrderInput
    created: dt.datetime  # aware, when sales typed it in
    required_days: int  # the longest standard lead time of its styles
    review_at: dt.datetime | None = None  # preliminary review (and for most, sending to the departments)
    signed: dt.datetime | None = None  # the contract
    order_id: int | None = None
    late: bool = False
    lines: list[tuple] = field(default_factory=list)  # the style rows of its lines (see data.STYLES)

    @property
    def materials(self) -> list[MaterialLine]:
        return [MaterialLine.of_input(line) for line in self.input.lines]

    @property
    def value(self) -> Decimal:
        return sum((Decimal(line.unit_price) * line.quantity for line in self.input.lines), Decimal(0))


def fate_counts(n_orders: int) -> list[str]:
    """Each fate's share of `n_orders` as whole orders (largest remainders), so 500 and 100,000 orders stand in the
    same proportions; from 50 orders on, every stage has at least one."""
    total = sum(FATE_WEIGHTS.values())
    exact = {fate: n_orders * w / total for fate, w in FATE_WEIGHTS.items()}
    counts = {fate: int(x) for fate, x in exact.items()}
    for fate in sorted(exact, key=lambda f: counts[f] - exact[f])[:n_orders - sum(counts.values())]:
        counts[fate] += 1
    if n_orders >= 50:
        for fate in counts:
            if counts[fate] == 0:
                counts[fate], counts["finished"] = 1, counts["finished"] - 1
    return [fate for fate, count in counts.items() for _i in range(count)]


def _at(day: dt.date, hour: float) -> dt.datetime:
    whole = int(hour)
    return dt.datetime.combine(day, dt.time(whole, int((hour - whole) * 60))).astimezone()


def _moment(rng: random.Random, day: dt.date) -> dt.datetime:
    return _at(day, rng.choice([9, 9.5, 10, 10.5, 11, 14, 14.5, 15, 16]))


def plan_lives(rng: random.Random, n_orders: int, customers: list[tuple[str, str]], today: dt.date) -> list[OrderLife]:
    """Every order's fate and dates, drawn before anything is written (customers: (country, currency) each).

    Returned in the order the orders came in, so their numbers follow their dates."""
    fates = fate_counts(n_orders)
    rng.shuffle(fates)
    # A few big customers give most of the work, as in any factory.
    customer_weights = [1.0 / (1 + i % 15) for i in range(len(customers))]
    lives: list[OrderLife] = []
    for fate in fates:
        ci = rng.choices(range(len(customers)), customer_weights)[0]
        country, currency = customers[ci]
        rate = Decimal(data.HKD_RATE.get(currency, "0.128"))
        styles = [rng.choice(data.STYLES) for _j in range(rng.choices([1, 2, 3, 4], weights=[5, 3, 2, 1])[0])]
        required = max(style[4] for style in styles)
        slack = rng.randint(3, 30)
        if fate == "finished":
            age = rng.randint(OLD_AGE_DAYS, HISTORY_DAYS)
        elif fate in ("abandoned", "cancelled"):
            age = rng.randint(5, HISTORY_DAYS)
        elif fate == "in_production":
            # Signed some weeks ago and due in a week or two: planned backwards from that date, its work has begun.
            slack = rng.randint(3, 15)
            age = max(required + 2 + slack - rng.randint(4, 12), 10)
        elif fate == "planned":
            slack = rng.randint(20, 45)
            age = rng.randint(7, 11)
        elif fate == "contracted":
            age = rng.randint(6, 8)
        elif fate == "detailed_review":
            age = rng.randint(2, 5)
        elif fate in ("preliminary_review", "negotiating", "escalated"):
            age = rng.randint(1, 8)
        else:  # draft
            age = rng.randint(0, 6)
        order_day = today - dt.timedelta(days=age)
        if fate in ("negotiating", "escalated"):
            # Why the talk or the manager is needed: the customer wants it sooner than the styles take.
            delivery = order_day + dt.timedelta(days=max(7, required - rng.randint(5, 12)))
        else:
            delivery = order_day + dt.timedelta(days=required + 2 + slack)
        complete = fate != "draft" or rng.random() < 0.5
        lines = []
        for style in styles:
            code, name, ptype, metal, _lead, _new, stones, weight, price = style
            qty = rng.choice([5, 10, 12, 20, 24, 30, 50, 60, 100, 120, 200, 300])
            unit = (Decimal(price) * rate).quantize(Decimal("1") if currency == "JPY" else Decimal("0.01"))
            lines.append(LineInput(
                style_code=code, metal=metal, quantity=qty, description=name,
                size=rng.choice(data.SIZES.get(ptype, [""])), target_weight_g=weight if complete else None,
                unit_price=unit,
                stones=[StoneInput(t, c * qty, str((Decimal(ct) * c * qty).quantize(Decimal("0.001"))))
                        for t, c, ct in stones]))
        order = OrderInput(
            customer_id=None, channel=rng.choices(["online", "trade_fair", "phone", "email", "referral",
                                                   "industry_event", "other"], weights=[3, 3, 4, 5, 2, 1, 1])[0],
            order_date=order_day, delivery_date=delivery if complete else None,
            delivery_place="" if not complete else rng.choice(data.COUNTRY_ADDRESSES[country]),
            special_requirements=rng.choice(data.SPECIAL_REQUIREMENTS), currency=currency,
            priority=rng.choices([1, 2, 3, 4, 5], weights=[1, 2, 6, 2, 1])[0], lines=lines)
        created = _moment(rng, order_day)
        if created > clock.now():
            created = clock.now() - dt.timedelta(minutes=rng.randint(5, 120))
        life = OrderLife(fate, ci, order, created, required, lines=styles)
        if fate not in ("draft", "preliminary_review", "cancelled"):
            life.review_at = created + dt.timedelta(days=1 if age >= 2 else 0, hours=1)
            if life.review_at > clock.now():
                life.review_at = clock.now() - dt.timedelta(minutes=10)
        if fate in ("contracted", "planned", "in_production", "finished"):
            life.signed = _moment(rng, order_day + dt.timedelta(days=rng.randint(4, 6)))
        lives.append(life)
    lives.sort(key=lambda life: life.created)
    return lives


# ---- review texts that fit the order -------------------------------------------------------------------------

@dataclass(frozen=True)
class MaterialLine:
    """What the review texts read of an order line: metal, pieces, grams a piece, stones (type, count, carats)."""

    metal: str
    quantity: int
    grams: Decimal
    stones: tuple[tuple[str, int, Decimal], ...]

    @classmethod
    def of_input(cls, line: LineInput) -> MaterialLine:
        return cls(line.metal, int(line.quantity), Decimal(line.target_weight_g or "0"),
                   tuple((st.stone_type, int(st.count), Decimal(st.carat)) for st in line.stones))

    @classmethod
    def of_view(cls, line) -> MaterialLine:
        """From a stored order line (services.orders.intake.LineView)."""
        return cls(line.metal, line.quantity, Decimal(line.target_weight_mg or 0) / 1000,
                   tuple((st.stone_type, st.count, st.carat) for st in line.stones))


def materials_text(lines: list[MaterialLine]) -> str:
    """Purchasing's materials list: the metal by alloy and weight, the stones by type, count and carats."""
    grams: dict[str, Decimal] = defaultdict(Decimal)
    stones: dict[str, list] = {}
    for line in lines:
        grams[line.metal] += line.grams * line.quantity
        for kind, count, carat in line.stones:
            total = stones.setdefault(kind, [0, Decimal(0)])
            total[0] += count
            total[1] += carat
    parts = [f"{metal}（{data.METAL_NAMES.get(metal, metal)}）約 {g.quantize(Decimal('0.1'))} g"
             for metal, g in grams.items()]
    parts += [f"{data.STONE_NAMES.get(kind, kind)} {count} 粒，共 {carat} ct" for kind, (count, carat) in stones.items()]
    return "；".join(parts)


def settings_of(lines: list[MaterialLine]) -> list[str]:
    """The stone settings the order's lines need (empty for plain metal)."""
    found: list[str] = []
    for line in lines:
        for kind, count, carat in line.stones:
            if count <= 0:
                continue
            setting = data.stone_setting(kind, max(1, count // max(1, line.quantity)), str(carat / count))
            if setting not in found:
                found.append(setting)
    return found


def solution_text(lines: list[MaterialLine]) -> str:
    """Technical's proposed solution: the metal's process and the setting of the order's stones."""
    metals = "、".join(dict.fromkeys(line.metal for line in lines))
    settings = settings_of(lines)
    if not settings:
        return f"{metals} 素金款，無鑲石：倒模後執模，重點在拋光與電金。"
    return f"{metals} 倒模後執模；鑲石採用 {'、'.join(settings)}，鑲後逐件搖動測試。"


def answer_for(department: str, lines: list[MaterialLine], rng: random.Random, verdict: str,
               cycle_days: int, comments: str = "") -> review.OpinionAnswer:
    """A department's answer whose texts fit the order: its metal and stones, the setting they need."""
    conditions = _CONDITIONS if verdict == "pass_with_conditions" else ""
    if department == "production":
        return review.OpinionAnswer(verdict, comments, conditions, difficulty=rng.choice(["low", "medium", "high"]),
                                    cycle_days=cycle_days, capacity_load_pct=rng.randint(55, 95))
    if department == "technical":
        feasibility = ("not_feasible" if verdict == "reject" else
                       "feasible_with_changes" if settings_of(lines) and rng.random() < 0.3 else "feasible")
        return review.OpinionAnswer(verdict, comments, conditions, craft_feasibility=feasibility,
                                    proposed_solution=solution_text(lines))
    return review.OpinionAnswer(verdict, comments, conditions, materials_list=materials_text(lines),
                                purchase_lead_days=rng.randint(3, 15),
                                supplier_risk=rng.choice(["low", "low", "medium"]))


def _prelim(life: OrderLife) -> review.PreliminaryInput:
    """What sales judged itself: the craft the styles need and the price terms (at the style list's prices)."""
    settings = settings_of(life.materials)
    craft = ("工藝：" + "、".join(settings)) if settings else "工藝：素金款，常規工藝"
    return review.PreliminaryInput(craft_ok=True, craft_note=craft,
                                   price_note="按款式價目表報價，訂金 30%，餘款出貨前付清")


# ---- carrying an order through the review ---------------------------------------------------------------------

class Lives:
    """Carries planned lives through the services, each call at its own moment on the clock."""

    def __init__(self, db, rng: random.Random, actors, today: dt.date):
        from .review import _ensure_price_policy

        self.db, self.rng, self.actors, self.today = db, rng, actors, today
        self.now = clock.now()
        # The price terms are checked against the company's policy, which management sets before the first review.
        _ensure_price_policy(db, actors["manager"])

    def _talk(self, moment: dt.datetime) -> review.NegotiationInput:
        return review.NegotiationInput(moment.astimezone().date(), self.rng.choice(_CONTACTS),
                                       self.rng.choice(["客戶要求提前交貨，正在商量分批出貨",
                                                        "客戶希望降價 5%，已回覆需請示"]), "")

    def review(self, life: OrderLife) -> None:
        """From preliminary review to the fate's review stage (or a signed contract)."""
        sales, oid, at = self.actors["sales"], life.order_id, life.review_at
        fate = life.fate
        with clock.frozen(at):
            if fate == "negotiating":
                review.negotiate(self.db, sales, oid, self._talk(at), _prelim(life))
                return
            if fate in ("escalated", "abandoned"):
                review.escalate(self.db, sales, oid, self.rng.choice(_ESCALATIONS), _prelim(life))
                if fate == "escalated":
                    return
        if fate == "abandoned":
            with clock.frozen(at + dt.timedelta(days=1)):
                review.decide(self.db, self.actors["manager"], oid, "abandon", self.rng.choice(_ABANDON_REASONS))
            return
        due_hours = 48 if fate != "detailed_review" else 24 * self.rng.randint(1, 4)
        due = {d: at + dt.timedelta(hours=due_hours + 4 * i) for i, d in enumerate(REVIEW_DEPARTMENTS)}
        with clock.frozen(at):
            send_at = self._clear_checks(life, at)
        with clock.frozen(send_at):
            review.accept_and_send(self.db, sales, oid, due, _prelim(life))
        opinions = self._open_opinions(oid)
        answer_at = at + dt.timedelta(hours=20)
        for i, (opinion_id, department) in enumerate(opinions):
            moment = answer_at + dt.timedelta(hours=i)
            if fate == "detailed_review" and (moment > self.now or self.rng.random() < 0.5):
                continue  # still waiting for this department
            verdict = self.rng.choice(["pass", "pass", "pass", "pass_with_conditions"])
            with clock.frozen(moment):
                answer = answer_for(department, life.materials, self.rng, verdict,
                                    max(5, life.required_days - self.rng.randint(0, 8)))
                if department == "production":  # a late proposal passes only with capacity measures (2.4)
                    answer = review.with_suggested_measures(self.db, oid, answer)
                review.answer_opinion(self.db, self.actors[department], opinion_id, answer)
        if fate == "detailed_review":
            return
        with clock.frozen(answer_at + dt.timedelta(hours=6)):
            review.close_round(self.db, sales, oid)
        with self.db.read_session() as s:
            order_no = s.scalar(select(Order.order_no).where(Order.id == oid))
        with clock.frozen(life.signed):
            review.record_contract(self.db, sales, oid, review.ContractInput(
                "HT-" + order_no.removeprefix("JO-"), life.signed.astimezone().date(),
                ["production", "technical", "purchasing", "archive"]))

    def _clear_checks(self, life: OrderLife, at: dt.datetime) -> dt.datetime:
        """A check that failed is cleared the way the procedure asks, never by a talk alone: a customer rated D pays
        in advance; anything else (a C rating, credit over the limit, a short lead time) goes to management, who
        accepts the order."""
        oid = life.order_id
        checks = review.compute_checks(self.db, oid, craft=review.CraftCheck(True))
        if not checks.blocking:
            return at
        manager = self.actors["manager"]
        if checks.credit.rating == "D":
            review.record_payment(self.db, manager, oid, str(checks.credit.order_value),
                                  "全款預付 paid in full in advance")
            checks = review.compute_checks(self.db, oid, craft=review.CraftCheck(True))
            if not checks.blocking:
                return at
        review.escalate(self.db, self.actors["sales"], oid, self.rng.choice(_ESCALATIONS), _prelim(life))
        with clock.frozen(at + dt.timedelta(hours=2)):
            review.decide(self.db, manager, oid, "accept", "管理層批准接單 accepted by management")
        return at + dt.timedelta(hours=3)

    def _open_opinions(self, order_id: int) -> list[tuple[int, str]]:
        """The requests of the order's open round, as (opinion id, department)."""
        with self.db.read_session() as s:
            return list(s.execute(select(ReviewOpinion.id, ReviewOpinion.department)
                                  .join(ReviewRound, ReviewRound.id == ReviewOpinion.round_id)
                                  .where(ReviewRound.order_id == order_id, ReviewRound.closed_at.is_(None))
                                  .order_by(ReviewOpinion.id)))

    def _steps(self, order_id: int) -> list:
        """The released plan's steps: seq, planned start and end, loss allowance, task sheet number."""
        with self.db.read_session() as s:
            return list(s.execute(select(PlanStep.seq, PlanStep.planned_start, PlanStep.planned_end,
                                         PlanStep.loss_allowance_pct, TaskSheet.sheet_no)
                                  .join(ProductionPlan, ProductionPlan.id == PlanStep.plan_id)
                                  .outerjoin(TaskSheet, (TaskSheet.plan_step_id == PlanStep.id)
                                             & (TaskSheet.status == "issued"))
                                  .where(ProductionPlan.order_id == order_id, ProductionPlan.status == "released")
                                  .order_by(PlanStep.seq)))

    # ---- planning and the shop floor -----------------------------------------------------------------------------

    def plan(self, life: OrderLife) -> None:
        """Plan and release the order the working day after its contract."""
        planner = self.actors["production.head"]
        day = min(life.signed.astimezone().date() + dt.timedelta(days=1), self.today)
        with clock.frozen(_at(day, 8.5)):
            plan = propose_plan(self.db, planner, life.order_id, today=day)
            release_plan(self.db, planner, plan.id, today=day)

    def tick_some(self, life: OrderLife, keys) -> None:
        """Preparing for production: some checklist items done yesterday."""
        with clock.frozen(_at(self.today - dt.timedelta(days=1), 16)):
            for key in keys:
                set_checklist_item(self.db, self.actors[CONFIRMERS[key]], life.order_id, key, done=True)

    def work(self, life: OrderLife, checklist_keys) -> int:
        """The shop floor works the plan as planned up to today; returns the steps finished.

        A late order's step of today has overrun: started on its day, not finished though its planned end passed."""
        from ..services.ledger import entries as ledger_entries

        worker = self.actors["production"]
        steps = self._steps(life.order_id)
        first = steps[0].planned_start
        tick_day = min(first - dt.timedelta(days=1), self.today)
        # Training is needed (and confirmed) only for a style the factory has not made before.
        needs_training = any(style[5] for style in life.lines)
        for key in [k for k in checklist_keys if k != "training" or needs_training]:
            with clock.frozen(_at(tick_day, 16)):
                set_checklist_item(self.db, self.actors[CONFIRMERS[key]], life.order_id, key, done=True,
                                   note="IQC 合格 / passed IQC" if key == "materials" else "")
        finished = 0
        ready = first
        for step in steps:
            start_day = max(step.planned_start, ready)
            if start_day > self.today or (start_day == self.today and self.now < _at(self.today, 9)):
                break
            with clock.frozen(_at(start_day, 9)):
                if step.sheet_no is None:
                    start_step(self.db, worker, life.order_id, step.seq)
                else:  # what start_step does, by the task sheet the plan's steps were read with
                    ledger_entries.record_start(self.db, worker, step.sheet_no)
            # The shop fell behind on a late order: a step due in the last two weeks is still being worked on.
            overrun = life.late and self.today - dt.timedelta(days=14) <= step.planned_end < self.today
            if step.planned_end >= self.today or overrun:
                break
            end_day = step.planned_end
            with clock.frozen(_at(end_day, 17)):
                self._finish(life, step, _at(end_day, 17))
            finished += 1
            ready = end_day
        return finished


    WORKERS = ["陳師傅", "黃師傅", "李師傅", "吳師傅", "張師傅", "何師傅"]

    def _finish(self, life: OrderLife, step, moment: dt.datetime) -> None:
        """The step's finish recorded on its task sheet through the ledger, with the metal weighed: issued, returned
        and left in the pieces for the order's metal weight; the loss mostly within the step's allowance, now and then
        over it with the reason."""
        if step.sheet_no is None:  # no task sheet: the planning part's own finish (no weights)
            finish_step(self.db, self.actors["production"], life.order_id, step.seq)
            return
        rng = self.rng
        pieces = sum(int(line.quantity) for line in life.input.lines)
        grams = sum((Decimal(line.target_weight_g or "0") * int(line.quantity) for line in life.input.lines),
                    Decimal(0))
        # In milligrams, whole, so the three weights add up exactly as the ledger computes the loss.
        in_piece = int(grams * 1000 * Decimal(str(round(rng.uniform(1.0, 1.08), 3))))  # before the last polishing
        issued = int(in_piece * Decimal(str(round(rng.uniform(1.06, 1.25), 3))))  # sprues, trees, filings
        pct = Decimal(step.loss_allowance_pct or 0)
        over = pct > 0 and rng.random() < 0.06
        ratio = Decimal(str(round(rng.uniform(1.1, 1.8) if over else rng.uniform(0.25, 0.95), 3)))
        loss = min(int(issued * pct / 100 * ratio), issued - in_piece)
        returned = issued - in_piece - loss
        grams_text = lambda mg: str(Decimal(mg) / 1000)  # noqa: E731
        from .ledger import LOSS_REASONS
        from ..services.ledger import entries

        entries.record_finish(self.db, self.actors["production"], step.sheet_no, entries.FinishInput(
            pieces, 0, grams_text(issued), grams_text(returned), grams_text(in_piece), worker=rng.choice(self.WORKERS),
            loss_reason=rng.choice(LOSS_REASONS) if over else "", at=moment))


CONFIRMERS = {"equipment": "production.head", "tooling": "technical.head", "materials": "purchasing.head",
              "training": "technical.head"}

