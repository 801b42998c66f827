"""The company's price policy (procedure 2.3, check 4): metal price per gram, labour per piece, minimum margin."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...db import Database
from ...i18n import LazyText, N_, _, tr
from ...i18n import formats
from ...models.orders import METALS, Order, OrderLine
from ...models.users import Setting
from .. import audit, permissions
from ..context import Actor, read_session, unit_of_work
from ..validation import Problems, decimal_value

SETTING_KEY = "review.price_policy"
CENT = Decimal("0.01")
MAX_MARGIN_PCT = Decimal("500")


def may_set_price_policy(actor: Actor) -> bool:
    """The factory's price policy is management's: managers, the management department, administrators."""
    return actor.department == "management" or actor.role in ("manager", "administrator")


permissions.register("review.price_policy", may_set_price_policy, N_("set the company's price policy"))


@dataclass(frozen=True)
class CurrencyPolicy:
    """The policy for orders in one currency: minimum price per piece = metal weight × metal price + labour,
    and the unit price must stay at least `min_margin_pct` above that minimum."""

    currency: str
    labour_per_piece: Decimal
    min_margin_pct: Decimal
    metal_price_per_g: Mapping[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class PricePolicy:
    by_currency: Mapping[str, CurrencyPolicy] = field(default_factory=dict)

    def for_currency(self, currency: str) -> CurrencyPolicy | None:
        return self.by_currency.get(currency)


def _parse(raw: str | None) -> PricePolicy:
    if not raw:
        return PricePolicy()
    try:
        data = json.loads(raw)
        return PricePolicy({cur: CurrencyPolicy(cur, Decimal(p["labour_per_piece"]), Decimal(p["min_margin_pct"]),
                                                {m: Decimal(v) for m, v in p.get("metal_price_per_g", {}).items()})
                            for cur, p in data.items()})
    except (ValueError, KeyError, TypeError, ArithmeticError):
        # A damaged setting is treated as no policy: every price check then fails and says so.
        return PricePolicy()


def _dump(policy: PricePolicy) -> str:
    return json.dumps({cur: {"labour_per_piece": str(p.labour_per_piece), "min_margin_pct": str(p.min_margin_pct),
                             "metal_price_per_g": {m: str(v) for m, v in sorted(p.metal_price_per_g.items())}}
                       for cur, p in sorted(policy.by_currency.items())}, ensure_ascii=False)


def policy_in(session: Session) -> PricePolicy:
    row = session.get(Setting, SETTING_KEY)
    return _parse(row.value if row is not None else None)


def get_price_policy(db: Database) -> PricePolicy:
    with read_session(db) as s:
        return policy_in(s)


@dataclass
class CurrencyPolicyInput:
    currency: str
    labour_per_piece: Decimal | str | None
    min_margin_pct: Decimal | str | None
    metal_price_per_g: Mapping[str, Decimal | str | None] = field(default_factory=dict)


def set_price_policy(db: Database, actor: Actor, data: CurrencyPolicyInput) -> CurrencyPolicy:
    """Set the policy for one currency (the others stay as they are); metals left empty have no price."""
    permissions.require(actor, "review.price_policy")
    p = Problems()
    currency = (data.currency or "").strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        p.add("currency", _("Currency: give a three-letter code such as HKD (got '{value}').", value=currency[:10]))
    labour = decimal_value(p, "labour_per_piece", _("Labour charge per piece"), data.labour_per_piece, places=2,
                           allow_zero=True)
    margin = decimal_value(p, "min_margin_pct", _("Minimum margin %"), data.min_margin_pct, places=2,
                           allow_zero=True, maximum=MAX_MARGIN_PCT)
    prices: dict[str, Decimal] = {}
    for metal, value in data.metal_price_per_g.items():
        if metal not in METALS:
            p.add(f"metal.{metal}", _("Unknown metal {metal}.", metal=metal))
            continue
        price = decimal_value(p, f"metal.{metal}", _("Price per gram of {metal}", metal=metal), value, places=4,
                              required=False)
        if price is not None:
            prices[metal] = price
    if not prices and not p:
        p.add("metal", _("Give the price per gram of at least one metal."))
    p.raise_if_any()
    with unit_of_work(db) as s:
        row = s.get(Setting, SETTING_KEY, with_for_update={"of": Setting})
        old = _parse(row.value if row is not None else None)
        new_policy = CurrencyPolicy(currency, labour, margin, prices)
        merged = PricePolicy({**old.by_currency, currency: new_policy})
        if row is None:
            s.add(Setting(key=SETTING_KEY, value=_dump(merged)))
        else:
            row.value = _dump(merged)
        before = old.for_currency(currency)
        audit.record(s, actor, "price_policy", "setting", None,
                     LazyText("Price policy for {currency} set", currency=currency),
                     json.loads(_dump(PricePolicy({currency: before})))[currency] if before else None,
                     json.loads(_dump(PricePolicy({currency: new_policy})))[currency])
        return new_policy


# ---- the price check ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LinePrice:
    """One order line against the policy, with the figures a reviewer checks."""

    line_no: int
    style_code: str
    metal: str
    weight_mg: int | None
    unit_price: Decimal
    metal_price_per_g: Decimal | None
    labour: Decimal | None
    minimum: Decimal | None  # metal weight × metal price + labour
    required: Decimal | None  # the minimum plus the minimum margin
    problem: str | None  # "no_policy", "no_metal_price", "no_weight"

    @property
    def ok(self) -> bool:
        return self.problem is None and self.required is not None and self.unit_price >= self.required

    @property
    def margin_pct(self) -> Decimal | None:
        if self.minimum is None or self.minimum == 0:
            return None
        return ((self.unit_price - self.minimum) / self.minimum * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class PriceCheck:
    currency: str
    min_margin_pct: Decimal | None
    lines: tuple[LinePrice, ...]
    has_policy: bool

    @property
    def ok(self) -> bool:
        return self.has_policy and bool(self.lines) and all(line.ok for line in self.lines)

    @property
    def failing(self) -> list[LinePrice]:
        return [line for line in self.lines if not line.ok]


def price_check(session: Session, order: Order) -> PriceCheck:
    policy = policy_in(session).for_currency(order.currency)
    rows = session.execute(select(OrderLine.line_no, OrderLine.style_code, OrderLine.metal,
                                  OrderLine.target_weight_mg, OrderLine.unit_price)
                           .where(OrderLine.order_id == order.id).order_by(OrderLine.line_no)).all()
    lines = []
    for line_no, style_code, metal, weight_mg, unit_price in rows:
        unit_price = Decimal(unit_price)
        if policy is None:
            lines.append(LinePrice(line_no, style_code, metal, weight_mg, unit_price, None, None, None, None,
                                   "no_policy"))
            continue
        metal_price = policy.metal_price_per_g.get(metal)
        if metal_price is None or weight_mg is None:
            lines.append(LinePrice(line_no, style_code, metal, weight_mg, unit_price, metal_price,
                                   policy.labour_per_piece, None, None,
                                   "no_metal_price" if metal_price is None else "no_weight"))
            continue
        minimum = (Decimal(weight_mg) / 1000 * metal_price + policy.labour_per_piece).quantize(CENT, ROUND_HALF_UP)
        required = (minimum * (1 + policy.min_margin_pct / 100)).quantize(CENT, ROUND_HALF_UP)
        lines.append(LinePrice(line_no, style_code, metal, weight_mg, unit_price, metal_price,
                               policy.labour_per_piece, minimum, required, None))
    return PriceCheck(order.currency, policy.min_margin_pct if policy else None, tuple(lines), policy is not None)


def figures_json(check: PriceCheck) -> str:
    """The figures of a price check as stored with a preliminary outcome."""
    def money(v):
        return None if v is None else str(v)

    return json.dumps({"currency": check.currency, "margin": money(check.min_margin_pct), "policy": check.has_policy,
                       "lines": [[line.line_no, line.style_code, line.metal, line.weight_mg, str(line.unit_price),
                                  money(line.metal_price_per_g), money(line.labour), money(line.minimum),
                                  money(line.required), line.problem] for line in check.lines]},
                      ensure_ascii=False)


def check_from_json(raw: str, currency: str) -> PriceCheck | None:
    """The stored figures back as a check; None for a record written before the figures were kept."""
    try:
        data = json.loads(raw or "[]")
        if not isinstance(data, dict):
            return None
        dec = lambda v: None if v is None else Decimal(v)  # noqa: E731
        lines = tuple(LinePrice(n, style, metal, weight, Decimal(price), dec(mp), dec(lab), dec(mn), dec(req), prob)
                      for n, style, metal, weight, price, mp, lab, mn, req, prob in data["lines"])
        return PriceCheck(data.get("currency") or currency, dec(data.get("margin")), lines, bool(data["policy"]))
    except (ValueError, KeyError, TypeError, ArithmeticError):
        return None


def line_price_text(line: LinePrice, currency: str, lang: str | None = None) -> str:
    """The figures of one line: weight × metal price + labour = minimum; + margin = required; against the price."""
    head = tr("Line {line_no} {style}", lang, line_no=line.line_no, style=line.style_code)
    if line.problem == "no_policy":
        return tr("{head}: the company has no price policy for {currency}", lang, head=head, currency=currency)
    if line.problem == "no_metal_price":
        return tr("{head}: the price policy has no price per gram for {metal}", lang, head=head, metal=line.metal)
    if line.problem == "no_weight":
        return tr("{head}: no target weight, so the metal cost cannot be worked out", lang, head=head)
    money = lambda v: formats.money(v, currency, lang)  # noqa: E731
    return tr("{head}: {grams} g × {metal_price}/g + labour {labour} = minimum {minimum}; with the margin "
              "{required}; price {price} ({margin} over the minimum)", lang, head=head,
              grams=formats.grams(line.weight_mg, lang),
              metal_price=money(line.metal_price_per_g), labour=money(line.labour), minimum=money(line.minimum),
              required=money(line.required), price=money(line.unit_price),
              margin=f"{line.margin_pct}%" if line.margin_pct is not None else "—")


def price_summary_text(check: PriceCheck, lang: str | None = None) -> str:
    if not check.lines:
        return tr("The order has no lines to price.", lang)
    if not check.has_policy:
        return tr("The company has no price policy for {currency}; management sets it (Review → Price policy).",
                  lang, currency=check.currency)
    failing = check.failing
    if not failing:
        return tr("Every line meets the company's price policy (minimum margin {margin}%).", lang,
                  margin=check.min_margin_pct)
    return tr("{count} of {total} lines below the company's price policy (minimum margin {margin}%).", lang,
              count=len(failing), total=len(check.lines), margin=check.min_margin_pct)


__all__: Sequence[str] = ["CurrencyPolicy", "CurrencyPolicyInput", "LinePrice", "PriceCheck", "PricePolicy",
                          "get_price_policy", "line_price_text", "price_check", "price_summary_text",
                          "set_price_policy", "policy_in"]
