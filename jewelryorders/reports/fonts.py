"""Find and register a TrueType CJK font so Chinese is embedded in every PDF (ReportLab cannot embed CFF/OTF)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_NAME = "JOSans"
FONT_NAME_BOLD = "JOSans-Bold"
MONO_FONT = "Courier"

_RESOURCE_FONTS = Path(__file__).resolve().parents[2] / "resources" / "fonts"

# Ordered by preference. (path, subfont index). TrueType outlines only: Noto CJK (CFF) fails in ReportLab.
_CANDIDATES: list[tuple[str, int]] = [
    (str(_RESOURCE_FONTS / "cjk.ttf"), 0),
    (str(_RESOURCE_FONTS / "cjk.ttc"), 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
    ("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc", 0),
    ("/System/Library/Fonts/STHeiti Medium.ttc", 0),
]
if sys.platform.startswith("win"):
    windir = os.environ.get("WINDIR", r"C:\Windows")
    _CANDIDATES = [
        (os.path.join(windir, "Fonts", "msjh.ttc"), 0),
        (os.path.join(windir, "Fonts", "msyh.ttc"), 0),
        (os.path.join(windir, "Fonts", "simsun.ttc"), 0),
        (os.path.join(windir, "Fonts", "mingliu.ttc"), 0),
    ] + _CANDIDATES

_registered: str | None = None


class FontNotFoundError(RuntimeError):
    pass


def register_fonts() -> str:
    """Register the CJK font once and return its ReportLab name; raise with advice when none is installed."""
    global _registered
    if _registered:
        return _registered
    override = os.environ.get("JEWELRYORDERS_PDF_FONT")
    candidates = ([(override, 0)] if override else []) + _CANDIDATES
    errors = []
    for path, index in candidates:
        if not path or not os.path.exists(path):
            continue
        try:
            pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=index))
            # CJK fonts rarely ship a bold face; the same outlines keep bold text readable instead of missing.
            pdfmetrics.registerFont(TTFont(FONT_NAME_BOLD, path, subfontIndex=index))
            from reportlab.lib.fonts import addMapping

            addMapping(FONT_NAME, 0, 0, FONT_NAME)
            addMapping(FONT_NAME, 1, 0, FONT_NAME_BOLD)
            addMapping(FONT_NAME, 0, 1, FONT_NAME)
            addMapping(FONT_NAME, 1, 1, FONT_NAME_BOLD)
            _registered = FONT_NAME
            return FONT_NAME
        except Exception as exc:  # a damaged or CFF font: try the next one
            errors.append(f"{path}: {exc}")
    raise FontNotFoundError(
        "No TrueType Chinese font found for printing. Install WenQuanYi Micro Hei "
        "(Debian: apt-get install fonts-wqy-microhei) or set JEWELRYORDERS_PDF_FONT to a .ttf/.ttc file. "
        + "; ".join(errors)
    )
