"""Checkpoints where one part of the procedure lets a later part refuse a step or answer a question.

The progress ledger asks "may this step's batch be recorded?", materials "may this lot be issued?", delivery
"may this order ship?" — and quality answers, without the earlier parts importing the later ones. A part
registers its checks when its module is imported; `REGISTERING_MODULES` lists those modules so that a
checkpoint never runs with a part's checks missing because nothing happened to import it yet.

A check is `fn(session, **context) -> None` and raises `GateError` naming what blocks and what clears it.
An answer is `fn(session, **context) -> value`; `ask` returns `default` when no part answers the question.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

# Checkpoints (the context each receives, by keyword):
LEDGER_RECORD = "ledger.record"          # order, step (PlanStep), kind ("start"|"finish"|...), quantity
MATERIALS_ISSUE = "materials.issue"      # lot (Lot), order (Order | None)
DELIVERY_SHIP = "delivery.ship"          # order (Order), quantity (int)
ORDER_CLOSE = "order.close"              # order (Order)

# Modules that register checks or answers; each part adds its own line when it has some.
REGISTERING_MODULES: tuple[str, ...] = (
    "jewelryorders.services.ledger.entries",
    "jewelryorders.services.quality.checks",
)

_checks: dict[str, list[tuple[str, Callable[..., None]]]] = {}
_answers: dict[str, Callable[..., Any]] = {}
_loaded = False


def register_check(point: str, name: str, check: Callable[..., None]) -> None:
    """Add (or replace, by name) a check run at `point`."""
    entries = _checks.setdefault(point, [])
    entries[:] = [(n, c) for n, c in entries if n != name]
    entries.append((name, check))


def register_answer(question: str, answer: Callable[..., Any]) -> None:
    _answers[question] = answer


def _load() -> None:
    global _loaded
    if not _loaded:
        for module in REGISTERING_MODULES:
            importlib.import_module(module)
        _loaded = True


def check(session: Session, point: str, **context: Any) -> None:
    """Run every check registered at `point`; the first that refuses raises its GateError."""
    _load()
    for _name, fn in list(_checks.get(point, ())):
        fn(session, **context)


def ask(session: Session, question: str, default: Any = None, **context: Any) -> Any:
    _load()
    fn = _answers.get(question)
    return default if fn is None else fn(session, **context)


def registered(point: str) -> list[str]:
    """The names of the checks at `point` (for tests and the help shown with a refusal)."""
    _load()
    return [name for name, _fn in _checks.get(point, ())]
