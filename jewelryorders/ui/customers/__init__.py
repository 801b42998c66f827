"""Customers: the searchable customer list, the customer form, and the picker other windows use to choose one."""
