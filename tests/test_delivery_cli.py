"""Delivery commands: print packing list, certificates, labels, repair record; export after-sales (with --user)."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from jewelryorders.cli.main import main
from jewelryorders.services.delivery import aftersales, shipments

from .delivery_support import quality_stand_in, ready_order  # noqa: F401  (fixtures)


@pytest.fixture
def cli(db, monkeypatch):
    monkeypatch.setenv("JEWELRYORDERS_PASSWORD", "password1")

    def run(*args: str) -> int:
        return main(["--database-url", db.url, "--lang", "en", *args])

    return run


def test_papers_and_export_from_the_command_line(db, make_user, ready_order, cli, tmp_path, capsys):
    logistics = make_user("logistics", "clerk", "logi1")
    clerk = make_user("sales", "clerk", "care1")
    order = ready_order(quantity=2)
    [line] = shipments.open_lines(db, order.id)
    sh = shipments.create_shipment(db, logistics, shipments.ShipmentInput(
        order.id, {line.line_id: 2}, [shipments.PackageInput("2 rings", "200", "S-1")], "DHL",
        shipped_on=dt.date(2026, 11, 3), certificates="lot"))
    shipments.record_delivery(db, logistics, sh.id, dt.date(2026, 11, 5))
    case = aftersales.open_case(db, clerk, aftersales.CaseInput("maintenance", "visit", "清洗保養", clerk.user_id,
                                                                dt.date(2026, 11, 20), dt.date(2026, 11, 10),
                                                                order.id))
    for kind in ("packing-list", "certificates", "labels"):
        out = tmp_path / f"{kind}.pdf"
        assert cli("--user", "logi1", "print", kind, sh.shipment_no, "--out", str(out)) == 0
        assert out.read_bytes().startswith(b"%PDF")
    out = tmp_path / "record.pdf"
    assert cli("--user", "care1", "print", "repair-record", case.case_no, "--out", str(out), "--lang", "zh_TW") == 0
    assert out.read_bytes().startswith(b"%PDF")
    xlsx = tmp_path / "after-sales.xlsx"
    assert cli("--user", "care1", "export", "after-sales", "--from", "2026-11-01", "--to", "2026-11-30",
               "--out", str(xlsx)) == 0
    ws = load_workbook(xlsx).worksheets[0]
    assert ws["A4"].value == case.case_no and ws.freeze_panes == "A4"
    assert cli("--user", "logi1", "print", "packing-list", "SH-0", "--out", str(tmp_path / "x.pdf")) != 0
    assert "no shipment SH-0" in capsys.readouterr().err
