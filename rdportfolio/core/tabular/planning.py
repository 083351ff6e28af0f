"""Checking a file against a spec: every row converted, every error named, nothing written."""

import hashlib
from bisect import bisect_left
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING, Any, cast

from django.utils.translation import gettext as _

from .cells import text
from .reading import MAX_CELL_CHARS, FileRefused, Formula, Tick, file_error, file_rows
from .specs import Column, Context, Row, RowErrors, Spec, Stored, all_specs, normalise_header

if TYPE_CHECKING:
    from django.db.models import Model

    from .writing import CreateStream

__all__ = [
    "FileRefused",
    "Plan",
    "header_columns",
    "import_plan",
    "kinds_of_file",
    "plans_differ",
]

MAX_ERRORS = 1000
PREVIEW_ROWS = 10


@dataclass
class Plan:
    """What an import would do: rows to create and to update, or the errors that stop it."""

    total: int = 0
    create: list[tuple[int, Row]] = field(default_factory=list)  # (row number, field values)
    # (row number, stored object, field values)
    update: "list[tuple[int, Model, Row]]" = field(default_factory=list)
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0
    preview: list[dict[str, Any]] = field(default_factory=list)
    # Per row, in file order: what the import would do and the state of the stored row it read
    # ("c" new; "u"/"=" and a hash of the stored row). Two plans of one file that differ here
    # were made against different data.
    tokens: list[tuple[int, str]] = field(default_factory=list)  # (row number, token)

    def signature(self) -> str:
        return "".join(token for _number, token in self.tokens)

    def add_error(self, row: int | None, column: str | None, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"row": row, "column": column, "message": message})


def header_columns(spec: Spec, header: list[Any]) -> list[Column | None]:
    """Map the header row to the spec's columns, or refuse the file naming what is wrong."""
    names = spec.header_map()
    mapped: list[Column | None]
    errors, mapped, seen = [], [], set()
    for position, title in enumerate(header, start=1):
        heading = text(title)
        if not heading:
            mapped.append(None)
            continue
        column = names.get(normalise_header(heading))
        if column is None:
            errors.append(
                {
                    "row": 1,
                    "column": heading,
                    "message": _("Unknown column “%(title)s” (column %(position)s).")
                    % {"title": heading, "position": position},
                }
            )
        elif column.name in seen:
            errors.append(
                {
                    "row": 1,
                    "column": heading,
                    "message": _("Column “%(title)s” appears twice.") % {"title": heading},
                }
            )
        seen.add(column.name if column else None)
        mapped.append(column)
    for column in spec.columns:
        if column.required and column.name not in seen:
            errors.append(
                {
                    "row": 1,
                    "column": column.header_ko,
                    "message": _("Required column “%(title)s” is missing.")
                    % {"title": column.header_ko},
                }
            )
    if errors:
        expected = ", ".join(c.header_ko + ("*" if c.required else "") for c in spec.columns)
        errors.append(
            {
                "row": 1,
                "column": None,
                "message": _("Expected headers: %(expected)s.") % {"expected": expected},
            }
        )
        raise FileRefused(errors)
    return mapped


def kinds_of_file(content: bytes, file_format: str) -> list[str]:
    """The kinds whose template this file's header row is: every heading known to the kind
    and every required column there (most columns first). Reads the header row only.

    Raises FileRefused for a file that cannot be read at all (the check would say the same).
    """
    try:
        _number, header = next(iter(file_rows(content, file_format)))
    except StopIteration:
        return []
    headings = {normalise_header(text(h)) for h in header if text(h)}
    matches = []
    for kind, spec in all_specs().items():
        known = spec.header_map()
        required = {c.name for c in spec.columns if c.required}
        present = {known[h].name for h in headings if h in known}
        if headings and all(h in known for h in headings) and required <= present:
            matches.append((len(present), kind))
    return [kind for _count, kind in sorted(matches, reverse=True)]


def _raw_rows(
    spec: Spec, content: bytes, file_format: str, tick: Tick = None, sheet: str | None = None
) -> list[Row]:
    """Every data row as {column name: cell}, with its row number and a flag for stray cells."""
    rows = file_rows(content, file_format, tick, sheet)
    if sheet is not None:
        rows.sheet_names = []  # a workbook's sheet, read by name: no "only the first" hint
    rows_iter = iter(rows)
    try:
        _number, header = next(rows_iter)
    except StopIteration:
        hint = rows.other_sheets_hint()
        raise file_error(_("The file is empty.") + (f" {hint}" if hint else "")) from None
    try:
        columns = header_columns(spec, header)
    except FileRefused as refused:
        hint = rows.other_sheets_hint()
        if hint:
            refused.errors.append({"row": None, "column": None, "message": hint})
        raise
    raw_rows = []
    # A blank heading maps to no column (None): its cells are dropped from the row.
    names = [column.name if column else None for column in columns]
    width, blank_heading = len(names), None in names
    for number, values in rows_iter:
        # A short row's missing cells are absent: read as None, as empty cells are.
        row: dict[Any, Any] = dict(zip(names, values, strict=False))  # None keys: popped
        if blank_heading:
            row.pop(None, None)
        row["__row__"] = number
        if len(values) > width and any(text(v) for v in values[width:]):
            row["__extra__"] = True
        raw_rows.append(row)
    if not raw_rows:
        raise file_error(_("The file has its header row but no rows of data."), row=1)
    return raw_rows


def _cell_problems(spec: Spec, row: Row) -> list[tuple[str, str]]:
    """What no column's conversion should meet: formulas, and cells past Excel's length."""
    if not any(
        type(value) is Formula or (type(value) is str and len(value) > MAX_CELL_CHARS)
        for value in row.values()
    ):
        return []  # the usual row, looked at once
    problems = []
    for column in spec.columns:
        value = row.get(column.name)
        if isinstance(value, Formula):
            problems.append(
                (
                    column.header_ko,
                    _(
                        "This cell holds a formula (%(formula)s): paste its value instead "
                        "(Paste Special → Values)."
                    )
                    % {"formula": str(value)[:60]},
                )
            )
        elif isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            problems.append(
                (
                    column.header_ko,
                    _("This cell holds %(length)s characters; a cell holds at most %(max)s.")
                    % {"length": f"{len(value):,}", "max": f"{MAX_CELL_CHARS:,}"},
                )
            )
    return problems


def import_plan(
    *,
    spec: Spec,
    content: bytes,
    file_format: str,
    progress: Callable[[int, int], None] | None = None,
    stream: "CreateStream | None" = None,
    sheet: str | None = None,
) -> Plan:
    """Read and check every row. ``progress(done, total)`` is called as it goes.

    Nothing is written, unless ``stream`` is given (a :class:`~.writing.CreateStream`,
    for a kind with ``existing_up_front``): then each new row goes to it as soon as it is
    checked, while no error has been found, inside the caller's transaction, which decides
    whether to keep it.
    """
    raw_rows = _raw_rows(
        spec,
        content,
        file_format,
        tick=(lambda read: progress(0, read)) if progress else None,
        sheet=sheet,
    )
    plan = Plan(total=len(raw_rows))
    ctx = spec.load(raw_rows)
    rows = _checked_rows(spec, plan, raw_rows, ctx, file_format, progress)
    if stream is None:
        converted = list(rows)
        existing = spec.existing(converted, ctx)
        for values in converted:
            _sort_row(spec, plan, values, existing)
    else:
        # A stream is given only for a kind that has existing_up_front.
        existing = cast("Callable[[Context], Stored]", spec.existing_up_front)(ctx)
        with stream.opened():
            for values in rows:
                if _sort_row(spec, plan, values, existing) and not plan.error_count:
                    stream.write(values)
    if progress:
        progress(plan.total, plan.total)
    if spec.check is not None:
        spec.check(plan)
    plan.preview = _preview(spec, plan, raw_rows)
    return plan


def _checked_rows(
    spec: Spec,
    plan: Plan,
    raw_rows: list[Row],
    ctx: Context,
    file_format: str,
    progress: Callable[[int, int], None] | None,
) -> Iterator[Row]:
    """Each row that converts, as field values with its ``__row__`` number; the errors of the
    others go into ``plan``."""
    keys_seen: dict[tuple[Any, ...], int] = {}  # key: the row number that has it
    # A CSV holds no formulas, and its reader refuses a cell past Excel's length: only an
    # Excel file's cells need looking at (0.2 s of 100,000 rows otherwise).
    look_at_cells = file_format != "csv"
    for index, row in enumerate(raw_rows, start=1):
        number = row["__row__"]
        if row.get("__extra__"):
            plan.add_error(number, None, _("This row has more cells than the header has columns."))
        problems = _cell_problems(spec, row) if look_at_cells else ()
        for column, message in problems:
            plan.add_error(number, column, message)
        try:
            if problems:
                raise RowErrors([])  # what the cells hold cannot be converted
            values = spec.convert(row, ctx)
        except RowErrors as exc:
            for column, message in exc.errors:
                plan.add_error(number, column, message)
        else:
            key = spec.key(values)
            if key in keys_seen:
                plan.add_error(
                    number,
                    None,
                    _("Duplicate of row %(row)s (the same %(what)s).")
                    % {"row": keys_seen[key], "what": spec.key_description},
                )
            else:
                keys_seen[key] = number
                values["__row__"] = number
                yield values
        if progress and index % 2000 == 0:
            progress(index, plan.total)


def _sort_row(spec: Spec, plan: Plan, values: Row, existing: Stored) -> bool:
    """Put one converted row into the plan: to create, update or leave. True if it is new."""
    number = values.pop("__row__")
    current = existing.get(spec.key(values))
    if current is None:
        plan.create.append((number, values))
        plan.tokens.append((number, TOKEN_NEW))
        return True
    stored = [getattr(current, f) for f in spec.compare_fields]
    if any(value != values[f] for value, f in zip(stored, spec.compare_fields, strict=True)):
        plan.update.append((number, current, values))
        action = "u"
    else:
        plan.unchanged += 1
        action = "="
    plan.tokens.append((number, action + _state_hash(stored)))
    return False


TOKEN_NEW = "c" + "0" * 8


def _state_hash(values: list[Any]) -> str:
    return hashlib.blake2s(repr(values).encode(), digest_size=4).hexdigest()


def plans_differ(checked_signature: str, plan: Plan) -> list[int]:
    """The row numbers where ``plan`` would do something else, or meet another stored row,
    than the plan whose signature a check kept: what changed in the data since the check."""
    if checked_signature == plan.signature():
        return []  # the usual case, at once: 100,000 rows one by one took 40 ms
    width = len(TOKEN_NEW)
    before = [checked_signature[i : i + width] for i in range(0, len(checked_signature), width)]
    if len(before) != len(plan.tokens):
        return [number for number, _token in plan.tokens]
    return [
        number
        for (number, token), earlier in zip(plan.tokens, before, strict=True)
        if token != earlier
    ]


def _preview(spec: Spec, plan: Plan, raw_rows: list[Row]) -> list[dict[str, Any]]:
    """The first rows to add and to change, as the file has them, under the template's headers."""

    def cells(number: int) -> list[str]:
        # The rows are in file order: found by bisection, not by a dict of 100,000 rows.
        row = raw_rows[bisect_left(raw_rows, number, key=itemgetter("__row__"))]
        return [text(row.get(c.name)) for c in spec.columns]

    return [
        {"row": number, "action": "create", "cells": cells(number)}
        for number, _values in plan.create[:PREVIEW_ROWS]
    ] + [
        {"row": number, "action": "update", "cells": cells(number)}
        for number, _current, _values in plan.update[:PREVIEW_ROWS]
    ]
