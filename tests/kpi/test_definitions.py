"""What the KPI counts, pinned down (issue 30): international means a foreign partner, the
totals carry a basis, targets say where they came from, synthetic inputs are marked, runs
are reachable, and every published figure is reconciled with the portfolio's own."""

import csv
import datetime
import io

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from budgets.kpi.models import Dimension, ShareSnapshot, ShareStatus, TargetOrigin
from budgets.kpi.reconciliation import comparisons_build
from budgets.kpi.services import share_recompute
from budgets.models import Basis, BudgetLine, MinistryBudget, TotalBasis, YearClosing
from partners.models import Institution
from programs.models import Program, PublishedFigure, Track
from technologies.models import Project, Technology
from tests.api.client import api
from tests.factories import (
    CollaborationFactory,
    InstitutionFactory,
    ProjectFactory,
    TechnologyFactory,
)


def downloaded(response) -> str:
    # Read to the end, as a browser would: a file left half read keeps its cursor open.
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def overall(run, year, basis):
    return ShareSnapshot.objects.get(
        run=run, dimension=Dimension.OVERALL, fiscal_year=year, basis=basis
    )


# --- International means a foreign partner ------------------------------------------------


@pytest.mark.django_db
def test_a_korean_institution_cannot_be_a_foreign_partner(ministry_editor):
    response = api(ministry_editor).post(
        "/api/v1/institutions/",
        {"name": "국내 연구원", "country": "KR", "kind": "research_institute"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "country"
    assert not Institution.objects.filter(name="국내 연구원").exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        Institution.objects.create(name="국내 연구원", country="KR")
    foreign = InstitutionFactory(country="DE")
    foreign.country = "KR"
    with pytest.raises(IntegrityError), transaction.atomic():
        foreign.save()


@pytest.mark.django_db
def test_a_line_is_international_exactly_when_it_pays_for_a_collaboration(ministry_editor):
    collaboration = CollaborationFactory(project=ProjectFactory(start_year=2024, end_year=2030))
    line = BudgetLine.objects.create(
        project=collaboration.project, fiscal_year=2026, basis=Basis.PLANNED, amount_won=1_000
    )
    assert line.is_international is False
    line.collaboration = collaboration
    line.save()
    assert BudgetLine.objects.get(pk=line.pk).is_international is True
    # The API no longer takes the flag as an input: a flag that contradicts the line is refused.
    refused = api(ministry_editor).post(
        "/api/v1/budget-lines/",
        {
            "project": collaboration.project.pk,
            "fiscal_year": 2026,
            "basis": "planned",
            "amount_won": 1_000,
            "is_international": True,
        },
        format="json",
    )
    assert refused.status_code == 400, refused.content
    assert "partner" in refused.content.decode()


@pytest.mark.django_db
def test_the_demo_has_no_international_won_without_a_foreign_partner():
    assert not BudgetLine.objects.filter(is_international=True, collaboration=None).exists()
    assert not BudgetLine.objects.filter(
        is_international=False, collaboration__isnull=False
    ).exists()
    assert not Institution.objects.filter(country="KR").exists()


# --- Bases on both sides ------------------------------------------------------------------


@pytest.mark.django_db
def test_executed_won_is_divided_by_the_settled_total_where_there_is_one():
    run = share_recompute(force=True)
    executed = overall(run, 2024, Basis.EXECUTED)
    assert executed.total_basis == TotalBasis.BUDGETED  # no settled total yet: the fallback
    budgeted = MinistryBudget.objects.get(fiscal_year=2024, basis=TotalBasis.BUDGETED)
    settled = budgeted.total_won - 300_000_000_000
    MinistryBudget.objects.create(
        fiscal_year=2024, basis=TotalBasis.SETTLED, total_won=settled, source="2024 결산"
    )
    run = share_recompute(force=True)
    executed = overall(run, 2024, Basis.EXECUTED)
    assert executed.total_basis == TotalBasis.SETTLED and executed.total_won == settled
    planned = overall(run, 2024, Basis.PLANNED)
    assert planned.total_basis == TotalBasis.BUDGETED and planned.total_won == budgeted.total_won


# --- Targets say where they came from; the baseline gets no verdict ------------------------


@pytest.mark.django_db
def test_targets_say_whether_published_assumed_or_the_baseline(analyst):
    run = share_recompute(force=True)
    origins = {year: overall(run, year, Basis.PLANNED).target_origin for year in range(2023, 2030)}
    assert origins[2023] == TargetOrigin.BASELINE
    assert {origins[y] for y in (2024, 2025, 2026, 2027)} == {TargetOrigin.INTERPOLATED}
    assert origins[2028] == TargetOrigin.PUBLISHED and origins[2029] == TargetOrigin.HELD
    baseline = overall(run, 2023, Basis.EXECUTED)
    assert baseline.status == ShareStatus.BASELINE and baseline.gap_won is None


@pytest.mark.django_db
def test_the_overview_marks_assumed_targets_and_the_baseline(client, cto_viewer):
    share_recompute(force=True)
    client.force_login(cto_viewer)
    for language, words in (("en", ("baseline", "assumed")), ("ko", ("기준", "가정"))):
        page = client.get(reverse("dashboards:overview"), headers={"accept-language": language})
        text = page.content.decode()
        assert all(word in text for word in words), (language, words)


# --- Synthetic is visible -----------------------------------------------------------------


@pytest.mark.django_db
def test_synthetic_inputs_are_marked_on_every_row_every_page_and_in_files(client, analyst):
    run = share_recompute(force=True)
    assert run.synthetic_inputs is True
    rows = api(analyst).get("/api/v1/share/", {"by": "overall"}).json()["results"]
    assert rows and all(row["synthetic_inputs"] is True for row in rows)
    client.force_login(analyst)
    for name in ("overview", "technologies", "partners", "scenarios"):
        page = client.get(
            reverse(f"dashboards:{name}"), headers={"accept-language": "en"}
        ).content.decode()
        assert 'class="demo-banner"' in page, name
    text = downloaded(api(analyst).get("/api/v1/budget-lines/", {"format": "csv"}))
    header = next(csv.reader(io.StringIO(text)))
    assert {"source", "is_synthetic"} <= set(header)


@pytest.mark.django_db
def test_no_banner_once_no_synthetic_input_feeds_the_figures(client, analyst):
    for model in (BudgetLine, MinistryBudget, YearClosing):
        model.objects.filter(is_synthetic=True).update(is_synthetic=False)
    run = share_recompute(force=True)
    assert run.synthetic_inputs is False
    client.force_login(analyst)
    page = client.get(reverse("dashboards:overview")).content.decode()
    assert 'class="demo-banner"' not in page


# --- Reproducible to the run --------------------------------------------------------------


@pytest.mark.django_db
def test_a_figure_reported_at_a_minute_is_reachable_by_run_and_by_date_time(analyst):
    reported = share_recompute(force=True)
    BudgetLine.objects.filter(fiscal_year=2028, basis=Basis.PLANNED, is_international=True).update(
        amount_won=1
    )
    later = share_recompute(force=True)
    client = api(analyst)
    finished = timezone.localtime(reported.finished_at)
    between = finished + (later.finished_at - reported.finished_at) / 2
    for params in (
        {"run": reported.pk},
        {"as_of": timezone.localtime(between).isoformat()},
    ):
        body = client.get("/api/v1/share/", {**params, "by": "overall"}).json()
        assert body["run"]["id"] == reported.pk, params
    assert client.get("/api/v1/share/").json()["run"]["id"] == later.pk
    listed = client.get("/api/v1/share-runs/").json()["results"]
    by_id = {row["id"]: row for row in listed}
    assert by_id[later.pk]["current_until"] is None
    assert by_id[reported.pk]["current_until"] == by_id[later.pk]["finished_at"]
    detail = client.get(f"/api/v1/share-runs/{reported.pk}/").json()
    assert detail["synthetic_inputs"] is True and detail["snapshot_count"] > 0


@pytest.mark.django_db
def test_an_as_of_in_the_future_or_a_run_unknown_is_refused(analyst):
    share_recompute(force=True)
    client = api(analyst)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.get("/api/v1/share/", {"as_of": tomorrow})
    assert response.status_code == 400 and "future" in response.content.decode()
    soon = (timezone.localtime() + datetime.timedelta(hours=1)).isoformat(timespec="minutes")
    assert client.get("/api/v1/share/", {"as_of": soon}).status_code == 400
    unknown = client.get("/api/v1/share/", {"run": 10**9})
    assert unknown.status_code == 404 and str(10**9) in unknown.content.decode()


@pytest.mark.django_db
def test_the_run_and_its_time_are_inside_the_csv_body(analyst):
    run = share_recompute(force=True)
    text = downloaded(api(analyst).get("/api/v1/share/", {"format": "csv", "by": "overall"}))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and {row["run"] for row in rows} == {str(run.pk)}
    assert all(row["computed_at"] and row["synthetic_inputs"] for row in rows)


@pytest.mark.django_db
def test_exchange_rates_and_published_figures_are_in_the_api(analyst, outsider):
    client = api(analyst)
    figures = client.get("/api/v1/published-figures/").json()["results"]
    codes = {row["code"]: row for row in figures}
    total_2024 = codes["motie-rd-budget-2024"]
    assert total_2024["amount_won"] == 5_080_200_000_000 and total_2024["source_url"]
    assert client.get("/api/v1/exchange-rates/").status_code == 200
    assert api(outsider).get("/api/v1/published-figures/").status_code == 403


# --- Published totals replace the assumed flat 5.7조 ---------------------------------------


@pytest.mark.django_db
def test_the_published_ministry_totals_are_used_with_their_sources():
    totals = {
        row.fiscal_year: row for row in MinistryBudget.objects.filter(basis=TotalBasis.BUDGETED)
    }
    assert totals[2023].total_won == 5_671_100_000_000
    assert totals[2024].total_won == 5_080_200_000_000
    assert totals[2025].total_won == 5_570_100_000_000
    assert not any(totals[year].is_synthetic for year in (2023, 2024, 2025))
    assert all(totals[year].is_synthetic for year in range(2026, 2031))


# --- Reconciliation of the whole plan -----------------------------------------------------


@pytest.mark.django_db
def test_an_81st_leapfrogging_technology_is_flagged(analyst):
    run = share_recompute(force=True)

    def count_row():
        rows = api(analyst).get("/api/v1/reconciliation/").json()["results"]
        return next(row for row in rows if row["code"] == "programme:leapfrogging:technologies")

    before = count_row()
    assert before["published"] == "80"
    TechnologyFactory(program=Program.objects.get(track=Track.LEAPFROGGING))
    after = count_row()
    assert int(after["portfolio"]) == int(before["portfolio"]) + 1
    assert after["differs"] is (int(after["portfolio"]) != 80)
    if int(before["portfolio"]) == 80:
        assert after["differs"] and after["difference"] == "1"
    assert run.pk == after["run"]


@pytest.mark.django_db
def test_projects_and_technologies_are_counted_as_what_they_are():
    comparisons = {c.code: c for c in comparisons_build(share_recompute(force=True))}
    projects = comparisons["programme:foundational:2024:projects"]
    assert projects.published == 50 and projects.unit == "count"
    assert (
        projects.portfolio
        == Project.objects.filter(
            technology__program__track=Track.FOUNDATIONAL, start_year=2024
        ).count()
    )
    # Technologies whose first project starts in 2024, each counted once.
    started = comparisons["programme:leapfrogging:2024:technologies"]
    firsts = [
        min(technology.projects.values_list("start_year", flat=True), default=None)
        for technology in Technology.objects.filter(program__track=Track.LEAPFROGGING).exclude(
            status="dropped"
        )
    ]
    assert started.published == 48 and started.portfolio == firsts.count(2024)
    assert "programme:foundational:2024:technologies" not in comparisons
    for code in ("programme:leapfrogging:total:won", "programme:foundational:total:won"):
        assert code in comparisons
    assert "figure:motie-rd-budget-2024" in comparisons
    assert "figure:global-cooperation-rd-2024" in comparisons


@pytest.mark.django_db
def test_the_reconciliation_lists_differences_for_editors_and_readers(
    client, ministry_editor, cto_viewer, outsider
):
    share_recompute(force=True)
    url = reverse("admin:kpi_reconciliation_changelist")
    client.force_login(ministry_editor)
    page = client.get(url, headers={"accept-language": "ko"})
    assert page.status_code == 200
    source = PublishedFigure.objects.get(code="motie-rd-budget-2024").source
    assert escape(source) in page.content.decode()
    client.force_login(cto_viewer)
    assert client.get(url).status_code == 302  # not staff: sent to the admin's login
    differs = api(ministry_editor).get("/api/v1/reconciliation/", {"differs": "true"}).json()
    assert all(row["differs"] for row in differs["results"])
    # Published figures and the portfolio's own are no secret: readers get the same list.
    assert api(cto_viewer).get("/api/v1/reconciliation/").status_code == 200
    assert api(outsider).get("/api/v1/reconciliation/").status_code == 403
