"""Delivery papers: packing list, label sheet and certificates in Chinese and English; the certificates' and labels'
QR codes decode with an independent reader (zxing-cpp on the page rendered by pdftoppm); papers are filed."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from jewelryorders.models.documents import Document
from jewelryorders.services.delivery import papers, shipments
from jewelryorders.services.delivery.shipments import PackageInput, ShipmentInput

from .delivery_support import quality_stand_in, ready_order  # noqa: F401  (fixtures)


@pytest.fixture
def shipped(db, make_user, ready_order):
    logistics = make_user("logistics", "clerk", "logi1")
    order = ready_order(quantity=3)
    [line] = shipments.open_lines(db, order.id)
    sh = shipments.create_shipment(db, logistics, ShipmentInput(
        order_id=order.id, quantities={line.line_id: 3},
        packages=[PackageInput("2 × 18K 金鑽石戒指 R-18K-001", "420.250", "SEAL-A1"),
                  PackageInput("1 × 18K 金鑽石戒指 R-18K-001；證書 3 張", "300", "SEAL-A2")],
        carrier="順豐速運 SF Express", tracking_no="SF1234567890", insured_value="7140",
        shipped_on=dt.date(2026, 11, 12), certificates="piece"))
    return logistics, sh


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def _decode_pages(pdf: Path, tmp_path: Path) -> list[str]:
    import zxingcpp
    from PIL import Image

    prefix = tmp_path / pdf.stem
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(pdf), str(prefix)], check=True)
    found = []
    for png in sorted(tmp_path.glob(f"{pdf.stem}*.png")):
        found += [r.text for r in zxingcpp.read_barcodes(Image.open(png))
                  if r.format == zxingcpp.BarcodeFormat.QRCode]
    return found


@pytest.mark.parametrize("lang", ["zh_TW", "en"])
def test_packing_list_shows_shipment_packages_and_open_quantity(db, shipped, tmp_path, lang):
    _actor, sh = shipped
    data, pdf = papers.render(db, "packing-list", sh.shipment_no, lang)
    out = tmp_path / "packing.pdf"
    out.write_bytes(pdf)
    text = _text(out)
    assert sh.shipment_no in text and "SEAL-A2" in text and "SF1234567890" in text
    assert ("裝箱單" if lang == "zh_TW" else "packing list") in text
    assert [line.open_after for line in data.lines] == [0]


@pytest.mark.parametrize("lang", ["zh_TW", "en"])
def test_certificate_qr_codes_decode_to_their_numbers(db, shipped, tmp_path, lang):
    _actor, sh = shipped
    _data, pdf = papers.render(db, "certificates", sh.shipment_no, lang)
    out = tmp_path / f"certs-{lang}.pdf"
    out.write_bytes(pdf)
    text = _text(out)
    assert "FQC-2026-" in text and "Au750" in text and "9.375" not in text and "3.125" in text
    assert ("產品質量證明" if lang == "zh_TW" else "Product quality certificate") in text
    assert sorted(_decode_pages(out, tmp_path)) == sorted(c.certificate_no for c in sh.certificates)


def test_label_sheet_has_one_label_per_package_with_its_qr(db, shipped, tmp_path):
    _actor, sh = shipped
    _data, pdf = papers.render(db, "labels", sh.shipment_no, "zh_TW")
    out = tmp_path / "labels.pdf"
    out.write_bytes(pdf)
    assert "第 1 件，共 2 件" in _text(out).replace("  ", " ")
    assert sorted(_decode_pages(out, tmp_path)) == [f"{sh.shipment_no}-1/2", f"{sh.shipment_no}-2/2"]


def test_printed_papers_are_filed_with_the_order(db, shipped):
    actor, sh = shipped
    for kind in papers.PAPERS:
        papers.file_paper(db, actor, kind, sh.shipment_no, "zh_TW")
    with db.read_session() as s:
        cats = sorted(s.scalars(select(Document.category).where(Document.order_id == sh.order_id)))
    assert cats == ["package_labels", "packing_list", "quality_certificate"]
