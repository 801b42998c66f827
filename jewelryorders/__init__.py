"""jewelryorders: the order procedure of a jewelry factory, from intake to after-sales and archive."""

__version__ = "0.1.0"
APP_NAME = "jewelryorders"
ORG_NAME = "jewelryorders"
