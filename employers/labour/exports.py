"""XLSX exports of the labour pages: the formula-safe writer lives in core.exports."""

from __future__ import annotations

from core.exports import XLSX_MEDIA_TYPE, Sheet, workbook_bytes, xlsx_response

__all__ = ["XLSX_MEDIA_TYPE", "Sheet", "workbook_bytes", "xlsx_response"]
