"""Tabular files in and out: the engine behind every Excel/CSV import and export.

Each app describes its own kinds of rows in ``<app>/imports.py`` as a
:class:`Spec` (its columns, how a row becomes field values, its natural key)
and registers it here. The engine reads the file, checks every row, plans what
would change, and writes the whole plan in one transaction with audit history.
Exports read the same columns, so an exported file imports back unchanged.
"""

from .cells import CellError
from .files import csv_bytes, export_file, template_file, xlsx_bytes
from .planning import FileRefused, Plan, import_plan, kinds_of_file, plans_differ
from .specs import (
    Column,
    Context,
    RowErrors,
    Spec,
    all_specs,
    kind_choices,
    register,
    spec_for,
)
from .workbook import WORKBOOK, is_workbook, workbook_sheets, workbook_template
from .writing import import_written, plan_write, rows_create, rows_imported

__all__ = [
    "WORKBOOK",
    "all_specs",
    "CellError",
    "Column",
    "Context",
    "FileRefused",
    "Plan",
    "RowErrors",
    "Spec",
    "csv_bytes",
    "export_file",
    "import_plan",
    "import_written",
    "is_workbook",
    "kind_choices",
    "kinds_of_file",
    "plan_write",
    "plans_differ",
    "register",
    "rows_create",
    "rows_imported",
    "spec_for",
    "template_file",
    "workbook_sheets",
    "workbook_template",
    "xlsx_bytes",
]
