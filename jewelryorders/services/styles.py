"""The style master: code, product type (which picks the routing), standard lead time (which the review checks)
and what an order line of the style starts with (description, metal, target weight, price, stones)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from ..db import Database
from ..i18n import LazyText, _
from ..models.orders import METALS, PRODUCT_TYPES, STONE_TYPES, Style, StyleStone
from . import audit
from .context import Actor, read_session, unit_of_work
from .customers import CURRENCIES
from .errors import NotFound, ValidationError
from .permissions import require
from .validation import Problems, decimal_value, grams_to_mg, positive_int, text

MAX_STONES_PER_STYLE = 10


@dataclass(frozen=True)
class StyleInfo:
    id: int
    code: str
    name: str
    product_type: str
    default_metal: str
    standard_lead_days: int
    is_new_style: bool
    active: bool


def _info(s: Style) -> StyleInfo:
    return StyleInfo(s.id, s.code, s.name, s.product_type, s.default_metal, s.standard_lead_days, s.is_new_style,
                     s.active)


def create_style_in(session: Session, actor: Actor, code: str, name: str, product_type: str, default_metal: str,
                    standard_lead_days: int, is_new_style: bool = False) -> Style:
    require(actor, "styles.edit")
    p = Problems()
    code = text(p, "code", _("Style code"), code, required=True, max_len=40)
    name = text(p, "name", _("Style name"), name, required=True)
    lead = positive_int(p, "standard_lead_days", _("Standard lead time (days)"), standard_lead_days, maximum=3650)
    if product_type not in PRODUCT_TYPES:
        p.add("product_type", _("Choose a product type."))
    if default_metal not in METALS:
        p.add("default_metal", _("Choose the metal and fineness (e.g. Au750, Pt950, Ag925)."))
    p.raise_if_any()
    if session.scalar(select(Style.id).where(Style.code == code)):
        raise ValidationError(_("Style {code} already exists.", code=code), "code")
    style = Style(code=code, name=name, product_type=product_type, default_metal=default_metal,
                  standard_lead_days=lead, is_new_style=is_new_style)
    session.add(style)
    session.flush()
    audit.record(session, actor, "create", "style", style.id, LazyText("Style {code} created", code=code), None,
                 audit.snapshot(style))
    return style


def create_style(db: Database, actor: Actor, code: str, name: str, product_type: str, default_metal: str,
                 standard_lead_days: int, is_new_style: bool = False) -> StyleInfo:
    with unit_of_work(db) as s:
        return _info(create_style_in(s, actor, code, name, product_type, default_metal, standard_lead_days,
                                     is_new_style))


def list_styles(db: Database, query: str = "", limit: int = 500) -> list[StyleInfo]:
    with read_session(db) as s:
        stmt = select(Style).where(Style.active.is_(True))
        if query.strip():
            like = f"%{query.strip()}%"
            stmt = stmt.where(or_(Style.code.ilike(like), Style.name.ilike(like)))
        return [_info(x) for x in s.scalars(stmt.order_by(Style.code).limit(limit))]


def styles_by_code(session: Session, codes: list[str]) -> dict[str, Style]:
    if not codes:
        return {}
    return {s.code: s for s in session.scalars(select(Style).where(Style.code.in_(codes)))}


# ---- the style window: list, read, create and edit with the defaults of an order line ------------------------------

@dataclass(frozen=True)
class StyleStoneView:
    stone_type: str
    count: int
    carat: Decimal


@dataclass(frozen=True)
class StyleDetail:
    """A style with what an order line of it starts with."""

    id: int
    code: str
    name: str  # the description an order line of this style starts with
    product_type: str
    default_metal: str
    standard_lead_days: int
    is_new_style: bool
    active: bool
    target_weight_mg: int | None
    unit_price: Decimal | None
    currency: str
    stones: tuple[StyleStoneView, ...]


@dataclass
class StyleStoneInput:
    stone_type: str
    count: int | str
    carat: Decimal | str


@dataclass
class StyleInput:
    """A style as typed in the style window; numbers may be text, checked here without float."""

    code: str
    name: str
    product_type: str = "ring"
    default_metal: str = "Au750"
    standard_lead_days: int | str = 30
    is_new_style: bool = False
    target_weight_g: Decimal | str | None = None
    unit_price: Decimal | str | None = None
    currency: str = "HKD"
    stones: list[StyleStoneInput] = field(default_factory=list)
    active: bool = True


def _detail(style: Style) -> StyleDetail:
    return StyleDetail(style.id, style.code, style.name, style.product_type, style.default_metal,
                       style.standard_lead_days, style.is_new_style, style.active, style.target_weight_mg,
                       None if style.unit_price is None else Decimal(style.unit_price), style.currency,
                       tuple(StyleStoneView(st.stone_type, st.stone_count, Decimal(st.carat)) for st in style.stones))


def _checked(data: StyleInput) -> tuple[dict, list[dict]]:
    """The style's columns and stones, or a ValidationError naming every field that is wrong."""
    p = Problems()
    values = {
        "code": text(p, "code", _("Style code"), data.code, required=True, max_len=40),
        "name": text(p, "name", _("Description"), data.name, required=True, max_len=200),
        "standard_lead_days": positive_int(p, "standard_lead_days", _("Standard lead time (days)"),
                                           data.standard_lead_days, maximum=3650),
        "target_weight_mg": grams_to_mg(p, "target_weight", _("Target weight (g)"), data.target_weight_g,
                                        required=False),
        "unit_price": decimal_value(p, "unit_price", _("Unit price"), data.unit_price, places=2, required=False,
                                    allow_zero=True, maximum=Decimal("9999999999")),
        "product_type": data.product_type,
        "default_metal": data.default_metal,
        "currency": data.currency,
        "is_new_style": bool(data.is_new_style),
        "active": bool(data.active),
    }
    if data.product_type not in PRODUCT_TYPES:
        p.add("product_type", _("Choose a product type."))
    if data.default_metal not in METALS:
        p.add("default_metal", _("Choose the metal and fineness (e.g. Au750, Pt950, Ag925)."))
    if data.currency not in CURRENCIES:
        p.add("currency", _("Currency {value} is not one of: {choices}.", value=data.currency,
                            choices=", ".join(CURRENCIES)))
    stones = []
    if len(data.stones) > MAX_STONES_PER_STYLE:
        p.add("stones", _("At most {n} kinds of stone per style.", n=MAX_STONES_PER_STYLE))
    for n, stone in enumerate(data.stones[:MAX_STONES_PER_STYLE], start=1):
        key = f"stones[{n}]"
        if stone.stone_type not in STONE_TYPES:
            p.add(key + ".type", _("Stone {n}: choose the stone type.", n=n))
        count = positive_int(p, key + ".count", _("Stone {n}: count", n=n), stone.count, maximum=100_000)
        carat = decimal_value(p, key + ".carat", _("Stone {n}: carats", n=n), stone.carat, places=3,
                              maximum=Decimal("100000"))
        stones.append({"stone_type": stone.stone_type, "stone_count": count, "carat": carat})
    p.raise_if_any()
    return values, stones


def _stones_snapshot(style: Style) -> list[dict]:
    return [{"stone_type": st.stone_type, "stone_count": st.stone_count, "carat": str(st.carat)}
            for st in style.stones]


def save_style(db: Database, actor: Actor, data: StyleInput, style_id: int | None = None) -> StyleDetail:
    """Create a style (style_id None) or change one; only those with the 'styles.edit' right may."""
    require(actor, "styles.edit")
    values, stones = _checked(data)
    with unit_of_work(db) as s:
        clash = s.scalar(select(Style.id).where(func.lower(Style.code) == values["code"].lower()))
        if clash is not None and clash != style_id:
            raise ValidationError(_("Style {code} already exists.", code=values["code"]), "code")
        if style_id is None:
            style = Style(**values)
            style.stones = [StyleStone(**stone) for stone in stones]
            s.add(style)
            s.flush()
            audit.record(s, actor, "create", "style", style.id, LazyText("Style {code} created", code=style.code),
                         None, {**audit.snapshot(style), "stones": _stones_snapshot(style)})
        else:
            style = s.get(Style, style_id, options=[selectinload(Style.stones)])
            if style is None:
                raise NotFound(_("There is no style with id {id}.", id=style_id))
            before = {**audit.snapshot(style), "stones": _stones_snapshot(style)}
            for key, value in values.items():
                setattr(style, key, value)
            style.stones = [StyleStone(**stone) for stone in stones]
            s.flush()
            after = {**audit.snapshot(style), "stones": _stones_snapshot(style)}
            changed_before, changed_after = audit.diff(before, after)
            if changed_after or changed_before:
                audit.record(s, actor, "update", "style", style.id,
                             LazyText("Style {code} changed", code=style.code), changed_before, changed_after)
        return _detail(style)


def get_style(db: Database, style_id: int) -> StyleDetail:
    with read_session(db) as s:
        style = s.get(Style, style_id, options=[selectinload(Style.stones)])
        if style is None:
            raise NotFound(_("There is no style with id {id}.", id=style_id))
        return _detail(style)


def find_style(db: Database, code: str) -> StyleDetail | None:
    """The active style with this code (any letter case), or None: an order line may use a style not yet listed."""
    wanted = (code or "").strip()
    if not wanted:
        return None
    with read_session(db) as s:
        style = s.scalar(select(Style).options(selectinload(Style.stones))
                         .where(func.lower(Style.code) == wanted.lower(), Style.active.is_(True)))
        return None if style is None else _detail(style)


def list_style_details(db: Database, query: str = "", include_inactive: bool = False,
                       limit: int = 1000) -> list[StyleDetail]:
    """Styles for the style window, by code; the search matches code or description."""
    with read_session(db) as s:
        stmt = select(Style).options(selectinload(Style.stones))
        if not include_inactive:
            stmt = stmt.where(Style.active.is_(True))
        if query.strip():
            like = f"%{query.strip()}%"
            stmt = stmt.where(or_(Style.code.ilike(like), Style.name.ilike(like)))
        return [_detail(x) for x in s.scalars(stmt.order_by(Style.code).limit(limit))]
