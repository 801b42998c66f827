"""Colours the Orders tab shares: the stage badge, so a stage looks the same in the list, the form and the window."""

from __future__ import annotations

# stage -> (text and border colour, background); grouped by where the order stands in the procedure.
STAGE_COLOURS = {
    "draft": ("#5f6368", "#eceff1"),
    "preliminary_review": ("#0d47a1", "#e3f2fd"), "negotiating": ("#0d47a1", "#e3f2fd"),
    "escalated": ("#8a5300", "#fff3d6"), "detailed_review": ("#0d47a1", "#e3f2fd"),
    "contracted": ("#1b5e20", "#e8f5e9"), "planned": ("#1b5e20", "#e8f5e9"),
    "in_production": ("#1b5e20", "#e8f5e9"), "final_qc": ("#00695c", "#e0f2f1"),
    "ready_to_ship": ("#00695c", "#e0f2f1"), "partly_shipped": ("#00695c", "#e0f2f1"),
    "shipped": ("#37474f", "#eceff1"), "delivered": ("#37474f", "#eceff1"), "closed": ("#37474f", "#eceff1"),
    "abandoned": ("#b71c1c", "#fdecea"), "cancelled": ("#b71c1c", "#fdecea"),
}

# Item padding so table rows breathe and Chinese glyphs are not pressed against the grid lines.
TABLE_STYLE = "QTableView::item { padding: 3px 6px; }"


def stage_badge_css(stage: str) -> str:
    fg, bg = STAGE_COLOURS.get(stage, ("#333333", "#eeeeee"))
    return (f"color: {fg}; background: {bg}; border: 1px solid {fg}; border-radius: 9px; padding: 2px 10px; "
            "font-weight: bold;")
