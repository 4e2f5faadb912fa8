"""Litestar controllers of the training side: pages and API (short; services do the work)."""
