"""Demo quality control, through the services: standards per product type (the ring's in its second version) and
for incoming metal and stones, instruments (one past its calibration date, one falling due), control points,
inspections of every kind passed and failed, and NCRs in every state with every disposition the services allow
(rework and repair only when the progress ledger answers), some with corrective actions overdue."""

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
from ..models.planning import TaskSheet
from ..services.context import Actor
from ..services.errors import DomainError
from ..services.materials import stock
from ..services.quality import inspections, master, ncr
from ..services.quality.inspections import InspectionInput, Measurement

C = master.CharacteristicInput
PRODUCT_TYPES = ("ring", "pendant", "earring", "necklace", "bracelet", "bangle", "brooch")
WEIGHT = {"ring": "3.50", "pendant": "2.80", "earring": "1.60", "necklace": "8.50", "bracelet": "6.20",
          "bangle": "12.00", "brooch": "5.50"}


def _product_standard(ptype: str, effective: dt.date, prong: str = "0.80", note: str = "") -> master.StandardInput:
    return master.StandardInput(f"QS-{ptype.upper()}", f"{ptype} 成品質量標準 Finished {ptype}", effective, [
        C("appearance", "表面 Surface", criterion="10 倍放大無砂孔、無刮痕 no porosity or scratches at 10×",
          method="10× 放大鏡 loupe", instrument_kind="loupe"),
        C("size", "尺寸 Size", "17.00", "0.10", "0.10", "mm", method="卡尺 caliper", instrument_kind="caliper"),
        C("weight", "重量 Weight", WEIGHT[ptype], "0.20", "0.30", "g", method="電子秤 0.001 g",
          instrument_kind="scale"),
        C("composition", "成色 Fineness", "750", "0", None, "permille", method="XRF", instrument_kind="xrf"),
        C("setting", "鑲石牢固 Stones secure", criterion="搖動及推壓無鬆動 no stone moves", method="搖動測試"),
        C("precision", "爪高 Prong height", prong, "0.05", "0.05", "mm", instrument_kind="caliper"),
    ], product_type=ptype, change_note=note)


def _good(std, inst: Mapping[str, int], rng: random.Random, bad: str = "") -> list[Measurement]:
    out = []
    for c in std.characteristics:
        if c.nominal is None:
            value = "fail" if c.kind == bad else "pass"
        elif c.kind == bad:
            value = str((c.nominal * Decimal("1.2")).quantize(Decimal("0.01")))
        else:
            low = -(c.tol_minus or 0) / 2
            high = (c.tol_plus if c.tol_plus is not None else Decimal(2)) / 2
            value = str((c.nominal + Decimal(str(round(rng.uniform(float(low), float(high)), 2)))).quantize(
                Decimal("0.01")))
        out.append(Measurement(c.id, value, inst.get(c.instrument_kind) if c.unit else None))
    return out


def write_product_standards(db: Database, actors: Mapping[str, Actor]) -> dict[str, str]:
    """The technical department's standard per product type, in force from today (the demo's first day, before the
    routings that refer to them are written). Returns {product type: standard code}."""
    tech = actors["technical.head"]
    return {t: master.create_standard_version(db, tech, _product_standard(t, clock.today())).code
            for t in PRODUCT_TYPES}


def _product_standard_of(db: Database, tech: Actor, ptype: str, start: dt.date):
    """The product type's standard in force on `start` (written with the routings), or a new one from then."""
    try:
        return master.standard_in_force(db, f"QS-{ptype.upper()}", start)
    except DomainError:
        return master.create_standard_version(db, tech, _product_standard(ptype, start))


def advance_demo(db: Database, rng: random.Random, actors: Mapping[str, Actor], today: dt.date) -> str:
    tech, qc, head = actors["technical.head"], actors["quality"], actors["quality.head"]
    buyer = actors.get("purchasing", head)
    start = today - dt.timedelta(days=400)
    with clock.frozen(dt.datetime.combine(start, dt.time(9)).astimezone()):
        standards = {t: _product_standard_of(db, tech, t, start) for t in PRODUCT_TYPES}
        metal = master.create_standard_version(db, tech, master.StandardInput(
            "QS-METAL", "貴金屬來料 Precious metal grain", start, [
                C("composition", "成色 Fineness", "750", "0", None, "permille", instrument_kind="xrf"),
                C("appearance", "外觀 Clean grain", criterion="無氧化、無雜質 no oxide or foreign matter")],
            scope="material", material_kind="metal"))
        master.create_standard_version(db, tech, master.StandardInput(
            "QS-STONE", "寶石來料 Stones", start, [
                C("appearance", "淨度顏色 Clarity and colour", criterion="符合訂貨等級 as ordered"),
                C("size", "尺寸 Size", "1.00", "0.05", "0.05", "mm", instrument_kind="caliper")],
            scope="material", material_kind="stone"))
        inst = {}
        for code, name, kind, days in (("CAL-01", "數顯卡尺 Digital caliper", "caliper", 120),
                                       ("SC-01", "精密電子秤 Precision scale", "scale", 200),
                                       ("XRF-01", "X 射線螢光光譜儀 XRF analyser", "xrf", 90),
                                       ("LP-01", "10 倍放大鏡 10× loupe", "loupe", 30),
                                       ("RG-01", "戒指圍尺 Ring gauge set", "ring_gauge", 350)):
            inst[kind] = master.create_instrument(db, qc, master.InstrumentInput(
                code, name, kind, start, 365, location="質量部 QC room")).id
        old = master.create_instrument(db, qc, master.InstrumentInput(
            "XRF-00", "舊 XRF 光譜儀 Old XRF", "xrf", start - dt.timedelta(days=10), 365, location="倉庫 store"))
    with clock.frozen(dt.datetime.combine(today - dt.timedelta(days=300), dt.time(9)).astimezone()):
        for kind, iid in inst.items():
            if kind != "ring_gauge":
                master.record_calibration(db, qc, iid, clock.today(), f"CAL-{kind.upper()}-1")
    with clock.frozen(dt.datetime.combine(today - dt.timedelta(days=60), dt.time(9)).astimezone()):
        standards["ring"] = master.create_standard_version(db, tech, _product_standard(
            "ring", clock.today(), "0.85", "爪高加至 0.85 mm prong height raised to 0.85 mm"))
        for point in master.list_control_points(db):
            if "鑄造" in point.step_name:
                master.set_control_point(db, qc, point.routing_step_id, fai_required=True, ipqc=False)
            elif "鑲石" in point.step_name:
                master.set_control_point(db, qc, point.routing_step_id, fai_required=True, ipqc=True,
                                         frequency="each_shift", sample_size=5, standard_code="")
    counts = {"inspections": 0, "ncrs": 0}

    def record(actor, data) -> inspections.InspectionView | None:
        try:
            view = inspections.record_inspection(db, actor, data)
        except DomainError:
            return None
        counts["inspections"] += 1
        counts["ncrs"] += bool(view.ncr_no)
        return view

    def at(days_ago: int, hour: int = 10):
        return clock.frozen(dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(hour)).astimezone())

    # IQC of the lots materials left in quarantine: most pass, one fails and is scrapped (returned).
    # Metal recovered from filings waits in quarantine for its assay: incoming inspection decides it.
    from ..models.materials import Material

    with db.read_session() as s:
        gold = s.scalar(select(Material.id).where(Material.kind == "metal").order_by(Material.id).limit(1))
    if gold is not None:
        for i in range(3):
            with at(8 + i):
                stock.recover_scrap(db, actors["production.head"], gold, f"{25 + 5 * i}.000",
                                    reason="執模粉回收 filings recovered")
    waiting = stock.quarantined_lots(db)
    for i, lot in enumerate(waiting[:min(4, len(waiting) - 1)]):  # one lot stays in quarantine, waiting
        if lot.unit != "g":
            continue
        with at(3 + i):
            view = record(buyer if i % 2 else qc, InspectionInput("iqc", metal.id, [
                Measurement(metal.characteristics[0].id, "742" if i == 1 else "750.4", inst["xrf"]),
                Measurement(metal.characteristics[1].id, "pass")], lot_id=lot.id))
        if view and view.ncr_no:
            n = ncr.get_ncr(db, view.ncr_no)
            with at(2 + i):
                ncr.decide_disposition(db, head, n.id, "scrap", note="退回供應商 returned to the supplier",
                                       metal_recovered_g="0")
    # Orders at work: FAI of the casting batch, IPQC at stone setting, FQC of the whole quantity.
    with db.read_session() as s:
        at_work = list(s.execute(select(Order.id, Order.total_quantity, Order.style_summary)
                                 .where(Order.stage.in_(("in_production", "final_qc"))).order_by(Order.id)).all())
        sheets = {}
        for sheet in s.scalars(select(TaskSheet).where(TaskSheet.order_id.in_([o for o, *_r in at_work]),
                                                       TaskSheet.status == "issued")):
            sheets.setdefault(sheet.order_id, {})[sheet.step.name] = sheet.id
    ring = standards["ring"]
    # The most recent orders at work: a first article or in-process check of years ago would still hold its NCR.
    for n_order, (order_id, qty, _summary) in enumerate(at_work[-16:]):
        steps = sheets.get(order_id, {})
        cast = next((sid for name, sid in steps.items() if "鑄造" in name), None)
        setting = next((sid for name, sid in steps.items() if "鑲石" in name), None)
        if cast:
            with at(30 - n_order % 20, 9):
                if n_order % 5 == 1:
                    record(actors["production"], InspectionInput("fai", ring.id, _good(ring, inst, rng, "weight"),
                                                                 task_sheet_id=cast, quantity=1))
                record(actors["production"], InspectionInput("fai", ring.id, _good(ring, inst, rng),
                                                             task_sheet_id=cast, quantity=1))
        if setting and n_order % 2 == 0:
            with at(20 - n_order % 15, 14):
                record(qc, InspectionInput("ipqc", ring.id, _good(ring, inst, rng, "setting" if n_order % 6 == 4
                                                                   else ""), task_sheet_id=setting,
                                           sampling="aql", aql="1.0", quantity=qty, sample_size=min(qty, 5),
                                           quantity_failed=1 if n_order % 6 == 4 else None))
    # Final inspections: passed whole orders (ready to ship), and failures whose NCRs are at every step.
    from ..models.planning import PlanStep, ProductionPlan

    with db.read_session() as s:
        unfinished = set(s.scalars(select(ProductionPlan.order_id).join(PlanStep, PlanStep.plan_id == ProductionPlan.id)
                                   .where(ProductionPlan.status == "released", PlanStep.state != "done")))
    finished = [row for row in at_work if row[0] not in unfinished]
    # Orders whose every step is done wait in final inspection (the ledger moved them there); the stories below
    # release some to shipping and leave NCRs at every step of their way.
    stories = ["pass", "pass", "pass", "scrap_closed", "concession", "open", "overdue", "ineffective", "rework"]
    fqc_orders = finished[-len(stories):]
    for (order_id, qty, _summary), story in zip(fqc_orders, stories):
        if qty < 2:
            story = "pass"
        with at(6, 11):
            if story == "pass":
                record(qc, InspectionInput("fqc", ring.id, _good(ring, inst, rng), order_id=order_id,
                                           sampling="aql", aql="1.0", sample_size=min(qty, 13)))
                continue
            view = record(qc, InspectionInput("fqc", ring.id, _good(ring, inst, rng, rng.choice(
                ["appearance", "weight", "setting", "precision"])), order_id=order_id, quantity_failed=1))
        if view is None or not view.ncr_no:
            continue
        n = ncr.get_ncr(db, view.ncr_no)
        try:
            with at(5, 10):
                if story == "open":
                    continue
                if story.startswith("concession"):
                    ncr.decide_disposition(db, head, n.id, "concession", note="輕微色差 slight colour difference",
                                           customer_approval="客戶陳小姐電郵同意 Ms Chan agreed by e-mail")
                elif story == "rework":
                    ncr.decide_disposition(db, head, n.id, rng.choice(["rework", "repair"]), note="重新執模拋光")
                else:
                    ncr.decide_disposition(db, head, n.id, "scrap", note="無法修復 cannot be repaired",
                                           metal_recovered_g="3.120")
                due = today - dt.timedelta(days=2) if story == "overdue" else today + dt.timedelta(days=10)
                ncr.record_corrective_action(db, head, n.id, method="five_why", root_cause=[
                    "石位鬆動 stones loose", "爪太薄 prongs thin", "膠模磨損 mould worn"],
                    action="更換膠模，鑲石前檢查爪厚 new mould; check prongs before setting",
                    owner_id=actors["production.head"].user_id, due=due)
            if story in ("scrap_closed", "ineffective", "concession", "concession_open"):
                with at(4, 15):
                    ncr.submit_rectification(db, actors["production.head"], n.id, "已更換膠模並培訓 mould replaced")
                with at(3, 16):
                    ncr.verify(db, head, n.id, effective=story != "ineffective", note="連續三批抽檢 3 batches checked")
                if story in ("scrap_closed", "concession"):
                    with at(3, 17):
                        ncr.close_ncr(db, head, n.id)
        except DomainError:
            continue
    with at(1):
        ncr.set_repeat_threshold(db, head, 3)
    return _("Quality: {inspections} inspections, {ncrs} nonconformance reports; instrument {code} is past its "
             "calibration date.", inspections=counts["inspections"], ncrs=counts["ncrs"],
             code=old.code)
