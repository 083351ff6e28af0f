"""Writing spreadsheets: the import templates and the exports, in the import's own columns."""

import itertools
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from .. import exports
from .specs import Spec


def xlsx_bytes(
    headers: list[str], rows: Iterable[list[Any]], notes: list[list[str]] | None = None
) -> bytes:
    """One sheet "data" with the headers and rows, and optionally a sheet "설명" of notes."""
    sheets = [("data", headers, rows)]
    if notes:
        sheets.append(("설명", notes[0], notes[1:]))
    return exports.xlsx_bytes(sheets)


def csv_bytes(headers: list[str], rows: Iterable[list[Any]]) -> bytes:
    # A BOM, so that Excel opens the Korean headers as UTF-8.
    lines = exports.csv_lines(itertools.chain([headers], rows))
    return ("\ufeff" + "".join(lines)).encode("utf-8")


def template_file(spec: Spec, file_format: str) -> bytes:
    """An empty file with the Korean headers; the Excel one explains each column on a 2nd sheet."""
    headers = [c.header_ko for c in spec.columns]
    if file_format == "csv":
        return csv_bytes(headers, [])
    notes = [["열", "필수", "English", "설명"]] + [
        [c.header_ko, "예" if c.required else "", c.header_en, c.help_text_ko()]
        for c in spec.columns
    ]
    return xlsx_bytes(headers, [], notes)


def export_file(spec: Spec, queryset: QuerySet[Any], file_format: str) -> bytes:
    headers = [c.header_ko for c in spec.columns]
    rows = spec.export_rows(queryset)
    return xlsx_bytes(headers, rows) if file_format == "xlsx" else csv_bytes(headers, rows)
