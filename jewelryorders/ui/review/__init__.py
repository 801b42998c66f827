"""The Review tab: preliminary review, departments' inboxes, review rounds, escalations, contract."""
