"""Bounded reading of an .xlsx order sheet: the limits, the ZIP's declared sizes, and one streamed pass over the XML."""

from __future__ import annotations

import re
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from ...i18n import _
from ..errors import DomainError

# ---- the limits, in one place -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportLimits:
    """What an order sheet may be. A real customer sheet is far below every bound; a file beyond one is refused
    while it is being read, with a message naming the limit (zip bombs, million-row sheets, runaway cells)."""

    max_file_bytes: int = 64 * 1024 * 1024  # the .xlsx file itself
    max_sheet_xml_bytes: int = 160 * 1024 * 1024  # one worksheet's XML, uncompressed (50,000 rows ≈ 30 MB)
    max_part_bytes: int = 48 * 1024 * 1024  # any other part (shared strings, styles, ...), uncompressed
    max_total_bytes: int = 320 * 1024 * 1024  # every part together, uncompressed
    max_rows: int = 100_000  # rows of the sheet (header and blank rows included)
    max_columns: int = 200
    max_cell_chars: int = 10_000  # one cell's text
    max_seconds: float = 600.0  # reading and checking together

    def deadline(self) -> float:
        return time.monotonic() + self.max_seconds


DEFAULT_LIMITS = ImportLimits()
CHECK_TIME_EVERY_ROWS = 512
FEED_BYTES = 1 << 16


class WorkbookError(DomainError):
    """The file cannot be read as an order sheet at all (not a workbook, merged header, no header row ...)."""


class SheetLimitError(WorkbookError):
    """The workbook is beyond one of the import's limits; nothing of it was used."""

    def __init__(self, message: str, limit: str, rows_read: int | None = None):
        super().__init__(message)
        self.limit = limit
        self.rows_read = rows_read  # for a refusal while reading rows: how many were read before it


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):,.0f} MB"


def time_exceeded(limits: ImportLimits) -> SheetLimitError:
    return SheetLimitError(_("Reading and checking the workbook took longer than the limit of {seconds:,} seconds; "
                             "nothing was imported. Split the sheet into smaller workbooks.",
                             seconds=int(limits.max_seconds)), "max_seconds")


def too_many_rows(limits: ImportLimits, rows_read: int | None = None) -> SheetLimitError:
    return SheetLimitError(_("The sheet has more than {n:,} rows, the limit of one import; nothing was imported. "
                             "Split it into several workbooks.", n=limits.max_rows), "max_rows", rows_read)


def cell_too_long(limits: ImportLimits, cell: str) -> SheetLimitError:
    return SheetLimitError(_("Cell {cell} holds more than {n:,} characters, the limit of one cell; nothing was "
                             "imported. Shorten the text in the workbook.", cell=cell, n=limits.max_cell_chars),
                           "max_cell_chars")


# ---- the ZIP container ------------------------------------------------------------------------------------------

def check_archive(path: Path, limits: ImportLimits) -> None:
    """Refuse a workbook whose parts would unpack beyond the limits, before anything is unpacked.

    The sizes come from the ZIP's directory. A part that claims less than it holds cannot hurt either: Python's
    zipfile stops at the claimed size (and then reports the damage), so what is read is bounded by what was checked."""
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise SheetLimitError(_("{file} is {size}; an order sheet may be at most {limit}. Split it into several "
                                "workbooks.", file=path.name, size=_mb(size), limit=_mb(limits.max_file_bytes)),
                              "max_file_bytes")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise WorkbookError(_("{file} is damaged or cut off (the Excel file's ZIP container cannot be read). Ask "
                              "the customer to send it again, or open it in Excel and save it again.",
                              file=path.name)) from exc
    total = 0
    for info in infos:
        total += info.file_size
        is_sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
        limit = limits.max_sheet_xml_bytes if is_sheet else limits.max_part_bytes
        if info.file_size > limit:
            raise SheetLimitError(_("{file}: the part {part} unpacks to {size}, beyond the limit of {limit} for one "
                                    "part of an order sheet; nothing was imported. (A small file that unpacks to "
                                    "hundreds of megabytes is not a real order sheet.)", file=path.name,
                                    part=info.filename, size=_mb(info.file_size), limit=_mb(limit)),
                                  "max_sheet_xml_bytes" if is_sheet else "max_part_bytes")
    if total > limits.max_total_bytes:
        raise SheetLimitError(_("{file} unpacks to {size}, beyond the limit of {limit} for an order sheet; nothing "
                                "was imported.", file=path.name, size=_mb(total), limit=_mb(limits.max_total_bytes)),
                              "max_total_bytes")


# ---- one streamed pass over a worksheet's XML ------------------------------------------------------------------

_REF = re.compile(r"^([A-Z]{1,3})([0-9]+)$")
_RANGE = re.compile(r"^([A-Z]{1,3})([0-9]+)(?::([A-Z]{1,3})([0-9]+))?$")


def column_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


@dataclass(frozen=True)
class MergedRange:
    first_col: int
    first_row: int
    last_col: int
    last_row: int

    @property
    def ref(self) -> str:
        from .importing import column_letter

        return (f"{column_letter(self.first_col)}{self.first_row}:"
                f"{column_letter(self.last_col)}{self.last_row}")


@dataclass
class SheetScan:
    """What openpyxl's read-only mode hides, plus the figures the limits are checked against."""

    merged: list[MergedRange] = field(default_factory=list)
    uncached_formulas: set[tuple[int, int]] = field(default_factory=set)  # (row, column index)
    formulas: int = 0
    rows: int = 0  # <row> elements seen
    last_row: int = 0  # the highest row number seen
    xml_bytes: int = 0  # uncompressed bytes read


class _ScanState:
    """Expat callbacks; expat keeps its own bounded buffer, so the pass is linear whatever the file's layout."""

    def __init__(self, scan: SheetScan, limits: ImportLimits, deadline: float):
        self.scan = scan
        self.limits = limits
        self.deadline = deadline
        self.in_cell = False
        self.cell_ref = ""
        self.cell_chars = 0
        self.has_formula = False
        self.has_value = False
        self.text_element = ""  # "v", "t" or "f" while inside one

    @staticmethod
    def _local(name: str) -> str:
        return name.rsplit(":", 1)[-1]

    def start(self, name: str, attrs: dict) -> None:
        local = self._local(name)
        if local == "c":
            self.in_cell, self.cell_ref = True, attrs.get("r", "")
            self.cell_chars, self.has_formula, self.has_value = 0, False, False
        elif self.in_cell and local in ("v", "t", "f"):
            self.text_element = local
            if local == "f":
                self.has_formula = True
        elif local == "row":
            scan = self.scan
            scan.rows += 1
            number = attrs.get("r")
            scan.last_row = int(number) if number and number.isdigit() else scan.last_row + 1
            if scan.rows > self.limits.max_rows or scan.last_row > self.limits.max_rows:
                raise too_many_rows(self.limits, scan.rows)
            if scan.rows % CHECK_TIME_EVERY_ROWS == 0 and time.monotonic() > self.deadline:
                raise time_exceeded(self.limits)
        elif local == "mergeCell":
            m = _RANGE.match(attrs.get("ref", ""))
            if m:
                c1, r1, c2, r2 = m.groups()
                self.scan.merged.append(MergedRange(column_index(c1), int(r1), column_index(c2 or c1),
                                                    int(r2 or r1)))

    def end(self, name: str) -> None:
        local = self._local(name)
        if local == "c":
            if self.has_formula:
                self.scan.formulas += 1
                if not self.has_value:
                    m = _REF.match(self.cell_ref)
                    if m:
                        self.scan.uncached_formulas.add((int(m.group(2)), column_index(m.group(1))))
            self.in_cell = False
        elif local in ("v", "t", "f"):
            self.text_element = ""

    def text(self, data: str) -> None:
        if not self.in_cell or not self.text_element:
            return
        self.cell_chars += len(data)
        if self.cell_chars > self.limits.max_cell_chars:
            raise cell_too_long(self.limits, self.cell_ref or "?")
        if self.text_element == "v" and data.strip():
            self.has_value = True


def _refuse_doctype(*_args) -> None:
    raise WorkbookError(_("The workbook's XML declares a document type (DTD), which Excel never writes; the file "
                          "was refused as unsafe."))


def scan_sheet_xml(zf: zipfile.ZipFile, member: str, limits: ImportLimits, deadline: float) -> SheetScan:
    """Stream a worksheet's XML once: merged ranges, formulas without a cached value, row count; every limit is
    checked as the bytes arrive, so a hostile sheet is refused after at most `max_rows` rows."""
    scan = SheetScan()
    state = _ScanState(scan, limits, deadline)
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = state.start
    parser.EndElementHandler = state.end
    parser.CharacterDataHandler = state.text
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    try:
        with zf.open(member) as src:
            while True:
                chunk = src.read(FEED_BYTES)
                scan.xml_bytes += len(chunk)
                if scan.xml_bytes > limits.max_sheet_xml_bytes:
                    raise SheetLimitError(_("The sheet's XML unpacks to more than {limit}, the limit of one sheet; "
                                            "nothing was imported.", limit=_mb(limits.max_sheet_xml_bytes)),
                                          "max_sheet_xml_bytes")
                parser.Parse(chunk, not chunk)
                if not chunk:
                    break
    except expat.ExpatError as exc:
        raise WorkbookError(_("The sheet's XML is damaged ({detail}); open the workbook in Excel and save it "
                              "again.", detail=expat.ErrorString(exc.code))) from exc
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:  # CRC mismatch, cut-off data, bad stream
        raise WorkbookError(_("The workbook is damaged or cut off (its sheet cannot be unpacked). Ask the customer "
                              "to send it again, or open it in Excel and save it again.")) from exc
    return scan


__all__ = ["ImportLimits", "DEFAULT_LIMITS", "WorkbookError", "SheetLimitError", "check_archive", "scan_sheet_xml",
           "SheetScan", "MergedRange", "column_index", "time_exceeded", "too_many_rows", "cell_too_long"]
