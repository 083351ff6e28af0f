"""What a kind of row looks like in a file: its columns, its natural key, its conversion.

Apps describe their kinds in ``<app>/imports.py`` and :func:`register` them when
the app is ready; the import jobs, the admin's exports and templates find them
here by kind, so no app needs to know another's columns.
"""

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import KW_ONLY, dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import QuerySet
from django.utils import translation

from .cells import Cell, CellError, text

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from .planning import Plan

# A file's row as read (column name: cell), or a converted row (field name: value).
Row = dict[str, Any]
# The rows already stored, by natural key.
Stored = Mapping[tuple[Any, ...], models.Model]


@dataclass(frozen=True)
class Column:
    """One column: the import reads it under either header, the export writes ``export``."""

    name: str  # the model field or the spec's own key
    header_ko: str
    header_en: str
    _: KW_ONLY  # the rest by name: Column("code", "코드", "code", required=True)
    required: bool = False
    help_ko: str = ""
    # The ORM path an export reads (``values_list``), and how a value is written in the cell.
    export: str = ""
    export_as: Callable[[Any], Any] | None = None
    # A column of codes: its Choices enum. The template lists the very labels the admin
    # shows and the importer reads (one vocabulary), rather than a hand-typed copy.
    choices: Any = None

    def help_text_ko(self) -> str:
        if self.choices is None:
            return self.help_ko
        with translation.override("ko"):
            labels = " / ".join(str(label) for _code, label in self.choices.choices)
        return f"{labels} ({self.help_ko})" if self.help_ko else labels


class RowErrors(Exception):
    """Everything wrong with one row: (column header, message) pairs."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__(errors)
        self.errors = errors


@dataclass
class Context:
    """What every row may look up, read once per file (a few queries, not one per row)."""

    lookups: dict[str, Any] = field(default_factory=dict)


@dataclass
class Spec:
    """A kind of row that can be imported and exported.

    ``load`` reads the lookups for a whole file; ``convert`` turns one raw row
    (column name -> cell) into model field values or raises :class:`RowErrors`;
    ``existing`` finds the rows already stored, by natural ``key``. Rows whose
    ``compare_fields`` differ are updated, equal ones left alone. ``check`` may add
    errors to a finished plan (rules across rows or tables), ``after_write`` runs
    in the writing transaction with the created and updated objects.

    ``existing_up_front``, where a kind has it, finds the same stored rows from the
    file's lookups alone, before any row is converted: a confirmed import of that kind
    then writes each new row while it checks the next (:func:`~.writing.import_written`),
    so its ``convert`` must not query the database.
    """

    kind: str
    label: "StrOrPromise"
    model: type[models.Model]
    columns: list[Column]
    key: Callable[[Row], tuple[Any, ...]]
    key_description: "StrOrPromise"
    compare_fields: list[str]
    convert: Callable[[Row, Context], Row]
    existing: Callable[[list[Row], Context], Stored]
    load: Callable[[list[Row]], Context] = lambda rows: Context()
    check: "Callable[[Plan], None] | None" = None
    after_write: Callable[..., None] | None = None  # (*, created, updated, reason)
    export_order: tuple[str, ...] = ("pk",)
    existing_up_front: Callable[[Context], Stored] | None = None

    def header_map(self) -> dict[str, Column]:
        names: dict[str, Column] = {}
        for column in self.columns:
            for header in (column.header_ko, column.header_en, column.name):
                names[normalise_header(header)] = column
        return names

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def cells(
        self, row: Row, converters: dict[str, Callable[[Cell], Any]]
    ) -> tuple[Row, list[tuple[str, str]]]:
        """Convert the named cells of a row: (values, [(header, message), ...])."""
        values: Row = {}
        errors: list[tuple[str, str]] = []
        for name, convert in converters.items():
            try:
                values[name] = convert(row.get(name))
            except CellError as exc:
                errors.append((self.column(name).header_ko, str(exc)))
        return values, errors

    def export_rows(self, queryset: QuerySet[Any]) -> Iterator[list[Any]]:
        """Rows in the import's own columns, read with one query: an export imports back."""
        paths = [column.export or column.name for column in self.columns]
        formats = [column.export_as for column in self.columns]
        rows = queryset.order_by(*self.export_order).values_list(*paths)
        for values in rows.iterator(chunk_size=5000):
            yield [
                ("" if value is None else value) if fmt is None else fmt(value)
                for value, fmt in zip(values, formats, strict=True)
            ]


def normalise_header(header: Cell) -> str:
    return re.sub(r"[\s*]", "", text(header)).casefold()


_REGISTRY: dict[str, Spec] = {}


def register(spec: Spec) -> Spec:
    """Make a kind importable and exportable; apps call it from their ``ready()``."""
    _REGISTRY[spec.kind] = spec
    return spec


def spec_for(kind: str) -> Spec:
    return _REGISTRY[kind]


def all_specs() -> dict[str, Spec]:
    return dict(_REGISTRY)


def kind_choices() -> "list[tuple[str, StrOrPromise]]":
    """(kind, label) of every registered kind, for model and form choices."""
    return [(spec.kind, spec.label) for spec in _REGISTRY.values()]
