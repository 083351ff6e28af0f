"""Reading and writing the rollups pages read (see rollup_models), in the recompute."""

from django.db.models import Count

from partners.models import Collaboration
from rdportfolio.core.models import rows_copy

from .rollup_models import BudgetRollup, FieldRollup, PartnerRollup


def partner_rows_read() -> list[tuple]:
    """(technology id, country, partner institutions) over every collaboration."""
    rows = (
        Collaboration.objects.order_by()
        .values_list("project__technology_id", "institution__country")
        .annotate(institutions=Count("institution_id", distinct=True))
    )
    return [tuple(row) for row in rows]


def rollups_write(inputs, run) -> int:
    """Write the run's rollup rows from its ``ShareInputs`` (COPY on PostgreSQL); returns
    how many."""
    rows = [
        (run.pk, year, basis, technology_id, None, total, international, count)
        for year, basis, technology_id, total, international, count in inputs.technology_rows
    ] + [
        (run.pk, year, basis, None, institution_id, total, international, count)
        for year, basis, institution_id, total, international, count in inputs.institution_rows
    ]
    columns = [
        "run_id",
        "fiscal_year",
        "basis",
        "technology_id",
        "institution_id",
        "total_won",
        "international_won",
        "line_count",
    ]
    written = rows_copy(BudgetRollup, columns, rows)
    partners = [(run.pk, *row) for row in inputs.partner_rows]
    columns = ["run_id", "technology_id", "country", "institution_count"]
    written += rows_copy(PartnerRollup, columns, partners)
    fields = [(run.pk, *row) for row in inputs.field_rows]
    columns = [
        "run_id",
        "fiscal_year",
        "basis",
        "track",
        "field_id",
        "total_won",
        "international_won",
        "line_count",
    ]
    return written + rows_copy(FieldRollup, columns, fields)


def rollups_replace(inputs, run) -> int:
    """This run's rollups in place of the previous run's (in the caller's transaction, so
    that a reader sees one run's figures everywhere)."""
    BudgetRollup.objects.exclude(run=run).delete()
    PartnerRollup.objects.exclude(run=run).delete()
    FieldRollup.objects.exclude(run=run).delete()
    return rollups_write(inputs, run)
