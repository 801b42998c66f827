"""The style master: code, product type (which picks the routing) and standard lead time (which the review checks)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..db import Database
from ..i18n import LazyText, _
from ..models.orders import METALS, PRODUCT_TYPES, Style
from . import audit
from .context import Actor, read_session, unit_of_work
from .errors import ValidationError
from .permissions import require
from .validation import Problems, positive_int, text


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
