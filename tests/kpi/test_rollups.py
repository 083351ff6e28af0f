"""The rollups pages read are exact, belong to one run, and an unchanged database skips.

Each figure is compared with a direct aggregation of the budget lines, on the seeded
portfolio and again after lines move between projects of one track and field (a change
the share does not see, the pages do).
"""

from collections import defaultdict

import pytest
from django.db.models import Count, Q, Sum

from budgets.kpi.models import BudgetRollup, FieldRollup, PartnerRollup, RunStatus, ShareRun
from budgets.kpi.reading import share_inputs_read
from budgets.kpi.services import share_recompute
from budgets.models import Basis, BudgetLine
from partners.models import Collaboration
from technologies.models import Technology
from tests.factories import (
    BudgetLineFactory,
    CollaborationFactory,
    InstitutionFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db


def direct(member: str) -> dict:
    """(year, basis, member id) -> (total, international, lines), summed from the lines."""
    rows = (
        BudgetLine.objects.filter(**{f"{member}__isnull": False})
        .order_by()
        .values_list("fiscal_year", "basis", member)
        .annotate(
            total=Sum("amount_won"),
            international=Sum("amount_won", filter=Q(is_international=True), default=0),
            lines=Count("id"),
        )
    )
    return {(y, b, m): (int(t), int(i), n) for y, b, m, t, i, n in rows}


def rolled_up(run, member: str) -> dict:
    rows = (
        BudgetRollup.objects.of_run(run)
        .filter(**{f"{member}__isnull": False})
        .values_list("fiscal_year", "basis", member, "total_won", "international_won", "line_count")
    )
    return {(y, b, m): (t, i, n) for y, b, m, t, i, n in rows}


def direct_by_field() -> dict:
    """(year, basis, track, field id) -> (total, international, lines), from the lines."""
    rows = (
        BudgetLine.objects.order_by()
        .values_list(
            "fiscal_year",
            "basis",
            "project__technology__program__track",
            "project__technology__field",
        )
        .annotate(
            total=Sum("amount_won"),
            international=Sum("amount_won", filter=Q(is_international=True), default=0),
            lines=Count("id"),
        )
    )
    return {(y, b, t, f): (int(total), int(i), n) for y, b, t, f, total, i, n in rows}


def direct_partners() -> dict:
    """(technology id, country) -> partner institutions, counted in Python from every
    collaboration."""
    institutions = defaultdict(set)
    for technology_id, institution_id, country in Collaboration.objects.values_list(
        "project__technology_id", "institution_id", "institution__country"
    ):
        institutions[technology_id, country].add(institution_id)
    return {key: len(ids) for key, ids in institutions.items()}


def assert_exact(run):
    technologies = rolled_up(run, "technology")
    assert technologies == direct("project__technology")
    institutions = rolled_up(run, "institution")
    assert institutions == direct("collaboration__institution")
    assert len(technologies) > 100 and len(institutions) > 100  # the seeded portfolio, not a few
    partners = {
        (t, c): n
        for t, c, n in PartnerRollup.objects.of_run(run).values_list(
            "technology", "country", "institution_count"
        )
    }
    assert partners == direct_partners() and len(partners) > 100
    by_field = {
        (y, b, t, f): (total, i, n)
        for y, b, t, f, total, i, n in FieldRollup.objects.of_run(run).values_list(
            "fiscal_year", "basis", "track", "field", "total_won", "international_won", "line_count"
        )
    }
    assert by_field == direct_by_field() and len(by_field) > 50


def test_rollups_equal_a_direct_aggregation_of_the_lines():
    run = share_recompute(force=True)
    assert run.status == RunStatus.SUCCEEDED
    assert_exact(run)
    # The page totals that come from them: the whole planned budget, and its international part.
    planned = BudgetRollup.objects.of_run(run).technologies().filter(basis=Basis.PLANNED)
    lines = BudgetLine.objects.filter(basis=Basis.PLANNED)
    assert planned.aggregate(s=Sum("total_won"))["s"] == lines.aggregate(s=Sum("amount_won"))["s"]
    assert (
        planned.aggregate(s=Sum("international_won"))["s"]
        == lines.filter(is_international=True).aggregate(s=Sum("amount_won"))["s"]
    )


def test_only_the_latest_successful_run_keeps_rollups_and_a_change_replaces_them():
    first = share_recompute(force=True)
    # Move a line to another project of the same technology: the share's groups (track,
    # field, country) do not change; the project's technology rollup does not either, so
    # move it to a technology of the same track and field instead.
    line = BudgetLine.objects.filter(basis=Basis.PLANNED, collaboration__isnull=True).first()
    technology = line.project.technology
    sibling = (
        Technology.objects.filter(program=technology.program, field=technology.field)
        .exclude(pk=technology.pk)
        .first()
    )
    assert sibling is not None
    line.project = ProjectFactory(
        technology=sibling, start_year=line.fiscal_year, end_year=line.fiscal_year + 1
    )
    line.save()
    second = share_recompute()
    assert second.status == RunStatus.SUCCEEDED, "a change only the pages see is not skipped"
    assert not BudgetRollup.objects.filter(run=first).exists()
    assert_exact(second)
    BudgetLineFactory(project=line.project, fiscal_year=line.fiscal_year + 1, amount_won=7)
    third = share_recompute()
    assert third.status == RunStatus.SUCCEEDED
    assert_exact(third)
    assert set(BudgetRollup.objects.values_list("run", flat=True).distinct()) == {third.pk}


def test_the_fingerprint_is_stable_and_an_unchanged_database_skips_writing():
    prints = {share_inputs_read().fingerprint() for _ in range(3)}
    assert len(prints) == 1
    written = share_recompute(force=True)
    rollups = BudgetRollup.objects.filter(run=written).count()
    for _ in range(3):
        again = share_recompute()
        assert again.status == RunStatus.SKIPPED
        assert again.fingerprint == written.fingerprint
        assert again.snapshot_count == 0
    # The skipped runs wrote nothing: the pages still read the written run's rollups.
    assert ShareRun.objects.latest_succeeded() == written
    assert BudgetRollup.objects.count() == rollups
    assert not BudgetRollup.objects.exclude(run=written).exists()


def test_the_fingerprint_does_not_depend_on_the_order_sql_returns_groups():
    inputs = share_inputs_read()
    expected = inputs.fingerprint()
    for rows in (
        inputs.groups,
        inputs.technology_rows,
        inputs.institution_rows,
        inputs.partner_rows,
        inputs.field_rows,
    ):
        rows.reverse()
    assert inputs.fingerprint() == expected


def test_deleting_what_a_rollup_names_deletes_the_rollup_with_it():
    # The rollups' keys are not checked by the database (see BudgetRollup): Django's cascade
    # must still take a deleted technology's or institution's rows, leaving none that name
    # a row that no longer exists. (Lines, projects and collaborations protect what they
    # name, so staff delete them first; the rollups of the last run still name it then.)
    line = BudgetLineFactory(is_international=True)
    collaboration = CollaborationFactory(project=line.project)
    line.collaboration = collaboration
    line.save()
    technology, institution = line.project.technology, collaboration.institution
    technology_id, institution_id = technology.pk, institution.pk
    share_recompute(force=True)
    assert BudgetRollup.objects.filter(technology=technology).exists()
    assert BudgetRollup.objects.filter(institution=institution).exists()
    line.delete()
    collaboration.delete()
    line.project.delete()
    technology.delete()
    institution.delete()
    assert not BudgetRollup.objects.filter(technology_id=technology_id).exists()
    assert not BudgetRollup.objects.filter(institution_id=institution_id).exists()
    # And the next recompute's figures equal the lines that remain.
    assert_exact(share_recompute(force=True))


def test_a_new_partner_without_budget_lines_is_not_skipped_and_is_counted():
    # A collaboration the share does not see (it pays for no line yet) still changes the
    # technology's partners: the recompute it requests writes, and the rollups count it.
    first = share_recompute(force=True)
    technology = Technology.objects.get(code="LF-001")
    before = dict(
        PartnerRollup.objects.of_run(first)
        .filter(technology=technology)
        .values_list("country", "institution_count")
    )
    newcomer = InstitutionFactory(country="NZ")
    projects = list(technology.projects.order_by("pk")[:2])
    assert len(projects) == 2
    for project in projects:  # two collaborations, one more partner
        CollaborationFactory(project=project, institution=newcomer)
    second = share_recompute()
    assert second.status == RunStatus.SUCCEEDED
    after = dict(
        PartnerRollup.objects.of_run(second)
        .filter(technology=technology)
        .values_list("country", "institution_count")
    )
    assert after == {**before, "NZ": before.get("NZ", 0) + 1}
    assert not PartnerRollup.objects.filter(run=first).exists()
    assert_exact(second)


def test_the_migrations_fill_the_latest_runs_new_rollups_as_the_recompute_writes_them():
    # kpi 0006 and 0007 give the run pages read its partner and field rollups on deploy,
    # before any recompute: the same rows the recompute itself writes.
    from importlib import import_module

    from django.apps import apps

    run = share_recompute(force=True)
    for model, migration in [
        (PartnerRollup, "0006_partner_rollups"),
        (FieldRollup, "0007_field_rollups"),
    ]:
        columns = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
        written = set(model.objects.filter(run=run).values_list(*columns))
        assert written
        model.objects.all().delete()
        import_module(f"budgets.kpi.migrations.{migration}").fill_latest_run(apps, None)
        assert set(model.objects.values_list(*columns)) == written
