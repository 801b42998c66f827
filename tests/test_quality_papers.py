"""Quality papers: the inspection report, the NCR form and the standard as PDFs (text checked with pdftotext, in
Chinese and English), the quality register workbook re-read with openpyxl, and the command line."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from openpyxl import load_workbook

from jewelryorders.services.quality import ncr, papers

from .planning_support import contracted, factory  # noqa: F401,F811  (fixtures)
from .test_quality import TODAY, _to_final_qc, fqc, good_values, qworld  # noqa: F401  (fixtures)


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture
def failed(db, qworld):
    _to_final_qc(db, qworld)
    ins = fqc(db, qworld, values=good_values(qworld, Weight=("3.95", qworld.scale)), quantity_failed=2,
              note="two pieces heavy")
    n = ncr.get_ncr(db, ins.ncr_no)
    ncr.decide_disposition(db, qworld.head, n.id, "scrap", note="melt down", metal_recovered_g="7.900")
    ncr.record_corrective_action(db, qworld.head, n.id, method="five_why", root_cause=["wax too heavy", "old mould"],
                                 action="new rubber mould", owner_id=qworld.worker.user_id, due=TODAY)
    return ins


@pytest.mark.parametrize("lang", ["zh_TW", "en"])
def test_inspection_report_ncr_and_standard_papers(db, qworld, failed, tmp_path, lang):
    report = papers.print_inspection_report(db, qworld.inspector, failed.inspection_no, tmp_path / "i.pdf", lang)
    form = papers.print_ncr(db, qworld.inspector, failed.ncr_no, tmp_path / "n.pdf", lang)
    standard = papers.print_standard(db, qworld.inspector, qworld.product_std.id, tmp_path / "s.pdf", lang)
    text_i, text_n, text_s = pdf_text(report), pdf_text(form), pdf_text(standard)
    assert failed.inspection_no in text_i and "3.95" in text_i and "SC-01" in text_i and "QS-RING v1" in text_i
    assert failed.ncr_no in text_n and "7.900" in text_n and "new rubber mould" in text_n
    assert "Fineness Au750" in text_s and "≥ 750" in text_s
    if lang == "zh_TW":
        assert "檢驗報告" in text_i and "不合格" in text_i and "報廢" in text_n and "質量標準" in text_s
    else:
        assert "Inspection report" in text_i and "Failed" in text_i and "Scrap" in text_n
    from jewelryorders.services.documents import list_documents

    categories = {d.category for d in list_documents(db, qworld.order_id)}
    assert {"inspection_report", "ncr"} <= categories


def test_quality_register_holds_every_inspection_and_ncr_of_the_period(db, qworld, failed, tmp_path):
    out = papers.export_register(db, qworld.inspector, tmp_path / "r.xlsx", TODAY, TODAY, "zh_TW")
    wb = load_workbook(out)
    inspections, ncrs = wb.worksheets
    assert inspections.freeze_panes == "A4" and inspections.auto_filter.ref.startswith("A3")
    assert inspections["A4"].value == failed.inspection_no and isinstance(inspections["C4"].value, dt.datetime)
    assert ncrs["A4"].value == failed.ncr_no and ncrs["J4"].value == "報廢"
    empty = papers.export_register(db, qworld.inspector, tmp_path / "e.xlsx", TODAY - dt.timedelta(days=60),
                                   TODAY - dt.timedelta(days=30), "en")
    assert load_workbook(empty).worksheets[0].max_row == 3


def test_command_line_prints_the_papers_and_exports_the_register(db, qworld, failed, tmp_path, monkeypatch, capsys):
    from jewelryorders.cli.main import main

    monkeypatch.setenv("JEWELRYORDERS_PASSWORD", "password1")

    def cli(*args):
        return main(["--database-url", db.url, "--lang", "en", "--user", "inspector", *args])

    assert cli("print", "inspection-report", failed.inspection_no, "--out", str(tmp_path / "i.pdf")) == 0
    assert failed.inspection_no in pdf_text(tmp_path / "i.pdf")
    assert cli("print", "ncr", failed.ncr_no.lower(), "--out", str(tmp_path / "n.pdf")) == 0
    assert cli("export", "quality-register", "--from", "2026-11-01", "--to", "2026-11-30", "--out",
               str(tmp_path / "r.xlsx")) == 0
    assert load_workbook(tmp_path / "r.xlsx").worksheets[1]["A4"].value == failed.ncr_no
    assert cli("print", "ncr", "NCR-1999-0001", "--out", str(tmp_path / "x.pdf")) == 1
    assert "There is no NCR" in capsys.readouterr().err


def test_photos_of_an_ncr_are_kept_and_printed(db, qworld, failed, tmp_path):
    from PIL import Image

    photo = tmp_path / "loose-stone.png"
    Image.new("RGB", (120, 80), (200, 30, 30)).save(photo)
    n = ncr.get_ncr(db, failed.ncr_no)
    assert ncr.attach_photos(db, qworld.inspector, paths=[str(photo)], ncr_id=n.id) == 1
    assert ncr.get_ncr(db, failed.ncr_no).photo_count == 1
    data = papers.ncr_paper(db, failed.ncr_no, "en")
    assert len(data.photos) == 1
    out = papers.print_ncr(db, qworld.inspector, failed.ncr_no, tmp_path / "n.pdf", "en")
    assert out.stat().st_size > 0
