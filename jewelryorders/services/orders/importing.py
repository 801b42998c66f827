"""Importing orders from a customer's Excel order sheet: read and check the workbook, map columns, import in one go."""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import re
import time
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterator, Mapping, Sequence
from xml.etree import ElementTree

from sqlalchemy import func, or_, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from ... import clock
from ...db import Database
from ...i18n import LANGUAGES, LazyText, N_, _, tr
from ...models.customers import Customer
from ...models.orders import CHANNELS, METALS, STONE_TYPES, LineStone, Order, OrderLine
from ...models.sequences import NumberSequence
from .. import audit
from ..context import Actor, read_session, unit_of_work
from ..errors import DomainError, PermissionDenied, ValidationError
from ..permissions import require
from ..users import get_setting
from ..sequences import NUMBER_FORMATS, next_number, next_value
from .intake import LineInput, OrderInput, StoneInput, _apply, _clean
from .sheet_reader import (DEFAULT_LIMITS, ImportLimits, MergedRange, SheetLimitError, SheetScan, WorkbookError,
                           cell_too_long, check_archive, scan_sheet_xml, time_exceeded, too_many_rows)

# ---- the fields of a customer's order sheet -------------------------------------------------------------------

@dataclass(frozen=True)
class ImportField:
    key: str
    label_msgid: str
    # Header texts this field is recognised by (compared after normalising: case, spaces, punctuation removed).
    synonyms: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return _(self.label_msgid)


IMPORT_FIELDS: tuple[ImportField, ...] = (
    ImportField("customer", N_("Customer (code or name)"),
                ("customer", "customer code", "customer name", "client", "buyer", "客戶", "客户", "客戶編號", "客户编号",
                 "客戶代碼", "客户代码", "客戶名稱", "客户名称", "客人", "客戶代號", "客户代号")),
    ImportField("customer_po", N_("Customer PO / reference"),
                ("customer po", "po", "po no", "po number", "purchase order", "purchase order no", "order ref",
                 "order reference", "reference", "customer ref", "customer reference", "客戶訂單號", "客户订单号",
                 "客戶單號", "客户单号", "訂單號", "订单号", "訂單編號", "订单编号", "採購單號", "采购单号", "PO號", "PO号")),
    ImportField("channel", N_("Channel"),
                ("channel", "source", "order channel", "渠道", "來源", "来源", "接單渠道", "接单渠道", "訂單來源", "订单来源")),
    ImportField("order_date", N_("Order date"),
                ("order date", "po date", "date", "訂單日期", "订单日期", "下單日期", "下单日期", "日期")),
    ImportField("delivery_date", N_("Delivery date"),
                ("delivery date", "due date", "ship date", "delivery", "交期", "交貨日期", "交货日期", "出貨日期", "出货日期",
                 "交貨期", "交货期")),
    ImportField("delivery_place", N_("Delivery place"),
                ("delivery place", "deliver to", "ship to", "delivery address", "交貨地點", "交货地点", "送貨地址", "送货地址",
                 "交貨地址", "交货地址")),
    ImportField("currency", N_("Currency"),
                ("currency", "ccy", "幣別", "币别", "幣種", "币种", "貨幣", "货币")),
    ImportField("special_requirements", N_("Special requirements"),
                ("special requirements", "requirements", "remarks", "remark", "notes", "note", "comments", "特殊要求",
                 "備註", "备注", "要求", "特別要求", "特别要求")),
    ImportField("style_code", N_("Style code"),
                ("style", "style code", "style no", "item", "item no", "item code", "model", "款號", "款号", "款式編號",
                 "款式编号", "貨號", "货号", "款式")),
    ImportField("description", N_("Description"),
                ("description", "item description", "product name", "product", "描述", "品名", "說明", "说明",
                 "產品名稱", "产品名称", "貨品描述", "货品描述")),
    ImportField("metal", N_("Metal"),
                ("metal", "material", "fineness", "metal fineness", "karat", "alloy", "purity", "成色", "材質", "材质", "金屬", "金属", "金屬成色", "金属成色")),
    ImportField("size", N_("Size"),
                ("size", "ring size", "length", "尺寸", "手寸", "圈號", "圈号", "長度", "长度", "尺碼", "尺码")),
    ImportField("quantity", N_("Quantity"),
                ("quantity", "qty", "pcs", "pieces", "數量", "数量", "件數", "件数")),
    ImportField("target_weight_g", N_("Target weight (g)"),
                ("target weight", "target weight g", "weight", "weight g", "metal weight", "gold weight", "unit weight",
                 "重量", "金重", "目標重量", "目标重量", "單件重量", "单件重量", "重量g", "克重")),
    ImportField("stone_type", N_("Stone type"),
                ("stone", "stone type", "stones", "gem", "gemstone", "石類", "石类", "石頭", "石头", "寶石", "宝石", "石種", "石种",
                 "主石")),
    ImportField("stone_count", N_("Stone count"),
                ("stone count", "stone qty", "stone pcs", "no of stones", "石數", "石数", "粒數", "粒数", "石粒數", "石粒数")),
    ImportField("stone_carat", N_("Stone carats"),
                ("carat", "carats", "ct", "cts", "stone carat", "stone carats", "stone weight", "石重", "卡數", "卡数", "克拉",
                 "總卡數", "总卡数")),
    ImportField("unit_price", N_("Unit price"),
                ("unit price", "price", "單價", "单价", "價格", "价格", "單價元", "单价元")),
)
FIELD_BY_KEY = {f.key: f for f in IMPORT_FIELDS}
FIELD_KEYS = tuple(f.key for f in IMPORT_FIELDS)
# Without these a row cannot become an order line; the customer may instead be chosen for the whole sheet.
REQUIRED_FIELDS = ("style_code", "metal", "quantity")

HEADER_SEARCH_ROWS = 30  # the header is looked for in these first rows; the wizard shows them
# Problems beyond this many are counted, not kept: 50,000 bad rows must not become 50,000 widgets or lines.
MAX_KEPT_PROBLEMS = 5_000
# Orders whose rows are flushed and then let go of, so a 50,000-row sheet does not hold every object in memory.
RELEASE_EVERY = 500
INSERT_BATCH = 500  # orders per multi-row INSERT in the short write transaction
ORDER_SNAPSHOT_EXCLUDES = ("created_at", "updated_at", "style_summary", "submitted_at")  # as intake's snapshot
CHECK_STOP_EVERY = 200

PO_NOTE_MSGID = N_("Customer PO: {po}")


# ---- errors, options and results ------------------------------------------------------------------------------

class ImportCancelled(DomainError):
    """The user stopped the check or the import; nothing was imported."""


@dataclass
class ImportOptions:
    customer_id: int | None = None  # for every row whose customer column is empty or missing
    channel: str = "email"  # for every row without a channel
    order_date: dt.date | None = None  # for rows without an order date; None = today
    sheet_name: str | None = None  # None = the workbook's first worksheet with a header row
    header_row: int | None = None  # None = the row matching the most known column names
    # Values written above the header for the whole order ("訂單日期：2026/11/16", "PO No.: 4500123"), field key ->
    # text; they fill in rows that do not say. None = use those found in the sheet, {} = use none.
    sheet_values: Mapping[str, str] | None = None
    limits: ImportLimits = DEFAULT_LIMITS


@dataclass(frozen=True)
class SheetInfo:
    """What the mapping step needs: the sheet, its header row and a few example rows."""

    path: Path
    sheet_name: str
    sheet_names: tuple[str, ...]
    header_row: int  # as Excel numbers rows, from 1
    headers: tuple[str, ...]  # one per column from A; "" where the header cell is empty
    samples: tuple[tuple[str, ...], ...]  # the first few data rows as text, aligned with headers
    row_estimate: int  # rows below the header according to the sheet's own size; 0 when it does not say
    top_rows: tuple[tuple[str, ...], ...] = ()  # the sheet's first rows as text, for choosing the header row
    sheet_values: tuple[tuple[str, str, int], ...] = ()  # (field key, text, row) found above the header
    header_matches: int = 0  # how many known column names the header row matches

    @property
    def signature(self) -> str:
        return header_signature(self.headers)


@dataclass(frozen=True)
class ImportProblem:
    row: int  # the sheet's row number as Excel shows it
    column: str  # column letter, "" when no single column is concerned
    header: str  # that column's header text
    message: str

    def location(self) -> str:
        if self.column:
            return _("Row {row}, column {column} ({header})", row=self.row, column=self.column,
                     header=self.header or self.column)
        return _("Row {row}", row=self.row)


@dataclass(frozen=True)
class PlannedOrder:
    """One order the sheet makes (rows sharing a customer PO), as the preview lists it."""

    first_row: int
    customer: str
    reference: str
    lines: int
    quantity: int
    delivery_date: dt.date | None
    order_no: str = ""  # the generated number once imported


@dataclass(frozen=True)
class SkippedRow:
    row: int
    reason: str  # "blank" or "total"
    text: str = ""  # for a total row, the word that marked it

    def describe(self) -> str:
        if self.reason == "total":
            return _("Row {row} skipped: a total row ({text}).", row=self.row, text=self.text)
        return _("Row {row} skipped: blank.", row=self.row)


@dataclass
class ImportResult:
    sheet_name: str
    header_row: int
    rows: int = 0  # data rows read (blank and total rows not counted)
    empty_rows: int = 0
    total_rows: int = 0
    skipped: list[SkippedRow] = field(default_factory=list)  # the first MAX_KEPT_PROBLEMS of them
    sheet_values: dict[str, str] = field(default_factory=dict)  # field key -> text used for the whole sheet
    orders: list[PlannedOrder] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    problem_count: int = 0
    dry_run: bool = False
    imported: bool = False
    mapping: dict[str, str] = field(default_factory=dict)  # field key -> header used

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    @property
    def line_count(self) -> int:
        return sum(o.lines for o in self.orders)


ProgressCallback = Callable[[str, int, int], None]


# ---- headers and mapping --------------------------------------------------------------------------------------

_PUNCTUATION = re.compile(r"[\s_\-./\\()（）\[\]【】:：#＃№*,，;；'\"`]+")


def normalize_header(text: str) -> str:
    s = unicodedata.normalize("NFKC", str(text or "")).casefold()
    return _PUNCTUATION.sub("", s)


def header_signature(headers: Sequence[str]) -> str:
    """The same header row (whatever the data below) gives the same signature, so its mapping can be remembered."""
    joined = "\x1f".join(normalize_header(h) for h in headers).rstrip("\x1f")
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:20]


def _is_cjk(s: str) -> bool:
    return any("\u2e80" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in s)


def guess_mapping(headers: Sequence[str]) -> dict[str, str]:
    """Field key -> header text, from header names in English and Chinese; each column is used at most once."""
    candidates: list[tuple[int, int, int, str]] = []  # (-exact, -length, column, field)
    for col, header in enumerate(headers):
        norm = normalize_header(header)
        if not norm:
            continue
        for f in IMPORT_FIELDS:
            for syn in (f.key, *f.synonyms):
                n = normalize_header(syn)
                if norm == n:
                    candidates.append((0, -len(n), col, f.key))
                elif (len(n) >= 4 or (_is_cjk(n) and len(n) >= 2)) and n in norm:
                    candidates.append((1, -len(n), col, f.key))
    candidates.sort()
    used_columns: set[int] = set()
    mapping: dict[str, str] = {}
    for _exact, _length, col, key in candidates:
        if key in mapping or col in used_columns:
            continue
        mapping[key] = headers[col]
        used_columns.add(col)
    return {k: mapping[k] for k in FIELD_KEYS if k in mapping}


_COLUMN_LETTERS = re.compile(r"^[A-Za-z]{1,3}$")


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    n = index + 1
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def resolve_mapping(headers: Sequence[str], mapping: Mapping[str, str | None]) -> dict[str, int]:
    """Field key -> column index. A value names a header (or, failing that, a column letter such as "F")."""
    problems: list[str] = []
    resolved: dict[str, int] = {}
    by_header: dict[str, list[int]] = {}
    for i, h in enumerate(headers):
        if h.strip():
            by_header.setdefault(h.strip(), []).append(i)
    for key, header in mapping.items():
        if key not in FIELD_BY_KEY:
            problems.append(_("Unknown field '{field}' in the column mapping; the fields are: {fields}.", field=key,
                              fields=", ".join(FIELD_KEYS)))
            continue
        if header is None or not str(header).strip():
            continue
        header = str(header).strip()
        columns = by_header.get(header)
        if columns is None:
            normalized = [i for i, h in enumerate(headers) if h and normalize_header(h) == normalize_header(header)]
            columns = normalized or None
        if columns is None and _COLUMN_LETTERS.match(header) and _column_index(header) < max(len(headers), 1):
            columns = [_column_index(header)]
        if not columns:
            problems.append(_("{field}: the sheet has no column headed '{header}'.",
                              field=FIELD_BY_KEY[key].label, header=header))
            continue
        if len(columns) > 1:
            problems.append(_("{field}: several columns are headed '{header}' ({columns}); rename them so each "
                              "header is unique.", field=FIELD_BY_KEY[key].label, header=header,
                              columns=", ".join(column_letter(c) for c in columns)))
            continue
        resolved[key] = columns[0]
    if problems:
        raise ValidationError("\n".join(problems), "mapping")
    return resolved


def complete_mapping(headers: Sequence[str], given: Mapping[str, str | None] | None) -> dict[str, str]:
    """The given mapping, with the fields it leaves out guessed from the remaining headers."""
    given = dict(given or {})
    taken = {str(v).strip() for v in given.values() if v}
    guessed = guess_mapping([h if h.strip() not in taken else "" for h in headers])
    merged = {k: v for k, v in guessed.items() if k not in given}
    merged.update({k: str(v) for k, v in given.items() if v})
    # Known fields in their usual order; unknown keys are kept so resolve_mapping can name them.
    return dict(sorted(merged.items(), key=lambda kv: FIELD_KEYS.index(kv[0]) if kv[0] in FIELD_BY_KEY else 99))


def missing_required(mapping: Mapping[str, str | None], has_default_customer: bool) -> list[str]:
    """Labels of the fields without which no row can be imported."""
    needed = list(REQUIRED_FIELDS) + ([] if has_default_customer else ["customer"])
    return [FIELD_BY_KEY[k].label for k in FIELD_KEYS if k in needed and not mapping.get(k)]


# ---- opening the file -----------------------------------------------------------------------------------------

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


def _check_file(path: Path) -> None:
    """Tell what a file is when it is not a workbook, so the clerk knows what to ask the customer for."""
    name = path.name
    if not path.exists():
        raise WorkbookError(_("The file {file} does not exist.", file=str(path)))
    if path.is_dir():
        raise WorkbookError(_("{file} is a folder, not an Excel workbook.", file=str(path)))
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise WorkbookError(_("The file {file} cannot be read: {error}", file=str(path),
                              error=exc.strerror or str(exc))) from exc
    if not head:
        raise WorkbookError(_("{file} is empty (0 bytes); it is not an Excel workbook.", file=name))
    if head.startswith(ZIP_MAGIC):
        return
    if head.startswith(b"%PDF"):
        raise WorkbookError(_("{file} is a PDF document, not an Excel workbook. Ask the customer for the order "
                              "sheet as an Excel file (.xlsx).", file=name))
    if head.startswith(OLE_MAGIC):
        raise WorkbookError(_("{file} is an old Excel file (.xls) or a password-protected workbook. Open it in "
                              "Excel, remove the password if there is one, and save it as an Excel workbook "
                              "(.xlsx).", file=name))
    try:
        sample = head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            sample = head.decode("gb18030")
        except UnicodeDecodeError:
            sample = ""
    if sample and all(ch.isprintable() or ch in "\r\n\t" for ch in sample[:-4]):
        raise WorkbookError(_("{file} is a text file (for example CSV), not an Excel workbook. Open it in Excel "
                              "and save it as an Excel workbook (.xlsx).", file=name))
    raise WorkbookError(_("{file} is not an Excel workbook (.xlsx).", file=name))


class _Book:
    """An open workbook in read-only mode plus the raw parts of it that openpyxl does not expose."""

    def __init__(self, path: str | Path, limits: ImportLimits = DEFAULT_LIMITS):
        from openpyxl import load_workbook

        self.path = Path(path).expanduser()
        self.limits = limits
        self.deadline = limits.deadline()
        _check_file(self.path)
        check_archive(self.path, limits)
        # Every sheet is scanned (bounded) before openpyxl opens the workbook: openpyxl itself parses a whole sheet
        # that does not state its size, which a hostile sheet must not get to.
        self._scans: dict[str, SheetScan] = {}
        for name in self._sheet_members():
            self.scan(name)
        self._fh = self.path.open("rb")
        try:
            self.wb = load_workbook(self._fh, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign ZIP
            self._fh.close()
            raise WorkbookError(_("{file} is not an Excel workbook that can be read (it may be a Word file, a "
                                  "damaged download, or another kind of ZIP file). Open it in Excel and save it "
                                  "again as an Excel workbook (.xlsx).", file=self.path.name)) from exc

    def close(self) -> None:
        try:
            self.wb.close()
        finally:
            self._fh.close()

    def __enter__(self) -> "_Book":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def scan(self, sheet_name: str) -> SheetScan:
        """The sheet's bounded scan, done once per opening."""
        if sheet_name not in self._scans:
            self._scans[sheet_name] = _scan_sheet(self, sheet_name)
        return self._scans[sheet_name]

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise time_exceeded(self.limits)

    @property
    def sheet_names(self) -> tuple[str, ...]:
        return tuple(ws.title for ws in self.wb.worksheets)

    def sheet(self, name: str | None):
        sheets = self.wb.worksheets
        if not sheets:
            raise WorkbookError(_("{file} has no worksheet (only charts).", file=self.path.name))
        if name is None:
            return sheets[0]
        for ws in sheets:
            if ws.title == name:
                return ws
        raise WorkbookError(_("{file} has no sheet named '{sheet}'; its sheets are: {sheets}.", file=self.path.name,
                              sheet=name, sheets=", ".join(self.sheet_names)))

    def sheet_xml_path(self, name: str) -> str | None:
        return self._sheet_members().get(name)

    def _sheet_members(self) -> dict[str, str]:
        """Sheet name -> the ZIP member holding its XML, found the way Excel finds it (workbook.xml, relations)."""
        found: dict[str, str] = {}
        try:
            with zipfile.ZipFile(self.path) as zf:
                members = set(zf.namelist())
                wb_path = "xl/workbook.xml"
                rels_root = ElementTree.fromstring(zf.read("_rels/.rels")) if "_rels/.rels" in members else None
                if rels_root is not None:
                    for rel in rels_root:
                        if rel.get("Type", "").endswith("/officeDocument"):
                            wb_path = rel.get("Target", wb_path).lstrip("/")
                folder = wb_path.rsplit("/", 1)[0] if "/" in wb_path else ""
                wb_rels = f"{folder}/_rels/{wb_path.rsplit('/', 1)[-1]}.rels" if folder else f"_rels/{wb_path}.rels"
                targets = {rel.get("Id"): rel.get("Target", "")
                           for rel in ElementTree.fromstring(zf.read(wb_rels))}
                for sheet in ElementTree.fromstring(zf.read(wb_path)).iter():
                    if sheet.tag.endswith("}sheet") and sheet.get("name"):
                        rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
                        target = targets.get(rid, "")
                        if not target:
                            continue
                        member = target.lstrip("/") if target.startswith("/") else (
                            f"{folder}/{target}" if folder else target)
                        if member in members:
                            found[sheet.get("name")] = member
        except (KeyError, zipfile.BadZipFile, ElementTree.ParseError):
            return found
        return found


# ---- scanning the sheet's XML for what openpyxl's read-only mode hides ----------------------------------------

def _scan_sheet(book: "_Book", sheet_name: str) -> SheetScan:
    """Merged ranges, formulas without a calculated value and the row count, in one bounded streamed pass; run
    before openpyxl reads a single row, so a hostile sheet is refused before it costs anything."""
    member = book.sheet_xml_path(sheet_name)
    if member is None:
        return SheetScan()
    try:
        with zipfile.ZipFile(book.path) as zf:
            return scan_sheet_xml(zf, member, book.limits, book.deadline)
    except KeyError:
        return SheetScan()


# ---- cell values ------------------------------------------------------------------------------------------------

ERROR_VALUES = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                          "#SPILL!", "#CALC!"})


def as_text(value: object) -> str:
    """A cell as the clerk reads it: numbers without a spurious '.0', dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        # Excel keeps 15 significant digits; more would show float noise such as 3.1250000000000004.
        return format(Decimal(format(value, ".15g")).normalize(), "f")
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return " ".join(str(value).split()) if isinstance(value, str) else str(value)


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


_MONTHS = {name: i for i, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")), start=1) for name in names}
_YEAR_FIRST = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DAY_DOT = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")  # 16.11.2026: day first, as written in Europe
_SLASHED = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$")
_DAY_MONTH_NAME = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s\-/.]*([A-Za-z]{3,9})\.?[\s\-/.,]*(\d{4}|\d{2})$")
_MONTH_NAME_DAY = re.compile(r"^([A-Za-z]{3,9})\.?[\s\-/.]*(\d{1,2})(?:st|nd|rd|th)?[\s,\-/.]+(\d{4})$")


def _date_or_none(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_sheet_date(value: object) -> dt.date | None:
    """Accepted: date cells, and text in the forms customers write — 2026-11-16, 2026/11/16, 2026.11.16, 20261116,
    2026年11月16日, 16.11.2026 (dots: day first), 16-Nov-2026, 16 November 2026, Nov 16, 2026, and 16/11/2026 or
    11/16/2026 when the numbers show which is the month (a time after the date is ignored). Text such as 05/11/2026,
    where either number could be the month, is refused rather than guessed."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = as_text(value)
        if not re.fullmatch(r"\d{8}", text):
            return None
        value = text
    s = unicodedata.normalize("NFKC", str(value)).strip()
    s = re.sub(r"[T\s]+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", "", s).strip()
    s = re.sub(r"\s*\((?:週|周|星期)?[一二三四五六日天]\)$", "", s)  # 2026年11月16日(一)
    m = _YEAR_FIRST.match(s) or _COMPACT.match(s)
    if m:
        return _date_or_none(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _DAY_DOT.match(s)
    if m:
        return _date_or_none(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    m = _SLASHED.match(s)
    if m:
        first, second, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if first > 12 >= second:
            return _date_or_none(year, second, first)
        if second > 12 >= first:
            return _date_or_none(year, first, second)
        return None  # either could be the month
    m = _DAY_MONTH_NAME.match(s)
    if m and m.group(2).casefold() in _MONTHS:
        year = int(m.group(3))
        return _date_or_none(year + 2000 if year < 100 else year, _MONTHS[m.group(2).casefold()], int(m.group(1)))
    m = _MONTH_NAME_DAY.match(s)
    if m and m.group(1).casefold() in _MONTHS:
        return _date_or_none(int(m.group(3)), _MONTHS[m.group(1).casefold()], int(m.group(2)))
    return None


def _lookup_table(pairs: Mapping[str, str], extra: Mapping[str, str]) -> dict[str, str]:
    """Key -> key for the keys themselves, their labels in every language, and the trade's own words."""
    table: dict[str, str] = {}
    for key, msgid in pairs.items():
        table[normalize_header(key)] = key
        for lang in LANGUAGES:
            table.setdefault(normalize_header(tr(msgid, lang)), key)
    for word, key in extra.items():
        table[normalize_header(word)] = key
    return table


_METAL_WORDS = {
    "24K": "Au999", "足金": "Au999", "千足金": "Au999", "G999": "Au999", "AU999.9": "Au999", "999": "Au999",
    "22K": "Au916", "G916": "Au916", "916": "Au916",
    "18K": "Au750", "18KG": "Au750", "18K金": "Au750", "G750": "Au750", "750": "Au750", "18KW": "Au750",
    "18KY": "Au750", "18KR": "Au750", "18K白": "Au750", "18K黃": "Au750", "18K黄": "Au750", "18K玫瑰": "Au750",
    "14K": "Au585", "14KG": "Au585", "14K金": "Au585", "G585": "Au585", "585": "Au585",
    "9K": "Au375", "9KG": "Au375", "9K金": "Au375", "G375": "Au375", "375": "Au375",
    "PT950": "Pt950", "鉑金950": "Pt950", "铂金950": "Pt950", "PT900": "Pt900", "鉑金900": "Pt900", "铂金900": "Pt900",
    "PD950": "Pd950", "鈀金950": "Pd950", "钯金950": "Pd950",
    "S925": "Ag925", "925": "Ag925", "925銀": "Ag925", "925银": "Ag925", "STERLING": "Ag925", "STERLINGSILVER": "Ag925",
    "S999": "Ag999", "足銀": "Ag999", "足银": "Ag999",
}
_STONE_WORDS = {
    "鑽": "diamond", "钻": "diamond", "DIA": "diamond", "DIAMONDS": "diamond", "真鑽": "diamond", "真钻": "diamond",
    "CZ": "cz", "ZIRCON": "cz", "ZIRCONIA": "cz", "鋯": "cz", "锆": "cz",
    "紅寶": "ruby", "红宝": "ruby", "藍寶": "sapphire", "蓝宝": "sapphire", "綠寶石": "emerald", "绿宝石": "emerald",
    "玉": "jade", "翡翠": "jade", "PEARLS": "pearl",
}
_CHANNEL_WORDS = {
    "EMAIL": "email", "MAIL": "email", "郵件": "email", "邮件": "email", "電郵": "email", "电邮": "email",
    "電子郵件": "email", "电子邮件": "email", "電話": "phone", "电话": "phone", "TEL": "phone", "TELEPHONE": "phone",
    "展會": "trade_fair", "展会": "trade_fair", "FAIR": "trade_fair", "TRADESHOW": "trade_fair",
    "網店": "online", "网店": "online", "線上": "online", "线上": "online", "網上": "online", "网上": "online",
    "ONLINE": "online", "WEB": "online", "介紹": "referral", "介绍": "referral", "REFERRAL": "referral",
    "行業活動": "industry_event", "行业活动": "industry_event",
}
_METALS = _lookup_table(METALS, _METAL_WORDS)
_KARATS = {"24": "Au999", "22": "Au916", "18": "Au750", "14": "Au585", "9": "Au375"}
_FINENESS = {"999": "Au999", "9999": "Au999", "916": "Au916", "750": "Au750", "585": "Au585", "375": "Au375"}
_COLOURS = ("白", "黃", "黄", "玫瑰", "紅", "红", "粉", "WHITE", "YELLOW", "ROSE", "PINK", "RED", "W", "Y", "R", "WG",
            "YG", "RG")


def metal_from_text(text: str) -> str:
    """The metal and fineness a customer wrote in their own words: 18K金, 18K白金, 18KW, 750 → Au750; 足金, 千足金,
    999金 → Au999; PT950, 鉑金950, 950鉑金 → Pt950; 925銀, S925 → Ag925; 14K → Au585. "" when it cannot be told."""
    norm = normalize_header(text).upper()
    if not norm:
        return ""
    if norm in _METALS or norm.casefold() in _METALS:
        return _METALS.get(norm) or _METALS[norm.casefold()]
    if re.search(r"千足金|足金|24K", norm):
        return "Au999"
    platinum = re.search(r"(?:PT|鉑金?|铂金?|白金?)(950|900|999)|(950|900|999)(?:PT|鉑金?|铂金?)", norm)
    if platinum and (norm.startswith(("PT", "鉑", "铂")) or "PT" in norm or "鉑" in norm or "铂" in norm):
        return {"950": "Pt950", "900": "Pt900", "999": "Pt950"}.get(platinum.group(1) or platinum.group(2), "")
    palladium = re.search(r"(?:PD|鈀金?|钯金?)(950)|(950)(?:PD|鈀金?|钯金?)", norm)
    if palladium:
        return "Pd950"
    silver = re.search(r"(?:S|AG|STERLING|銀|银)(925|999)|(925|999)(?:S|AG|銀|银|SILVER)", norm)
    if silver:
        return "Ag925" if (silver.group(1) or silver.group(2)) == "925" else "Ag999"
    karat = re.fullmatch(r"(?:AU|G)?(24|22|18|14|10|9)(?:K|KT|CT)(?:GOLD|金)?(?:白|黃|黄|玫瑰|紅|红|粉|WHITE|YELLOW|ROSE|"
                         r"PINK|RED|W|Y|R|WG|YG|RG|P)?(?:色)?(?:金|GOLD)?", norm)
    if karat:
        return _KARATS.get(karat.group(1), "")
    fineness = re.fullmatch(r"(?:AU|G)?(9999|999|916|750|585|375)(?:金|GOLD)?(?:白|黃|黄|玫瑰|紅|红|W|Y|R)?(?:金)?", norm)
    if fineness:
        return _FINENESS[fineness.group(1)]
    return ""


def metal_colour(text: str) -> str:
    """The colour a customer wrote with the metal (18K白金 → 白), kept with the line so it is not lost."""
    norm = unicodedata.normalize("NFKC", text).upper()
    for word in ("玫瑰", "白", "黃", "黄", "紅", "红", "WHITE", "YELLOW", "ROSE"):
        if word in norm:
            return word.lower() if word.isascii() else word
    m = re.search(r"\d\s*K\s*(WG|YG|RG|W|Y|R)\b", norm)
    if m:
        return {"W": "white", "Y": "yellow", "R": "rose"}[m.group(1)[0]]
    return ""
_STONES = _lookup_table(STONE_TYPES, _STONE_WORDS)
_CHANNELS = _lookup_table(CHANNELS, _CHANNEL_WORDS)


# Units customers write after a number, per kind of field; the number is kept as text so it stays exact.
UNITS = {
    "count": ("pcs", "pc", "pce", "piece", "pieces", "件", "隻", "只", "個", "个", "粒", "顆", "颗", "枚", "對", "对",
              "套", "條", "条", "pair", "pairs", "set", "sets", "ea"),
    "grams": ("g", "gr", "gram", "grams", "克", "公克"),
    "carats": ("ct", "cts", "carat", "carats", "克拉", "卡"),
    "money": ("hkd", "hk$", "usd", "us$", "cny", "rmb", "元", "eur", "$", "¥", "￥", "€", "港元", "港幣", "港币", "美元",
              "人民幣", "人民币"),
}
_FIELD_UNITS = {"quantity": "count", "stone_count": "count", "target_weight_g": "grams", "stone_carat": "carats",
                "unit_price": "money"}
_NUMBER = r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+]?\.\d+"


def _unit_pattern(units: Sequence[str]) -> re.Pattern:
    alternatives = "|".join(re.escape(u) for u in sorted(units, key=len, reverse=True))
    return re.compile(rf"^(?:(?:{alternatives})\s*)?({_NUMBER})\s*(?:{alternatives})?\.?$", re.I)


_UNIT_PATTERNS = {kind: _unit_pattern(units) for kind, units in UNITS.items()}


def strip_unit(text: str, kind: str) -> str:
    """'50 pcs' -> '50', '3.125g' -> '3.125', '3.125 克' -> '3.125', 'HK$ 2,380.50' -> '2380.50'; text without a
    known unit of this kind comes back as it was (and the field's check names it)."""
    s = unicodedata.normalize("NFKC", text).strip()
    m = _UNIT_PATTERNS[kind].match(s)
    if not m:
        return text.strip()
    return m.group(1).replace(",", "")


def _number_text(value: object, key: str = "") -> str:
    if not isinstance(value, str):
        return as_text(value)
    kind = _FIELD_UNITS.get(key)
    return strip_unit(value, kind) if kind else value.strip()


# ---- reading the rows -------------------------------------------------------------------------------------------

# Fields a customer may write once above the header for the whole order ("訂單日期：2026/11/16").
SHEET_LEVEL_FIELDS = ("customer", "customer_po", "channel", "order_date", "delivery_date", "delivery_place",
                      "currency")
_EXACT_NAMES = {normalize_header(name): f.key for f in IMPORT_FIELDS if f.key in SHEET_LEVEL_FIELDS
                for name in (f.key, *f.synonyms)}
# A row holding one of these words is the sheet's total, not an order line.
TOTAL_WORDS = frozenset(normalize_header(w) for w in (
    "合計", "合计", "總計", "总计", "小計", "小计", "總數", "总数", "共計", "共计", "總共", "总共", "合計數量", "合计数量",
    "Total", "Totals", "Grand total", "Subtotal", "Sub-total", "Sum", "Total qty", "Total quantity"))
TOP_ROW_COLUMNS = 30  # columns of the top rows kept for the wizard's view of the sheet


def _cells_text(values: Sequence[object]) -> list[str]:
    cells = [as_text(v) for v in values]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _header_score(cells: Sequence[str]) -> int:
    """How many known column names a row holds: the header row is the row that holds the most."""
    return len(guess_mapping(cells))


def _sheet_values(top: Sequence[Sequence[str]], header_row: int) -> tuple[tuple[str, str, int], ...]:
    """(field key, text, row) written above the header as "label: value" in one cell, or label and value in
    neighbouring cells; the first of each field wins."""
    found: dict[str, tuple[str, str, int]] = {}
    for row_no, cells in enumerate(top[:header_row - 1], 1):
        for i, cell in enumerate(cells):
            if not cell:
                continue
            label, colon, value = re.split(r"([:：])", cell, maxsplit=1) if re.search(r"[:：]", cell) else (cell, "", "")
            key = _EXACT_NAMES.get(normalize_header(label))
            if key is None or key in found:
                continue
            value = value.strip()
            if not value:
                following = [c for c in cells[i + 1:i + 4] if c]
                # Without a colon only the very next cell is the value: "PO No. | 4500123".
                if following and (colon or (i + 1 < len(cells) and cells[i + 1])):
                    value = following[0]
                    if not colon and _EXACT_NAMES.get(normalize_header(value)):
                        continue  # two labels side by side: a header-like row, not a value
            if value:
                found[key] = (key, value, row_no)
    return tuple(found[k] for k in FIELD_KEYS if k in found)


@dataclass(frozen=True)
class _SheetHead:
    ws: object
    estimate: int
    header_row: int
    headers: tuple[str, ...]
    samples: tuple[tuple[str, ...], ...]
    top_rows: tuple[tuple[str, ...], ...]
    sheet_values: tuple[tuple[str, str, int], ...]
    score: int


def _open_sheet(book: _Book, sheet_name: str | None, header_row: int | None = None) -> _SheetHead:
    """The sheet, its header row and what lies above and just below it. Without a name, the first sheet that has a
    header row: an order sheet often comes after a sheet of instructions."""
    if sheet_name is not None:
        candidates = [book.sheet(sheet_name)]
    else:
        book.sheet(None)  # refuses a workbook without any worksheet
        candidates = list(book.wb.worksheets)
    first_error: WorkbookError | None = None
    for ws in candidates:
        scan = book.scan(ws.title)  # every limit is checked before openpyxl reads a row
        ws.reset_dimensions()  # a wrong size in the file must not hide rows or columns
        try:
            head = _find_header(ws, header_row, book.limits)
        except WorkbookError as exc:
            if sheet_name is not None or header_row is not None:
                raise
            first_error = first_error or exc
            continue
        _refuse_merged_header(scan.merged, head[0], head[1])
        found_row, headers, samples, top, score = head
        estimate = max(0, scan.last_row - found_row)
        return _SheetHead(ws, estimate, found_row, headers, samples, top, _sheet_values(top, found_row), score)
    raise first_error


def inspect_workbook(path: str | Path, sheet_name: str | None = None, header_row: int | None = None,
                     limits: ImportLimits = DEFAULT_LIMITS) -> SheetInfo:
    """Open the workbook within the limits, find the header row (the row matching the most known column names,
    or the one given), the values written above it for the whole sheet, and a few example rows."""
    with _Book(path, limits) as book:
        head = _open_sheet(book, sheet_name, header_row)
        return SheetInfo(path=book.path, sheet_name=head.ws.title, sheet_names=book.sheet_names,
                         header_row=head.header_row, headers=head.headers, samples=head.samples,
                         row_estimate=head.estimate, top_rows=head.top_rows, sheet_values=head.sheet_values,
                         header_matches=head.score)


def _find_header(ws, header_row: int | None, limits: ImportLimits):
    """(header row, headers, example rows, top rows as text, matches)."""
    top: list[tuple[str, ...]] = []
    last = HEADER_SEARCH_ROWS + 5
    for values in ws.iter_rows(min_row=1, max_row=last, max_col=limits.max_columns, values_only=True):
        top.append(tuple(_cells_text(values)))
    while len(top) < min(last, HEADER_SEARCH_ROWS):
        top.append(())
    if header_row is not None:
        if not 1 <= header_row <= HEADER_SEARCH_ROWS:
            raise WorkbookError(_("The header row must be one of the first {n} rows of the sheet.",
                                  n=HEADER_SEARCH_ROWS))
        if sum(1 for c in top[header_row - 1] if c) < 2:
            raise WorkbookError(_("Row {row} of the sheet '{sheet}' does not name the columns (it has fewer than two "
                                  "filled cells); choose the row that holds the column headers.", row=header_row,
                                  sheet=ws.title))
        chosen = header_row
    else:
        scored = [(_header_score(cells), -row_no) for row_no, cells in enumerate(top[:HEADER_SEARCH_ROWS], 1)
                  if sum(1 for c in cells if c) >= 2]
        if not scored:
            raise WorkbookError(_("The sheet '{sheet}' has no header row: none of its first {n} rows has two or more "
                                  "filled cells. The order sheet needs one header row naming its columns.",
                                  sheet=ws.title, n=HEADER_SEARCH_ROWS))
        best_score, best_row = max(scored)
        # With no known name anywhere, the first row of two or more cells (the clerk maps its columns by hand).
        chosen = -best_row if best_score else -max(r for _s, r in scored)
    headers = top[chosen - 1]
    samples = []
    for cells in top[chosen:]:
        if any(cells) and not _is_total(cells):
            samples.append(tuple(list(cells[:len(headers)]) + [""] * (len(headers) - len(cells[:len(headers)]))))
    return chosen, headers, tuple(samples), tuple(tuple(c[:TOP_ROW_COLUMNS] for c in top)), \
        _header_score(headers)


def _is_total(cells: Sequence[object]) -> str:
    """The word that makes a row the sheet's total row ("" when it is not one)."""
    for cell in cells:
        if isinstance(cell, str) and cell and len(cell) < 40 and normalize_header(cell) in TOTAL_WORDS:
            return cell.strip()
    return ""


def _refuse_merged_header(merged: Sequence[MergedRange], header_row: int, headers: Sequence[str]) -> None:
    bad = [m.ref for m in merged if m.first_row <= header_row <= m.last_row and m.first_col < max(len(headers), 1)]
    if bad:
        raise WorkbookError(_("The header cells {ranges} are merged. Unmerge them so that the header row has one "
                              "cell per column, each naming its column (e.g. 'Stone count' and 'Stone carats' "
                              "instead of one merged 'Stone').", ranges=", ".join(bad)))


@dataclass
class _Row:
    number: int
    values: dict[str, object]  # field key -> raw cell value (non-empty cells only)


class _ProblemLog:
    def __init__(self, headers: Sequence[str], columns: Mapping[str, int]):
        self.headers = headers
        self.columns = columns
        self.items: list[ImportProblem] = []
        self.count = 0
        self.seen: set[tuple[int, str]] = set()

    def add(self, row: int, field_key: str, message: str, *, column: int | None = None) -> None:
        key = (row, field_key)
        if field_key and key in self.seen:
            return  # the first message about a cell is the precise one; the service's echo of it adds nothing
        self.seen.add(key)
        self.count += 1
        if len(self.items) >= MAX_KEPT_PROBLEMS:
            return
        col = self.columns.get(field_key) if column is None else column
        letter = column_letter(col) if col is not None else ""
        header = self.headers[col] if col is not None and col < len(self.headers) else ""
        self.items.append(ImportProblem(row, letter, header, message))


def _read_rows(book: _Book, ws, header_row: int, headers: Sequence[str], columns: Mapping[str, int],
               scan: SheetScan, sheet_values: Mapping[str, str], log: _ProblemLog, result: ImportResult,
               progress: ProgressCallback | None, should_stop: Callable[[], bool] | None, total: int) -> list[_Row]:
    """The data rows below the header; blank rows and total rows are skipped and listed in the result."""
    limits = book.limits
    rows: list[_Row] = []
    width = min(max(max(columns.values()) + 1, len(headers)), limits.max_columns)
    reading = _("Reading the workbook")
    for m in scan.merged:
        touched = [c for c in columns.values() if m.first_col <= c <= m.last_col]
        if m.last_row > header_row and touched:
            log.add(max(m.first_row, header_row + 1), "",
                    _("Cells {range} are merged. Unmerge them and fill in every row, so each row holds its own "
                      "values.", range=m.ref), column=min(touched))
    mapped = list(columns.items())
    pending_blank: list[int] = []  # blank rows count once a filled row follows them (trailing ones are no rows)

    def skip(row: SkippedRow) -> None:
        if len(result.skipped) < MAX_KEPT_PROBLEMS:
            result.skipped.append(row)

    offset = -1
    for offset, values in enumerate(ws.iter_rows(min_row=header_row + 1, max_col=width, values_only=True)):
        number = header_row + 1 + offset
        if offset % CHECK_STOP_EVERY == 0:
            if should_stop is not None and should_stop():
                raise ImportCancelled(_("Cancelled; nothing was imported."))
            if progress is not None:
                progress(reading, offset, total)
            book.check_time()
        if number > limits.max_rows:
            raise too_many_rows(limits, offset + 1)
        for col, value in enumerate(values):
            if isinstance(value, str) and len(value) > limits.max_cell_chars:
                raise cell_too_long(limits, f"{column_letter(col)}{number}")
        if not any(not _is_empty(v) for v in values):
            pending_blank.append(number)
            continue
        total_word = _is_total(values)
        for blank in pending_blank:
            skip(SkippedRow(blank, "blank"))
        result.empty_rows += len(pending_blank)
        pending_blank.clear()
        if total_word:
            result.total_rows += 1
            skip(SkippedRow(number, "total", total_word))
            continue
        row: dict[str, object] = {}
        for key, col in mapped:
            value = values[col] if col < len(values) else None
            if _is_empty(value):
                if (number, col) in scan.uncached_formulas:
                    log.add(number, key, _("Cell {cell} holds a formula that has no calculated value. Open the "
                                           "workbook in Excel, let it calculate and save it, or paste the values "
                                           "instead of the formula.", cell=f"{column_letter(col)}{number}"))
                    row[key] = None
                continue
            if isinstance(value, str) and value.strip() in ERROR_VALUES:
                log.add(number, key, _("Cell {cell} shows the error {error}; correct the formula or the value.",
                                       cell=f"{column_letter(col)}{number}", error=value.strip()))
            row[key] = value
        if not row:
            # Only columns that are not imported are filled (a running number, a picture's caption).
            result.empty_rows += 1
            skip(SkippedRow(number, "blank"))
            continue
        for key, text in sheet_values.items():
            if _is_empty(row.get(key)) and key not in row:
                row[key] = text
        rows.append(_Row(number, row))
    if progress is not None:
        progress(reading, offset + 1, max(total, offset + 1))
    result.rows = len(rows)
    return rows


# ---- customers, references, grouping ----------------------------------------------------------------------------

def _chunks(items: Sequence, size: int = 500) -> Iterator[Sequence]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


class _Customers:
    """Customers named in the sheet, found by code, then by name or English name (case ignored).

    The loaded Customer objects are kept referenced for the whole transaction: the session would otherwise forget
    them between orders and load each one again for every order."""

    def __init__(self, session: Session, texts: set[str], default_id: int | None):
        self.by_code: dict[str, Customer] = {}
        self.by_name: dict[str, list[Customer]] = {}
        self.default: Customer | None = session.get(Customer, default_id) if default_id else None
        wanted = sorted({t.strip().casefold() for t in texts if t.strip()})
        for part in _chunks(wanted):
            for c in session.scalars(select(Customer).where(or_(func.lower(Customer.code).in_(part),
                                                                func.lower(Customer.name).in_(part),
                                                                func.lower(Customer.name_en).in_(part)))):
                self.by_code[c.code.casefold()] = c
                for n in {c.name.casefold(), (c.name_en or "").casefold()} - {""}:
                    self.by_name.setdefault(n, [])
                    if c not in self.by_name[n]:
                        self.by_name[n].append(c)

    def find(self, text: str) -> tuple[Customer | None, str]:
        """(customer, problem message)."""
        key = text.strip().casefold()
        if key in self.by_code:
            return self.by_code[key], ""
        named = self.by_name.get(key, [])
        if len(named) == 1:
            return named[0], ""
        if len(named) > 1:
            return None, _("Several customers are called '{name}' ({codes}); write the customer code instead.",
                           name=text, codes=", ".join(sorted(c.code for c in named)))
        return None, _("No customer has the code or name '{name}'. Create the customer first, or correct the "
                       "name.", name=text)


def _po_prefixes() -> list[str]:
    return sorted({tr(PO_NOTE_MSGID, lang, po="") for lang in LANGUAGES})


def _existing_references(session: Session, customer_ids: set[int]) -> dict[tuple[int, str], str]:
    """(customer id, PO) -> order no. of orders imported before, so the same sheet is not imported twice."""
    found: dict[tuple[int, str], str] = {}
    prefixes = _po_prefixes()
    for part in _chunks(sorted(customer_ids)):
        stmt = (select(Order.customer_id, Order.order_no, func.substr(Order.special_requirements, 1, 300))
                .where(Order.customer_id.in_(part), Order.stage.notin_(["cancelled", "abandoned"]),
                       or_(*[Order.special_requirements.like(p + "%") for p in prefixes])))
        for customer_id, order_no, text in session.execute(stmt):
            first = (text or "").split("\n", 1)[0]
            for p in prefixes:
                if first.startswith(p):
                    found.setdefault((customer_id, first[len(p):].strip()), order_no)
                    break
    return found


@dataclass
class _Group:
    customer: Customer | None
    customer_text: str
    reference: str
    rows: list[_Row]


def _group_rows(rows: list[_Row], has_po: bool, customers: _Customers, log: _ProblemLog) -> list[_Group]:
    """Rows of one customer sharing a customer PO form one order; without a PO column every row is an order.
    A customer may be written by code in one row and by name in the next: rows are grouped by the customer found."""
    groups: dict[tuple[object, str], _Group] = {}
    singles: list[_Group] = []
    found: dict[str, tuple[Customer | None, str]] = {}
    for row in rows:
        customer_text = as_text(row.values.get("customer"))
        if customer_text:
            if customer_text not in found:
                found[customer_text] = customers.find(customer_text)
            customer, problem = found[customer_text]
        else:
            customer = customers.default
            problem = "" if customer is not None else _("No customer: the customer column is empty and no customer "
                                                        "was chosen for the whole sheet.")
        if problem:
            log.add(row.number, "customer", problem)
        reference = as_text(row.values.get("customer_po")) if has_po else ""
        if has_po and not reference:
            log.add(row.number, "customer_po", _("The customer PO is empty; rows are put together into orders by "
                                                 "their customer PO, so every row needs one."))
        if not reference:
            singles.append(_Group(customer, customer_text, "", [row]))
            continue
        key = (customer.id if customer is not None else customer_text.casefold(), reference)
        group = groups.get(key)
        if group is None:
            groups[key] = _Group(customer, customer_text, reference, [row])
        else:
            group.rows.append(row)
    ordered = list(groups.values()) + singles
    ordered.sort(key=lambda g: g.rows[0].number)
    return ordered


# ---- turning a group of rows into an order input ----------------------------------------------------------------

class _Converter:
    """Builds the OrderInput of one group and remembers which row and column each value came from."""

    def __init__(self, log: _ProblemLog, columns: Mapping[str, int], options: ImportOptions, po_lang: str,
                 today: dt.date):
        self.log = log
        self.columns = columns
        self.options = options
        self.po_lang = po_lang
        self.today = today

    def _header_value(self, group: _Group, key: str, parse: Callable[[int, object], object | None]):
        """The first filled value of an order-level column in the group; later rows must agree with it."""
        chosen, chosen_row, shown = None, None, ""
        for row in group.rows:
            raw = row.values.get(key)
            if _is_empty(raw):
                continue
            value = parse(row.number, raw)
            if value is None:
                continue
            if chosen_row is None:
                chosen, chosen_row, shown = value, row.number, as_text(raw)
            elif value != chosen:
                self.log.add(row.number, key, _("{field} '{value}' differs from '{first}' in row {row}; the rows of "
                                                "one customer PO form one order and must agree.",
                                                field=FIELD_BY_KEY[key].label, value=as_text(raw), first=shown,
                                                row=chosen_row))
        return chosen, chosen_row

    def _date(self, key: str):
        def parse(row_no: int, raw: object):
            value = parse_sheet_date(raw)
            if value is None:
                self.log.add(row_no, key, _("{field}: '{value}' is not a date, or its day and month cannot be "
                                            "told apart. Use a date cell, or write it as 2026-12-31, 2026/12/31, "
                                            "2026年12月31日, 31.12.2026 or 31-Dec-2026.",
                                            field=FIELD_BY_KEY[key].label, value=as_text(raw)[:40]))
            return value
        return parse

    def _choice(self, key: str, table: Mapping[str, str], known: Mapping[str, str]):
        def parse(row_no: int, raw: object):
            value = table.get(normalize_header(as_text(raw)))
            if value is None:
                self.log.add(row_no, key, _("{field}: '{value}' is not known; use one of: {choices}.",
                                            field=FIELD_BY_KEY[key].label, value=as_text(raw)[:40],
                                            choices=", ".join(f"{k} ({_(v)})" for k, v in known.items())))
            return value
        return parse

    @staticmethod
    def _text(_row_no: int, raw: object) -> str:
        return as_text(raw)

    def build(self, group: _Group, customer: Customer | None) -> tuple[OrderInput, dict[str, int]]:
        """The order input, and for each order-level field the row its value came from."""
        sources: dict[str, int] = {}

        def take(key, parse):
            value, row_no = self._header_value(group, key, parse)
            if row_no is not None:
                sources[key] = row_no
            return value

        channel = take("channel", self._choice("channel", _CHANNELS, CHANNELS)) or self.options.channel
        order_date = take("order_date", self._date("order_date")) or self.options.order_date or self.today
        delivery_date = take("delivery_date", self._date("delivery_date"))
        delivery_place = take("delivery_place", self._text) or ""
        currency = (take("currency", self._text) or "").upper()
        notes: list[str] = []
        if group.reference:
            notes.append(tr(PO_NOTE_MSGID, self.po_lang, po=group.reference))
        for row in group.rows:
            note = as_text(row.values.get("special_requirements"))
            if note and note not in notes:
                notes.append(note)
                sources.setdefault("special_requirements", row.number)
        lines = [self._line(row) for row in group.rows]
        data = OrderInput(customer_id=customer.id if customer else None, channel=channel, order_date=order_date,
                          delivery_date=delivery_date, delivery_place=delivery_place,
                          special_requirements="\n".join(notes), currency=currency, lines=lines)
        return data, sources

    def _line(self, row: _Row) -> LineInput:
        v = row.values
        metal_raw = v.get("metal")
        metal = ""
        if not _is_empty(metal_raw):
            metal = metal_from_text(as_text(metal_raw))
            if not metal:
                self.log.add(row.number, "metal", _("Metal: '{value}' is not known; write the metal and fineness "
                                                    "such as Au750 (18K), Au999 (足金), Pt950 or Ag925.",
                                                    value=as_text(metal_raw)[:40]))
        stones: list[StoneInput] = []
        stone_values = [v.get("stone_type"), v.get("stone_count"), v.get("stone_carat")]
        if any(not _is_empty(x) for x in stone_values):
            stone_raw = stone_values[0]
            stone_type = _STONES.get(normalize_header(as_text(stone_raw)), "") if not _is_empty(stone_raw) else ""
            if not _is_empty(stone_raw) and not stone_type:
                self.log.add(row.number, "stone_type",
                             _("Stone type: '{value}' is not known; use one of: {choices}.",
                               value=as_text(stone_raw)[:40],
                               choices=", ".join(_(label) for label in STONE_TYPES.values())))
            stones.append(StoneInput(stone_type,
                                     _number_text(stone_values[1], "stone_count") if stone_values[1] is not None
                                     else "",
                                     _number_text(stone_values[2], "stone_carat") if stone_values[2] is not None
                                     else ""))

        def number(key: str):
            raw = v.get(key)
            return None if _is_empty(raw) else _number_text(raw, key)

        description = as_text(v.get("description"))
        colour = metal_colour(as_text(metal_raw)) if metal else ""
        if colour and as_text(metal_raw) not in description:
            # The metal column holds no colour, so the customer's own word (18K白金) goes with the description.
            description = f"{description} ({as_text(metal_raw)})" if description else as_text(metal_raw)
        return LineInput(style_code=as_text(v.get("style_code")), metal=metal, quantity=number("quantity") or "",
                         description=description, size=as_text(v.get("size")),
                         target_weight_g=number("target_weight_g"), unit_price=number("unit_price"), stones=stones)


_LINE_FIELD = re.compile(r"^lines\[(\d+)\]\.(\w+)(?:\[(\d+)\]\.(\w+))?$")
_SERVICE_LINE_FIELDS = {"style_code": "style_code", "description": "description", "size": "size",
                        "quantity": "quantity", "target_weight": "target_weight_g", "unit_price": "unit_price",
                        "metal": "metal", "stones": "stone_type"}
_SERVICE_STONE_FIELDS = {"type": "stone_type", "count": "stone_count", "carat": "stone_carat"}
_ORDER_FIELDS_WITH_FALLBACK = {"lines": "customer_po", "priority": "customer_po", "order_no": "customer_po"}


def _locate(problem_field: str, group: _Group, sources: Mapping[str, int]) -> tuple[int, str]:
    """Where in the sheet a problem the order service names by field lies: (row, import field key)."""
    m = _LINE_FIELD.match(problem_field)
    if m:
        index = int(m.group(1)) - 1
        row = group.rows[index].number if 0 <= index < len(group.rows) else group.rows[0].number
        if m.group(3):
            return row, _SERVICE_STONE_FIELDS.get(m.group(4), "stone_type")
        return row, _SERVICE_LINE_FIELDS.get(m.group(2), "")
    key = _ORDER_FIELDS_WITH_FALLBACK.get(problem_field, problem_field)
    if key not in FIELD_BY_KEY:
        key = ""
    return sources.get(key, group.rows[0].number), key


# ---- the import ---------------------------------------------------------------------------------------------------

@dataclass
class _Prepared:
    """One order checked and built outside the write transaction, ready for the short insert: the driver's values of
    its row, of its lines' rows and of their stones' rows (every column through its type's bind processing), and the
    texts of its creation event. Only its number, keys and time stamps are given under the write lock."""

    group: _Group
    order: Order  # built outside any write transaction (never added to a session)
    planned: PlannedOrder
    line_snapshots: list[dict]  # the audit event's "lines", as intake's order snapshot makes them
    order_values: list = field(default_factory=list)
    line_values: list[tuple[list, list[list]]] = field(default_factory=list)
    event_parts: tuple = ()  # the creation event's after, summary and parameters, split around id and number
    order_id: int | None = None
    order_no: str = ""


def _line_snapshots(order: Order) -> list[dict]:
    """The lines part of intake's order snapshot; it holds no generated key, so it is taken before the insert."""
    return [{**audit.snapshot(line, exclude=("id", "order_id")),
             "stones": [audit.snapshot(stone, exclude=("id", "line_id")) for stone in line.stones]}
            for line in order.lines]


def _new_row(obj: object) -> dict:
    """The row the ORM would insert for a new object: its column values, a column's scalar default where the value is
    None (as the ORM leaves a None out so the default applies); the generated key and the time-stamp defaults are
    left for the insert."""
    row = {}
    for attr in sa_inspect(obj).mapper.column_attrs:
        column = attr.columns[0]
        value = getattr(obj, attr.key)
        if value is None and column.default is not None:
            if not column.default.is_scalar:
                continue  # e.g. created_at: its time is taken inside the write transaction
            value = column.default.arg
        if value is None and column.primary_key:
            continue
        row[column.key] = value
    return row


class _Table:
    """One table's insert by the driver: its columns but the generated key, each column's bind processing, and the
    columns whose values are only known under the write lock (keys, numbers, time stamps)."""

    def __init__(self, dialect, table, late: Sequence[str]):
        self.table = table
        self.columns = [c.key for c in table.columns if not c.primary_key]
        self.processors = audit.bind_processors(dialect, table, self.columns)
        self.late = {key: self.columns.index(key) for key in late}
        self.stamps = [c.key for c in table.columns if c.default is not None and c.default.is_callable]
        self.stamp_at = {self.columns.index(key) for key in self.stamps}

    def values(self, row: Mapping[str, object]) -> list:
        out = []
        for key, process in zip(self.columns, self.processors):
            value = row.get(key)
            out.append(process(value) if process is not None and value is not None and key not in self.late
                       else value)
        return out

    def stamp_values(self, now: dt.datetime) -> dict[int, object]:
        """The time stamps of rows inserted now, through their bind processing, by column position."""
        out = {}
        for key in self.stamps:
            process = self.processors[self.columns.index(key)]
            out[self.columns.index(key)] = process(now) if process is not None else now
        return out


class _Tables:
    def __init__(self, dialect):
        self.orders = _Table(dialect, Order.__table__, ("order_no", *_stamp_keys(Order.__table__)))
        self.lines = _Table(dialect, OrderLine.__table__, ("order_id",))
        self.stones = _Table(dialect, LineStone.__table__, ("line_id",))


def _stamp_keys(table) -> list[str]:
    return [c.key for c in table.columns if c.default is not None and c.default.is_callable]


_TOKEN = "\ue000" + hashlib.sha256(str(time.time_ns()).encode()).hexdigest()[:24]  # stands for a key not yet known
_ID_TOKEN, _NO_TOKEN = _TOKEN + "id", _TOKEN + "no"


_QUOTED_ID, _QUOTED_NO = audit._dumps_ready(_ID_TOKEN), audit._dumps_ready(_NO_TOKEN)


def _split_on_tokens(text: str) -> tuple[list[str], tuple[int, ...], tuple[int, ...]]:
    """The text cut around each stand-in (quoted as JSON writes it): its pieces, and where the id and the number go."""
    pieces = re.split("(" + re.escape(_QUOTED_ID) + "|" + re.escape(_QUOTED_NO) + ")", text)
    return (pieces, tuple(i for i, piece in enumerate(pieces) if i % 2 and piece == _QUOTED_ID),
            tuple(i for i, piece in enumerate(pieces) if i % 2 and piece == _QUOTED_NO))


def _join_tokens(split: tuple[list[str], tuple[int, ...], tuple[int, ...]], order_id: str, quoted_no: str) -> str:
    pieces, id_slots, no_slots = split
    pieces = list(pieces)
    for i in id_slots:
        pieces[i] = order_id
    for i in no_slots:
        pieces[i] = quoted_no
    return "".join(pieces)


def _stage_rows(p: _Prepared, tables: _Tables) -> None:
    """The driver's values of the order, its lines and their stones, and its creation event's texts, made outside
    the write transaction: exactly what intake's create_order_in would write, but for the keys and number."""
    order_row = _new_row(p.order)
    p.order_values = tables.orders.values(order_row)
    p.line_values = [(tables.lines.values(_new_row(line)), [tables.stones.values(_new_row(stone))
                                                            for stone in line.stones])
                     for line in p.order.lines]
    after = {k: audit.jsonable(v) for k, v in order_row.items() if k not in ORDER_SNAPSHOT_EXCLUDES}
    after["lines"] = audit.jsonable(p.line_snapshots)
    after["id"], after["order_no"] = _ID_TOKEN, _NO_TOKEN
    summary = LazyText(CREATED_MSGID, order_no=_NO_TOKEN)
    # The texts with stand-ins, cut around them (json writes a string value the same wherever it stands, so putting
    # the real values back gives the very text dumps() would have written); None if the data itself held one.
    parts = (_split_on_tokens(audit._dumps_ready(after)), summary.render().split(_NO_TOKEN),
             _split_on_tokens(summary.params_json()))
    if len(parts[0][1]) == 1 and len(parts[0][2]) == 1 and len(parts[1]) == 2:
        p.event_parts = parts
    else:  # pragma: no cover - a stand-in typed into a cell; the texts are then made whole under the lock
        p.event_parts = (after,)


CREATED_MSGID = "Order {order_no} created"  # intake's message for a new order


def run_import(db: Database, actor: Actor | None, path: str | Path, mapping: Mapping[str, str | None],
               options: ImportOptions | None = None, *, dry_run: bool = False,
               progress: ProgressCallback | None = None, should_stop: Callable[[], bool] | None = None,
               today: dt.date | None = None) -> ImportResult:
    """Check every row through the order service's own rules and, when every row is valid and this is not a dry
    run, import all orders in one transaction. Rows sharing a customer PO become one order with one line per row.

    The work is staged so other workstations are not kept waiting: the workbook is read (within the limits) and
    every order is checked and built in a read session, which takes no write lock; only then one short write
    transaction numbers and inserts them all, or none. A dry run needs no user: it only reads.

    The customer PO is kept as the first line of the order's special requirements ("Customer PO: 4500123"): the
    order gets the factory's own generated JO number, and the same PO cannot be imported twice for a customer.
    Problems of single rows come back in the result; a file that cannot be read at all raises WorkbookError."""
    if actor is not None or not dry_run:
        if actor is None:
            raise PermissionDenied(_("Importing orders needs a user; only a check (dry run) needs none."))
        require(actor, "orders.edit")
    options = options or ImportOptions()
    today = today or clock.today()
    if options.channel not in CHANNELS:
        raise ValidationError(_("Choose how the order came in (channel)."), "channel")
    with _Book(path, options.limits) as book:
        head = _open_sheet(book, options.sheet_name, options.header_row)
        headers, header_row = head.headers, head.header_row
        columns = resolve_mapping(headers, mapping)
        if options.sheet_values is None:
            sheet_values = {key: text for key, text, _row in head.sheet_values}
        else:
            sheet_values = {k: str(v).strip() for k, v in options.sheet_values.items()
                            if k in SHEET_LEVEL_FIELDS and v is not None and str(v).strip()}
        if options.customer_id is not None:
            sheet_values.pop("customer", None)  # the customer the clerk chose wins over what the sheet says
        has_customer = options.customer_id is not None or "customer" in sheet_values
        missing = missing_required({k: "x" for k in columns}, has_customer)
        if missing:
            raise ValidationError(_("The sheet has no column for: {fields}. Choose the column of each of these "
                                    "fields (columns found: {headers}).", fields=", ".join(missing),
                                    headers=", ".join(h for h in headers if h) or "—"), "mapping")
        scan = book.scan(head.ws.title)
        result = ImportResult(head.ws.title, header_row, dry_run=dry_run, sheet_values=sheet_values,
                              mapping={k: headers[c] or column_letter(c) for k, c in columns.items()})
        log = _ProblemLog(headers, columns)
        rows = _read_rows(book, head.ws, header_row, headers, columns, scan, sheet_values, log, result, progress,
                          should_stop, head.estimate)
        deadline_check = book.check_time
    if not rows:
        raise WorkbookError(_("The sheet '{sheet}' has no order rows below its header (row {row}).",
                              sheet=result.sheet_name, row=header_row))
    po_lang = get_setting(db, "language") or "zh_TW"
    converter = _Converter(log, columns, options, po_lang if po_lang in LANGUAGES else "zh_TW", today)
    has_po = "customer_po" in columns or "customer_po" in sheet_values
    # 1. Check and build every order in a read session: no write lock is taken, however long this takes.
    with read_session(db) as s:
        tables = _Tables(db.engine.dialect)
        prepared = _prepare_orders(s, rows, has_po, converter, log, result, progress, should_stop, dry_run,
                                   deadline_check, actor.user_id if actor is not None else None, tables)
        plan = _plan_keys(s, prepared, tables) if prepared and not (dry_run or log.count) else None
    result.problem_count = log.count
    if not (dry_run or log.count):
        # 2. One short write transaction: numbers, rows and audit events, all or nothing.
        # The collector would walk every object of the prepared import, maybe more than once, while the lock is held:
        # it waits until the commit (the transaction allocates little that is not kept anyway).
        collecting = gc.isenabled()
        gc.disable()
        try:
            _insert_orders(db, actor, prepared, log, result, Path(path).name, progress, should_stop, tables, plan)
            result.imported = True
        except _RollBack:
            result.imported = False
        finally:
            if collecting:
                gc.enable()
    result.problems = sorted(log.items, key=lambda p: (p.row, _column_index(p.column) if p.column else -1))
    result.problem_count = log.count
    if not result.imported:
        result.orders = [PlannedOrder(o.first_row, o.customer, o.reference, o.lines, o.quantity, o.delivery_date)
                         for o in result.orders]
    return result


class _RollBack(Exception):
    """Ends the write transaction without committing: the database changed since the check."""


def _prepare_orders(s: Session, rows: list[_Row], has_po: bool, converter: _Converter, log: _ProblemLog,
                    result: ImportResult, progress: ProgressCallback | None, should_stop: Callable[[], bool] | None,
                    dry_run: bool, check_time: Callable[[], None], actor_id: int | None,
                    tables: "_Tables") -> list[_Prepared]:
    texts = {as_text(r.values.get("customer")) for r in rows} - {""}
    customers = _Customers(s, texts, converter.options.customer_id)
    if converter.options.customer_id and customers.default is None:
        raise ValidationError(_("Customer {id} does not exist; choose a customer from the list.",
                                id=converter.options.customer_id), "customer")
    groups = _group_rows(rows, has_po, customers, log)
    earlier = _existing_references(s, {g.customer.id for g in groups if g.customer is not None})
    stage = _("Checking the orders")
    prepared: list[_Prepared] = []
    for i, group in enumerate(groups):
        if i % 50 == 0:
            if should_stop is not None and should_stop():
                raise ImportCancelled(_("Cancelled; nothing was imported."))
            if progress is not None:
                progress(stage, i, len(groups))
            check_time()
        customer = group.customer
        if customer is not None and group.reference and (customer.id, group.reference) in earlier:
            log.add(group.rows[0].number, "customer_po",
                    _("Customer PO {po} of {customer} was imported before as order {order_no}; remove its rows or "
                      "correct the PO.", po=group.reference, customer=customer.name,
                      order_no=earlier[(customer.id, group.reference)]))
        data, sources = converter.build(group, customer)
        header, lines, problems = _clean(s, data)
        quantity = sum(line["quantity"] or 0 for line in lines)
        delivery = header.get("delivery_date")
        planned = PlannedOrder(group.rows[0].number, customer.name if customer else group.customer_text,
                               group.reference, len(group.rows), quantity,
                               delivery if isinstance(delivery, dt.date) else None)
        result.orders.append(planned)
        for problem in problems.items:
            row, key = _locate(problem.field, group, sources)
            log.add(row, key, problem.message)
        if not dry_run and not log.count:
            header.pop("order_no", None)
            order = Order(order_no="", stage="draft", owner_id=actor_id)
            _apply(s, order, header, lines)  # a new order has no lines to replace: nothing touches the session
            staged = _Prepared(group, order, planned, _line_snapshots(order))
            _stage_rows(staged, tables)
            prepared.append(staged)
    if progress is not None:
        progress(stage, len(groups), len(groups))
    return prepared


def _insert_orders(db: Database, actor: Actor, prepared: list[_Prepared], log: _ProblemLog, result: ImportResult,
                   file_name: str, progress: ProgressCallback | None,
                   should_stop: Callable[[], bool] | None, tables: _Tables, plan: "_Plan | None" = None) -> None:
    stage = _("Saving the orders")
    if progress is not None:
        progress(stage, 0, len(prepared))
    with unit_of_work(db) as s:
        # What the check relied on may have changed meanwhile: the same PO imported, a customer deactivated.
        customer_ids = {p.order.customer_id for p in prepared}
        earlier = _existing_references(s, customer_ids)
        inactive = set()
        for part in _chunks(sorted(customer_ids)):
            inactive.update(s.scalars(select(Customer.id).where(Customer.id.in_(part), Customer.active.is_(False))))
        for p in prepared:
            first = p.group.rows[0].number
            if (p.order.customer_id, p.group.reference) in earlier and p.group.reference:
                log.add(first, "customer_po",
                        _("Customer PO {po} of {customer} was imported meanwhile as order {order_no}; nothing was "
                          "imported.", po=p.group.reference, customer=p.planned.customer,
                          order_no=earlier[(p.order.customer_id, p.group.reference)]))
            if p.order.customer_id in inactive:
                log.add(first, "customer", _("Customer {name} was deactivated meanwhile; nothing was imported.",
                                             name=p.planned.customer))
        if log.count:
            raise _RollBack
        saved: list[PlannedOrder] = []
        now = clock.now()  # one time for the whole import, as one transaction
        stamps = tables.orders.stamp_values(now)
        if plan is not None and _plan_holds(s, plan):
            # Nobody wrote an order since the check: the rows and events made then go in as they are.
            _insert_planned(s, actor, plan, tables, now)
            saved = [PlannedOrder(p.planned.first_row, p.planned.customer, p.planned.reference, p.planned.lines,
                                  p.order.total_quantity, p.order.delivery_date, p.order_no) for p in prepared]
        for start in range(0, len(prepared) if not saved else 0, INSERT_BATCH):
            if should_stop is not None and should_stop():
                raise ImportCancelled(_("Cancelled; nothing was imported."))
            if progress is not None:
                progress(stage, start, len(prepared))
            # The driver's executemany of rows made before the transaction began (orders, then their lines, then the
            # stones), the generated keys read back; the chained audit events likewise (audit.append_ready).
            batch = prepared[start:start + INSERT_BATCH]
            _insert_batch(s, batch, tables, stamps)
            events = []
            for p in batch:
                events.append(_creation_event(p))
                saved.append(PlannedOrder(p.planned.first_row, p.planned.customer, p.planned.reference,
                                          p.planned.lines, p.order.total_quantity, p.order.delivery_date, p.order_no))
            audit.append_ready(s, actor, "create", "order", CREATED_MSGID, events)
        result.orders = saved
        audit.record(s, actor, "import", "order", None,
                     LazyText("{n} orders imported from {file} (sheet {sheet})", n=len(saved), file=file_name,
                              sheet=result.sheet_name),
                     None, {"file": file_name, "sheet": result.sheet_name, "rows": result.rows,
                            "orders": len(saved), "first_order_no": saved[0].order_no,
                            "last_order_no": saved[-1].order_no})
    if progress is not None:
        progress(stage, len(prepared), len(prepared))


@dataclass
class _Plan:
    """The keys and numbers the insert will give, foreseen before the write transaction from what the database held
    then (SQLite gives a new row the largest key plus one; nobody else writes while the write lock is held): the
    rows and events are then made whole outside the transaction. If anything was written meanwhile, the insert
    numbers and reads back the keys under the lock instead."""

    maxima: tuple[int, int, int]  # the largest key of orders, lines and stones
    last_numbers: dict[int, int]  # the order sequence's last value per year
    counts: dict[int, int]  # orders numbered per year
    orders: list[tuple]
    lines: list[tuple]
    stones: list[tuple]
    events: list[audit.ReadyEvent]


def _key_maxima(s: Session) -> tuple[int, int, int]:
    return tuple(s.scalar(select(func.max(t.c.id))) or 0
                 for t in (Order.__table__, OrderLine.__table__, LineStone.__table__))


def _last_numbers(s: Session, years) -> dict[int, int]:
    found = dict(s.execute(select(NumberSequence.year, NumberSequence.last_value)
                           .where(NumberSequence.kind == "order", NumberSequence.year.in_(list(years)))).all())
    return {year: found.get(year, 0) for year in years}


def _plan_keys(s: Session, prepared: list[_Prepared], tables: _Tables) -> _Plan | None:
    if s.get_bind().dialect.name != "sqlite":
        return None  # PostgreSQL's keys come from sequences that other transactions advance without a table lock
    maxima = _key_maxima(s)
    counts: dict[int, int] = {}
    for p in prepared:
        year = p.order.order_date.year
        counts[year] = counts.get(year, 0) + 1
    last_numbers = _last_numbers(s, counts)
    prefix, digits = NUMBER_FORMATS["order"]
    orders, lines, stones, events = [], [], [], []
    next_numbers = dict(last_numbers)
    order_id, line_id, stone_id = maxima
    o, l_, st = tables.orders, tables.lines, tables.stones
    no_at, order_at, line_at = o.late["order_no"], l_.late["order_id"], st.late["line_id"]
    for p in prepared:
        year = p.order.order_date.year
        next_numbers[year] += 1
        order_id += 1
        p.order_id, p.order_no = order_id, f"{prefix}-{year}-{next_numbers[year]:0{digits}d}"
        values = list(p.order_values)
        values[no_at] = p.order_no
        orders.append((order_id, *(v for i, v in enumerate(values) if i not in o.stamp_at)))
        for line_values, stone_values in p.line_values:
            line_id += 1
            values = list(line_values)
            values[order_at] = order_id
            lines.append((line_id, *values))
            for one in stone_values:
                stone_id += 1
                values = list(one)
                values[line_at] = line_id
                stones.append((stone_id, *values))
        events.append(_creation_event(p))
    return _Plan(maxima, last_numbers, counts, orders, lines, stones, events)


def _plan_holds(s: Session, plan: _Plan) -> bool:
    return _key_maxima(s) == plan.maxima and _last_numbers(s, plan.counts) == plan.last_numbers


def _insert_planned(s: Session, actor: Actor, plan: _Plan, tables: _Tables, now: dt.datetime) -> None:
    for year, count in plan.counts.items():
        first = next_value(s, "order", year)  # locks (or creates) the year's sequence row
        assert first == plan.last_numbers[year] + 1
        seq = s.scalar(select(NumberSequence).where(NumberSequence.kind == "order", NumberSequence.year == year))
        seq.last_value += count - 1
    o = tables.orders
    stamps = tuple(value for _i, value in sorted(o.stamp_values(now).items()))
    audit.driver_insert(s, o.table, ["id", *(c for i, c in enumerate(o.columns) if i not in o.stamp_at),
                                     *(o.columns[i] for i in sorted(o.stamp_at))],
                        [row + stamps for row in plan.orders])
    audit.driver_insert(s, tables.lines.table, ["id", *tables.lines.columns], plan.lines)
    audit.driver_insert(s, tables.stones.table, ["id", *tables.stones.columns], plan.stones)
    audit.append_ready(s, actor, "create", "order", CREATED_MSGID, plan.events)


def _creation_event(p: _Prepared) -> audit.ReadyEvent:
    """intake's creation event of the order, its texts completed with the key and number it got."""
    if len(p.event_parts) == 1:  # pragma: no cover - see _stage_rows
        after = {**p.event_parts[0], "id": p.order_id, "order_no": p.order_no}
        summary = LazyText(CREATED_MSGID, order_no=p.order_no)
        return audit.ReadyEvent(p.order_id, p.order_id, summary.render(), summary.params_json(), None,
                                audit._dumps_ready(after))
    after, summary, params = p.event_parts
    order_id, quoted_no = str(p.order_id), audit._dumps_ready(p.order_no)
    return audit.ReadyEvent(p.order_id, p.order_id, p.order_no.join(summary), _join_tokens(params, order_id, quoted_no),
                            None, _join_tokens(after, order_id, quoted_no))


def _insert_batch(s: Session, batch: Sequence[_Prepared], tables: _Tables, stamps: Mapping[int, object]) -> None:
    """Number the batch's orders and insert them, their lines and stones with one executemany of the driver per
    table; the keys they got are read back by order number and by (order, line no.), both unique (the write lock is
    held, and a RETURNING in the rows' order would cost one statement per row on SQLite)."""
    orders, lines, stones = tables.orders, tables.lines, tables.stones
    no_at = orders.late["order_no"]
    order_rows = []
    for p in batch:
        p.order_no = next_number(s, "order", p.order.order_date.year)
        values = list(p.order_values)
        values[no_at] = p.order_no
        for at, stamp in stamps.items():
            values[at] = stamp
        order_rows.append(tuple(values))
    audit.driver_insert(s, orders.table, orders.columns, order_rows)
    ids = dict(s.execute(select(orders.table.c.order_no, orders.table.c.id)
                         .where(orders.table.c.order_no.in_([p.order_no for p in batch]))).all())
    order_at, line_no_at, line_at = lines.late["order_id"], lines.columns.index("line_no"), stones.late["line_id"]
    line_rows, stones_of_lines = [], []
    for p in batch:
        p.order_id = ids[p.order_no]
        for line_values, stone_values in p.line_values:
            values = list(line_values)
            values[order_at] = p.order_id
            line_rows.append(tuple(values))
            stones_of_lines.append(stone_values)
    if not line_rows:
        return
    audit.driver_insert(s, lines.table, lines.columns, line_rows)
    line_ids = {(order_id, line_no): line_id for line_id, order_id, line_no in s.execute(
        select(lines.table.c.id, lines.table.c.order_id, lines.table.c.line_no)
        .where(lines.table.c.order_id.in_(list(ids.values()))))}
    stone_rows = []
    for line, stone_values in zip(line_rows, stones_of_lines):
        if stone_values:
            line_id = line_ids[(line[order_at], line[line_no_at])]
            for values in stone_values:
                values = list(values)
                values[line_at] = line_id
                stone_rows.append(tuple(values))
    audit.driver_insert(s, stones.table, stones.columns, stone_rows)


def _whole(value: object) -> int:
    text = str(value).strip()
    return int(text) if text.isdigit() else 0


__all__ = [
    "IMPORT_FIELDS", "REQUIRED_FIELDS", "ImportField", "ImportOptions", "ImportProblem", "ImportResult",
    "PlannedOrder", "SheetInfo", "WorkbookError", "ImportCancelled", "inspect_workbook", "guess_mapping",
    "complete_mapping", "resolve_mapping", "missing_required", "header_signature", "run_import", "parse_sheet_date",
    "column_letter", "as_text", "ImportLimits", "DEFAULT_LIMITS", "SheetLimitError", "SkippedRow", "strip_unit",
    "metal_from_text", "SHEET_LEVEL_FIELDS",
]
