"""Benchmark: the API's XLSX of 100,000 budget lines, our writer beside two libraries, and memory.

Not a test. On the database benchmarks/share_recompute.py loads (a million lines), the
first 100,000 lines of 2025 as the API writes them (``format=xlsx``): our writer
(rdportfolio.core.xlsx_writer) fed rows the database formatted (what the API does on
PostgreSQL), the same writer fed rows converted in Python (SQLite's path), then the same
rows through XlsxWriter in constant-memory mode and openpyxl's write-only mode (the two
libraries the issue named); then the process's memory. The floor: COPY of the same rows to
a file.

    .venv/bin/python benchmarks/xlsx_export.py
"""

import io
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    from benchmarks import django_on_bench_database

    django_on_bench_database()
    import openpyxl
    from django.db import connection, transaction
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from budgets.api import BudgetLineViewSet
    from rdportfolio.core.copy_export import copy_select, formatted_rows
    from rdportfolio.core.exports import xlsx_bytes, xlsx_write

    view = BudgetLineViewSet(action="list", format_kwarg=None)
    view.request = Request(APIRequestFactory().get("/api/v1/budget-lines/?format=xlsx"))
    ids = view.get_queryset().filter(fiscal_year=2025).order_by().values("pk")[:100_000]
    queryset = view.get_queryset().filter(pk__in=ids)
    columns = list(view.get_serializer().fields)
    plan = view.copy_plan()
    with transaction.atomic():
        rows = queryset.count()
        before = rss_mb()
        started = time.perf_counter()
        with tempfile.TemporaryFile() as file:  # as the API builds it: on disk
            xlsx_write([("data", columns, formatted_rows(queryset, *plan))], file)
            size = file.tell()
        ours = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        _columns, python_rows = view.export_rows(queryset)
        xlsx_bytes([("data", columns, python_rows)])
        python_path = time.perf_counter() - started
        started = time.perf_counter()
        _xlsxwriter(columns, formatted_rows(queryset, *plan), io.BytesIO())
        xlsxwriter_time = time.perf_counter() - started
        started = time.perf_counter()
        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet("data")
        sheet.append(columns)
        for row in formatted_rows(queryset, *plan):
            sheet.append(row)
        workbook.save(io.BytesIO())
        openpyxl_time = time.perf_counter() - started
        sql, params = copy_select(queryset, *plan)
        started = time.perf_counter()
        with tempfile.TemporaryFile() as file, connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy:
                for chunk in copy:
                    file.write(chunk)
        floor = time.perf_counter() - started
    print(f"rows: {rows:,}; file {size / 1e6:.1f} MB")
    print(
        f"ours, rows formatted by PostgreSQL (the API):       {ours:6.2f} s  {rows / ours:,.0f} rows/s"
    )
    print(f"ours, rows converted in Python (SQLite path):       {python_path:6.2f} s")
    print(f"XlsxWriter constant memory, same rows as the API:   {xlsxwriter_time:6.2f} s")
    print(f"openpyxl write-only, same rows:                     {openpyxl_time:6.2f} s")
    print(
        f"floor, COPY of the same rows to a file:             {floor:6.2f} s; ratio {ours / floor:.1f}x"
    )
    print(
        f"memory: {before:.0f} MB before, peak {peak:.0f} MB while writing it "
        "(the file goes to a temporary file, as the API sends it)"
    )


def _xlsxwriter(columns, rows, target) -> None:
    """The same sheet through XlsxWriter (the exports' writer until 2026-11-30)."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet("data")
    sheet.write_row(0, 0, columns)
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if value is None or value == "":
                continue
            if type(value) is str:
                sheet.write_string(number, column, value)
            elif type(value) is bool:
                sheet.write_boolean(number, column, value)
            else:
                sheet.write_number(number, column, value)
    workbook.close()


if __name__ == "__main__":
    main()
