"""The Ledger tab: shop-floor scanning, the progress ledger, order progress, exceptions, meetings and to-do."""
