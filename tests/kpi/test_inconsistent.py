"""No accepted edit can make a recompute fail: impossible figures are flagged, bad totals refused."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from budgets.kpi.models import Dimension, RunStatus, RunTrigger, ShareStatus
from budgets.kpi.services import share_recompute
from budgets.models import Basis, BudgetLine, MinistryBudget
from rdportfolio.core.models import MAX_WON
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def editor_api(user):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def test_a_total_below_the_years_international_lines_is_refused_naming_both(ministry_editor):
    budget = MinistryBudget.objects.get(fiscal_year=2026)
    stored = budget.total_won
    response = editor_api(ministry_editor).patch(
        f"/api/v1/ministry-budgets/{budget.pk}/", {"total_won": 1000}, format="json"
    )
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["attr"] == "total_won"
    assert "The 2026 budget lines already hold" in error["detail"]
    assert "more than this total of 1,000 won" in error["detail"]
    budget.refresh_from_db()
    assert budget.total_won == stored


def test_an_amount_above_1000_jo_won_is_refused_by_the_api(ministry_editor):
    line = BudgetLine.objects.filter(collaboration__isnull=True).first()
    response = editor_api(ministry_editor).patch(
        f"/api/v1/budget-lines/{line.pk}/", {"amount_won": MAX_WON + 1}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "amount_won"


def test_lines_above_the_total_give_an_inconsistent_figure_not_a_failed_run():
    # A total of 1,000 won written past the checks (a bulk update), or lines added after it.
    MinistryBudget.objects.filter(fiscal_year=2026).update(total_won=1000)
    run = share_recompute(trigger=RunTrigger.COMMAND, force=True)
    assert run.status == RunStatus.SUCCEEDED
    overall = run.snapshots.get(fiscal_year=2026, basis=Basis.PLANNED, dimension=Dimension.OVERALL)
    assert overall.status == ShareStatus.INCONSISTENT and overall.gap_won is None
    # The share as it is, exact to four places: far more digits than the old column allowed.
    assert overall.share == Decimal(overall.international_won * 100) / 1000
    assert overall.share > 10**9


def test_even_a_total_of_one_won_and_the_largest_lines_compute():
    MinistryBudget.objects.filter(fiscal_year=2029).update(total_won=1)
    project = ProjectFactory(start_year=2029, end_year=2029)
    BudgetLine.objects.create(
        project=project,
        fiscal_year=2029,
        basis=Basis.PLANNED,
        amount_won=MAX_WON,
        is_international=True,
    )
    run = share_recompute(trigger=RunTrigger.COMMAND, force=True)
    assert run.status == RunStatus.SUCCEEDED
    overall = run.snapshots.get(fiscal_year=2029, basis=Basis.PLANNED, dimension=Dimension.OVERALL)
    assert overall.status == ShareStatus.INCONSISTENT
