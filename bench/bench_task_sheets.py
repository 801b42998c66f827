"""Bench: seconds to print N task sheets with write_task_sheets, next to a bare ReportLab loop drawing the same."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from PIL import Image, ImageDraw
from reportlab.graphics.barcode import code128, qr, qrencoder
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from jewelryorders.i18n import tr
from jewelryorders.reports.fonts import FONT_NAME, register_fonts
from jewelryorders.reports.pdf_base import fmt_date, fmt_grams
from jewelryorders.reports.task_sheet import TaskSheetData, write_task_sheets

STEPS = ["設計/CAD", "起版/噴蠟", "倒模", "執模", "鑲石", "打磨", "電金", "終檢"]
WORKSHOPS = ["設計部", "蠟模車間", "倒模車間", "執模車間 A", "鑲石車間 B", "打磨車間", "電金車間", "品檢部"]
LABELS = [
    "Task Sheet", "Task sheet no.", "Step", "Workshop", "Finish by", "Order no.", "Customer", "Style", "Quantity",
    "Description", "Specifications", "Metal", "Target weight (each)", "Planned start", "Responsible",
    "Loss allowance", "Design image", "Process requirements", "Quality standard", "Pre-production checklist",
    "Equipment commissioned", "Tooling and moulds ready", "Materials picked and inspected", "Training done",
    "Notes:", "Metal issue and return", "Item", "Pieces", "Weight (g)", "Date and time", "Handed over by",
    "Taken over by", "Metal issued", "Finished pieces returned", "Filings and scrap returned",
    "Loss (issued − returned)", "Loss rate:", "Metal issued by", "Received by (worker)", "Inspector", "Date:",
    "Pass", "Rework",
]


def make_design_images(folder: Path, count: int) -> list[Path]:
    paths = []
    for n in range(count):
        image = Image.new("RGB", (1600, 1200), "white")
        draw = ImageDraw.Draw(image)
        draw.ellipse((400 + n * 10, 200, 1200 - n * 10, 1000), outline=(200, 150, 30), width=60)
        draw.regular_polygon((800, 220, 90), 6, fill=(120, 180, 230))
        path = folder / f"style-{n:02d}.png"
        image.save(path)
        paths.append(path)
    return paths


def make_sheets(count: int, images: list[Path]) -> list[TaskSheetData]:
    sheets = []
    for n in range(count):
        step = n % len(STEPS)
        sheets.append(TaskSheetData(
            sheet_no=f"TS-2026-{n + 1:06d}",
            order_no=f"JO-2026-{n // len(STEPS) + 1:04d}",
            customer=["周大福珠寶（深圳）有限公司", "六福珠寶", "Golden Lotus Jewellery Ltd."][n % 3],
            style_code=f"RG-18K-{n % len(images):04d}",
            style_description="18K黃金六爪鑲鑽戒指，戒圈內刻字",
            specs="Au750 18K黃 · 港度 #14 · 主石 1 粒 0.500 ct 圓鑽 · 副石 12 粒 0.060 ct",
            metal="Au750 18K 黃金",
            quantity=10 + n % 200,
            target_weight_mg=5230 + n % 97,
            step_name=STEPS[step],
            step_seq=step + 1,
            step_count=len(STEPS),
            process_requirements="1. 去除水口及砂孔，執順戒圈內外；爪位修至均勻，高度 1.2 mm ±0.1。\n"
                                 "2. 用 400 號砂紙粗執，再用 800 號細執，不可損傷刻字。\n"
                                 "3. 每件執模後稱重記錄，超出目標重 ±3% 須交主管。",
            quality_standard="表面無砂孔、無銼痕；爪位對稱；戒圈圓度 ±0.05 mm；單件重量 5.230 g ±3%。",
            planned_start=dt.datetime(2026, 3, 10, 8, 0) + dt.timedelta(hours=n % 40),
            due=dt.datetime(2026, 3, 14, 17, 30) + dt.timedelta(hours=n % 40),
            workshop=WORKSHOPS[step],
            responsible=["陳志明", "李美玲", "黃家豪"][n % 3],
            design_image_path=str(images[n % len(images)]),
            metal_allowance_pct=Decimal("1.5"),
            print_count=1 if n % 50 == 0 else 0,
            checklist_notes="新款，開工前由技術部講解爪位要求。" if n % 5 == 0 else "",
        ))
    return sheets


def bare_reportlab_loop(sheets: list[TaskSheetData], path: Path, lang: str) -> None:
    """The floor: the same strings, barcodes and picture drawn with no layout, fitting or wrapping at all."""
    register_fonts()
    canvas = Canvas(str(path), pagesize=A4, pageCompression=1)
    labels = [tr(label, lang) for label in LABELS]
    for sheet in sheets:
        y = 280 * mm
        canvas.setFont(FONT_NAME, 9)
        for label in labels:
            canvas.drawString(15 * mm, y, label)
            y -= 4 * mm
        y = 280 * mm
        for value in (sheet.sheet_no, sheet.order_no, sheet.customer, sheet.style_code, sheet.style_description,
                      sheet.specs, sheet.metal, str(sheet.quantity), fmt_grams(sheet.target_weight_mg),
                      f"{sheet.step_seq} / {sheet.step_count} {sheet.step_name}", sheet.workshop, sheet.responsible,
                      fmt_date(sheet.planned_start, lang), fmt_date(sheet.due, lang), f"{sheet.metal_allowance_pct} %",
                      *sheet.process_requirements.splitlines(), sheet.quality_standard, sheet.checklist_notes):
            canvas.drawString(70 * mm, y, value)
            y -= 4 * mm
        code128.Code128(sheet.sheet_no, barWidth=0.38 * mm, barHeight=14 * mm, humanReadable=0).drawOn(
            canvas, 90 * mm, 60 * mm)
        qr.QrCode(sheet.sheet_no, width=30 * mm, height=30 * mm, qrBorder=4, qrLevel="M").drawOn(
            canvas, 160 * mm, 60 * mm)
        canvas.drawImage(sheet.design_image_path, 140 * mm, 120 * mm, 55 * mm, 50 * mm, preserveAspectRatio=True)
        canvas.showPage()
    canvas.save()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1000, help="number of task sheets (default 1000)")
    parser.add_argument("--lang", default="zh_TW", choices=["zh_TW", "zh_CN", "en"])
    parser.add_argument("--styles", type=int, default=20, help="distinct design images among the sheets")
    parser.add_argument("--keep", type=Path, help="folder to keep the two PDFs in")
    args = parser.parse_args(argv)

    register_fonts()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        sheets = make_sheets(args.count, make_design_images(Path(scratch), args.styles))

        started = time.perf_counter()
        paper = write_task_sheets(sheets, folder / "task_sheets.pdf", factory_name="金蓮珠寶首飾廠", lang=args.lang,
                                  printed_by="bench")
        paper_seconds = time.perf_counter() - started

        started = time.perf_counter()
        bare = folder / "bare_reportlab.pdf"
        bare_reportlab_loop(sheets, bare, args.lang)
        bare_seconds = time.perf_counter() - started

        print(f"{args.count} task sheets, {args.styles} design images, lang {args.lang}")
        print(f"{'':28}{'seconds':>9}{'ms/sheet':>10}{'MB':>8}")
        for name, seconds, pdf in (("write_task_sheets", paper_seconds, paper),
                                   ("bare ReportLab loop", bare_seconds, bare)):
            print(f"{name:28}{seconds:9.2f}{seconds / args.count * 1000:10.2f}{pdf.stat().st_size / 1e6:8.2f}")
        print(f"ratio write_task_sheets / bare loop: {paper_seconds / bare_seconds:.2f}")

        started = time.perf_counter()
        for sheet in sheets:
            symbol = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
            symbol.addData(sheet.sheet_no)
            symbol.make()
        qr_seconds = time.perf_counter() - started
        print(f"of which QR encoding alone (ReportLab's pure-Python qrencoder): {qr_seconds:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
