"""Reading the rows of an uploaded CSV or Excel file."""

import csv
import io
from collections.abc import Iterator

from django.utils.translation import gettext as _

from .cells import text


class FileRefused(Exception):
    """The file as a whole cannot be read (format, encoding, headers)."""

    def __init__(self, errors: list[dict]):
        super().__init__(errors[0]["message"] if errors else "refused")
        self.errors = errors


def file_error(message: str, *, row=None, column=None) -> FileRefused:
    return FileRefused([{"row": row, "column": column, "message": message}])


def file_rows(content: bytes, file_format: str) -> Iterator[tuple[int, list]]:
    """(row number as the reader sees it, cell values) for every non-empty row, header first."""
    if file_format == "xlsx":
        yield from _xlsx_rows(content)
    else:
        yield from _csv_rows(content)


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, list]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure means "not a workbook we can read"
        raise file_error(_("This is not an Excel (.xlsx) file we can read.")) from exc
    sheet = workbook.worksheets[0]
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if any(v is not None and text(v) != "" for v in values):
            yield number, list(values)
    workbook.close()


def _csv_rows(content: bytes) -> Iterator[tuple[int, list]]:
    for encoding in ("utf-8-sig", "cp949"):
        try:
            decoded = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise file_error(_("The CSV file is neither UTF-8 nor CP949 (Korean Excel) text."))
    if "\x00" in decoded:
        raise file_error(_("This is not a CSV text file."))
    for number, values in enumerate(csv.reader(io.StringIO(decoded, newline="")), start=1):
        if any(v.strip() for v in values):
            yield number, values
