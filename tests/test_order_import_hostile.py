"""Hostile workbooks are refused while being read, naming the limit: zip bombs, a million rows, runaway cells, a
DTD, renamed and cut-off files; and in bounded memory (peak measured with tracemalloc, never wall-clock time)."""

from __future__ import annotations

import tracemalloc
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from jewelryorders.services.orders import importing as order_import
from jewelryorders.services.orders import intake as orders
from jewelryorders.services.orders.importing import ImportLimits, ImportOptions, SheetLimitError, WorkbookError

from .test_order_import import HEADERS_ZH, good_rows, write_sheet

SHEET_MEMBER = "xl/worksheets/sheet1.xml"
SHEET_START = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
SHEET_END = "</sheetData></worksheet>"
MB = 1024 * 1024


def replace_sheet(path: Path, chunks) -> Path:
    """Rewrite the workbook with its first sheet's XML streamed from `chunks` (deflated, as Excel stores it)."""
    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist() if name != SHEET_MEMBER}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
        with zf.open(SHEET_MEMBER, "w", force_zip64=True) as dst:
            for chunk in chunks:
                dst.write(chunk.encode())
    return path


def base_workbook(tmp_path: Path, customer_code: str) -> Path:
    return write_sheet(tmp_path / "base.xlsx", HEADERS_ZH, good_rows(customer_code))


def peak_memory_of(call) -> tuple[BaseException | None, int]:
    tracemalloc.start()
    try:
        call()
        error = None
    except BaseException as exc:  # the refusal under test
        error = exc
    finally:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return error, peak


def test_a_zip_bomb_is_refused_by_its_unpacked_size_before_anything_is_unpacked(customer, tmp_path):
    path = base_workbook(tmp_path, customer.code)

    def bomb():
        yield SHEET_START
        for _ in range(300):  # 300 MB of spaces deflate to about 300 KB
            yield " " * MB
        yield SHEET_END

    replace_sheet(path, bomb())
    assert path.stat().st_size < 2 * MB
    error, peak = peak_memory_of(lambda: order_import.inspect_workbook(path))
    assert isinstance(error, SheetLimitError) and error.limit == "max_sheet_xml_bytes"
    assert "xl/worksheets/sheet1.xml unpacks to 300 MB, beyond the limit of 160 MB" in str(error)
    assert peak < 20 * MB


def test_a_sheet_with_a_million_rows_is_refused_after_reading_no_more_rows_than_the_limit(customer, tmp_path):
    path = base_workbook(tmp_path, customer.code)

    def million_rows():
        yield SHEET_START
        for block in range(1000):
            # No row numbers and no <dimension>: nothing in the file admits how long it is.
            yield "".join(f'<row><c t="inlineStr"><is><t>R-{block}-{i}</t></is></c></row>' for i in range(1000))
        yield SHEET_END

    replace_sheet(path, million_rows())
    error, peak = peak_memory_of(lambda: order_import.inspect_workbook(path))
    assert isinstance(error, SheetLimitError) and error.limit == "max_rows"
    assert error.rows_read == order_import.DEFAULT_LIMITS.max_rows + 1
    assert "more than 100,000 rows" in str(error)
    assert peak < 20 * MB


def test_the_row_limit_is_checked_while_the_rows_are_read(db, sales, customer, tmp_path):
    path = write_sheet(tmp_path / "rows.xlsx", HEADERS_ZH, good_rows(customer.code) * 10)  # 41 rows
    mapping = order_import.guess_mapping(HEADERS_ZH)
    with pytest.raises(SheetLimitError, match="more than 20 rows") as refused:
        order_import.run_import(db, sales, path, mapping, ImportOptions(limits=ImportLimits(max_rows=20)))
    assert refused.value.rows_read == 21 and orders.count_orders(db, orders.OrderFilter()) == 0


def test_a_runaway_cell_is_refused_naming_the_cell_and_the_limit(db, sales, customer, tmp_path):
    rows = good_rows(customer.code)
    rows[2][6] = "長" * 20_000  # G4, a shared string
    path = write_sheet(tmp_path / "long.xlsx", HEADERS_ZH, rows)
    with pytest.raises(SheetLimitError, match="Cell G4 holds more than 10,000 characters") as refused:
        order_import.run_import(db, sales, path, order_import.guess_mapping(HEADERS_ZH))
    assert refused.value.limit == "max_cell_chars"
    inline = replace_sheet(base_workbook(tmp_path, customer.code), iter([
        SHEET_START, '<row r="1"><c r="A1" t="inlineStr"><is><t>', "x" * 50_000, "</t></is></c></row>", SHEET_END]))
    with pytest.raises(SheetLimitError, match="Cell A1 holds more than 10,000 characters"):
        order_import.inspect_workbook(inline)


def test_the_time_limit_stops_reading(db, sales, customer, tmp_path):
    path = write_sheet(tmp_path / "t.xlsx", HEADERS_ZH, good_rows(customer.code))
    with pytest.raises(SheetLimitError, match="longer than the limit of 0 seconds") as refused:
        order_import.run_import(db, sales, path, order_import.guess_mapping(HEADERS_ZH),
                                ImportOptions(limits=ImportLimits(max_seconds=0)))
    assert refused.value.limit == "max_seconds"


def test_a_document_type_declaration_is_refused(customer, tmp_path):
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
              '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
              '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>')
    path = replace_sheet(base_workbook(tmp_path, customer.code), iter([laughs]))
    with pytest.raises(WorkbookError, match="document type"):
        order_import.inspect_workbook(path)


def test_a_text_file_renamed_xlsx_and_a_cut_off_download_are_named(customer, tmp_path):
    renamed = tmp_path / "orders.xlsx"
    renamed.write_text("客戶,款號,數量\nC00001,R-1,5\n", encoding="utf-8")
    with pytest.raises(WorkbookError, match="is a text file"):
        order_import.inspect_workbook(renamed)
    whole = base_workbook(tmp_path, customer.code).read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(whole[:len(whole) // 2])
    with pytest.raises(WorkbookError, match="damaged or cut off"):
        order_import.inspect_workbook(cut)


def test_a_file_larger_than_the_limit_is_refused_before_it_is_opened(customer, tmp_path):
    path = base_workbook(tmp_path, customer.code)
    with pytest.raises(SheetLimitError, match="may be at most 0 MB") as refused:
        order_import.inspect_workbook(path, limits=ImportLimits(max_file_bytes=1024))
    assert refused.value.limit == "max_file_bytes"


def test_a_sheet_of_one_huge_cell_is_read_in_linear_memory(customer, tmp_path):
    """The old scanner's buffer grew by copying itself on every chunk when no cell ended in it: quadratic."""
    path = base_workbook(tmp_path, customer.code)

    def one_cell():
        yield SHEET_START + '<row r="1"><c r="A1" t="inlineStr"><is><t>'
        for _ in range(40):
            yield "y" * MB
        yield "</t></is></c></row>" + SHEET_END

    replace_sheet(path, one_cell())
    error, peak = peak_memory_of(lambda: order_import.inspect_workbook(path))
    assert isinstance(error, SheetLimitError) and error.limit == "max_cell_chars"
    assert peak < 10 * MB
