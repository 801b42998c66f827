"""A tab made of sub-views: a QTabWidget of views keyed by a constant id, their titles set in retranslate_ui, each
view's sig_changed refreshing the others, and show_view(view_id) for links (the dashboard's) to open one of them."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from ...i18n import _
from ..context import UiContext


class SubViewsTab(QWidget):
    """Subclasses give VIEWS: ((view_id, title msgid marked with N_, factory(ctx) -> view), ...) in tab order.

    - `self.views` {view_id: view}, `self.tabs` the QTabWidget (object name `tabs_name`), `self.view_id(view)`.
    - A view's `sig_changed` (when it has one) calls `view_changed(view_id)`, which refreshes the other views
      (`refresh_view`, overridable: e.g. to keep a selection); `CHANGE_REFRESHES_ALL` refreshes the sender too.
    - `page_changed(view_id)` runs when the user turns to another view (`REFRESH_ON_PAGE`: that view refreshes).
    - `retranslate_ui` sets the titles and retranslates every view; with `FOLLOW_LANGUAGE` the tab follows the
      bus's language signal by itself; with `REFRESH_ON_OPEN` every view refreshes once when the tab is built."""

    VIEWS: tuple[tuple[str, str, Callable[[UiContext], QWidget]], ...] = ()
    tabs_name = ""
    MARGINS = 0
    FOLLOW_LANGUAGE = True
    REFRESH_ON_OPEN = True
    REFRESH_ON_PAGE = False
    CHANGE_REFRESHES_ALL = False

    def __init__(self, ctx: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.views: dict[str, QWidget] = {}
        self._titles: dict[str, str] = {}
        self.tabs = QTabWidget()
        if self.tabs_name:
            self.tabs.setObjectName(self.tabs_name)
        for view_id, title, factory in self.VIEWS:
            self.add_view(view_id, title, factory(ctx))
        self.tabs.currentChanged.connect(self._on_current_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(self.MARGINS, self.MARGINS, self.MARGINS, self.MARGINS)
        layout.addWidget(self.tabs)
        if self.FOLLOW_LANGUAGE:
            ctx.bus.sig_language_changed.connect(lambda _lang: self.retranslate_ui())

    def finish_setup(self) -> None:
        """Call at the end of the subclass's __init__: titles, then the first refresh when REFRESH_ON_OPEN."""
        self.retranslate_ui()
        if self.REFRESH_ON_OPEN:
            self.refresh()

    def add_view(self, view_id: str, title: str, view: QWidget) -> QWidget:
        self.views[view_id] = view
        self._titles[view_id] = title
        self.tabs.addTab(view, "")
        signal = getattr(view, "sig_changed", None)
        if signal is not None:
            signal.connect(lambda view_id=view_id: self.view_changed(view_id))
        return view

    def view_id(self, view: QWidget | None) -> str | None:
        return next((key for key, v in self.views.items() if v is view), None)

    def current_view_id(self) -> str | None:
        return self.view_id(self.tabs.currentWidget())

    def show_view(self, view_id: str) -> QWidget:
        """Turn to a view (links from the dashboard); the view is returned."""
        view = self.views[view_id]
        self.tabs.setCurrentWidget(view)
        return view

    def retranslate_ui(self) -> None:
        for view_id, view in self.views.items():
            self.tabs.setTabText(self.tabs.indexOf(view), _(self._titles[view_id]))
        for view in self.views.values():
            retranslate = getattr(view, "retranslate_ui", None)
            if retranslate is not None:
                retranslate()

    def refresh(self) -> None:
        for view_id in self.views:
            self.refresh_view(view_id)

    def refresh_view(self, view_id: str) -> None:
        refresh = getattr(self.views[view_id], "refresh", None)
        if refresh is not None:
            refresh()

    def view_changed(self, view_id: str) -> None:
        """A view changed data: the others show it."""
        for other in self.views:
            if other != view_id or self.CHANGE_REFRESHES_ALL:
                self.refresh_view(other)

    def page_changed(self, view_id: str) -> None:
        if self.REFRESH_ON_PAGE:
            self.refresh_view(view_id)

    def _on_current_changed(self, index: int) -> None:
        view_id = self.view_id(self.tabs.widget(index))
        if view_id is not None:
            self.page_changed(view_id)


__all__ = ["SubViewsTab"]
