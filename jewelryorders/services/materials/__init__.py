"""Materials and purchasing: material master, suppliers, bills of materials, purchase orders, lots, stock, picking."""
