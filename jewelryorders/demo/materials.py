"""Demo materials and purchasing, through the services: the material master, approved suppliers, bills of materials
for every style, purchase orders in every state, lots released, in quarantine and rejected, a customer's own gold,
and picking for orders that are being planned. Orders still in review keep the shortages a buyer would see."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Mapping

from sqlalchemy import select

from .. import clock
from ..db import Database
from ..i18n import _
from ..models.orders import Order
from ..services.context import Actor
from ..services.errors import DomainError
from ..services.materials import master, picking, purchasing, requirements, stock
from . import data

# code, name, alloy, colour
METALS = [
    ("M-AU750-Y", "18K 黃金顆粒 18K yellow gold grain", "Au750", "yellow"),
    ("M-AU750-W", "18K 白金顆粒 18K white gold grain", "Au750", "white"),
    ("M-AU750-R", "18K 玫瑰金顆粒 18K rose gold grain", "Au750", "rose"),
    ("M-AU585-Y", "14K 黃金顆粒 14K yellow gold grain", "Au585", "yellow"),
    ("M-AU916-Y", "22K 金顆粒 22K gold grain", "Au916", "yellow"),
    ("M-AU999", "足金 (千足金) 24K fine gold for alloying", "Au999", "yellow"),
    ("M-PT950", "Pt950 鉑金顆粒 Platinum 950 grain", "Pt950", ""),
    ("M-AG925", "925 銀顆粒 Sterling silver grain", "Ag925", ""),
]
# code, name, stone type, shape, size, colour, clarity
STONES = [
    ("S-DIA-RD-1.0", "圓鑽 1.0 mm Round diamond 1.0 mm", "diamond", "round", "1.0 mm", "G", "VS"),
    ("S-DIA-RD-SOL", "主石圓鑽 Round solitaire diamond", "diamond", "round", "0.30–1.00 ct", "F", "VVS2"),
    ("S-RUBY-OV", "紅寶石 橢圓 Oval ruby", "ruby", "oval", "6×4 mm", "pigeon blood", ""),
    ("S-SAPH-OV", "藍寶石 橢圓 Oval sapphire", "sapphire", "oval", "7×5 mm", "royal blue", ""),
    ("S-PEARL-8", "南洋珍珠 South Sea pearl", "pearl", "round", "8–9 mm", "white", ""),
    ("S-JADE-CAB", "翡翠蛋面 Jadeite cabochon", "jade", "cabochon", "12×10 mm", "imperial green", ""),
    ("S-CZ-1.5", "鋯石 1.5 mm Cubic zirconia", "cz", "round", "1.5 mm", "D", ""),
]
FINDINGS = [("F-CLASP-L", "龍蝦扣 Lobster clasp"), ("F-POST-EAR", "耳針連耳迫 Earring post and back"),
            ("K-BOX-RING", "戒指盒 Ring box"), ("K-POUCH", "絨布袋 Velvet pouch")]
SUPPLIERS = [
    ("金源貴金屬有限公司 Jinyuan Precious Metals", "李先生", 5, "metal"),
    ("星輝寶石 Star Brilliance Gems", "Ms. Kapoor", 14, "stone"),
    ("永利五金配件 Wingli Findings", "陳生", 7, "finding"),
]
STONE_MATERIAL = {"diamond": "S-DIA-RD-1.0", "ruby": "S-RUBY-OV", "sapphire": "S-SAPH-OV", "pearl": "S-PEARL-8",
                  "jade": "S-JADE-CAB", "cz": "S-CZ-1.5"}
METAL_OF_ALLOY = {"Au750": "M-AU750-Y", "Au585": "M-AU585-Y", "Au916": "M-AU916-Y", "Au999": "M-AU999",
                  "Pt950": "M-PT950", "Ag925": "M-AG925"}
PRICE = {"metal": "480.0000", "stone": "2600.0000", "finding": "3.5000", "packaging": "6.0000"}


def _mg(grams: str) -> str:
    return f"{Decimal(grams):.3f}"


def advance_demo(db: Database, rng: random.Random, actors: Mapping[str, Actor], today: dt.date) -> str:
    buyer, head = actors["purchasing"], actors["purchasing.head"]
    technical, store = actors["technical.head"], actors["production"]
    codes: dict[str, master.MaterialInfo] = {}
    for code, name, alloy, colour in METALS:
        codes[code] = master.create_material(db, buyer, master.MaterialInput(code, "metal", name, alloy=alloy,
                                                                             colour=colour))
    for code, name, stone_type, shape, size, colour, clarity in STONES:
        codes[code] = master.create_material(db, buyer, master.MaterialInput(
            code, "stone", name, stone_type=stone_type, shape=shape, size=size, colour_grade=colour, clarity=clarity))
    for code, name in FINDINGS:
        codes[code] = master.create_material(db, buyer, master.MaterialInput(
            code, "packaging" if code.startswith("K-") else "finding", name))
    suppliers = {}
    for name, contact, lead, kind in SUPPLIERS:
        approved = [m.id for m in codes.values() if m.kind == kind or (kind == "finding" and m.kind == "packaging")]
        suppliers[kind] = master.create_supplier(db, buyer, master.SupplierInput(
            name, contact_person=contact, phone=f"+852 {rng.randint(2000, 9999)} {rng.randint(1000, 9999)}",
            lead_days=lead, approved_material_ids=approved))

    # Bills of materials: the style's metal with its casting allowance, its stones, and a box or pouch.
    for code, _name, ptype, metal, _lead, _new, stones, weight, _price in data.STYLES:
        lines = [master.BomLineInput(codes[METAL_OF_ALLOY[metal]].id, _mg(weight),
                                     loss_percent=rng.choice(["3", "3.5", "4", "5"]))]
        seen = set()
        for stone_type, count, carat in stones:
            material = codes[STONE_MATERIAL[stone_type]]
            if material.id in seen:
                continue
            seen.add(material.id)
            lines.append(master.BomLineInput(material.id, f"{Decimal(carat) * count:.3f}", pieces_per_piece=count))
        lines.append(master.BomLineInput(codes["K-BOX-RING" if ptype == "ring" else "K-POUCH"].id, "1"))
        master.set_bom(db, technical, code, lines)

    # Purchase orders over the past months: most received and released, some open, one late, one cancelled.
    received = open_pos = lots_made = 0
    for i, (code, qty) in enumerate([("M-AU750-Y", "3000"), ("M-AU750-W", "800"), ("M-PT950", "1500"),
                                     ("M-AU585-Y", "600"), ("M-AU999", "2500"), ("M-AG925", "2000"),
                                     ("S-DIA-RD-1.0", "60"), ("S-CZ-1.5", "30"), ("S-PEARL-8", "40"),
                                     ("F-CLASP-L", "500"), ("K-BOX-RING", "800"), ("K-POUCH", "1200"),
                                     ("M-AU750-R", "400"), ("S-RUBY-OV", "12"), ("S-SAPH-OV", "15")]):
        material = codes[code]
        supplier = suppliers["metal" if material.kind == "metal" else "stone" if material.kind == "stone"
                             else "finding"]
        written = today - dt.timedelta(days=rng.randint(20, 110))
        with clock.frozen(dt.datetime.combine(written, dt.time(10, 0))):
            po = purchasing.create_purchase_order(db, buyer, purchasing.PurchaseOrderInput(
                supplier.id, written + dt.timedelta(days=supplier.lead_days),
                [purchasing.PurchaseLineInput(material.id, qty, PRICE[material.kind],
                                              pieces=int(Decimal(qty) * 20) if material.kind == "stone" else 0)],
                currency="HKD"))
            po = purchasing.send_purchase_order(db, buyer, po.id)
        if i in (13, 14):
            open_pos += 1  # still awaited from the supplier
            continue
        arrived = written + dt.timedelta(days=supplier.lead_days + rng.choice([-1, 0, 0, 1, 3]))
        with clock.frozen(dt.datetime.combine(min(arrived, today), dt.time(14, 0))):
            line = po.lines[0]
            lots = stock.receive(db, buyer, po.id, [stock.ReceiptLine(line.id, qty, line.pieces,
                                                                      certificate_no=f"AS-{rng.randint(10000, 99999)}")])
            lots_made += len(lots)
            if i == 12:
                continue  # rose gold waits in quarantine for its assay
            if i == 11:
                stock.decide_lot(db, head, lots[0].id, release=False, reason=_("pouches stained; returned"))
                continue
            stock.decide_lot(db, head, lots[0].id, release=True, reason=_("weight and assay checked on receipt"))
            received += 1
    with clock.frozen(dt.datetime.combine(today - dt.timedelta(days=3), dt.time(9, 30))):
        draft = purchasing.create_purchase_order(db, buyer, purchasing.PurchaseOrderInput(
            suppliers["stone"].id, today + dt.timedelta(days=14),
            [purchasing.PurchaseLineInput(codes["S-JADE-CAB"].id, "20", PRICE["stone"], pieces=6)]))
        cancelled = purchasing.create_purchase_order(db, buyer, purchasing.PurchaseOrderInput(
            suppliers["finding"].id, today + dt.timedelta(days=7),
            [purchasing.PurchaseLineInput(codes["F-POST-EAR"].id, "200", PRICE["finding"])]))
        purchasing.cancel_purchase_order(db, buyer, cancelled.id, _("the style was dropped by the customer"))

    # A customer's own gold, kept apart for its orders.
    with db.read_session() as s:
        customer_id = s.scalar(select(Order.customer_id).where(Order.stage.in_(("contracted", "planned",
                                                                                 "in_production")))
                               .order_by(Order.id).limit(1))
    own = 0
    if customer_id is not None:
        lot = stock.receive_customer_material(db, buyer, customer_id, codes["M-AU999"].id, "500.000",
                                              note=_("customer's own fine gold for its orders"))
        stock.decide_lot(db, head, lot.id, release=True, reason=_("weighed 500.000 g with the customer's courier"))
        own = 1

    # Picking for orders being planned: stock permitting, their materials are picked and the checklist ticked.
    picked = 0
    with db.read_session() as s:
        planned = s.scalars(select(Order.id).where(Order.stage.in_(("contracted", "planned")))
                            .order_by(Order.delivery_date).limit(8)).all()
    for order_id in planned:
        try:
            pick = picking.create_pick_list(db, store, order_id)
            for item in pick.items:
                pick = picking.pick_item(db, store, pick.id, item.item_no, item.lot_no)
            picked += 1
        except DomainError:
            continue  # short of stock: the buyer sees the shortage in the order's materials
    short = 0
    with db.read_session() as s:
        in_review = s.scalars(select(Order.id).where(Order.stage == "detailed_review").limit(30)).all()
    for order_id in in_review:
        if any(r.shortage for r in requirements.order_requirement(db, order_id)):
            short += 1
    return _("Materials: {materials} materials, {suppliers} suppliers, {received} lots released, {open} purchase "
             "orders open, {own} customer's own gold; {picked} orders picked; {short} orders in review short of "
             "materials", materials=len(codes), suppliers=len(suppliers), received=received, open=open_pos + 1,
             own=own, picked=picked, short=short)
