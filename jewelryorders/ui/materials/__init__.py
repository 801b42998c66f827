"""The Materials tab: stock and quarantine, purchase orders and receipts, an order's materials and picking."""
