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

from django.conf import settings
from django.db import connection
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

TEXT, RAW, BOOLEAN, DECIMAL, DATE, DATETIME, WITHHELD = (
    "text",
    "raw",
    "boolean",
    "decimal",
    "date",
    "datetime",
    "withheld",
)

# The text a spreadsheet would run (exports.FORMULA_TRIGGERS), unless it is a plain number.
_FORMULA = r"{c} ~ '^[-=+@\t\r]' AND {c} !~ '^[+-]?[0-9]+(\.[0-9]+)?$'"
_FORMATS = {
    RAW: "{c}",
    TEXT: "CASE WHEN " + _FORMULA + " THEN '''' || {c} ELSE {c} END",
    BOOLEAN: "CASE WHEN {c} THEN 'True' WHEN NOT {c} THEN 'False' END",
    DATE: "to_char({c}, 'YYYY-MM-DD')",
    # Python's isoformat() of the time in the site's zone: microseconds only when there are
    # some, the zone's offset then, "Z" for UTC. (Not by changing the session's TimeZone:
    # Django's psycopg loaders read timestamps as UTC and would misread every later one.)
    DATETIME: (
        "to_char({c} AT TIME ZONE {tz}, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
        " || CASE WHEN mod(EXTRACT(MICROSECONDS FROM {c})::bigint, 1000000) <> 0"
        " THEN to_char({c} AT TIME ZONE {tz}, '.US') ELSE '' END"
        " || (SELECT CASE WHEN o = 0 THEN 'Z' ELSE CASE WHEN o < 0 THEN '-' ELSE '+' END"
        " || lpad((abs(o) / 60)::text, 2, '0') || ':' || lpad(mod(abs(o), 60)::text, 2, '0') END"
        " FROM (SELECT (EXTRACT(EPOCH FROM ({c} AT TIME ZONE {tz}) - ({c} AT TIME ZONE 'UTC'))"
        " / 60)::int AS o) AS offset_minutes)"
    ),
    WITHHELD: "NULL",
}


def column_kind(field: serializers.Field, withheld: bool) -> str | None:
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
    if isinstance(field, serializers.CharField | serializers.ChoiceField):
        return TEXT
    return None


def copy_select(queryset, paths: list[str], kinds: list[str]) -> tuple[str, tuple]:
    """One SELECT over ``queryset.values_list(*paths)`` that formats each column for CSV."""
    inner, params = queryset.values_list(*paths).query.sql_with_params()
    names = [f"c{i}" for i in range(len(paths))]
    expressions = []
    for name, kind in zip(names, kinds, strict=True):
        if kind.startswith(DECIMAL):
            places = int(kind.split(":")[1])
            expressions.append(f"CAST(ROUND({name}, {places}) AS TEXT)")
        else:
            expressions.append(_FORMATS[kind].format(c=name, tz=_zone_literal()))
    # Only our own column names and format templates are put into the text; values stay params.
    sql = f"SELECT {', '.join(expressions)} FROM ({inner}) AS q ({', '.join(names)})"  # noqa: S608
    return sql, params


def _zone_literal() -> str:
    # The site's zone, from settings (Django checked it names a zone), as an SQL literal.
    return "'" + settings.TIME_ZONE.replace("'", "''") + "'"


def copy_chunks(sql: str, params: tuple, *, chunk_bytes: int = 256 * 1024):
    """What ``COPY (sql) TO STDOUT`` sends, in chunks of about ``chunk_bytes``.

    Runs in the caller's transaction (the export's snapshot).
    """
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy:
            parts, size = [], 0
            for data in copy:
                parts.append(bytes(data))
                size += len(data)
                if size >= chunk_bytes:
                    yield b"".join(parts)
                    parts, size = [], 0
            if parts:
                yield b"".join(parts)


def header_line(columns: list[str]) -> str:
    """The header as COPY would write it (lines end with a bare newline there)."""
    return ",".join(columns) + "\n"


def can_copy(kinds: list[str | None]) -> bool:
    return connection.vendor == "postgresql" and all(kinds)
