"""The progress ledger (part 4): entries per task sheet, metal loss, exceptions, coordination meetings."""
