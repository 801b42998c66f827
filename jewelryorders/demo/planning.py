"""Demo planning master data through the planning services: workshops, the factory calendar and routings; and the
task sheets the production office has printed."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Mapping
from pathlib import Path


from ..db import Database
from ..services.context import Actor, unit_of_work
from ..services.planning.master_data import (
    RoutingInput,
    RoutingStepInput,
    WorkshopInput,
    add_holiday_in,
    create_routing_in,
    create_workshop_in,
)
from ..services.planning.sheets import print_task_sheets

# key, name, department, hours a day, benches, working weekdays
WORKSHOPS = [
    ("cad", "設計起版部 CAD", "技術部 Technical", "8", 3, "01234"),
    ("wax", "噴蠟倒模車間 Wax & Mould", "生產一部 Production 1", "8", 4, "012345"),
    ("casting", "鑄造車間 Casting", "生產一部 Production 1", "8", 3, "012345"),
    ("filing", "執模車間 Filing", "生產一部 Production 1", "8", 10, "01234"),
    ("setting", "鑲石車間 Stone setting", "生產二部 Production 2", "8", 12, "01234"),
    ("polishing", "打磨拋光車間 Polishing", "生產二部 Production 2", "8", 8, "01234"),
    ("plating", "電金車間 Plating", "生產二部 Production 2", "7.5", 2, "01234"),
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

# workshop key, step name, hours per piece, hours per batch, loss allowance %, needs, process, what to check (the
# bench's own check, part of the process requirements; the characteristics are in the product type's standard)
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
CHAIN: _STEP = ("filing", "鏈條組裝", "0.15", "0.5", "0.5", ("tooling",), "鏈條焊接、裝扣、長度按訂單。", "拉力測試合格。")

# The steps whose work the finished product's standard (its characteristics) applies to.
STANDARD_STEPS = ("setting", "polishing", "plating")

# Final inspection is not a routing step: quality records it as the order's FQC (the Quality tab).
ROUTINGS = {
    "ring": ("戒指工藝路線 Ring routing", [CAD, WAX, CAST, FILE, SET, POLISH, PLATE]),
    "pendant": ("吊墜工藝路線 Pendant routing", [CAD, WAX, CAST, FILE, SET, POLISH, PLATE]),
    "earring": ("耳環工藝路線 Earring routing", [CAD, WAX, CAST, FILE, SET, POLISH, PLATE]),
    "necklace": ("項鍊工藝路線 Necklace routing", [CAD, CAST, CHAIN, SET, POLISH, PLATE]),
    "bracelet": ("手鏈工藝路線 Bracelet routing", [CAD, CAST, CHAIN, SET, POLISH, PLATE]),
    "bangle": ("手鐲工藝路線 Bangle routing", [CAD, WAX, CAST, FILE, POLISH, PLATE]),
    "brooch": ("胸針工藝路線 Brooch routing", [CAD, WAX, CAST, FILE, SET, POLISH, PLATE]),
}


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0)).astimezone()


def master_data(db: Database, actors: Mapping[str, Actor], years: range) -> dict[str, int]:
    """Workshops, the factory's holidays of `years`, and a routing per product type."""
    planner = actors["production.head"]
    supervisors = [actors.get("production.head"), actors.get("production")]
    workshops: dict[str, int] = {}
    # The technical department writes the product standards first: the routings' steps refer to them by code.
    from .quality import write_product_standards

    codes = write_product_standards(db, actors)
    with unit_of_work(db) as s:
        for order, (key, name, department, hours, benches, days) in enumerate(WORKSHOPS):
            boss = supervisors[order % len(supervisors)]
            w = create_workshop_in(s, planner, WorkshopInput(name, department, hours, benches, [int(d) for d in days],
                                                             boss.user_id if boss else None, order))
            workshops[key] = w.id
        for year in years:
            days = HOLIDAYS.get(year) or [(f"{year}-{md}", name) for md, name in FIXED_HOLIDAYS]
            for day, name in days:
                add_holiday_in(s, planner, dt.date.fromisoformat(day), name)
        for product_type, (name, steps) in ROUTINGS.items():
            create_routing_in(s, planner, RoutingInput(product_type, name, [
                RoutingStepInput(step_name, workshops[wkey], piece, batch, loss, needs, f"{process}\n{check}",
                                 codes.get(product_type, "") if wkey in STANDARD_STEPS else "")
                for wkey, step_name, piece, batch, loss, needs, process, check in steps]))
    return workshops


def print_some_task_sheets(db: Database, actors: Mapping[str, Actor], order_ids: list[int]) -> int:
    """The production office has printed the task sheets of a few orders at work (and reprinted two)."""
    printer = actors["production.head"]
    with tempfile.TemporaryDirectory(prefix="jo-demo-") as tmp:
        for number, order_id in enumerate(order_ids):
            print_task_sheets(db, printer, Path(tmp) / f"{order_id}.pdf", order=order_id, lang="zh_TW")
            if number < 2:
                print_task_sheets(db, printer, Path(tmp) / f"{order_id}-again.pdf", order=order_id, lang="zh_TW")
    return len(order_ids)
