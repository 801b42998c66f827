"""Puts given orders into every state of the review by calling the review services, as real users would (for tests
and for showing the review screens; the demo command lives each order's history in history.py)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Mapping, Sequence

from .. import clock
from ..models.reviews import REVIEW_DEPARTMENTS
from ..services.context import Actor
from ..services.review import procedure as review
from ..services.orders.intake import get_order
from ..services.review.queries import review_history
from .history import MaterialLine, answer_for

# The states the demo can put an order into; every order handed in must be in preliminary review (submitted).
DEMO_TARGET_STATES = (
    "preliminary_review",      # left waiting for sales
    "negotiating",             # negotiation logged
    "escalated",               # waiting for a manager
    "detailed_review",         # round 1 open, due times ahead
    "detailed_review_overdue", # round 1 open, some opinions overdue
    "failed_then_passed",      # round 1 failed, negotiation, round 2 passed: waiting for the contract
    "abandoned",               # escalated, a manager abandoned it
    "contracted",              # one passing round and a signed contract
)
DEMO_ACTOR_KEYS = ("sales", "manager", "production", "technical", "purchasing")

_CONTACTS = ["陳小姐", "李先生", "Mr. Wong", "Ms. Tan", "黃經理", "Mrs. Kapoor"]
_AGREEMENTS = [
    ("客戶同意預付 30% 訂金，餘款出貨前付清", ""),
    ("交期延後兩週", "交貨日期延後 14 天"),
    ("客戶同意分兩批出貨", "第一批 60%，第二批 40%"),
    ("碎鑽改為 1.0 mm，爪鑲改共爪", "第 1 行鑲石規格更改"),
]
_CRAFT_NOTES = ["常規倒模、爪鑲，工藝明確", "款式與樣板一致，工藝明確", "微鑲已有成熟工藝"]
_ESCALATIONS = ["信用額度不足，需管理層決定", "交期比標準交期短，需管理層批准加急", "新客戶首單金額大"]
_REJECTIONS = ["微鑲 0.8 mm 以下現有工藝做不到", "石料供應商無法在交期內交貨", "車間產能已滿，無法插單"]


def _answer(db, order_id: int, department: str, verdict: str, rng: random.Random) -> review.OpinionAnswer:
    """An answer whose texts fit the order as saved: its metal and stones, the setting they need."""
    lines = [MaterialLine.of_view(line) for line in get_order(db, order_id).lines]
    comments = rng.choice(_REJECTIONS) if verdict == "reject" else ""
    return answer_for(department, lines, rng, verdict, rng.randint(15, 45), comments)


class _Driver:
    def __init__(self, db, rng: random.Random, actors: Mapping[str, Actor], now: dt.datetime):
        self.db, self.rng, self.actors, self.now = db, rng, actors, now

    def at(self, days_ago: float) -> dt.datetime:
        return self.now - dt.timedelta(days=days_ago)

    def talk(self, order_id: int, moment: dt.datetime, first: bool) -> None:
        agreed, changes = self.rng.choice(_AGREEMENTS)
        entry = review.NegotiationInput(moment.astimezone().date(), self.rng.choice(_CONTACTS), agreed, changes)
        if first:
            review.negotiate(self.db, self.actors["sales"], order_id, entry, now=moment)
        else:
            review.log_negotiation(self.db, self.actors["sales"], order_id, entry, now=moment)

    def send(self, order_id: int, moment: dt.datetime, due_in_days: float) -> None:
        """Accept and send; a failed check is first answered as the procedure asks, never by a talk alone."""
        craft = review.PreliminaryInput(True, self.rng.choice(_CRAFT_NOTES))
        checks = review.compute_checks(self.db, order_id, today=moment.astimezone().date(),
                                       craft=review.CraftCheck(True))
        if checks.blocking:
            stage = review_history(self.db, order_id).stage
            self.talk(order_id, moment - dt.timedelta(minutes=40), first=stage == "preliminary_review")
            credit = checks.credit
            if credit.problem == review.CREDIT_RATING_BLOCKED:
                review.record_payment(self.db, self.actors["manager"], order_id, credit.order_value - credit.paid,
                                      "全款預付（D 級客戶）", now=moment - dt.timedelta(minutes=30))
            elif credit.problem == review.CREDIT_OVER_LIMIT and credit.excess <= credit.order_value / 2:
                review.record_payment(self.db, self.actors["manager"], order_id, credit.excess, "預付訂金",
                                      now=moment - dt.timedelta(minutes=30))
            remaining = review.compute_checks(self.db, order_id, today=moment.astimezone().date(),
                                              craft=review.CraftCheck(True)).blocking
            if remaining:
                review.escalate(self.db, self.actors["sales"], order_id, self.rng.choice(_ESCALATIONS), craft,
                                now=moment - dt.timedelta(minutes=20))
                review.decide(self.db, self.actors["manager"], order_id, "accept", "老客戶，同意接單並加收訂金",
                              now=moment - dt.timedelta(minutes=10))
        due = {d: moment + dt.timedelta(days=due_in_days, hours=4 * i) for i, d in enumerate(REVIEW_DEPARTMENTS)}
        review.accept_and_send(self.db, self.actors["sales"], order_id, due, craft, now=moment)

    def answer_all(self, order_id: int, moment: dt.datetime, verdicts: Mapping[str, str],
                   only: Sequence[str] | None = None) -> None:
        latest = review_history(self.db, order_id).latest_round
        for i, opinion in enumerate(latest.opinions):
            if only is not None and opinion.department not in only:
                continue
            answer = _answer(self.db, order_id, opinion.department, verdicts.get(opinion.department, "pass"),
                             self.rng)
            at = moment + dt.timedelta(hours=i)
            if opinion.department == "production":  # a late proposal passes only with capacity measures (2.4)
                answer = review.with_suggested_measures(self.db, order_id, answer, today=at.astimezone().date())
            review.answer_opinion(self.db, self.actors[opinion.department], opinion.id, answer, now=at)

    def passing_round(self, order_id: int, start_days_ago: float) -> None:
        self.send(order_id, self.at(start_days_ago), 3)
        verdicts = {d: self.rng.choice(["pass", "pass", "pass_with_conditions"]) for d in REVIEW_DEPARTMENTS}
        self.answer_all(order_id, self.at(start_days_ago - 1), verdicts)
        review.close_round(self.db, self.actors["sales"], order_id, now=self.at(start_days_ago - 1.5))


def advance_demo_orders(db, rng: random.Random, orders_by_target_state: Mapping[str, Sequence[int]],
                        actors: Mapping[str, Actor], *, now: dt.datetime | None = None) -> dict[str, int]:
    """Move each order (all in preliminary review) to its target state through the review services.

    `orders_by_target_state` maps a key of DEMO_TARGET_STATES to order ids; `actors` maps each key of
    DEMO_ACTOR_KEYS to a user of that department (a manager for "manager"). Past steps are dated back up to twelve
    days so that some opinions are overdue. Returns how many orders reached each state."""
    unknown = set(orders_by_target_state) - set(DEMO_TARGET_STATES)
    if unknown:
        raise ValueError(f"unknown demo review states: {sorted(unknown)}")
    missing = set(DEMO_ACTOR_KEYS) - set(actors)
    if missing:
        raise ValueError(f"demo actors missing: {sorted(missing)}")
    _ensure_price_policy(db, actors["manager"])
    driver = _Driver(db, rng, actors, now or clock.now())
    done: dict[str, int] = {}
    for state, order_ids in orders_by_target_state.items():
        for order_id in order_ids:
            _advance(driver, state, order_id)
            done[state] = done.get(state, 0) + 1
    return done


def _advance(d: _Driver, state: str, order_id: int) -> None:
    sales, manager = d.actors["sales"], d.actors["manager"]
    if state == "preliminary_review":
        return
    if state == "negotiating":
        d.talk(order_id, d.at(2), first=True)
    elif state == "escalated":
        review.escalate(d.db, sales, order_id, d.rng.choice(_ESCALATIONS),
                        review.PreliminaryInput(True, d.rng.choice(_CRAFT_NOTES)), now=d.at(1))
    elif state == "abandoned":
        review.escalate(d.db, sales, order_id, d.rng.choice(_ESCALATIONS), now=d.at(4))
        review.decide(d.db, manager, order_id, "abandon", "客戶不接受預付條件，放棄此單", now=d.at(3))
    elif state == "detailed_review":
        d.send(order_id, d.at(0.5), d.rng.randint(2, 5))
        if d.rng.random() < 0.5:
            d.answer_all(order_id, d.at(0.2), {}, only=["production"])
    elif state == "detailed_review_overdue":
        d.send(order_id, d.at(6), 2)
        d.answer_all(order_id, d.at(5), {}, only=["production"])
    elif state == "failed_then_passed":
        d.send(order_id, d.at(12), 3)
        d.answer_all(order_id, d.at(11), {"technical": "reject"})
        review.close_round(d.db, sales, order_id, now=d.at(10))
        d.talk(order_id, d.at(9), first=False)
        d.passing_round(order_id, 8)
    elif state == "contracted":
        d.passing_round(order_id, 6)
        order_no = review_history(d.db, order_id).order_no
        review.record_contract(d.db, sales, order_id, review.ContractInput(
            "HT-" + order_no.removeprefix("JO-"), d.now.astimezone().date(), ["production", "technical",
                                                                              "purchasing"]), now=d.now)


# The demo factory's price policy (the demo's prices are the same figures in every currency).
DEMO_METAL_PRICE_PER_G = {"Au999": "620", "Au916": "580", "Au750": "480", "Au585": "380", "Au375": "250",
                          "Pt950": "260", "Pt900": "250", "Pd950": "300", "Ag925": "8", "Ag999": "9"}


def _ensure_price_policy(db, manager: Actor) -> None:
    """Management sets a price policy for every currency the demo's customers use, unless one is set: the same
    metal prices and labour in Hong Kong dollars, converted at the demo's own rates (as the demo's prices are)."""
    from decimal import Decimal

    from sqlalchemy import select

    from ..models.customers import Customer
    from ..services.review import policy
    from .data import HKD_RATE

    current = policy.get_price_policy(db)
    with db.read_session() as s:
        currencies = sorted(set(s.scalars(select(Customer.currency).distinct())))
    for currency in currencies:
        if current.for_currency(currency) is None:
            rate = Decimal(HKD_RATE.get(currency, "0.128"))
            places = Decimal("1") if currency == "JPY" else Decimal("0.01")
            prices = {metal: str((Decimal(price) * rate).quantize(places))
                      for metal, price in DEMO_METAL_PRICE_PER_G.items()}
            policy.set_price_policy(db, manager, policy.CurrencyPolicyInput(
                currency, str((Decimal(60) * rate).quantize(places)), "15", prices))
