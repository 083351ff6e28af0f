"""Whole-list files (CSV, Excel) read from one consistent snapshot, with their row count declared.

Every export of the project goes through here: the API's ``format=csv`` /
``format=xlsx``, the dashboards' CSV and the admin's *Export selected*.

- One snapshot: the count and the rows are read in one transaction (REPEATABLE
  READ on PostgreSQL), so a file never mixes rows from before and after a
  write made while it streams, and its ``X-Row-Count`` header is its row count.
- Streams end loudly: a CSV is sent in chunks (HTTP/1.1 chunked transfer); if
  reading fails or the process is killed half-way, the connection closes
  without the final chunk, which every HTTP client reports as an incomplete
  transfer rather than a short file. ``X-Row-Count`` lets a client check too.
"""

import csv
import io
import itertools
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, Self

from django.db import connection, transaction
from django.http import FileResponse, StreamingHttpResponse

from .xlsx_writer import xlsx_write as xlsx_write  # also exports.xlsx_write

ROW_COUNT_HEADER = "X-Row-Count"

# A spreadsheet program opening a CSV runs a cell that starts with one of these as a formula
# (=HYPERLINK(...), +cmd|..., @SUM(...)): OWASP's "CSV injection". Such text is written with a
# leading apostrophe, which Excel and LibreOffice read as "this is text"; plain numbers ("-3.5")
# are left alone. The importer drops that apostrophe again (tabular.cells.optional_text), so a
# file exported and imported back changes nothing.
FORMULA_TRIGGERS = frozenset("=+-@\t\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def formula_safe(value: Any) -> Any:
    """``value`` as a CSV cell that no spreadsheet program evaluates."""
    if (
        value.__class__ is str
        and value
        and value[0] in FORMULA_TRIGGERS
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def formula_unguard(text: str) -> str:
    """The text :func:`formula_safe` was given (what an import reads back)."""
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_TRIGGERS:
        return text[1:]
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list[Any]]) -> Iterator[str]:
    """Each row as a CSV line, its text cells formula-safe."""
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow([formula_safe(value) for value in row])


def xlsx_bytes(sheets: Iterable[tuple[str, list[str], Iterable[list[Any]]]]) -> bytes:
    """The workbook of :func:`xlsx_write`, in memory (templates, small files, tests)."""
    buffer = io.BytesIO()
    xlsx_write(sheets, buffer)
    return buffer.getvalue()


class Snapshot:
    """A read transaction opened now and closed when the response is (see SnapshotStream)."""

    def __init__(self) -> None:
        outermost = not connection.in_atomic_block
        self._block = transaction.atomic()
        self._block.__enter__()
        self._open = True
        if outermost and connection.vendor == "postgresql":
            # Within an outer transaction (tests) the snapshot is that transaction's already.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")

    def close(self) -> None:
        if self._open:
            self._open = False
            self._block.__exit__(None, None, None)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class SnapshotStream:
    """A response body that reads inside a snapshot and ends it when the response closes,
    whether it was read to the end, abandoned by the client, or never read."""

    def __init__(self, snapshot: Snapshot, chunks: Iterator[str | bytes]) -> None:
        self._snapshot = snapshot
        self._chunks = chunks

    def __iter__(self) -> Iterator[str | bytes]:
        try:
            yield from self._chunks
        finally:
            self._snapshot.close()

    def close(self) -> None:
        # The rows first, then the snapshot. An abandoned download leaves its generators
        # suspended, and their cursor open, until the garbage collector comes by: on SQLite
        # the open statement kept its lock past the connection's close, and every write
        # answered "database is locked" for minutes.
        close_chunks = getattr(self._chunks, "close", None)
        if close_chunks is not None:
            close_chunks()
        self._snapshot.close()


def csv_response(
    *,
    filename: str,
    columns: list[str],
    count: Callable[[], int],
    rows: Callable[[], Iterable[list[Any]]],
    bom: bool = False,
) -> StreamingHttpResponse:
    """A streamed CSV of ``rows()`` under ``columns``; ``count()`` is read in the same snapshot.

    ``bom`` puts a UTF-8 byte-order mark first, for Excel to open Korean text right.
    """
    snapshot = Snapshot()
    try:
        total = count()
    except BaseException:
        snapshot.close()
        raise

    def chunks() -> Iterator[str]:
        if bom:
            yield "\ufeff"
        yield from csv_lines([columns])
        # Many rows per chunk: one write per line would cost more than the line.
        lines = csv_lines(rows())
        while batch := "".join(itertools.islice(lines, 500)):
            yield batch

    response = StreamingHttpResponse(
        SnapshotStream(snapshot, chunks()), content_type="text/csv; charset=utf-8"
    )
    response[ROW_COUNT_HEADER] = str(total)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_copy_response(
    *,
    filename: str,
    columns: list[str],
    count: Callable[[], int],
    sql: str,
    params: tuple[Any, ...],
    bom: bool = False,
) -> StreamingHttpResponse:
    """:func:`csv_response` written by PostgreSQL's COPY (see copy_export), in one snapshot."""
    from .copy_export import copy_chunks, header_line

    snapshot = Snapshot()
    try:
        total = count()
    except BaseException:
        snapshot.close()
        raise

    def chunks() -> Iterator[str | bytes]:
        yield ("\ufeff" if bom else "") + header_line(columns)
        yield from copy_chunks(sql, params)

    response = StreamingHttpResponse(
        SnapshotStream(snapshot, chunks()), content_type="text/csv; charset=utf-8"
    )
    response[ROW_COUNT_HEADER] = str(total)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def file_response(
    *, filename: str, content_type: str, build: Callable[[IO[bytes]], int]
) -> FileResponse:
    """A file built whole (Excel) in one snapshot, then sent from a temporary file:
    ``build(file)`` writes it and returns its row count.

    On disk, not in memory: a worker's memory stays the same whatever the file's size
    (an Excel file of a million lines is tens of megabytes), and the file is gone once
    sent or if building it fails.
    """
    file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response, or below
    try:
        with Snapshot():
            total = build(file)
        file.seek(0)
    except BaseException:
        file.close()
        raise
    response = FileResponse(file, content_type=content_type, as_attachment=True, filename=filename)
    response[ROW_COUNT_HEADER] = str(total)
    return response
