"""Task sheet paper: the text a worker reads, barcodes that scan with independent readers, reprint marks, batches."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from jewelryorders.reports.task_sheet import TaskSheetData, reprint_mark, write_task_sheets

from .planning_support import factory  # noqa: F401  (fixture)

zxingcpp = pytest.importorskip("zxingcpp")
Image = pytest.importorskip("PIL.Image")

FACTORY = {"zh_TW": "金蓮珠寶首飾廠", "zh_CN": "金莲珠宝首饰厂", "en": "Golden Lotus Jewelry Factory"}


@pytest.fixture
def design_png(tmp_path: Path) -> Path:
    from PIL import ImageDraw

    image = Image.new("RGB", (640, 480), "white")
    ImageDraw.Draw(image).ellipse((170, 90, 470, 390), outline=(200, 150, 30), width=24)
    path = tmp_path / "RG-0815.png"
    image.save(path)
    return path


def make_sheet(lang: str = "zh_TW", number: int = 123, **changes) -> TaskSheetData:
    chinese = lang != "en"
    traditional = lang == "zh_TW"
    sheet = TaskSheetData(
        sheet_no=f"TS-2026-{number:06d}",
        order_no="JO-2026-0042",
        customer="周大福珠寶（深圳）有限公司" if chinese else "Golden Lotus Jewellery Ltd.",
        style_code="RG-18K-0815",
        style_description="18K黃金六爪鑲鑽戒指" if chinese else "18K yellow gold six-prong solitaire ring",
        specs="Au750 · 港度 #14 · 主石 1 粒 0.500 ct" if chinese else "Au750 · HK size 14 · centre 1 × 0.500 ct",
        metal="Au750 18K",
        quantity=120,
        target_weight_mg=5230,
        step_name=("執模" if traditional else "执模") if chinese else "Filing",
        step_seq=3,
        step_count=8,
        process_requirements="去除水口及砂孔，爪位修至均勻，高度 1.2 mm ±0.1。" if chinese
        else "Remove sprues and porosity; file prongs evenly to 1.2 mm ±0.1.",
        quality_standard="表面無砂孔、無銼痕；單件重量 5.230 g ±3%。" if chinese
        else "No porosity or file marks; piece weight 5.230 g ±3%.",
        planned_start=dt.date(2026, 3, 10),
        due=dt.datetime(2026, 3, 14, 17, 30),
        workshop=("執模車間 A" if traditional else "执模车间 A") if chinese else "Filing workshop A",
        responsible="陳志明" if chinese else "Chen Zhiming",
        design_image_path=None,
        metal_allowance_pct=Decimal("1.5"),
        print_count=0,
    )
    return dataclasses.replace(sheet, **changes)


def write(tmp_path: Path, sheets, lang: str, name: str = "sheets.pdf") -> Path:
    return write_task_sheets(sheets, tmp_path / name, factory_name=FACTORY[lang], lang=lang, printed_by="王小姐",
                             printed_at=dt.datetime(2026, 3, 9, 9, 15))


def pdf_text(path: Path, page: int | None = None) -> str:
    args = ["pdftotext", "-layout"]
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    return subprocess.run(args + [str(path), "-"], check=True, capture_output=True, text=True).stdout


def squashed(text: str) -> str:
    """pdftotext spaces Chinese text unpredictably; compare without whitespace."""
    return re.sub(r"\s+", "", text)


def page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def render_page(path: Path, page: int, out_dir: Path, dpi: int = 150) -> Path:
    prefix = out_dir / f"page{page}"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", str(page), "-l", str(page), "-singlefile",
                    str(path), str(prefix)], check=True)
    return prefix.with_suffix(".png")


def decode_with_zxing(png: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {"code128": set(), "qr": set()}
    with Image.open(png) as image:
        for barcode in zxingcpp.read_barcodes(image):
            if barcode.format == zxingcpp.BarcodeFormat.Code128:
                found["code128"].add(barcode.text)
            elif barcode.format == zxingcpp.BarcodeFormat.QRCode:
                found["qr"].add(barcode.text)
    return found


# ---------------------------------------------------------------------------------------------------------------


def test_traditional_chinese_sheet_shows_what_the_worker_needs(tmp_path):
    pdf = write(tmp_path, [make_sheet("zh_TW")], "zh_TW")
    text = pdf_text(pdf)
    for expected in ("生產任務單", "金蓮珠寶首飾廠", "TS-2026-000123", "JO-2026-0042", "3 / 8", "執模", "執模車間 A",
                     "周大福珠寶（深圳）有限公司", "RG-18K-0815", "工藝要求", "質量標準", "去除水口及砂孔",
                     "表面無砂孔", "陳志明", "2026-03-10", "2026-03-14 17:30", "120", "5.230 g", "≤ 1.5 %",
                     "金料發收記錄", "發料人", "領料人", "檢驗員", "無設計圖", "第 1 / 1 張"):
        assert squashed(expected) in squashed(text), expected
    assert "REPRINT" not in text and "補印" not in text
    assert "派工單" not in text and "派工单" not in text


def test_english_sheet_is_in_english(tmp_path):
    pdf = write(tmp_path, [make_sheet("en")], "en")
    text = pdf_text(pdf)
    for expected in ("Production task sheet", "TS-2026-000123", "JO-2026-0042", "3 / 8", "Filing", "Filing workshop A",
                     "Process requirements", "Quality standard", "Metal issue and return", "Metal issued by",
                     "Inspector", "Sheet 1 of 1", "pcs"):
        assert expected in text, expected
    assert "派工" not in text


def test_simplified_chinese_labels(tmp_path):
    pdf = write(tmp_path, [make_sheet("zh_CN")], "zh_CN")
    text = pdf_text(pdf)
    for expected in ("生产任务单", "工艺要求", "质量标准", "车间", "执模", "金料发收记录", "发料人"):
        assert expected in text, expected
    assert "派工單" not in text and "派工单" not in text


@pytest.mark.parametrize("lang", ["zh_TW", "en", "zh_CN"])
def test_both_barcodes_decode_with_zxing_at_150_dpi(tmp_path, lang, design_png):
    sheets = [make_sheet(lang, 123, design_image_path=str(design_png)), make_sheet(lang, 124, print_count=3)]
    pdf = write(tmp_path, sheets, lang)
    for page, sheet in enumerate(sheets, start=1):
        found = decode_with_zxing(render_page(pdf, page, tmp_path))
        assert found == {"code128": {sheet.sheet_no}, "qr": {sheet.sheet_no}}


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbarimg is not installed")
def test_both_barcodes_decode_with_zbarimg(tmp_path):
    sheet = make_sheet("zh_TW", 987654, print_count=1)
    pdf = write(tmp_path, [sheet], "zh_TW")
    png = render_page(pdf, 1, tmp_path)
    out = subprocess.run(["zbarimg", "-q", str(png)], capture_output=True, text=True).stdout.split()
    assert sorted(out) == sorted([f"CODE-128:{sheet.sheet_no}", f"QR-Code:{sheet.sheet_no}"])


def test_thirty_sheets_make_thirty_pages_each_with_its_own_barcode(tmp_path):
    sheets = [make_sheet("zh_TW", n, step_seq=1 + n % 8) for n in range(1, 31)]
    pdf = write(tmp_path, sheets, "zh_TW")
    assert page_count(pdf) == 30
    page17 = pdf_text(pdf, 17)
    assert "TS-2026-000017" in page17 and "第17/30張" in squashed(page17)
    assert "TS-2026-000016" not in page17
    found = decode_with_zxing(render_page(pdf, 30, tmp_path))
    assert found == {"code128": {"TS-2026-000030"}, "qr": {"TS-2026-000030"}}


@pytest.mark.parametrize("lang, mark", [("en", "REPRINT #2"), ("zh_TW", "補印 · 第2次"), ("zh_CN", "补印 · 第2次")])
def test_reprint_is_marked_with_its_count(tmp_path, lang, mark):
    assert reprint_mark(2, lang) == mark
    assert reprint_mark(0, lang) == ""
    pdf = write(tmp_path, [make_sheet(lang, 1), make_sheet(lang, 2, print_count=2)], lang)
    assert mark.split()[0] not in pdf_text(pdf, 1)
    reprinted = pdf_text(pdf, 2)
    assert squashed(reprinted).count(squashed(mark)) == 2  # the stamp in the header and again in the footer


def test_missing_or_unreadable_design_image_prints_a_framed_notice(tmp_path, design_png):
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n this is not really an image")
    truncated = tmp_path / "truncated.jpg"
    Image.new("RGB", (300, 300), "gold").save(truncated)
    truncated.write_bytes(truncated.read_bytes()[:200])
    sheets = [make_sheet("en", 1, design_image_path=str(tmp_path / "gone.png")),
              make_sheet("en", 2, design_image_path=str(broken)),
              make_sheet("en", 3, design_image_path=str(truncated)),
              make_sheet("en", 4, design_image_path=None),
              make_sheet("en", 5, design_image_path=str(design_png))]
    pdf = write(tmp_path, sheets, "en")
    assert page_count(pdf) == 5
    assert "Design image cannot be read" in pdf_text(pdf, 1) and "gone.png" in pdf_text(pdf, 1)
    assert "Design image cannot be read" in pdf_text(pdf, 2) and "broken.png" in pdf_text(pdf, 2)
    assert "Design image cannot be read" in pdf_text(pdf, 3)
    assert "No design image" in pdf_text(pdf, 4)
    page5 = pdf_text(pdf, 5)
    assert "No design image" not in page5 and "cannot be read" not in page5


def test_one_design_image_is_embedded_once_for_a_whole_batch(tmp_path, design_png):
    sheets = [make_sheet("zh_TW", n, design_image_path=str(design_png)) for n in range(1, 41)]
    pdf = write(tmp_path, sheets, "zh_TW")
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], check=True, capture_output=True, text=True).stdout
    rows = [line.split() for line in listing.splitlines()[2:] if line.strip()]
    assert {row[0] for row in rows} == {str(n) for n in range(1, 41)}  # the picture is on every page ...
    assert len({row[10] for row in rows}) == 1  # ... and stored in the file only once


def test_long_instructions_continue_on_a_following_page_without_losing_text(tmp_path):
    long_text = "\n".join(f"{i}. 鑲石前檢查爪位高度與石位深度，每粒石須平穩不鬆動，完成後以十倍放大鏡檢查。"
                          for i in range(1, 36)) + "\n最後一條：完成後交品檢部。"
    sheets = [make_sheet("zh_TW", 1, process_requirements=long_text), make_sheet("zh_TW", 2)]
    pdf = write(tmp_path, sheets, "zh_TW")
    assert page_count(pdf) == 3
    first, continued, second = (pdf_text(pdf, n) for n in (1, 2, 3))
    assert "（接下頁）" in first
    assert "生產任務單（續）" in squashed(continued)
    assert "TS-2026-000001" in continued and "最後一條：完成後交品檢部。" in squashed(continued)
    assert "35.鑲石前檢查" in squashed(continued)
    assert "TS-2026-000002" in second


def test_long_chinese_text_stays_inside_the_page(tmp_path):
    unbroken = "爪位須對稱" * 80  # Chinese without spaces must still wrap
    sheet = make_sheet("zh_TW", 1, quality_standard=unbroken, customer="廣州市番禺區沙灣珠寶首飾加工有限責任公司" * 2,
                       specs="Au750/" + "X" * 120)
    pdf = write(tmp_path, [sheet], "zh_TW")
    bbox = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    right_edges = [float(x) for x in re.findall(r'xMax="([\d.]+)"', bbox)]
    assert right_edges and max(right_edges) <= 198 / 25.4 * 72 + 1  # the right margin, 12 mm from the edge


def test_nothing_to_print_and_unprintable_numbers_are_refused(tmp_path):
    with pytest.raises(ValueError, match="No task sheets"):
        write_task_sheets([], tmp_path / "x.pdf", factory_name="F", lang="en")
    with pytest.raises(ValueError, match="生產任務單號"):
        write_task_sheets([make_sheet("zh_TW", sheet_no="派工-001")], tmp_path / "x.pdf", factory_name="F",
                          lang="zh_TW")
    assert not (tmp_path / "x.pdf").exists()


def test_progress_is_reported_and_an_exception_from_it_cancels_without_a_file(tmp_path):
    seen: list[tuple[int, int]] = []
    sheets = [make_sheet("en", n) for n in range(1, 4)]
    write_task_sheets(sheets, tmp_path / "ok.pdf", factory_name="F", lang="en",
                      progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]

    class Cancelled(Exception):
        pass

    def cancel_after_two(done, total):
        if done == 2:
            raise Cancelled

    with pytest.raises(Cancelled):
        write_task_sheets(sheets, tmp_path / "cancelled.pdf", factory_name="F", lang="en", progress=cancel_after_two)
    assert not (tmp_path / "cancelled.pdf").exists()


# ---- the order's delivery date, one sheet per metal, a footer that never overlaps ------------------------------

@pytest.mark.parametrize("lang, step_label, delivery_label", [
    ("zh_TW", "本工序完成期限", "訂單交貨時間"), ("zh_CN", "本工序完成期限", "订单交货时间"),
    ("en", "Step finish by", "Order delivery")])
def test_the_sheet_shows_the_orders_delivery_date_beside_the_steps_deadline(tmp_path, lang, step_label,
                                                                            delivery_label):
    pdf = write(tmp_path, [make_sheet(lang, order_delivery=dt.date(2026, 4, 20))], lang)
    text = squashed(pdf_text(pdf))
    assert squashed(step_label) in text and squashed(delivery_label) in text
    assert "2026-03-1417:30" in text and "2026-04-20" in text


def _footer_words(pdf: Path, page: int = 1) -> list[tuple[float, float, str]]:
    """(xMin, xMax, word) of every word printed in the bottom 12 mm of the page, from pdftotext's boxes."""
    html = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    height = float(re.search(r'<page width="[\d.]+" height="([\d.]+)"', html).group(1))
    words = []
    for x0, y0, x1, _y1, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html):
        if float(y0) > height - 12 * 72 / 25.4:
            words.append((float(x0), float(x1), word))
    return sorted(words)


@pytest.mark.parametrize("lang", ["zh_TW", "en"])
def test_nothing_overlaps_in_the_footer_whatever_the_names_length(tmp_path, lang):
    long_factory = ("金蓮珠寶首飾（國際）集團有限公司深圳寶安區第三分廠附屬精品工藝研究中心" * 3 if lang != "en"
                    else "Golden Lotus International Jewellery Manufacturing Group Holdings Limited " * 3)
    long_person = ("歐陽司馬上官諸葛慕容皇甫長孫宇文尉遲" * 4 if lang != "en"
                   else "Maximilian Alexander Bartholomew Fitzgerald-Montgomery " * 3)
    sheet = make_sheet(lang, print_count=2, customer=long_factory, responsible=long_person,
                       workshop=long_factory, step_name=long_person, order_delivery=dt.date(2026, 4, 20))
    pdf = write_task_sheets([sheet], tmp_path / "long.pdf", factory_name=long_factory, lang=lang,
                            printed_by=long_person, printed_at=dt.datetime(2026, 3, 9, 9, 15))
    words = _footer_words(pdf)
    assert len(words) >= 4
    for (a0, a1, first), (b0, _b1, second) in zip(words, words[1:]):
        assert a1 <= b0 + 0.5, f"{first!r} overlaps {second!r}"
    page_width = 595.27
    assert all(0 <= x0 and x1 <= page_width for x0, x1, _w in words)
    footer = squashed(" ".join(w for _a, _b, w in words))
    assert "TS-2026-000123" in footer and "…" in footer


def test_an_order_whose_lines_differ_in_metal_gets_one_sheet_per_line(db, admin, make_user, sales, customer,
                                                                      factory, tmp_path):
    from jewelryorders.services.orders import intake as orders
    from jewelryorders.services.planning import plans as planning
    from jewelryorders.services.planning import sheets as planning_sheets

    from .conftest import order_input
    from .planning_support import MONDAY, RING_STEPS, sign_contract

    data = order_input(customer.id, lines=2, delivery_date=dt.date(2027, 1, 15))
    data.lines[1].metal = "Pt950"
    data.lines[1].target_weight_g = "4.200"
    data.lines[1].quantity = 30
    order_id = orders.create_order(db, sales, data).id
    sign_contract(db, admin, make_user, sales, order_id)
    plan = planning.propose_plan(db, factory.planner, order_id, today=MONDAY)
    planning.release_plan(db, factory.planner, plan.id, today=MONDAY)

    with db.read_session() as s:
        sheets = planning_sheets.sheets_of_order(s, order_id)
        data_rows = planning_sheets.sheet_data(s, sheets, "en", today=MONDAY)
    assert len(data_rows) == 2 * len(RING_STEPS)
    first, second = data_rows[0], data_rows[1]
    assert first.sheet_no == second.sheet_no
    assert (first.metal, first.target_weight_mg, first.quantity) == ("Au750", 3125, 50)
    assert (second.metal, second.target_weight_mg, second.quantity) == ("Pt950", 4200, 30)
    assert (first.part_label, second.part_label) == ("Line 1 of 2", "Line 2 of 2")
    assert first.order_delivery == dt.date(2027, 1, 15)

    result = planning_sheets.print_task_sheets(db, factory.planner, tmp_path / "o.pdf", order=order_id, lang="en",
                                               factory_name="Golden Luck")
    assert result.count == len(RING_STEPS) and page_count(result.path) == 2 * len(RING_STEPS)
    page_two = pdf_text(result.path, 2)
    assert "Pt950" in page_two and "4.200 g" in page_two and "Line 2 of 2" in page_two
    assert "Au750" not in page_two


def test_lines_of_one_metal_share_one_sheet(tmp_path):
    pdf = write(tmp_path, [make_sheet("en")], "en")
    assert page_count(pdf) == 1 and "Line 1 of" not in pdf_text(pdf)


@pytest.mark.parametrize("lang, heading, condition", [
    ("zh_TW", "評審議定條件", "技術部：首件需客戶確認後方可批量生產"),
    ("en", "Conditions agreed in the review", "Technical: first piece confirmed by the customer"),
])
def test_the_reviews_conditions_are_printed_on_the_sheet(tmp_path, lang, heading, condition):
    pdf = write(tmp_path, [make_sheet(lang, review_conditions=condition)], lang)
    text = squashed(pdf_text(pdf))
    assert squashed(heading) in text and squashed(condition) in text
    # The process requirements still follow them on the same page.
    assert squashed("去除水口及砂孔" if lang != "en" else "Remove sprues") in text
    assert page_count(pdf) == 1
    plain = squashed(pdf_text(write(tmp_path, [make_sheet(lang)], lang, "plain.pdf")))
    assert squashed(heading) not in plain


def test_long_review_conditions_continue_on_the_next_page(tmp_path):
    conditions = "\n".join(f"Technical: condition number {i} agreed with the customer in the review" for i in range(40))
    pdf = write(tmp_path, [make_sheet("en", review_conditions=conditions)], "en")
    assert page_count(pdf) == 2
    text = squashed(pdf_text(pdf))
    for i in (0, 20, 39):
        assert squashed(f"condition number {i} agreed") in text
