"""Material master, suppliers with their approved materials and rating, and each style's bill of materials."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ...db import Database
from ...i18n import LazyText, _
from ...models.materials import (
    MATERIAL_KINDS,
    METAL_COLOURS,
    UNIT_OF_KIND,
    BomLine,
    Lot,
    Material,
    PurchaseOrder,
    PurchaseOrderLine,
    Supplier,
    SupplierMaterial,
)
from ...models.orders import METALS, STONE_TYPES, Style
from .. import audit
from ..context import Actor, read_session, unit_of_work
from ..errors import ConcurrentEditError, NotFound, ValidationError
from ..permissions import require
from ..sequences import next_number
from ..validation import LONG_TEXT, Problems, decimal_value, text
from .common import pieces, quantity


@dataclass
class MaterialInput:
    code: str
    kind: str
    name: str
    alloy: str = ""
    colour: str = ""
    fineness_permille: int | None = None
    stone_type: str = ""
    shape: str = ""
    size: str = ""
    colour_grade: str = ""
    clarity: str = ""
    certificate_no: str = ""
    active: bool = True


@dataclass(frozen=True)
class MaterialInfo:
    id: int
    code: str
    kind: str
    name: str
    unit: str
    alloy: str
    colour: str
    fineness_permille: int | None
    stone_type: str
    shape: str
    size: str
    colour_grade: str
    clarity: str
    certificate_no: str
    active: bool
    version: int


def _material_info(m: Material) -> MaterialInfo:
    return MaterialInfo(m.id, m.code, m.kind, m.name, m.unit, m.alloy, m.colour, m.fineness_permille, m.stone_type,
                        m.shape, m.size, m.colour_grade, m.clarity, m.certificate_no, m.active, m.version)


# The fineness a metal's alloy code implies (parts per thousand).
ALLOY_FINENESS = {"Au999": 999, "Au916": 916, "Au750": 750, "Au585": 585, "Au375": 375, "Pt950": 950,
                  "Pt900": 900, "Pd950": 950, "Ag925": 925, "Ag999": 999}


def _clean_material(p: Problems, data: MaterialInput) -> dict:
    out = {
        "code": text(p, "code", _("Code"), data.code, required=True, max_len=40),
        "kind": data.kind,
        "name": text(p, "name", _("Name"), data.name, required=True, max_len=200),
        "alloy": "", "colour": "", "fineness_permille": None, "stone_type": "", "shape": "", "size": "",
        "colour_grade": "", "clarity": "", "certificate_no": "", "active": bool(data.active),
    }
    if data.kind not in MATERIAL_KINDS:
        p.add("kind", _("Choose the kind of material (metal, stone, finding or packaging)."))
        return out
    out["unit"] = UNIT_OF_KIND[data.kind]
    if data.kind == "metal":
        if data.alloy not in METALS:
            p.add("alloy", _("Choose the metal and fineness, e.g. Au750 or Pt950."))
        out["alloy"] = data.alloy
        out["colour"] = data.colour if data.colour in METAL_COLOURS else ""
        fineness = data.fineness_permille or ALLOY_FINENESS.get(data.alloy)
        if fineness is not None and not 1 <= int(fineness) <= 1000:
            p.add("fineness_permille", _("Fineness is in parts per thousand, from 1 to 1000."))
        out["fineness_permille"] = fineness
    elif data.kind == "stone":
        if data.stone_type not in STONE_TYPES:
            p.add("stone_type", _("Choose the type of stone."))
        out["stone_type"] = data.stone_type
        for key, label in (("shape", _("Shape")), ("size", _("Size or sieve")), ("colour_grade", _("Colour")),
                           ("clarity", _("Clarity"))):
            out[key] = text(p, key, label, getattr(data, key), max_len=40)
        out["certificate_no"] = text(p, "certificate_no", _("Certificate no."), data.certificate_no, max_len=60)
    return out


def create_material(db: Database, actor: Actor, data: MaterialInput) -> MaterialInfo:
    require(actor, "materials.master")
    p = Problems()
    clean = _clean_material(p, data)
    p.raise_if_any()
    with unit_of_work(db) as s:
        return _material_info(create_material_in(s, actor, clean))


def create_material_in(s: Session, actor: Actor, clean: dict) -> Material:
    if s.scalar(select(Material.id).where(Material.code == clean["code"])) is not None:
        raise ValidationError(_("A material with the code {code} exists already.", code=clean["code"]), "code")
    material = Material(**clean)
    s.add(material)
    s.flush()
    audit.record(s, actor, "create", "material", material.id,
                 LazyText("Material {code} {name} created", code=material.code, name=material.name),
                 None, audit.snapshot(material))
    return material


def update_material(db: Database, actor: Actor, material_id: int, expected_version: int,
                    data: MaterialInput) -> MaterialInfo:
    require(actor, "materials.master")
    p = Problems()
    clean = _clean_material(p, data)
    p.raise_if_any()
    with unit_of_work(db) as s:
        material = s.get(Material, material_id)
        if material is None:
            raise NotFound(_("Material {id} does not exist.", id=material_id))
        if material.version != expected_version:
            raise ConcurrentEditError(_("Someone else changed material {code}. Reopen it to see their changes, "
                                        "then make yours again.", code=material.code))
        if clean["code"] != material.code and s.scalar(select(Material.id).where(Material.code == clean["code"])):
            raise ValidationError(_("A material with the code {code} exists already.", code=clean["code"]), "code")
        if clean["unit"] != material.unit and s.scalar(select(func.count(Lot.id)).where(Lot.material_id == material.id)):
            raise ValidationError(_("Material {code} has stock; its kind (and so its unit) cannot change.",
                                    code=material.code), "kind")
        before = audit.snapshot(material)
        for key, value in clean.items():
            setattr(material, key, value)
        s.flush()
        old, new = audit.diff(before, audit.snapshot(material))
        if new:
            audit.record(s, actor, "update", "material", material.id,
                         LazyText("Material {code} changed", code=material.code), old, new)
        return _material_info(material)


def list_materials(db: Database, kind: str | None = None, search: str = "", include_inactive: bool = False,
                   offset: int = 0, limit: int = 500) -> list[MaterialInfo]:
    stmt = select(Material).order_by(Material.kind, Material.code).offset(offset).limit(limit)
    if kind:
        stmt = stmt.where(Material.kind == kind)
    if not include_inactive:
        stmt = stmt.where(Material.active.is_(True))
    if search:
        like = f"%{search.strip()}%"
        stmt = stmt.where(Material.code.ilike(like) | Material.name.ilike(like))
    with read_session(db) as s:
        return [_material_info(m) for m in s.scalars(stmt)]


def get_material(db: Database, material_id: int) -> MaterialInfo:
    with read_session(db) as s:
        m = s.get(Material, material_id)
        if m is None:
            raise NotFound(_("Material {id} does not exist.", id=material_id))
        return _material_info(m)


# ---- suppliers ---------------------------------------------------------------------------------------------------

@dataclass
class SupplierInput:
    name: str
    contact_person: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    lead_days: int | str = 14
    active: bool = True
    approved_material_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class SupplierInfo:
    id: int
    code: str
    name: str
    contact_person: str
    phone: str
    email: str
    address: str
    lead_days: int
    active: bool
    approved_material_ids: tuple[int, ...]
    version: int


def _supplier_info(sup: Supplier) -> SupplierInfo:
    return SupplierInfo(sup.id, sup.code, sup.name, sup.contact_person, sup.phone, sup.email, sup.address,
                        sup.lead_days, sup.active, tuple(sorted(a.material_id for a in sup.approvals)), sup.version)


def _clean_supplier(p: Problems, data: SupplierInput) -> dict:
    out = {
        "name": text(p, "name", _("Name"), data.name, required=True, max_len=200),
        "contact_person": text(p, "contact_person", _("Contact person"), data.contact_person, max_len=120),
        "phone": text(p, "phone", _("Phone"), data.phone, max_len=60),
        "email": text(p, "email", _("E-mail"), data.email, max_len=200),
        "address": text(p, "address", _("Address"), data.address, max_len=LONG_TEXT),
        "active": bool(data.active),
    }
    try:
        lead = int(str(data.lead_days).strip())
        if not 0 <= lead <= 365:
            raise ValueError
    except ValueError:
        p.add("lead_days", _("Lead time is a number of days from 0 to 365."))
        lead = 0
    out["lead_days"] = lead
    return out


def _set_approvals(s: Session, supplier: Supplier, material_ids: list[int]) -> None:
    wanted = set(material_ids)
    known = set(s.scalars(select(Material.id).where(Material.id.in_(wanted)))) if wanted else set()
    if wanted - known:
        raise ValidationError(_("Unknown materials among the approved ones: {ids}.",
                                ids=", ".join(str(i) for i in sorted(wanted - known))), "approved_material_ids")
    current = {a.material_id: a for a in supplier.approvals}
    for material_id, approval in current.items():
        if material_id not in wanted:
            supplier.approvals.remove(approval)
    for material_id in sorted(wanted - set(current)):
        supplier.approvals.append(SupplierMaterial(material_id=material_id))


def create_supplier(db: Database, actor: Actor, data: SupplierInput) -> SupplierInfo:
    require(actor, "materials.master")
    p = Problems()
    clean = _clean_supplier(p, data)
    p.raise_if_any()
    with unit_of_work(db) as s:
        supplier = Supplier(code=next_number(s, "supplier", None), **clean)
        s.add(supplier)
        _set_approvals(s, supplier, data.approved_material_ids)
        s.flush()
        audit.record(s, actor, "create", "supplier", supplier.id,
                     LazyText("Supplier {code} {name} created", code=supplier.code, name=supplier.name),
                     None, {**audit.snapshot(supplier), "approved": sorted(data.approved_material_ids)})
        return _supplier_info(supplier)


def update_supplier(db: Database, actor: Actor, supplier_id: int, expected_version: int,
                    data: SupplierInput) -> SupplierInfo:
    require(actor, "materials.master")
    p = Problems()
    clean = _clean_supplier(p, data)
    p.raise_if_any()
    with unit_of_work(db) as s:
        supplier = s.get(Supplier, supplier_id)
        if supplier is None:
            raise NotFound(_("Supplier {id} does not exist.", id=supplier_id))
        if supplier.version != expected_version:
            raise ConcurrentEditError(_("Someone else changed supplier {code}. Reopen it to see their changes, "
                                        "then make yours again.", code=supplier.code))
        before = {**audit.snapshot(supplier), "approved": sorted(a.material_id for a in supplier.approvals)}
        for key, value in clean.items():
            setattr(supplier, key, value)
        _set_approvals(s, supplier, data.approved_material_ids)
        s.flush()
        after = {**audit.snapshot(supplier), "approved": sorted(data.approved_material_ids)}
        old, new = audit.diff(before, after)
        if new:
            audit.record(s, actor, "update", "supplier", supplier.id,
                         LazyText("Supplier {code} changed", code=supplier.code), old, new)
        return _supplier_info(supplier)


def list_suppliers(db: Database, include_inactive: bool = False) -> list[SupplierInfo]:
    stmt = select(Supplier).order_by(Supplier.code)
    if not include_inactive:
        stmt = stmt.where(Supplier.active.is_(True))
    with read_session(db) as s:
        return [_supplier_info(x) for x in s.scalars(stmt)]


@dataclass(frozen=True)
class SupplierRating:
    """ISO 9001 8.4: how a supplier delivers — on time, and how much of it incoming inspection rejected."""

    supplier_id: int
    lines_received: int
    on_time: int
    lots: int
    lots_rejected: int

    @property
    def on_time_share(self) -> Decimal | None:
        return None if not self.lines_received else Decimal(self.on_time) / Decimal(self.lines_received)

    @property
    def rejected_share(self) -> Decimal | None:
        return None if not self.lots else Decimal(self.lots_rejected) / Decimal(self.lots)


def supplier_rating(db: Database, supplier_id: int) -> SupplierRating:
    """On time: a lot received on or before its purchase order's due date. Rejected: lots that failed inspection."""
    with read_session(db) as s:
        rows = s.execute(
            select(Lot.status, Lot.received_at, PurchaseOrder.due_date)
            .join(PurchaseOrderLine, PurchaseOrderLine.id == Lot.purchase_order_line_id)
            .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
            .where(Lot.supplier_id == supplier_id)).all()
        lots = s.execute(select(func.count(Lot.id), func.sum(case((Lot.status == "rejected", 1), else_=0)))
                         .where(Lot.supplier_id == supplier_id)).one()
    on_time = sum(1 for _status, received_at, due in rows if received_at.astimezone().date() <= due)
    return SupplierRating(supplier_id, len(rows), on_time, int(lots[0] or 0), int(lots[1] or 0))


# ---- bills of materials ------------------------------------------------------------------------------------------

@dataclass
class BomLineInput:
    material_id: int
    qty_per_piece: str          # in the material's unit: "3.250" grams, "0.030" carats, "1" piece
    pieces_per_piece: int | str = 0
    loss_percent: str = "0"     # casting/loss allowance, e.g. "5" for 5 %


@dataclass(frozen=True)
class BomLineInfo:
    material_id: int
    material_code: str
    material_name: str
    unit: str
    qty_per_piece: int
    pieces_per_piece: int
    loss_permille: int


def set_bom(db: Database, actor: Actor, style_code: str, lines: list[BomLineInput]) -> list[BomLineInfo]:
    """Replace a style's bill of materials (what one piece takes)."""
    require(actor, "materials.bom")
    with unit_of_work(db) as s:
        style = s.scalar(select(Style).where(Style.code == style_code))
        if style is None:
            raise NotFound(_("Style {code} does not exist.", code=style_code))
        materials = {m.id: m for m in s.scalars(select(Material).where(
            Material.id.in_([line.material_id for line in lines])))} if lines else {}
        p = Problems()
        clean = []
        seen = set()
        for i, line in enumerate(lines, start=1):
            m = materials.get(line.material_id)
            if m is None:
                p.add(f"lines[{i}].material", _("Line {n}: choose a material.", n=i))
                continue
            if m.id in seen:
                p.add(f"lines[{i}].material", _("Line {n}: {code} is listed twice.", n=i, code=m.code))
            seen.add(m.id)
            qty = quantity(p, f"lines[{i}].qty", _("Line {n}: quantity per piece", n=i), line.qty_per_piece, m.unit)
            count = pieces(p, f"lines[{i}].pieces", _("Line {n}: pieces per piece", n=i), line.pieces_per_piece)
            loss = decimal_value(p, f"lines[{i}].loss", _("Line {n}: loss allowance %", n=i), line.loss_percent,
                                 places=1, allow_zero=True, maximum=Decimal(50))
            if qty is not None and loss is not None:
                clean.append(BomLine(style_id=style.id, material_id=m.id, qty_per_piece=qty,
                                     pieces_per_piece=count, loss_permille=int(loss * 10)))
        p.raise_if_any()
        before = [_bom_snapshot(b) for b in s.scalars(select(BomLine).where(BomLine.style_id == style.id))]
        for old in s.scalars(select(BomLine).where(BomLine.style_id == style.id)):
            s.delete(old)
        s.flush()
        s.add_all(clean)
        s.flush()
        audit.record(s, actor, "update", "bom", style.id,
                     LazyText("Bill of materials of style {code} set ({n} lines)", code=style.code, n=len(clean)),
                     {"lines": before}, {"lines": [_bom_snapshot(b) for b in clean]})
        return [_bom_info(b, materials[b.material_id]) for b in clean]


def _bom_snapshot(b: BomLine) -> dict:
    return {"material_id": b.material_id, "qty": b.qty_per_piece, "pieces": b.pieces_per_piece,
            "loss_permille": b.loss_permille}


def _bom_info(b: BomLine, m: Material) -> BomLineInfo:
    return BomLineInfo(m.id, m.code, m.name, m.unit, b.qty_per_piece, b.pieces_per_piece, b.loss_permille)


def get_bom(db: Database, style_code: str) -> list[BomLineInfo]:
    with read_session(db) as s:
        rows = s.execute(select(BomLine, Material).join(Material, Material.id == BomLine.material_id)
                         .join(Style, Style.id == BomLine.style_id).where(Style.code == style_code)
                         .order_by(Material.kind, Material.code)).all()
        return [_bom_info(b, m) for b, m in rows]
