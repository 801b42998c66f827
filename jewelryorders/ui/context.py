"""What every tab gets: the open database, the logged-in user, the factory name, and the app-wide event bus."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal

from ..db import Database
from ..services.context import Actor


class EventBus(QObject):
    """Tabs tell each other what changed, so a list refreshes after a save made in another window."""

    sig_order_changed = Signal(int)          # order id
    sig_orders_changed = Signal()            # many orders (import, re-plan)
    sig_customers_changed = Signal()
    sig_users_changed = Signal()
    sig_review_changed = Signal(int)         # order id
    sig_planning_changed = Signal()
    sig_language_changed = Signal(str)
    sig_status_message = Signal(str)         # shown in the main window's status bar
    sig_open_order = Signal(int)             # any tab asks for the order window


@dataclass
class UiContext:
    db: Database
    actor: Actor
    factory_name: str
    bus: EventBus = field(default_factory=EventBus)
