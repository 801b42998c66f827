"""Part 2, review: preliminary and detailed review, negotiation, escalation, contract, report."""
