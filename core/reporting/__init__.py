"""Reporting for every domain: server-rendered SVG charts (``charts``), the one formula-safe
XLSX/CSV writer (``exports``), and dashboard panels with their month buckets (``panels``)."""
