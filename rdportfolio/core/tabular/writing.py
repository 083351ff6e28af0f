"""Writing a checked plan: every row or none, with the audit history of each.

The rows go in as the database takes them fastest (on PostgreSQL by ``COPY``, into ids
reserved from the table's sequence), and their history is copied from the written rows by
the database (:func:`history_copy`): the same history rows django-simple-history writes,
without building a model instance per row. 100,000 budget lines took 13 s through
``bulk_create_with_history``; this way about a second.
"""

import contextlib
from collections.abc import Callable, Iterator
from datetime import date, datetime
from operator import itemgetter
from typing import Any, Self

import django.dispatch
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from ..history import history_copy
from .planning import Plan, import_plan, plans_differ
from .specs import Row, Spec

# Sent inside the writing transaction once per written file (bulk writes send no post_save):
# whoever keeps figures derived from these rows marks them stale here. Arguments: kind, count.
rows_imported = django.dispatch.Signal()

BATCH_SIZE = 2000

_Column = tuple[str, Any, Callable[[Any], Any] | None]  # (attname, default, prepare)
_Updated = list[tuple[Any, Row, Row]]  # (pk, previous values, values) of each updated row
_User = AbstractBaseUser | None  # who the history names

# Field types psycopg writes as they come from the converters (int, str, bool, dates); any
# other type goes through the field's own get_db_prep_save.
_PLAIN_TYPES = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "DateField",
    "DateTimeField",
    "EmailField",
    "ForeignKey",
    "IntegerField",
    "OneToOneField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
    "URLField",
}


@transaction.atomic
def plan_write(*, spec: Spec, plan: Plan, user: _User, reason: str) -> None:
    """Insert and update the plan's rows in bulk, with a history row each naming ``reason``.

    ``spec.after_write`` then gets ``created`` as (pk, values) and ``updated`` as
    (pk, previous values, values) pairs.
    """
    now = timezone.now()
    created_values = [values for _number, values in plan.create]
    created_ids = rows_create(spec.model, created_values, now=now, reason=reason)
    _plan_write_rest(spec, plan, created_ids, user=user, reason=reason, now=now)


def _plan_write_rest(
    spec: Spec, plan: Plan, created_ids: list[Any], *, user: _User, reason: str, now: datetime
) -> None:
    """What follows the new rows: their history, the updates and theirs, the kind's hook."""
    model = spec.model
    history_copy(model, created_ids, history_type="+", when=now, user=user, reason=reason)
    updated = [
        (current.pk, {name: getattr(current, name) for name in spec.compare_fields}, values)
        for _number, current, values in plan.update
    ]
    if updated:
        _rows_update(model, spec.compare_fields, updated, now=now)
        updated_ids = [pk for pk, _previous, _values in updated]
        history_copy(model, updated_ids, history_type="~", when=now, user=user, reason=reason)
    if spec.after_write is not None:
        spec.after_write(
            created=list(
                zip(created_ids, (values for _number, values in plan.create), strict=True)
            ),
            updated=updated,
            reason=reason,
        )
    rows_imported.send(sender=model, kind=spec.kind, count=len(created_ids) + len(updated))


class _Abandoned(Exception):
    """The pass found errors, or rows changed since the check: its writes are rolled back."""


def import_written(
    *,
    spec: Spec,
    content: bytes,
    file_format: str,
    checked_signature: str,
    checked_creates: int,
    user: _User,
    reason: str,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Plan, list[int]]:
    """Check a confirmed file again and write it, in one transaction.

    Returns the plan and the numbers of the rows that changed since the check
    (``checked_signature``, which found ``checked_creates`` new rows); when the plan has
    errors or rows changed, nothing is written. On PostgreSQL, kinds that read their rows
    up front (budget lines) do it in one pass: PostgreSQL stores the rows checked while
    Python checks the next (100,000 budget lines took the check's time and the write's one
    after the other), and ``progress`` must not use the database, busy with the COPY.
    """
    now = timezone.now()
    streams = spec.existing_up_front is not None and connection.vendor == "postgresql"
    stream = (
        CreateStream(spec.model, now=now, reason=reason, most=checked_creates) if streams else None
    )
    try:
        with transaction.atomic():
            plan = import_plan(
                spec=spec,
                content=content,
                file_format=file_format,
                progress=progress,
                stream=stream,
            )
            changed = plans_differ(checked_signature, plan)
            if stream is not None and stream.overflow and not changed:  # more new rows
                changed = [number for number, _values in plan.create]
            if plan.error_count or changed:
                raise _Abandoned
            if stream is None:
                plan_write(spec=spec, plan=plan, user=user, reason=reason)
            else:
                _plan_write_rest(spec, plan, stream.ids, user=user, reason=reason, now=now)
    except _Abandoned:
        return plan, changed
    return plan, []


class _PerRow:
    """A default that is new for each row (a callable default, such as a fresh UUID)."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


def _column_plan(model: type[Any], now: datetime, reason: str) -> list[_Column]:
    """For each column of a new row: its attribute name, the value when the file gives none
    (a :class:`_PerRow` when each row needs its own), and how to prepare a value for the
    database (None: as it is)."""
    plan = []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        default: Any
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            default = now
        elif field.attname == "source":
            default = reason  # where an imported row came from: "Import #12"
        elif field.has_default() and callable(field.default):
            default = _PerRow(field.get_default)
        else:
            default = field.get_default()
        prepare: Callable[[Any], Any] | None = None
        if field.get_internal_type() not in _PLAIN_TYPES:
            prepare = lambda value, field=field: field.get_db_prep_save(value, connection)  # noqa: E731
        plan.append((field.attname, default, prepare))
    return plan


def rows_create(model: type[Any], rows: list[Row], *, now: datetime, reason: str = "") -> list[Any]:
    """Insert ``rows`` (field values by attribute name); returns their primary keys in order.

    Fields a row does not give take their defaults (timestamps ``now``, ``source`` the
    ``reason``). No ``save()`` and no signals, as ``bulk_create``: on PostgreSQL one ``COPY``.
    """
    if not rows:
        return []
    if connection.vendor != "postgresql":
        columns = _column_plan(model, now, reason)
        objs = []
        for values in rows:
            obj = model(**values)
            for name, default, _prepare in columns:
                if name not in values:
                    setattr(obj, name, default.make() if isinstance(default, _PerRow) else default)
            objs.append(obj)
        model.objects.bulk_create(objs, batch_size=BATCH_SIZE)
        return [obj.pk for obj in objs]
    stream = CreateStream(model, now=now, reason=reason, most=len(rows))
    with stream.opened():
        for values in rows:
            stream.write(values)
    return stream.ids


class CreateStream:
    """New rows of ``model`` written by one ``COPY`` (PostgreSQL) as they come, into at most
    ``most`` ids reserved from the table's own sequence; ``ids`` lists those used, in order.

    A row past ``most`` is not written and sets ``overflow``. Every row must give the same
    fields; the others take their defaults, as in :func:`rows_create`.
    """

    def __init__(self, model: type[Any], *, now: datetime, reason: str, most: int) -> None:
        self.model, self.most = model, most
        self.columns = _column_plan(model, now, reason)
        self.ids: list[Any] = []
        self.overflow = False
        self._reserved: list[Any] = []
        # Set while the COPY is open: Django's cursor, psycopg's COPY, how a row is laid out.
        self._cursor: Any = None
        self._copy_block: Any = None
        self._copy: Any = None
        self._format: Any = None

    @contextlib.contextmanager
    def opened(self) -> Iterator[Self]:
        """Reserve the ids and hold the ``COPY`` open while the block writes."""
        quote = connection.ops.quote_name
        table = self.model._meta.db_table
        pk_column = self.model._meta.pk.column
        with connection.cursor() as cursor:
            if self.most:
                # The ids first, from the table's own sequence: the rows and their history
                # share them. The sequence is named once: pg_get_serial_sequence() inside
                # nextval() ran again for every id, 0.55 s of 100,000 (nextval itself 0.09 s).
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [quote(table), pk_column])
                (sequence,) = cursor.fetchone()
                cursor.execute(
                    "SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
                    [sequence, self.most],
                )
                self._reserved = [pk for (pk,) in cursor.fetchall()]
            self._cursor = cursor
            try:
                yield self
            except BaseException as exc:
                # The COPY ends failed (PostgreSQL keeps none of it) and the error goes on:
                # the connection is free again for the caller's rollback.
                if self._copy is not None:
                    self._copy_block.__exit__(type(exc), exc, exc.__traceback__)
                raise
            if self._copy is not None:
                self._copy_block.__exit__(None, None, None)

    def write(self, values: Row) -> None:
        if len(self.ids) == len(self._reserved):
            self.overflow = True
            return
        if self._format is None:
            self._start(values)
        pk = self._reserved[len(self.ids)]
        self._copy.write_row(self._format(pk, values))
        self.ids.append(pk)

    def _start(self, first: Row) -> None:
        """Open the COPY with the columns of the first row; build how each row is laid out."""
        model, columns = self.model, self.columns
        # Every converted row has the same keys: the given columns come from each row in one
        # itemgetter call, the others are one value for the whole file (or one per row).
        given = [(name, prepare) for name, _d, prepare in columns if name in first]
        fixed = [
            (name, default, prepare) for name, default, prepare in columns if name not in first
        ]
        names = [model._meta.pk.column, *(model._meta.get_field(n).column for n, _p in given)]
        names += [model._meta.get_field(n).column for n, _d, _p in fixed]
        take = itemgetter(*(name for name, _p in given))
        plain = not any(prepare for _name, prepare in given) and len(given) > 1
        per_row = any(isinstance(default, _PerRow) for _n, default, _p in fixed)

        def rest() -> list[Any]:
            return [
                (default.make() if isinstance(default, _PerRow) else default)
                if prepare is None
                else prepare(default.make() if isinstance(default, _PerRow) else default)
                for _name, default, prepare in fixed
            ]

        constants = None if per_row else rest()
        width = len(first)

        def layout(pk: Any, values: Row) -> list[Any]:
            if len(values) != width:
                raise ValueError("the converted rows do not all have the same fields")
            if plain:
                row = [pk, *take(values)]
            else:
                row = [pk]
                for name, prepare in given:
                    value = values[name]
                    row.append(value if prepare is None else prepare(value))
            return row + (constants if constants is not None else rest())

        quote = connection.ops.quote_name
        self._format = layout
        types = _binary_types(self._cursor, model._meta.db_table, names, layout(0, first))
        # Entered here and left in opened(): the COPY starts with the first row.
        self._copy_block = self._cursor.cursor.copy(
            f"COPY {quote(model._meta.db_table)} ({', '.join(map(quote, names))}) FROM STDIN"
            + (" (FORMAT binary)" if types else "")
        )
        self._copy = self._copy_block.__enter__()
        if types:
            self._copy.set_types(types)


# The column types a binary COPY is given, by PostgreSQL oid, and the Python value each takes.
_BINARY = {16: bool, 20: int, 21: int, 23: int, 25: str, 1043: str, 1082: date, 1184: datetime}


def _binary_types(
    cursor: CursorWrapper, table: str, columns: list[str], first_row: list[Any]
) -> list[int] | None:
    """The oids of ``columns`` when every one has a binary form here and the first row's
    values are of its Python type (or None); else None, and the COPY is text.

    Binary spares PostgreSQL parsing each value from text: 0.09 s of 100,000 budget lines.
    """
    cursor.execute(
        "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass",
        [connection.ops.quote_name(table)],
    )
    oids = dict(cursor.fetchall())
    types: list[Any] = [oids.get(column) for column in columns]  # an oid each, or None
    for oid, value in zip(types, first_row, strict=True):
        kind = _BINARY.get(oid)
        # bool is an int, and datetime a date: each must be exactly its column's type.
        if kind is None or (value is not None and type(value) is not kind):
            return None
    return types


def _rows_update(model: type[Any], fields: list[str], updated: _Updated, *, now: datetime) -> None:
    """Set ``fields`` (and ``updated_at``) of each (pk, previous, values) row."""
    has_updated_at = any(f.attname == "updated_at" for f in model._meta.concrete_fields)
    if connection.vendor != "postgresql":
        objs = []
        for pk, _previous, values in updated:
            obj = model(pk=pk, **{name: values[name] for name in fields})
            obj.updated_at = now
            objs.append(obj)
        model.objects.bulk_update(
            objs, [*fields, *(["updated_at"] if has_updated_at else [])], batch_size=BATCH_SIZE
        )
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    pk_column = quote(model._meta.pk.column)
    columns = [quote(model._meta.get_field(name).column) for name in fields]
    prepares = [
        None
        if model._meta.get_field(name).get_internal_type() in _PLAIN_TYPES
        else model._meta.get_field(name)
        for name in fields
    ]
    stage = quote("tabular_update_stage")
    with connection.cursor() as cursor:
        # A staging table shaped like the target's columns, gone at commit: the new values
        # go in by COPY and reach the table in one UPDATE … FROM.
        cursor.execute(
            f"CREATE TEMPORARY TABLE {stage} ON COMMIT DROP AS "  # noqa: S608 - model names
            f"SELECT {pk_column}, {', '.join(columns)} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(
            f"COPY {stage} ({pk_column}, {', '.join(columns)}) FROM STDIN"
        ) as copy:
            for pk, _previous, values in updated:
                copy.write_row(
                    [
                        pk,
                        *(
                            values[name]
                            if field is None
                            else field.get_db_prep_save(values[name], connection)
                            for name, field in zip(fields, prepares, strict=True)
                        ),
                    ]
                )
        assignments = [f"{column} = s.{column}" for column in columns]
        params = []
        if has_updated_at:
            assignments.append(f"{quote('updated_at')} = %s")
            params.append(now)
        cursor.execute(
            f"UPDATE {table} AS t SET {', '.join(assignments)} "  # noqa: S608 - model names
            f"FROM {stage} AS s WHERE t.{pk_column} = s.{pk_column}",
            params,
        )
        cursor.execute(f"DROP TABLE {stage}")
