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
import itertools
from collections.abc import Callable, Iterable, Iterator

from django.db import connection, transaction
from django.http import HttpResponse, StreamingHttpResponse

ROW_COUNT_HEADER = "X-Row-Count"


class Snapshot:
    """A read transaction opened now and closed when the response is (see SnapshotStream)."""

    def __init__(self):
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

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


class SnapshotStream:
    """A response body that reads inside a snapshot and ends it when the response closes,
    whether it was read to the end, abandoned by the client, or never read."""

    def __init__(self, snapshot: Snapshot, chunks: Iterator):
        self._snapshot = snapshot
        self._chunks = chunks

    def __iter__(self):
        try:
            yield from self._chunks
        finally:
            self._snapshot.close()

    def close(self) -> None:
        self._snapshot.close()


class _Echo:
    def write(self, value):
        return value


def csv_response(
    *,
    filename: str,
    columns: list[str],
    count: Callable[[], int],
    rows: Callable[[], Iterable[list]],
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
    writer = csv.writer(_Echo())

    def chunks():
        if bom:
            yield "\ufeff"
        yield writer.writerow(columns)
        # Many rows per chunk: one write per line would cost more than the line.
        lines = (writer.writerow(row) for row in rows())
        while batch := "".join(itertools.islice(lines, 500)):
            yield batch

    response = StreamingHttpResponse(
        SnapshotStream(snapshot, chunks()), content_type="text/csv; charset=utf-8"
    )
    response[ROW_COUNT_HEADER] = str(total)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def file_response(
    *, filename: str, content_type: str, build: Callable[[], tuple[bytes, int]]
) -> HttpResponse:
    """A file built whole (Excel) in one snapshot; ``build()`` returns (content, row count)."""
    with Snapshot():
        content, total = build()
    response = HttpResponse(content, content_type=content_type)
    response[ROW_COUNT_HEADER] = str(total)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
