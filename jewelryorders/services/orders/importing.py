"""Importing orders from a customer's Excel order sheet: read and check the workbook, map columns, import in one go."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterator, Mapping, Sequence
from xml.etree import ElementTree

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ... import clock
from ...db import Database
from ...i18n import LANGUAGES, LazyText, N_, _, tr
from ...models.audit import AuditEvent
from ...models.customers import Customer
from ...models.orders import CHANNELS, METALS, STONE_TYPES, LineStone, Order, OrderLine
from .. import audit
from ..context import Actor, unit_of_work
from ..errors import DomainError, ValidationError
from ..permissions import require
from ..users import get_setting
from .intake import LineInput, OrderInput, StoneInput, create_order_in

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

HEADER_SEARCH_ROWS = 20
MAX_DATA_ROWS = 200_000
# Problems beyond this many are counted, not kept: 50,000 bad rows must not become 50,000 widgets or lines.
MAX_KEPT_PROBLEMS = 5_000
# Orders whose rows are flushed and then let go of, so a 50,000-row sheet does not hold every object in memory.
RELEASE_EVERY = 500
CHECK_STOP_EVERY = 200

PO_NOTE_MSGID = N_("Customer PO: {po}")


# ---- errors, options and results ------------------------------------------------------------------------------

class WorkbookError(DomainError):
    """The file cannot be read as an order sheet at all (not a workbook, merged header, no header row ...)."""


class ImportCancelled(DomainError):
    """The user stopped the check or the import; nothing was imported."""


@dataclass
class ImportOptions:
    customer_id: int | None = None  # for every row whose customer column is empty or missing
    channel: str = "email"  # for every row without a channel
    order_date: dt.date | None = None  # for rows without an order date; None = today
    sheet_name: str | None = None  # None = the workbook's first worksheet with a header row


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


@dataclass
class ImportResult:
    sheet_name: str
    header_row: int
    rows: int = 0  # data rows read (empty rows not counted)
    empty_rows: int = 0
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

    def __init__(self, path: str | Path):
        from openpyxl import load_workbook

        self.path = Path(path).expanduser()
        _check_file(self.path)
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
        """The ZIP member holding a sheet's XML, found the way Excel finds it (workbook.xml and its relations)."""
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
                    if sheet.tag.endswith("}sheet") and sheet.get("name") == name:
                        rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
                        target = targets.get(rid, "")
                        if target.startswith("/"):
                            return target.lstrip("/")
                        return f"{folder}/{target}" if folder else target
        except (KeyError, zipfile.BadZipFile, ElementTree.ParseError):
            return None
        return None


# ---- scanning the sheet's XML for what openpyxl's read-only mode hides ----------------------------------------

_CELL = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]{1,3})([0-9]+)"[^>]*?(?<!/)>(.*?)</(?:\w+:)?c>', re.S)
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_VALUE = re.compile(rb"<(?:\w+:)?v>\s*[^<\s]")
_CELL_END = re.compile(rb"</(?:\w+:)?c>")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?\bref="([A-Z]{1,3})([0-9]+)(?::([A-Z]{1,3})([0-9]+))?"')
SCAN_CHUNK = 1 << 20


@dataclass(frozen=True)
class MergedRange:
    first_col: int
    first_row: int
    last_col: int
    last_row: int

    @property
    def ref(self) -> str:
        return (f"{column_letter(self.first_col)}{self.first_row}:"
                f"{column_letter(self.last_col)}{self.last_row}")


@dataclass
class _SheetScan:
    merged: list[MergedRange] = field(default_factory=list)
    uncached_formulas: set[tuple[int, int]] = field(default_factory=set)  # (row, column index)


def _last_cell_end(buf: bytes) -> int:
    i = buf.rfind(b"c>")
    while i > 0:
        j = buf.rfind(b"<", 0, i)
        if j >= 0 and _CELL_END.fullmatch(buf, j, i + 2):
            return i + 2
        i = buf.rfind(b"c>", 0, i)
    return 0


def _scan_sheet(book: _Book, sheet_name: str, *, formulas: bool) -> _SheetScan:
    """Merged ranges and (optionally) formula cells without a calculated value, streamed through the raw XML."""
    scan = _SheetScan()
    member = book.sheet_xml_path(sheet_name)
    if member is None:
        return scan

    def take(part: bytes) -> None:
        if formulas and (b"<f" in part or b":f" in part):
            for m in _CELL.finditer(part):
                inner = m.group(3)
                if _FORMULA.search(inner) and not _VALUE.search(inner):
                    scan.uncached_formulas.add((int(m.group(2)), _column_index(m.group(1).decode())))
        for m in _MERGE.finditer(part):
            c1, r1, c2, r2 = m.groups()
            c2, r2 = c2 or c1, r2 or r1
            scan.merged.append(MergedRange(_column_index(c1.decode()), int(r1), _column_index(c2.decode()), int(r2)))

    try:
        with zipfile.ZipFile(book.path) as zf, zf.open(member) as src:
            carry = b""
            while True:
                chunk = src.read(SCAN_CHUNK)
                if not chunk:
                    break
                buf = carry + chunk
                cut = _last_cell_end(buf)
                take(buf[:cut])
                carry = buf[cut:]
            take(carry)
    except (KeyError, zipfile.BadZipFile):
        pass
    return scan


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


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


def parse_sheet_date(value: object) -> dt.date | None:
    """Accepted: date cells, and text written year first — 2026-12-31, 2026/12/31, 2026.12.31, 20261231,
    2026年12月31日 (a time after the date is ignored). Day-first or month-first text such as 31.12.2026 or
    12/31/2026 is refused: which number is the month cannot be known."""
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
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(s, fmt).date()
        except ValueError:
            continue
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
_STONES = _lookup_table(STONE_TYPES, _STONE_WORDS)
_CHANNELS = _lookup_table(CHANNELS, _CHANNEL_WORDS)


def _number_text(value: object) -> str:
    return as_text(value) if not isinstance(value, str) else value.strip()


# ---- reading the rows -------------------------------------------------------------------------------------------

def _open_sheet(book: _Book, sheet_name: str | None):
    """(sheet, rows below the header by the sheet's own size, header row, headers, examples). Without a name, the
    first sheet that has a header row: an order sheet often comes after a sheet of instructions."""
    if sheet_name is not None:
        candidates = [book.sheet(sheet_name)]
    else:
        book.sheet(None)  # refuses a workbook without any worksheet
        candidates = list(book.wb.worksheets)
    first_error: WorkbookError | None = None
    for ws in candidates:
        estimate = ws.max_row or 0
        ws.reset_dimensions()  # a wrong size in the file must not hide rows or columns
        try:
            header_row, headers, samples = _find_header(ws)
        except WorkbookError as exc:
            first_error = first_error or exc
            continue
        return ws, max(0, estimate - header_row), header_row, headers, samples
    raise first_error


def inspect_workbook(path: str | Path, sheet_name: str | None = None) -> SheetInfo:
    """Open the workbook, find the header row (the first row with at least two filled cells) and a few examples."""
    with _Book(path) as book:
        ws, estimate, header_row, headers, samples = _open_sheet(book, sheet_name)
        merged = _scan_sheet(book, ws.title, formulas=False).merged
        _refuse_merged_header(merged, header_row, headers)
        return SheetInfo(path=book.path, sheet_name=ws.title, sheet_names=book.sheet_names, header_row=header_row,
                         headers=headers, samples=samples, row_estimate=estimate)


def _find_header(ws) -> tuple[int, tuple[str, ...], tuple[tuple[str, ...], ...]]:
    header_row = 0
    headers: tuple[str, ...] = ()
    samples: list[tuple[str, ...]] = []
    for row_no, row in enumerate(ws.iter_rows(min_row=1, max_row=HEADER_SEARCH_ROWS + 3, values_only=True), 1):
        if not header_row:
            if row_no > HEADER_SEARCH_ROWS:
                break
            if sum(1 for v in row if not _is_empty(v)) >= 2:
                header_row = row_no
                cells = [as_text(v) for v in row]
                while cells and not cells[-1]:
                    cells.pop()
                headers = tuple(cells)
        elif any(not _is_empty(v) for v in row):
            texts = [as_text(v) for v in row[:len(headers)]]
            samples.append(tuple(texts + [""] * (len(headers) - len(texts))))
    if not header_row:
        raise WorkbookError(_("The sheet '{sheet}' has no header row: none of its first {n} rows has two or more "
                              "filled cells. The order sheet needs one header row naming its columns.",
                              sheet=ws.title, n=HEADER_SEARCH_ROWS))
    return header_row, headers, tuple(samples)


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


def _read_rows(ws, header_row: int, columns: Mapping[str, int], scan: _SheetScan,
               log: _ProblemLog, result: ImportResult, progress: ProgressCallback | None,
               should_stop: Callable[[], bool] | None, total: int) -> list[_Row]:
    rows: list[_Row] = []
    width = max(columns.values()) + 1
    reading = _("Reading the workbook")
    for m in scan.merged:
        touched = [c for c in columns.values() if m.first_col <= c <= m.last_col]
        if m.last_row > header_row and touched:
            log.add(max(m.first_row, header_row + 1), "",
                    _("Cells {range} are merged. Unmerge them and fill in every row, so each row holds its own "
                      "values.", range=m.ref), column=min(touched))
    mapped = list(columns.items())
    offset = -1
    for offset, values in enumerate(ws.iter_rows(min_row=header_row + 1, max_col=width, values_only=True)):
        number = header_row + 1 + offset
        if offset % CHECK_STOP_EVERY == 0:
            if should_stop is not None and should_stop():
                raise ImportCancelled(_("Cancelled; nothing was imported."))
            if progress is not None:
                progress(reading, offset, total)
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
            result.empty_rows += 1
            continue
        rows.append(_Row(number, row))
        if len(rows) > MAX_DATA_ROWS:
            raise WorkbookError(_("The sheet has more than {n:,} rows; split it into several workbooks.",
                                  n=MAX_DATA_ROWS))
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


def _group_rows(rows: list[_Row], columns: Mapping[str, int], customers: _Customers, log: _ProblemLog) -> list[_Group]:
    """Rows of one customer sharing a customer PO form one order; without a PO column every row is an order.
    A customer may be written by code in one row and by name in the next: rows are grouped by the customer found."""
    groups: dict[tuple[object, str], _Group] = {}
    singles: list[_Group] = []
    has_po = "customer_po" in columns
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
                self.log.add(row_no, key, _("{field}: '{value}' is not a date. Use a date cell, or write it year "
                                            "first: 2026-12-31, 2026/12/31, 2026.12.31 or 2026年12月31日.",
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
            metal = _METALS.get(normalize_header(as_text(metal_raw)), "")
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
            stones.append(StoneInput(stone_type, _number_text(stone_values[1]) if stone_values[1] is not None else "",
                                     _number_text(stone_values[2]) if stone_values[2] is not None else ""))

        def number(key: str):
            raw = v.get(key)
            return None if _is_empty(raw) else _number_text(raw)

        return LineInput(style_code=as_text(v.get("style_code")), metal=metal, quantity=number("quantity") or "",
                         description=as_text(v.get("description")), size=as_text(v.get("size")),
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

class _RollBack(Exception):
    """Ends the unit of work without committing: a dry run, or a sheet with problems."""


def run_import(db: Database, actor: Actor, path: str | Path, mapping: Mapping[str, str | None],
               options: ImportOptions | None = None, *, dry_run: bool = False,
               progress: ProgressCallback | None = None, should_stop: Callable[[], bool] | None = None,
               today: dt.date | None = None) -> ImportResult:
    """Check every row through the order service's own rules and, when every row is valid and this is not a dry
    run, import all orders in one transaction. Rows sharing a customer PO become one order with one line per row.

    The customer PO is kept as the first line of the order's special requirements ("Customer PO: 4500123"): the
    order gets the factory's own generated JO number, and the same PO cannot be imported twice for a customer.
    Problems of single rows come back in the result; a file that cannot be read at all raises WorkbookError."""
    require(actor, "orders.edit")
    options = options or ImportOptions()
    today = today or clock.today()
    if options.channel not in CHANNELS:
        raise ValidationError(_("Choose how the order came in (channel)."), "channel")
    with _Book(path) as book:
        ws, estimate, header_row, headers, _samples = _open_sheet(book, options.sheet_name)
        columns = resolve_mapping(headers, mapping)
        missing = missing_required({k: "x" for k in columns}, options.customer_id is not None)
        if missing:
            raise ValidationError(_("The sheet has no column for: {fields}. Choose the column of each of these "
                                    "fields (columns found: {headers}).", fields=", ".join(missing),
                                    headers=", ".join(h for h in headers if h) or "—"), "mapping")
        scan = _scan_sheet(book, ws.title, formulas=True)
        _refuse_merged_header(scan.merged, header_row, headers)
        result = ImportResult(ws.title, header_row, dry_run=dry_run,
                              mapping={k: headers[c] or column_letter(c) for k, c in columns.items()})
        log = _ProblemLog(headers, columns)
        rows = _read_rows(ws, header_row, columns, scan, log, result, progress, should_stop, estimate)
    if not rows:
        raise WorkbookError(_("The sheet '{sheet}' has no order rows below its header (row {row}).",
                              sheet=result.sheet_name, row=header_row))
    po_lang = get_setting(db, "language") or "zh_TW"
    converter = _Converter(log, columns, options, po_lang if po_lang in LANGUAGES else "zh_TW", today)
    stage = _("Checking the orders") if dry_run else _("Importing the orders")
    try:
        with unit_of_work(db) as s:
            _create_orders(s, actor, rows, columns, converter, log, result, stage, progress, should_stop)
            result.problem_count = log.count
            if dry_run or log.count:
                raise _RollBack
            audit.record(s, actor, "import", "order", None,
                         LazyText("{n} orders imported from {file} (sheet {sheet})", n=len(result.orders),
                           file=Path(path).name, sheet=result.sheet_name),
                         None, {"file": Path(path).name, "sheet": result.sheet_name, "rows": result.rows,
                                "orders": len(result.orders), "first_order_no": result.orders[0].order_no,
                                "last_order_no": result.orders[-1].order_no})
        result.imported = True
    except _RollBack:
        result.imported = False
    result.problems = sorted(log.items, key=lambda p: (p.row, _column_index(p.column) if p.column else -1))
    result.problem_count = log.count
    if not result.imported:
        result.orders = [PlannedOrder(o.first_row, o.customer, o.reference, o.lines, o.quantity, o.delivery_date)
                         for o in result.orders]
    return result


def _create_orders(s: Session, actor: Actor, rows: list[_Row], columns: Mapping[str, int], converter: _Converter,
                   log: _ProblemLog, result: ImportResult, stage: str, progress: ProgressCallback | None,
                   should_stop: Callable[[], bool] | None) -> None:
    texts = {as_text(r.values.get("customer")) for r in rows} - {""}
    customers = _Customers(s, texts, converter.options.customer_id)
    if converter.options.customer_id and customers.default is None:
        raise ValidationError(_("Customer {id} does not exist; choose a customer from the list.",
                                id=converter.options.customer_id), "customer")
    groups = _group_rows(rows, columns, customers, log)
    earlier = _existing_references(s, {g.customer.id for g in groups if g.customer is not None})
    for i, group in enumerate(groups):
        if i % 50 == 0:
            if should_stop is not None and should_stop():
                raise ImportCancelled(_("Cancelled; nothing was imported."))
            if progress is not None:
                progress(stage, i, len(groups))
        customer = group.customer
        if customer is not None and group.reference and (customer.id, group.reference) in earlier:
            log.add(group.rows[0].number, "customer_po",
                    _("Customer PO {po} of {customer} was imported before as order {order_no}; remove its rows or "
                      "correct the PO.", po=group.reference, customer=customer.name,
                      order_no=earlier[(customer.id, group.reference)]))
        data, sources = converter.build(group, customer)
        planned = PlannedOrder(group.rows[0].number, customer.name if customer else group.customer_text,
                               group.reference, len(group.rows), sum(_whole(line.quantity) for line in data.lines),
                               data.delivery_date if isinstance(data.delivery_date, dt.date) else None)
        try:
            order = create_order_in(s, actor, data)
        except ValidationError as exc:
            for problem in exc.problems:
                row, key = _locate(problem.field, group, sources)
                log.add(row, key, problem.message)
            result.orders.append(planned)
            continue
        result.orders.append(PlannedOrder(planned.first_row, planned.customer, planned.reference, planned.lines,
                                          order.total_quantity, order.delivery_date, order.order_no))
        if (i + 1) % RELEASE_EVERY == 0:
            _release(s)
    if progress is not None:
        progress(stage, len(groups), len(groups))


def _whole(value: object) -> int:
    text = str(value).strip()
    return int(text) if text.isdigit() else 0


def _release(s: Session) -> None:
    """Write what is pending and let the session forget the orders written so far (they stay in the transaction)."""
    s.flush()
    for obj in list(s.identity_map.values()):
        if isinstance(obj, (Order, OrderLine, LineStone, AuditEvent)) and obj in s:
            s.expunge(obj)


__all__ = [
    "IMPORT_FIELDS", "REQUIRED_FIELDS", "ImportField", "ImportOptions", "ImportProblem", "ImportResult",
    "PlannedOrder", "SheetInfo", "WorkbookError", "ImportCancelled", "inspect_workbook", "guess_mapping",
    "complete_mapping", "resolve_mapping", "missing_required", "header_signature", "run_import", "parse_sheet_date",
    "column_letter", "as_text",
]
