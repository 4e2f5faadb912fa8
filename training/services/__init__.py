"""What the training side does: queries, transactions and audit rows; no HTTP."""
