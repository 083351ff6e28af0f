"""Reading what the share depends on: one SQL statement over the budget lines, aggregated
into the groups and rollups the rule (``rule.py``) turns into figures, and the few small
tables beside them (programmes, fields, ministry totals, closings, the target plan)."""

from collections import defaultdict
from typing import NamedTuple

from django.db import connection

from programs.models import Program
from technologies.models import Field

from ..models import BudgetLine, MinistryBudget, TargetPlan, YearClosing
from .rollups import partner_rows_read
from .rule import Group, ShareInputs

# The sums of a group of budget lines, in the order LineSums names them. (BIGINT: PostgreSQL
# sums bigints as numeric, which arrives as Decimal, slower to read; a sum beyond 2^63 won
# fails the run loudly instead of wrapping.)
_SUMS = """
    CAST(COALESCE(SUM(bl.amount_won) FILTER (WHERE bl.is_international), 0) AS BIGINT),
    COUNT(*) FILTER (WHERE bl.is_international),
    COUNT(*),
    CAST(COALESCE(SUM(bl.amount_won), 0) AS BIGINT),
    COUNT(*) FILTER (WHERE bl.is_synthetic)
"""
# The budget lines with their project (p), technology (t) and partner institution (c, i).
_READ_FROM = """
FROM {line} bl
JOIN {project} p ON p.id = bl.project_id
JOIN {technology} t ON t.id = p.technology_id
LEFT JOIN {collaboration} c ON c.id = bl.collaboration_id
LEFT JOIN {institution} i ON i.id = c.institution_id
"""
# One read of the budget lines for everything the recompute writes: the share's groups
# (year, basis, programme, field, partner country) and the rollups by technology and by
# partner institution. "part" says which grouping a row belongs to.
_READ_COLUMNS = (
    "bl.fiscal_year, bl.basis, {program}, {field}, {country}, {technology}, {institution}, "
    "{part} AS part, " + _SUMS
)


class LineSums(NamedTuple):
    """A group of budget lines added up: the columns after the keys of every grouping here."""

    international_won: int
    international_lines: int
    lines: int
    total_won: int
    synthetic_lines: int


def _from_clause() -> str:
    from partners.models import Collaboration, Institution
    from technologies.models import Project, Technology

    return _READ_FROM.format(
        line=BudgetLine._meta.db_table,
        project=Project._meta.db_table,
        technology=Technology._meta.db_table,
        collaboration=Collaboration._meta.db_table,
        institution=Institution._meta.db_table,
    )


def lines_grouped(keys: tuple[str, ...]) -> list[tuple[int, str, tuple, LineSums]]:
    """The budget lines grouped by year, basis and ``keys`` (columns of ``bl``, ``p``, ``t``,
    ``c``, ``i`` above), in one statement on either database: (year, basis, keys, sums)."""
    columns = ", ".join(keys)
    sql = (
        f"SELECT bl.fiscal_year, bl.basis, {columns}, {_SUMS} {_from_clause()} "  # noqa: S608
        f"GROUP BY bl.fiscal_year, bl.basis, {columns}"  # our column names, no input
    )
    width = len(keys)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [
            (row[0], row[1], tuple(row[2 : 2 + width]), LineSums(*row[2 + width :]))
            for row in cursor.fetchall()
        ]


_SHARE, _TECHNOLOGY, _INSTITUTION = 0, 1, 2
_PART_COLUMNS = {
    _SHARE: ("t.program_id", "t.field_id", "i.country"),
    _TECHNOLOGY: ("p.technology_id",),
    _INSTITUTION: ("c.institution_id",),
}


def _grouping_mask(grouped: list[str], columns: tuple[str, ...]) -> int:
    """What PostgreSQL's GROUPING(``grouped``) answers for a row grouped by ``columns``."""
    return sum(
        1 << (len(grouped) - 1 - position)
        for position, column in enumerate(grouped)
        if column not in columns
    )


def _read_sql(vendor: str) -> str:
    names = ("program", "field", "country", "technology", "institution")
    all_columns = dict(
        zip(
            names,
            (*_PART_COLUMNS[_SHARE], *_PART_COLUMNS[_TECHNOLOGY], *_PART_COLUMNS[_INSTITUTION]),
            strict=True,
        )
    )
    from_clause = _from_clause()
    if vendor == "postgresql":
        # One scan of the lines, three groupings: GROUPING(columns) has a bit set, first column
        # highest, for each column a row is *not* grouped by; each part's mask says which.
        grouped = list(all_columns.values())
        whens = " ".join(
            f"WHEN {_grouping_mask(grouped, columns)} THEN {part}"
            for part, columns in _PART_COLUMNS.items()
        )
        part_case = f"CASE GROUPING({', '.join(grouped)}) {whens} END"
        sets = ", ".join(
            "(bl.fiscal_year, bl.basis, " + ", ".join(columns) + ")"
            for columns in _PART_COLUMNS.values()
        )
        return (
            "SELECT "
            + _READ_COLUMNS.format(**all_columns, part=part_case)
            + from_clause
            + f"GROUP BY GROUPING SETS ({sets})"
        )
    # SQLite has no GROUPING SETS: the same three groupings, one after the other.
    statements = []
    for part, columns in _PART_COLUMNS.items():
        shown = {
            name: (column if column in columns else "NULL") for name, column in all_columns.items()
        }
        statements.append(
            "SELECT "
            + _READ_COLUMNS.format(**shown, part=part)
            + from_clause
            + "GROUP BY bl.fiscal_year, bl.basis, "
            + ", ".join(columns)
        )
    return "\nUNION ALL\n".join(statements)


def share_inputs_read() -> ShareInputs:
    """Read everything the share and the rollups depend on: one statement over the budget
    lines (on PostgreSQL), then the programmes, fields, ministry totals, closings and the
    target plan."""
    tracks = dict(Program.objects.values_list("id", "track"))
    fields = dict(Field.objects.values_list("id", "code"))
    groups, technology_rows, institution_rows = [], [], []
    by_field: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    with connection.cursor() as cursor:
        cursor.execute(_read_sql(connection.vendor))
        for (
            year,
            basis,
            program_id,
            field_id,
            country,
            technology_id,
            institution_id,
            part,
            *summed,
        ) in cursor.fetchall():
            sums = LineSums(*summed)
            if part == _SHARE:
                # The same groups over partner countries: the field rollups.
                cell = by_field[year, basis, tracks[program_id], field_id]
                cell[0] += sums.total_won
                cell[1] += sums.international_won
                cell[2] += sums.lines
                groups.append(
                    Group(
                        year,
                        basis,
                        tracks[program_id],
                        fields[field_id],
                        country or None,
                        sums.international_won,
                        sums.international_lines,
                        sums.lines,
                        sums.synthetic_lines,
                    )
                )
                continue
            row = (sums.total_won, sums.international_won, sums.lines)
            if part == _TECHNOLOGY:
                technology_rows.append((year, basis, technology_id, *row))
            elif institution_id is not None:  # domestic lines have no partner institution
                institution_rows.append((year, basis, institution_id, *row))
    totals_query = MinistryBudget.objects.values_list(
        "fiscal_year", "basis", "total_won", "is_synthetic"
    )
    closings = YearClosing.objects.standing().values_list("fiscal_year", "is_synthetic")
    plan = TargetPlan.objects.current()
    points = (
        list(plan.points.values_list("fiscal_year", "target_share", "kind", "is_synthetic"))
        if plan
        else []
    )
    closings = list(closings)
    totals = list(totals_query)
    return ShareInputs(
        groups=groups,
        totals={(year, basis): won for year, basis, won, _synthetic in totals},
        plan_id=plan.id if plan else None,
        points=[point[:3] for point in points],
        closed_years=frozenset(year for year, _synthetic in closings),
        synthetic_totals=frozenset((y, b) for y, b, _won, synthetic in totals if synthetic),
        synthetic_closings=frozenset(year for year, synthetic in closings if synthetic),
        synthetic_plan=(plan is not None and plan.is_synthetic) or any(p[3] for p in points),
        technology_rows=technology_rows,
        institution_rows=institution_rows,
        partner_rows=partner_rows_read(),
        field_rows=[(*key, *sums) for key, sums in by_field.items()],
    )
