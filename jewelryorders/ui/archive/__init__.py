"""The Archive tab: documents, access requests, loans, the access log and data safety."""
