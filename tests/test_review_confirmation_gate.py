"""The order confirmation is printed only for a contracted order; before that the user is told why not."""

from __future__ import annotations

import pytest

from jewelryorders.services import documents
from jewelryorders.services.errors import GateError
from jewelryorders.services.orders.papers import print_order_confirmation
from jewelryorders.ui.context import UiContext
from jewelryorders.ui.orders import tab as tab_module
from jewelryorders.ui.orders.order_window import OrderWindow
from jewelryorders.ui.orders.tab import OrdersTab

from .review_support import set_stage


def _filed(db, order_id):
    return [d for d in documents.list_documents(db, order_id) if d.category == "order_confirmation"]


@pytest.mark.parametrize("stage", ["draft", "preliminary_review", "negotiating", "detailed_review", "abandoned"])
def test_the_service_refuses_before_the_contract_and_files_nothing(db, sales, order_factory, tmp_path, stage):
    order = order_factory()
    set_stage(db, order.id, stage)
    with pytest.raises(GateError, match="only once the contract is signed"):
        print_order_confirmation(db, sales, order.id, tmp_path / "c.pdf", lang="en")
    assert not (tmp_path / "c.pdf").exists() and not _filed(db, order.id)


@pytest.mark.parametrize("stage", ["contracted", "in_production", "delivered"])
def test_a_contracted_order_is_printed_and_filed(db, sales, order_factory, tmp_path, stage):
    order = order_factory()
    set_stage(db, order.id, stage)
    printed = print_order_confirmation(db, sales, order.id, tmp_path / "c.pdf", lang="zh_TW")
    assert printed.path.exists() and len(_filed(db, order.id)) == 1


@pytest.fixture
def ctx(db, sales):
    return UiContext(db, sales, "金福珠寶廠")


def test_the_print_action_is_disabled_with_the_reason_until_contracted(qtbot, ctx, db, order_factory):
    order = order_factory()
    tab = OrdersTab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    tab.table.selectRow(0)
    action = tab.actions_by_id[tab_module.ACTION_PRINT]
    assert not action.isEnabled() and "only once the contract is signed" in action.toolTip()
    set_stage(db, order.id, "contracted")
    tab.refresh()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    tab.table.selectRow(0)
    qtbot.waitUntil(lambda: action.isEnabled())
    assert "only once" not in action.toolTip()

    window = OrderWindow(ctx, order.id)
    qtbot.addWidget(window)
    assert window.print_button.isEnabled()
    set_stage(db, order.id, "negotiating")
    window.reload()
    assert not window.print_button.isEnabled() and "contract" in window.print_button.toolTip()
