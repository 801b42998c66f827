"""Printing the meeting minutes and writing the meeting pack; each paper is filed with the documents."""

from __future__ import annotations

from pathlib import Path

from ... import clock
from ...db import Database
from ...i18n import tr
from ...models.ledger import ACTION_STATES, MEETING_KINDS
from ...models.users import DEPARTMENTS
from ..context import Actor
from .meetings import file_paper, get_meeting


def _labels(lang: str):
    return {"department_label": lambda k: tr(DEPARTMENTS.get(k, k), lang),
            "state_label": lambda k: tr(ACTION_STATES.get(k, k), lang)}


def print_minutes(db: Database, actor: Actor | None, meeting_no: str, path: str | Path, *, lang: str,
                  factory_name: str = "") -> Path:
    from ...reports.meeting_minutes import write_minutes

    m = get_meeting(db, meeting_no)
    out = write_minutes(m, path, factory_name=factory_name, lang=lang,
                        kind_label=lambda k: tr(MEETING_KINDS.get(k, k), lang),
                        printed_by=actor.display_name if actor else "", printed_at=clock.now(), **_labels(lang))
    if actor is not None:
        file_paper(db, actor, file_name=f"{m.meeting_no}-minutes-{lang}.pdf", content=Path(out).read_bytes(),
                   category="meeting_minutes")
    return out


def export_pack(db: Database, actor: Actor | None, meeting_no: str, path: str | Path, *, lang: str,
                factory_name: str = "") -> Path:
    from ...reports.meeting_pack_xlsx import write_meeting_pack

    m = get_meeting(db, meeting_no)
    out = write_meeting_pack(m, path, factory_name=factory_name, lang=lang, exported_at=clock.now(), **_labels(lang))
    if actor is not None:
        file_paper(db, actor, file_name=f"{m.meeting_no}-pack-{lang}.xlsx", content=Path(out).read_bytes(),
                   category="meeting_pack")
    return out
