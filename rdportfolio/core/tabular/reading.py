"""Reading the rows of an uploaded CSV or Excel file, within bounds a hostile file cannot pass.

Limits (each refusal says which, in the reader's language): a cell holds at most
32,767 characters (Excel's own limit); a file at most MAX_ROWS rows; an Excel
file's sheets at most XLSX_MAX_UNCOMPRESSED bytes once unzipped (a 1 MB file
can unzip to gigabytes), at most XLSX_MAX_ROWS rows (larger sets go as CSV) and
no cell beyond column ZZ.

An Excel file is checked against these from its sheets' text before any reader
loads a cell (:func:`xlsx_scan`): a reader sizes a sheet by its cells' references,
so a few kilobytes with one cell at XFD1048576 made calamine allocate every cell
up to it, which grew a worker past a gigabyte or killed it, and everyone's
requests on it. The upload's questions (the sheets' names, which hold rows) are
answered from the scan alone: no web process loads a workbook.
"""

import csv
import html
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from .cells import text

MAX_CELL_CHARS = 32_767

Tick = Callable[[int], None] | None  # told the rows read so far, every 2,000


def _limit(name: str, default: int) -> int:
    return getattr(settings, name, default)


class FileRefused(Exception):
    """The file as a whole cannot be read (format, encoding, headers, size)."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors[0]["message"] if errors else "refused")
        self.errors = errors


def file_error(message: str, *, row: int | None = None, column: str | None = None) -> FileRefused:
    return FileRefused([{"row": row, "column": column, "message": message}])


@dataclass(frozen=True)
class Formula:
    """A cell that holds a formula: its value is Excel's to compute, not ours to trust."""

    source: str

    def __str__(self) -> str:
        return self.source


@dataclass
class Rows:
    """The non-empty rows of a file's first sheet, numbered as the reader sees them."""

    rows: Iterator[tuple[int, list[Any]]]
    sheet_names: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[tuple[int, list[Any]]]:
        return self.rows

    def other_sheets_hint(self) -> str | None:
        """For a refusal: only the first sheet is read, and which others there are."""
        if len(self.sheet_names) < 2:
            return None
        return _(
            "Only the first sheet (“%(first)s”) is read; this workbook also has: %(others)s."
        ) % {
            "first": self.sheet_names[0],
            "others": ", ".join(f"“{name}”" for name in self.sheet_names[1:]),
        }


def file_rows(
    content: bytes,
    file_format: str,
    tick: Tick = None,
    sheet: str | None = None,
) -> Rows:
    """The rows of ``content`` (an Excel file's first sheet, or the one named ``sheet``);
    ``tick(rows read)`` is called every 2,000 rows (and may raise)."""
    if file_format == "xlsx":
        return _xlsx_rows(content, tick, sheet)
    return Rows(_csv_rows(content, tick))


def sheet_names(content: bytes) -> dict[str, bool]:
    """An Excel file's sheets, in order, each with whether it holds a row below its first:
    from the sheets' text (xlsx_scan), no cell loaded."""
    return {sheet.name: sheet.rows > 1 for sheet in xlsx_scan(content)}


def _xlsx_rows(content: bytes, tick: Tick, sheet: str | None) -> Rows:
    scans = xlsx_scan(content)  # before a reader loads any cell of it
    chosen = [scan for scan in scans if scan.name == sheet] if sheet else scans[:1]
    if any(scan.formulas for scan in chosen):
        # Only openpyxl tells a formula from its cached value; the fast reader would hand us
        # the value Excel last computed (or nothing), and the refusal must name the cell.
        return _openpyxl_rows(content, tick, sheet)
    return _calamine_rows(content, tick, sheet)


def _calamine_rows(content: bytes, tick: Tick, sheet_name: str | None) -> Rows:
    """A sheet read by calamine (Rust): 100,000 rows in well under a second, where openpyxl
    takes about eight. Numbers come as floats, empty cells as ""."""
    import python_calamine

    try:
        workbook = python_calamine.load_workbook(io.BytesIO(content))
        names = list(workbook.sheet_names)
        sheet = (
            workbook.get_sheet_by_name(sheet_name) if sheet_name else workbook.get_sheet_by_index(0)
        )
    except Exception as exc:  # noqa: BLE001 - any failure means "not a workbook we can read"
        raise file_error(_("This is not an Excel (.xlsx) file we can read.")) from exc

    def rows() -> Iterator[tuple[int, list[Any]]]:
        limit = _limit("RDP_IMPORT_XLSX_MAX_ROWS", 300_000)
        # Rows from the sheet's first row (A1), empty ones included, so numbers match Excel's.
        for number, values in enumerate(sheet.iter_rows(), start=1):
            # Blank: every cell empty or spaces (a row's first cell usually settles it).
            if not all(v == "" or (type(v) is str and not v.strip()) for v in values):
                _count(number, limit, tick, "xlsx")
                yield number, values

    return Rows(rows(), names)


def _openpyxl_rows(content: bytes, tick: Tick, sheet_name: str | None) -> Rows:
    from openpyxl import load_workbook

    try:
        # Formulas as written (data_only=False): a cached result may be stale or missing.
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - any failure means "not a workbook we can read"
        raise file_error(_("This is not an Excel (.xlsx) file we can read.")) from exc
    names = list(workbook.sheetnames)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        limit = _limit("RDP_IMPORT_XLSX_MAX_ROWS", 300_000)
        number = 0
        try:
            sheet = workbook[sheet_name] if sheet_name else workbook.worksheets[0]
            for number, cells in enumerate(sheet.iter_rows(), start=1):  # noqa: B007
                values = [
                    Formula(str(cell.value)) if cell.data_type == "f" else cell.value
                    for cell in cells
                ]
                if any(v is not None and text(v) != "" for v in values):
                    _count(number, limit, tick, "xlsx")
                    yield number, values
        except (ValueError, TypeError, KeyError) as exc:
            # The reader met XML it cannot turn into a value (a hand-made or damaged file).
            raise file_error(
                _("Row %(row)s holds a value Excel does not write (not a number?).")
                % {"row": number + 1},
                row=number + 1,
            ) from exc
        finally:
            workbook.close()

    return Rows(rows(), names)


# The widest sheet an import reads: A to ZZ. Templates have a few dozen columns.
MAX_COLUMNS = 702
# A formula element in sheet XML, with or without a namespace prefix: <f>, <f t="shared"/>,
# <x:f>. Loose on purpose (a one-class prefix searches fast): text that merely looks like one
# only sends the file to the slower reader, which reads it the same.
FORMULA_TAG = re.compile(rb"[<:]f[\s>/]")
ROW_TAG = re.compile(rb"<(?:\w{1,16}:)?row[\s>/]")
ROW_NUMBER = re.compile(rb"<(?:\w{1,16}:)?row\s[^>]{0,400}?\br=\"(\d{1,12})\"")
WIDE_CELL = re.compile(rb"<(?:\w{1,16}:)?c\s[^>]{0,200}?\br=\"[A-Z]{3}")
DIMENSION = re.compile(rb"<(?:\w{1,16}:)?dimension\s+ref=\"[A-Z]{1,3}\d+:([A-Z]{1,3})(\d{1,12})\"")
OVERLAP = 1024  # longer than any tag the patterns match, so none is missed between pieces

_SHEET = re.compile(rb"<(?:\w{1,16}:)?sheet\s([^>]*)>")
_ATTRIBUTE = re.compile(rb"(?:^|\s)((?:\w{1,16}:)?\w+)=\"([^\"]*)\"")
_RELATION = re.compile(rb"<(?:\w{1,16}:)?Relationship\s([^>]*)>")


@dataclass(frozen=True)
class SheetScan:
    name: str
    part: str
    rows: int  # row elements, empty ones included
    last_row: int  # the highest row number a row declares (0 if none says)
    formulas: bool


def _attributes(text: bytes) -> dict[str, str]:
    return {
        key.decode().rsplit(":", 1)[-1]: html.unescape(value.decode("utf-8", "replace"))
        for key, value in _ATTRIBUTE.findall(text)
    }


def _sheet_parts(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(name, part) of each sheet, in the workbook's order, from its two small index files."""
    workbook = archive.read("xl/workbook.xml")
    relations = {
        attributes.get("Id", ""): attributes.get("Target", "")
        for attributes in map(_attributes, _RELATION.findall(archive.read(_RELS)))
    }
    sheets = []
    for attributes in map(_attributes, _SHEET.findall(workbook)):
        target = relations.get(attributes.get("id", ""), "")
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        sheets.append((attributes.get("name", ""), part))
    return sheets


_RELS = "xl/_rels/workbook.xml.rels"


def _scan_part(archive: zipfile.ZipFile, name: str, part: str, budget: list[int]) -> SheetScan:
    rows = last_row = 0
    formulas = False
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(2**20):
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise _too_big(_limit("RDP_IMPORT_XLSX_MAX_UNCOMPRESSED", 200 * 2**20) - budget[0])
            text = tail + chunk
            # Those wholly in the tail were counted with the piece before.
            rows += len(ROW_TAG.findall(text)) - len(ROW_TAG.findall(tail))
            last_row = max([last_row, *map(int, ROW_NUMBER.findall(text))])
            formulas = formulas or bool(FORMULA_TAG.search(text))
            if WIDE_CELL.search(text):
                raise _too_wide(name)
            if (dimension := DIMENSION.search(text)) is not None:
                column, row = dimension.groups()
                if len(column) > 2:
                    raise _too_wide(name)
                last_row = max(last_row, int(row))
            tail = text[-OVERLAP:]
    return SheetScan(name, part, rows, last_row, formulas)


def xlsx_scan(content: bytes) -> list[SheetScan]:
    """Each sheet as its text declares it; refuses a file whose sheets unzip past the limit
    (declared sizes first: a bomb is refused without unzipping a byte), that reaches past
    the row limit, or that has a cell beyond column ZZ."""
    limit = _limit("RDP_IMPORT_XLSX_MAX_UNCOMPRESSED", 200 * 2**20)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            declared = sum(
                info.file_size
                for info in archive.infolist()
                if info.filename.startswith("xl/worksheets/") or info.filename.endswith(".xml")
            )
            if declared > limit:
                raise _too_big(declared, limit)
            budget = [limit]  # counted as unzipped: declared sizes can lie
            sheets = [_scan_part(archive, *sheet, budget) for sheet in _sheet_parts(archive)]
    except FileRefused:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError, KeyError) as exc:
        raise file_error(_("This is not an Excel (.xlsx) file we can read.")) from exc
    if not sheets:
        raise file_error(_("This is not an Excel (.xlsx) file we can read."))
    limit = _limit("RDP_IMPORT_XLSX_MAX_ROWS", 300_000)
    for sheet in sheets:
        if (reach := max(sheet.rows, sheet.last_row)) > limit + 1:  # the header does not count
            raise file_error(
                _(
                    "The sheet “%(sheet)s” reaches row %(reach)s, past the limit of %(limit)s "
                    "rows (empty rows count where the sheet keeps them: delete the rows below "
                    "your table). Save it as CSV (up to %(csv_limit)s rows) or split it."
                )
                % {
                    "sheet": sheet.name,
                    "reach": f"{reach:,}",
                    "limit": f"{limit:,}",
                    "csv_limit": f"{_limit('RDP_IMPORT_MAX_ROWS', 1_000_000):,}",
                }
            )
    return sheets


def too_many_rows(limit: int) -> FileRefused:
    return file_error(
        _(
            "The Excel file has more than %(limit)s rows; save it as CSV (up to "
            "%(csv_limit)s rows) or split it."
        )
        % {"limit": f"{limit:,}", "csv_limit": f"{_limit('RDP_IMPORT_MAX_ROWS', 1_000_000):,}"}
    )


def _too_wide(sheet: str) -> FileRefused:
    return file_error(
        _(
            "The sheet “%(sheet)s” has a cell beyond column ZZ: an import reads at most "
            "%(columns)s columns. Delete the cells far to the right, or copy the table to a "
            "new sheet."
        )
        % {"sheet": sheet, "columns": MAX_COLUMNS}
    )


def _too_big(size: int, limit: int | None = None) -> FileRefused:
    limit = limit or _limit("RDP_IMPORT_XLSX_MAX_UNCOMPRESSED", 200 * 2**20)
    return file_error(
        _(
            "This Excel file unzips to %(size)s MB of sheets, more than %(limit)s MB: save it "
            "as CSV, or split it."
        )
        % {"size": size // 2**20, "limit": limit // 2**20}
    )


def _csv_rows(content: bytes, tick: Tick) -> Iterator[tuple[int, list[Any]]]:
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
    limit = _limit("RDP_IMPORT_MAX_ROWS", 1_000_000)
    csv.field_size_limit(MAX_CELL_CHARS)
    reader = csv.reader(io.StringIO(decoded, newline=""))
    try:
        if decoded.count("\n") > limit:
            # Perhaps more rows than allowed: counted first, none kept, so that a file of a
            # million rows too many is refused before its rows are held (931 MB before).
            _count(
                sum(1 for _row in csv.reader(io.StringIO(decoded, newline=""))), limit, None, "csv"
            )
        for number, values in enumerate(reader, start=1):
            if "".join(values).strip():  # not blank: some cell holds more than spaces
                if number > limit or (tick is not None and number % 2000 == 0):
                    _count(number, limit, tick, "csv")  # only when it has work, not once a row
                yield number, values
    except csv.Error as exc:
        raise file_error(
            _("Row %(row)s: a cell holds more than %(max)s characters, or a quote is not closed.")
            % {"row": reader.line_num, "max": f"{MAX_CELL_CHARS:,}"},
            row=reader.line_num,
        ) from exc


def _count(number: int, limit: int, tick: Tick, file_format: str) -> None:
    if number > limit + 1:  # the header row does not count
        if file_format == "xlsx":
            raise too_many_rows(limit)
        raise file_error(
            _("The file has more than %(limit)s rows; split it into smaller files.")
            % {"limit": f"{limit:,}"}
        )
    if tick is not None and number % 2000 == 0:
        tick(number)
