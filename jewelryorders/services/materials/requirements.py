"""An order's material requirement from its lines and styles, against stock, what is on order, and the shortage."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ...db import Database
from ...i18n import _
from ...models.materials import BomLine, Material
from ...models.orders import Order, OrderLine, Style
from ..context import read_session
from ..errors import NotFound
from .stock import stock_overview


@dataclass(frozen=True)
class RequirementRow:
    material_id: int
    material_code: str
    material_name: str
    unit: str
    required: int        # thousandths of the unit, loss allowance included
    pieces: int
    in_stock: int        # released, not reserved for other orders
    on_order: int
    issued: int          # already issued to this order
    source: str          # "bom", or "order line" where a style has no bill of materials yet

    @property
    def still_needed(self) -> int:
        return max(0, self.required - self.issued)

    @property
    def shortage(self) -> int:
        return max(0, self.still_needed - self.in_stock - self.on_order)


def _metal_for(s, alloy: str) -> Material | None:
    """The metal material an order line names by its alloy (yellow first, the usual colour)."""
    rows = s.scalars(select(Material).where(Material.kind == "metal", Material.alloy == alloy,
                                            Material.active.is_(True)).order_by(Material.colour.desc(),
                                                                               Material.code)).all()
    rows.sort(key=lambda m: (m.colour != "yellow", m.code))
    return rows[0] if rows else None


def order_requirement(db: Database, order_id: int) -> list[RequirementRow]:
    """Per material: what the order needs (its lines × their styles' bills of materials, with the loss allowance;
    a line whose style has no bill yet takes its metal and target weight), in stock, on order, issued, short."""
    from ...models.materials import StockMovement

    with read_session(db) as s:
        order = s.get(Order, order_id)
        if order is None:
            raise NotFound(_("Order {id} does not exist.", id=order_id))
        lines = s.scalars(select(OrderLine).where(OrderLine.order_id == order_id)).all()
        styles = {st.code: st.id for st in s.scalars(select(Style).where(
            Style.code.in_({line.style_code for line in lines})))}
        boms: dict[int, list[BomLine]] = {}
        for b in s.scalars(select(BomLine).where(BomLine.style_id.in_(list(styles.values())))):
            boms.setdefault(b.style_id, []).append(b)
        need: dict[int, list[int]] = {}
        source: dict[int, str] = {}
        for line in lines:
            bom = boms.get(styles.get(line.style_code, -1))
            if bom:
                for b in bom:
                    total = b.qty_per_piece * line.quantity
                    total += total * b.loss_permille // 1000
                    acc = need.setdefault(b.material_id, [0, 0])
                    acc[0] += total
                    acc[1] += b.pieces_per_piece * line.quantity
                    source.setdefault(b.material_id, "bom")
            elif line.target_weight_mg:
                metal = _metal_for(s, line.metal)
                if metal is not None:
                    acc = need.setdefault(metal.id, [0, 0])
                    acc[0] += line.target_weight_mg * line.quantity
                    source[metal.id] = "order line"
        if not need:
            return []
        issued = dict(s.execute(select(StockMovement.material_id, -func_sum(StockMovement.qty))
                                .where(StockMovement.order_id == order_id,
                                       StockMovement.kind.in_(("issue", "return")))
                                .group_by(StockMovement.material_id)).all())
        materials = {m.id: (m.code, m.name, m.unit)
                     for m in s.scalars(select(Material).where(Material.id.in_(list(need))))}
    stock = {r.material_id: r for r in stock_overview(db, material_ids=list(need))}
    rows = []
    for material_id, (qty, count) in need.items():
        code, name, unit = materials[material_id]
        st = stock.get(material_id)
        rows.append(RequirementRow(material_id, code, name, unit, qty, count,
                                   st.available if st else 0, st.on_order if st else 0,
                                   int(issued.get(material_id) or 0), source[material_id]))
    rows.sort(key=lambda r: (r.material_code,))
    return rows


def func_sum(column):
    from sqlalchemy import func

    return func.coalesce(func.sum(column), 0)
