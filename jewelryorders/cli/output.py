"""Prints rows as an aligned table (CJK-width aware), CSV or JSON for scripts."""

from __future__ import annotations

import csv
import json
import sys
import unicodedata
from typing import Sequence


def display_width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in s)


def pad(s: str, width: int) -> str:
    return s + " " * max(0, width - display_width(s))


def emit(headers: Sequence[str], keys: Sequence[str], rows: Sequence[Sequence[object]], fmt: str, out=None) -> None:
    out = out or sys.stdout
    texts = [["" if v is None else str(v) for v in row] for row in rows]
    if fmt == "json":
        json.dump([dict(zip(keys, row)) for row in texts], out, ensure_ascii=False, indent=1)
        out.write("\n")
    elif fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(keys)
        writer.writerows(texts)
    else:
        widths = [display_width(h) for h in headers]
        for row in texts:
            widths = [max(w, display_width(v)) for w, v in zip(widths, row)]
        out.write("  ".join(pad(h, w) for h, w in zip(headers, widths)).rstrip() + "\n")
        out.write("  ".join("-" * w for w in widths) + "\n")
        for row in texts:
            out.write("  ".join(pad(v, w) for v, w in zip(row, widths)).rstrip() + "\n")
