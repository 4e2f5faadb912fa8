"""What the employers package does: queries, transactions and audit rows; no HTTP."""
