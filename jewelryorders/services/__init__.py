"""The procedure's rules: every state change checks role and gate, writes the audit trail and commits once."""
