"""Reading what the share depends on: one SQL statement over the budget lines, aggregated
into the groups and rollups the rule (``rule.py``) turns into figures, and the few small
tables beside them (programmes, fields, ministry totals, closings, the target plan)."""

from collections import defaultdict

from django.db import connection

from programs.models import Program
from technologies.models import Field

from ..models import BudgetLine, MinistryBudget, TargetPlan, YearClosing
from .rollups import partner_rows_read
from .rule import Group, ShareInputs

# One read of the budget lines for everything the recompute writes: the share's groups
# (year, basis, programme, field, partner country) and the rollups by technology and by
# partner institution. "part" says which grouping a row belongs to.
_READ_COLUMNS = """
    bl.fiscal_year, bl.basis, {program}, {field}, {country}, {technology}, {institution},
    {part} AS part,
    CAST(COALESCE(SUM(bl.amount_won) FILTER (WHERE bl.is_international), 0) AS BIGINT),
    COUNT(*) FILTER (WHERE bl.is_international),
    COUNT(*),
    CAST(COALESCE(SUM(bl.amount_won), 0) AS BIGINT),
    COUNT(*) FILTER (WHERE bl.is_synthetic)
"""
# (BIGINT: PostgreSQL sums bigints as numeric, which arrives as Decimal, slower to read; a
# sum beyond 2^63 won fails the run loudly instead of wrapping.)
_READ_FROM = """
FROM {line} bl
JOIN {project} p ON p.id = bl.project_id
JOIN {technology} t ON t.id = p.technology_id
LEFT JOIN {collaboration} c ON c.id = bl.collaboration_id
LEFT JOIN {institution} i ON i.id = c.institution_id
"""
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
    from partners.models import Collaboration, Institution
    from technologies.models import Project, Technology

    tables = {
        "line": BudgetLine._meta.db_table,
        "project": Project._meta.db_table,
        "technology": Technology._meta.db_table,
        "collaboration": Collaboration._meta.db_table,
        "institution": Institution._meta.db_table,
    }
    names = ("program", "field", "country", "technology", "institution")
    all_columns = dict(
        zip(
            names,
            (*_PART_COLUMNS[_SHARE], *_PART_COLUMNS[_TECHNOLOGY], *_PART_COLUMNS[_INSTITUTION]),
            strict=True,
        )
    )
    from_clause = _READ_FROM.format(**tables)
    if vendor == "postgresql":
        # One scan of the lines, three groupings: GROUPING(columns) has a bit set, first column
        # highest, for each column a row is *not* grouped by; each part's mask says which.
        grouped = list(all_columns.values())
        whens = " ".join(
            f"WHEN {_grouping_mask(grouped, columns)} THEN {part}"
            for part, columns in _PART_COLUMNS.items()
        )
        part = f"CASE GROUPING({', '.join(grouped)}) {whens} END"
        sets = ", ".join(
            "(bl.fiscal_year, bl.basis, " + ", ".join(columns) + ")"
            for columns in _PART_COLUMNS.values()
        )
        return (
            "SELECT "
            + _READ_COLUMNS.format(**all_columns, part=part)
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
            international,
            international_count,
            count,
            total,
            synthetic,
        ) in cursor.fetchall():
            if part == _SHARE:
                # The same groups over partner countries: the field rollups.
                cell = by_field[year, basis, tracks[program_id], field_id]
                cell[0] += total
                cell[1] += international
                cell[2] += count
                groups.append(
                    Group(
                        year,
                        basis,
                        tracks[program_id],
                        fields[field_id],
                        country or None,
                        international,
                        international_count,
                        count,
                        synthetic,
                    )
                )
            elif part == _TECHNOLOGY:
                technology_rows.append((year, basis, technology_id, total, international, count))
            elif institution_id is not None:  # domestic lines have no partner institution
                institution_rows.append((year, basis, institution_id, total, international, count))
    totals = MinistryBudget.objects.values_list("fiscal_year", "basis", "total_won", "is_synthetic")
    closings = YearClosing.objects.standing().values_list("fiscal_year", "is_synthetic")
    plan = TargetPlan.objects.current()
    points = (
        list(plan.points.values_list("fiscal_year", "target_share", "kind", "is_synthetic"))
        if plan
        else []
    )
    closings = list(closings)
    totals = list(totals)
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
