"""Whole-list CSV straight from PostgreSQL: ``COPY (SELECT …) TO STDOUT``, streamed.

The API's ``format=csv`` of a list whose serializer reads plain columns is written by the
database itself: the filtered, ordered ``values_list()`` query is wrapped in one SELECT
that formats each column as the JSON does (booleans ``True``/``False``, decimals at the
field's places, ISO dates and local ISO datetimes, text cells guarded against spreadsheet
formulas like :func:`rdportfolio.core.exports.formula_safe`), and psycopg streams what
``COPY`` sends. Python touches chunks, not rows: a million lines cost about what ``COPY``
to a file costs, with the worker's memory flat. Anything else (SQLite, serializers with
method or many-valued fields) keeps the Python writer, same columns, same values.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeGuard

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.db.models import QuerySet
from django.db.models.sql.where import WhereNode
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from .exports import FORMULA_TRIGGERS

TEXT, RAW, BOOLEAN, DECIMAL, DATE, DATETIME, WITHHELD = (
    "text",
    "raw",
    "boolean",
    "decimal",
    "date",
    "datetime",
    "withheld",
)
# What a list's CSV is written from by COPY: (ORM paths, column kinds); see ExportMixin.copy_plan.
CopyPlan = tuple[list[str], list[str]]

# The text a spreadsheet would run (exports.FORMULA_TRIGGERS), unless it is a plain number;
# the first character is tested first, so that most cells cost one comparison.
_FORMULA = (
    "left({c}, 1) IN ('=', '+', '-', '@', chr(9), chr(13))"
    r" AND {c} !~ '^[+-]?[0-9]+(\.[0-9]+)?$'"
)
_FORMATS = {
    RAW: "{c}",
    TEXT: "CASE WHEN " + _FORMULA + " THEN '''' || {c} ELSE {c} END",
    BOOLEAN: "CASE WHEN {c} THEN 'True' WHEN NOT {c} THEN 'False' END",
    DATE: "to_char({c}, 'YYYY-MM-DD')",
    # Python's isoformat() in the site's zone (the COPY runs with the session in it, see
    # copy_chunks): six digits of microseconds only when there are some, "Z" for UTC. One
    # to_char a cell; a regular expression per cell cost more than the rest of the COPY.
    DATETIME: (
        "CASE WHEN extract(timezone FROM {c}) = 0"
        """ THEN replace(to_char({c}, 'YYYY-MM-DD"T"HH24:MI:SS.US'), '.000000', '') || 'Z'"""
        """ ELSE replace(to_char({c}, 'YYYY-MM-DD"T"HH24:MI:SS.USTZH:TZM'), '.000000', '') END"""
    ),
    WITHHELD: "NULL",
}


def column_kind(field: serializers.Field[Any, Any, Any, Any], withheld: bool) -> str | None:
    """How a serializer field's value is written, or None if COPY cannot write it as JSON does."""
    if withheld:
        return WITHHELD
    if isinstance(field, serializers.BooleanField):
        return BOOLEAN
    if isinstance(field, serializers.DecimalField):
        return f"{DECIMAL}:{field.decimal_places}"
    if isinstance(field, serializers.DateTimeField):
        iso = getattr(field, "format", api_settings.DATETIME_FORMAT) == ISO_8601
        return DATETIME if iso else None
    if isinstance(field, serializers.DateField):
        iso = getattr(field, "format", api_settings.DATE_FORMAT) == ISO_8601
        return DATE if iso else None
    if isinstance(field, serializers.IntegerField | serializers.PrimaryKeyRelatedField):
        return RAW
    if isinstance(field, serializers.ChoiceField) and not any(
        str(choice)[:1] in FORMULA_TRIGGERS for choice in field.choices
    ):
        return RAW  # a fixed set of codes, none a formula: no guard to test per cell
    if isinstance(field, serializers.CharField | serializers.ChoiceField):
        return TEXT
    return None


def copy_select(
    queryset: QuerySet[Any], paths: list[str], kinds: list[str]
) -> tuple[str, tuple[Any, ...]]:
    """One SELECT over ``queryset.values_list(*paths)`` that formats each column for CSV."""
    query, empty = queryset.values_list(*paths).query, ""
    try:
        inner, params = query.sql_with_params()
    except EmptyResultSet:
        # A filter Django knows matches nothing (an unknown id, a year beyond any integer)
        # has no SQL of its own: the same columns over no rows, as the JSON's empty list.
        query = query.clone()
        query.where, empty = WhereNode(), " WHERE false"
        inner, params = query.sql_with_params()
    names = [f"c{i}" for i in range(len(paths))]
    expressions = []
    for name, kind in zip(names, kinds, strict=True):
        if kind.startswith(DECIMAL):
            places = int(kind.split(":")[1])
            expressions.append(f"CAST(ROUND({name}, {places}) AS TEXT)")
        else:
            expressions.append(_FORMATS[kind].format(c=name))
    # Only our own column names and format templates are put into the text; values stay params.
    sql = f"SELECT {', '.join(expressions)} FROM ({inner}) AS q ({', '.join(names)}){empty}"  # noqa: S608
    return sql, params


@contextmanager
def _site_time_zone(cursor: CursorWrapper) -> Iterator[None]:
    """The session's TimeZone set to the site's while the block runs, then back: datetimes
    are formatted in SQL in the site's zone, and Django's psycopg loaders, which read
    timestamps as UTC, would misread any row read later in the same transaction."""
    cursor.execute("SELECT current_setting('TimeZone')")
    (previous,) = cursor.fetchone()
    cursor.execute("SELECT set_config('TimeZone', %s, true)", [settings.TIME_ZONE])
    try:
        yield
    finally:
        if not connection.needs_rollback:
            cursor.execute("SELECT set_config('TimeZone', %s, true)", [previous])


def copy_chunks(
    sql: str, params: tuple[Any, ...], *, chunk_bytes: int = 256 * 1024
) -> Iterator[bytes]:
    """What ``COPY (sql) TO STDOUT`` sends, in chunks of about ``chunk_bytes``, in the
    caller's transaction (the export's snapshot)."""
    with connection.cursor() as cursor, _site_time_zone(cursor):
        with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy:
            parts, size = [], 0
            for data in copy:
                parts.append(bytes(data))
                size += len(data)
                if size >= chunk_bytes:
                    yield b"".join(parts)
                    parts, size = [], 0
            if parts:
                yield b"".join(parts)


def formatted_rows(
    queryset: QuerySet[Any], paths: list[str], kinds: list[str], *, chunk: int = 5000
) -> Iterator[tuple[Any, ...]]:
    """The rows as the JSON writes them, formatted by the database, for a spreadsheet.

    Text and booleans come as they are (a sheet's text cell is never a formula, and a
    boolean cell is better than "True"); datetimes, dates and decimals as the JSON's text.
    Read through a server-side cursor, ``chunk`` rows at a time, in the caller's transaction.
    """
    kinds = [RAW if kind in (TEXT, BOOLEAN) else kind for kind in kinds]
    sql, params = copy_select(queryset, paths, kinds)
    with connection.cursor() as setup, _site_time_zone(setup):
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(chunk):
                yield from rows


def header_line(columns: list[str]) -> str:
    """The header as COPY would write it (lines end with a bare newline there)."""
    return ",".join(columns) + "\n"


def can_copy(kinds: list[str | None]) -> TypeGuard[list[str]]:
    return connection.vendor == "postgresql" and all(kinds)
