"""The printed order confirmation: what the customer reads and signs, in 繁體中文, 简体中文 and English."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from jewelryorders.reports.order_confirmation import write_order_confirmation
from jewelryorders.reports.paper_data import OrderLineData, OrderPaperData, StoneData

LABELS = {
    "zh_TW": {"channel": "展會", "stage": "初步評審", "diamond": "鑽石", "ruby": "紅寶石"},
    "zh_CN": {"channel": "展会", "stage": "初步评审", "diamond": "钻石", "ruby": "红宝石"},
    "en": {"channel": "Trade fair", "stage": "Preliminary review", "diamond": "Diamond", "ruby": "Ruby"},
}
CUSTOMER = "Pearl & Jade <b>Trading</b> Ltd."


def make_line(line_no: int, lang: str) -> OrderLineData:
    labels = LABELS[lang]
    quantity = 20 + line_no % 7
    unit_price = Decimal("1850.00") + Decimal(line_no * 25)
    stones = [StoneData(labels["diamond"], 12, Decimal("0.360"))]
    if line_no % 3 == 0:
        stones.append(StoneData(labels["ruby"], 1, Decimal("0.5")))
    return OrderLineData(
        line_no=line_no,
        style_code=f"RG-{2600 + line_no}",
        description="18K白金密釘鑽石女戒" if lang != "en" else "18K white gold pavé diamond lady's ring",
        metal="Au750",
        size=f"HK {10 + line_no % 8}",
        quantity=quantity,
        target_weight_mg=12345 if line_no == 1 else 3000 + line_no * 17,
        stones=stones,
        unit_price=unit_price,
        amount=unit_price * quantity,
    )


def make_order(lang: str, line_count: int = 3, **changes) -> OrderPaperData:
    lines = [make_line(n, lang) for n in range(1, line_count + 1)]
    values = dict(
        factory_name="金匠珠寶製造廠 Goldsmith Jewellery Manufactory Ltd.",
        factory_address="廣東省廣州市番禺區沙灣鎮珠寶產業園 8 號",
        order_no="JO-2026-0042",
        customer_name=CUSTOMER,
        customer_contact="陳美玲 Mei-ling Chan",
        customer_phone="+852 2345 6789",
        customer_email="orders@pearl-jade.example.com",
        customer_address="香港九龍尖沙咀廣東道 30 號新港中心 12 樓",
        channel_label=LABELS[lang]["channel"],
        order_date=dt.date(2026, 3, 2),
        delivery_date=dt.date(2026, 4, 30),
        delivery_place="香港九龍尖沙咀廣東道 30 號新港中心 12 樓",
        currency="HKD",
        lines=lines,
        total_quantity=sum(line.quantity for line in lines),
        total_amount=sum((line.amount for line in lines), Decimal("0")),
        special_requirements="Engrave \"M & J\" inside the shank.\n每件獨立包裝 <i>禮盒</i> & 證書。",
        attachments=["RG-2601_front.jpg", "RG-2601.3dm", "RG-2603_setting_detail.pdf"],
        stage_label=LABELS[lang]["stage"],
        prepared_by="李小華",
        contract_no=None,
        contract_signed=None,
    )
    values.update(changes)
    return OrderPaperData(**values)


PRINTED_AT = dt.datetime(2026, 3, 3, 9, 30, tzinfo=dt.timezone.utc)


@pytest.fixture(autouse=True)
def _work_in_tmp(tmp_path, monkeypatch):
    # The PDF builder's page-counting pass may leave a scratch file in the working directory.
    monkeypatch.chdir(tmp_path)


def pdf_pages(path: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True)
    pages = out.stdout.split("\f")
    return [page for page in pages if page.strip()]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("lang, title, sections", [
    ("zh_TW", "訂單確認書", ["訂單明細", "合計及交貨", "特殊要求", "附件", "條款", "客戶確認（簽名及公司蓋章）"]),
    ("zh_CN", "订单确认书", ["订单明细", "合计及交货", "特殊要求", "附件", "条款", "客户确认（签名及公司盖章）"]),
    ("en", "Order Confirmation", ["Order lines", "Totals and delivery", "Special requirements", "Attachments", "Terms"]),
])
def test_confirmation_prints_the_order_in_each_language(tmp_path, lang, title, sections):
    path = write_order_confirmation(make_order(lang), tmp_path / f"confirmation_{lang}.pdf", lang=lang,
                                    printed_by="李小華", printed_at=PRINTED_AT)
    text = flat("\n".join(pdf_pages(path)))
    assert title in text
    for section in sections:
        assert section in text, section
    assert "JO-2026-0042" in text
    assert CUSTOMER in text
    assert "12.345" in text  # 12,345 mg shown as grams with three decimals
    assert "2026-04-30" in text
    assert "RG-2603_setting_detail.pdf" in text
    assert "HKD" in text
    assert LABELS[lang]["channel"] in text
    assert "+852 2345 6789" in text


def test_stones_totals_and_prices_are_printed_exactly(tmp_path):
    order = make_order("en")
    path = write_order_confirmation(order, tmp_path / "c.pdf", lang="en", printed_at=PRINTED_AT)
    text = flat("\n".join(pdf_pages(path)))
    assert "Diamond × 12 / 0.360 ct" in text
    assert "Ruby × 1 / 0.500 ct" in text  # carat always with three places
    assert "HKD 125,450.00" in text  # 21 × 1,875 + 22 × 1,900 + 23 × 1,925
    assert order.total_amount == Decimal("125450.00")
    assert "66 pcs" in text
    assert "39,375.00" in text  # line 1 amount


def test_chinese_stone_lines_use_the_translated_format(tmp_path):
    path = write_order_confirmation(make_order("zh_TW"), tmp_path / "c.pdf", lang="zh_TW", printed_at=PRINTED_AT)
    text = flat("\n".join(pdf_pages(path)))
    assert "鑽石 × 12 粒 / 0.360 ct" in text
    headers = re.sub(r"\s+", "", text)  # header cells wrap inside their columns
    assert "材質成色" in headers and "目標金重" in headers and "（克/件）" in headers


def test_user_text_with_markup_characters_is_printed_literally(tmp_path):
    path = write_order_confirmation(make_order("zh_TW"), tmp_path / "c.pdf", lang="zh_TW", printed_at=PRINTED_AT)
    text = flat("\n".join(pdf_pages(path)))
    assert "Pearl & Jade <b>Trading</b> Ltd." in text
    assert 'Engrave "M & J" inside the shank.' in text
    assert "<i>禮盒</i> & 證書" in text


@pytest.mark.parametrize("lang, page_label, header_cell", [
    ("en", "Page {page} of {total}", "Style"),
    ("zh_TW", "第 {page} 頁，共 {total} 頁", "款號"),
])
def test_a_long_order_flows_over_pages_with_header_and_page_numbers(tmp_path, lang, page_label, header_cell):
    order = make_order(lang, line_count=60)
    path = write_order_confirmation(order, tmp_path / "long.pdf", lang=lang, printed_at=PRINTED_AT)
    pages = pdf_pages(path)
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        page_text = flat(page)
        assert page_label.format(page=number, total=len(pages)) in page_text
        assert "JO-2026-0042" in page_text  # the document number heads every page
        if "RG-26" in page_text:
            assert header_cell in page_text  # the column header repeats wherever lines continue
    everything = flat("\n".join(pages))
    for line_no in (1, 30, 60):
        assert f"RG-{2600 + line_no}" in everything
    # The total row and the signature block come after the last line.
    assert everything.index("RG-2660") < everything.rindex(f"{order.total_quantity:,}")


def test_contract_number_appears_once_signed(tmp_path):
    order = make_order("en", contract_no="HT-2026-0107", contract_signed=dt.date(2026, 3, 9))
    path = write_order_confirmation(order, tmp_path / "c.pdf", lang="en", printed_at=PRINTED_AT)
    text = flat("\n".join(pdf_pages(path)))
    assert "HT-2026-0107" in text and "2026-03-09" in text
    unsigned = write_order_confirmation(make_order("en"), tmp_path / "u.pdf", lang="en", printed_at=PRINTED_AT)
    assert "Contract No." not in flat("\n".join(pdf_pages(unsigned)))


def test_an_order_without_extras_still_prints_clearly(tmp_path):
    order = make_order("en", special_requirements="", attachments=[], line_count=1)
    path = write_order_confirmation(order, tmp_path / "c.pdf", lang="en", printed_at=PRINTED_AT)
    text = flat("\n".join(pdf_pages(path)))
    assert text.count("None") >= 2  # special requirements and attachments both say so
    assert path.stat().st_size > 0


@pytest.mark.parametrize("lang", ["en", "zh_TW"])
def test_long_style_codes_stay_whole_on_one_line(tmp_path, lang):
    codes = ["RG-18K-0815", "PD-PT950-20817", "ER-WG-750-1234", "BR18K00815"]
    order = make_order(lang, line_count=len(codes))
    lines = [dataclasses.replace(line, style_code=code) for line, code in zip(order.lines, codes)]
    order = dataclasses.replace(order, lines=lines)
    path = write_order_confirmation(order, tmp_path / "codes.pdf", lang=lang, printed_at=PRINTED_AT)
    text = flat("\n".join(pdf_pages(path)))
    for code in codes:
        assert code in text, code


def test_a_heading_never_stands_alone_at_the_foot_of_a_page(tmp_path):
    from jewelryorders.reports.order_confirmation import heading, ruled_table
    from jewelryorders.reports.pdf_base import PaperHeader, Spacer, build_pdf, content_width, mm

    width = content_width()
    # a first row that cannot split (a drawing, a photo) and is taller than the room left under the heading
    story = [Spacer(1, 200 * mm), *heading("Lonely heading"),
             ruled_table(["Column"], [[Spacer(1, 45 * mm)], ["second row"]], [width])]
    path = build_pdf(tmp_path / "heading.pdf", story, PaperHeader("Factory", "Test", lang="en"))
    pages = pdf_pages(path)
    assert len(pages) == 2
    assert "Lonely heading" not in pages[0]
    assert "Lonely heading" in pages[1] and "Column" in pages[1] and "second row" in pages[1]
