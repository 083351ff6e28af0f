"""The overview, through the test client: the KPI tiles, the share path, budgets; the units."""

import re
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from budgets.kpi.models import Dimension, ShareRun, ShareSnapshot
from budgets.kpi.services import share_recompute
from budgets.models import Basis, BudgetLine, ExchangeRate
from programs.models import Track
from rdportfolio.core.models import MAX_WON
from technologies.models import Technology, TechnologyStatus
from tests.dashboards.pages import browser, chart_data
from tests.factories import BudgetLineFactory, ProjectFactory

pytestmark = pytest.mark.django_db


# --- 1. overview -------------------------------------------------------------------------------


def test_overview_tiles_show_this_years_share_from_the_latest_run(cto_viewer):
    run = ShareRun.objects.latest_succeeded()
    year = timezone.localdate().year
    rows = {
        r.basis: r
        for r in ShareSnapshot.objects.filter(
            run=run, dimension=Dimension.OVERALL, fiscal_year=year
        )
    }
    executed = rows.get(Basis.EXECUTED)
    best = executed if executed and executed.status != "no_data" else rows[Basis.PLANNED]
    page = browser(cto_viewer).get("/").content.decode()
    assert f"{best.share:.2f}%" in page
    assert f"{best.target_share:.2f}%" in page
    assert f"run #{run.pk}" in page


def test_overview_counts_technologies_per_track_against_the_plan(cto_viewer):
    page = browser(cto_viewer).get("/").content.decode()
    for track, planned in [
        (Track.LEAPFROGGING, 80),
        (Track.FOUNDATIONAL, 100),
        (Track.GAME_CHANGER, 10),
    ]:
        count = (
            Technology.objects.filter(program__track=track)
            .exclude(status=TechnologyStatus.DROPPED)
            .count()
        )
        assert re.search(rf"<strong>{count}</strong> / {planned}", page), track


def test_share_path_chart_has_executed_planned_target_and_the_goal(cto_viewer):
    data = chart_data(browser(cto_viewer).get("/"), "share-path-data")
    assert data["years"] == list(range(2023, 2031))
    assert data["executed"][0] is not None and data["executed"][-1] is None  # 2030 not closed
    assert all(value is not None for value in data["planned"])
    assert data["target"][0] == "6.0000" and data["target"][5] == "15.0000"
    assert Decimal(data["goal"]) == 15
    assert data["goal_label"] == "15% goal for 2028"


def test_budget_stack_is_the_sum_of_budget_lines_per_track_and_year(cto_viewer):
    data = chart_data(browser(cto_viewer).get("/"), "budget-stack-data")
    leapfrogging = next(s for s in data["series"] if s["name"] == "Leapfrogging")
    index = data["years"].index(2024)
    won = BudgetLine.objects.filter(
        basis=Basis.PLANNED, fiscal_year=2024, project__technology__program__track="leapfrogging"
    ).aggregate(total=Sum("amount_won"))["total"]
    assert won == 148_700_000_000  # the published 2024 figure (FACTS.md)
    assert leapfrogging["values"][index] == "148.700"  # KRW billion in English
    assert leapfrogging["labels"][index] == "KRW 148.7 billion"


def test_budget_stack_follows_the_basis(cto_viewer):
    client = browser(cto_viewer)
    planned = chart_data(client.get("/"), "budget-stack-data")
    executed = chart_data(client.get("/", {"basis": "executed"}), "budget-stack-data")
    assert max(executed["years"]) < max(planned["years"])
    assert client.get("/", {"basis": "spent"}).status_code == 200  # unknown basis: planned


# --- 5. units ----------------------------------------------------------------------------------


def test_unit_switch_changes_every_amount(cto_viewer):
    client = browser(cto_viewer, language="ko")
    eok = chart_data(client.get("/"), "budget-stack-data")
    response = client.post("/units/", {"unit": "usd", "next": "/technologies/"})
    assert response.status_code == 302 and response["Location"] == "/technologies/"
    usd = chart_data(client.get("/"), "budget-stack-data")
    assert eok["axis"] == "억 원" and usd["axis"] == "백만 달러"
    rate = ExchangeRate.objects.get(fiscal_year=2024).krw_per_usd
    index = eok["years"].index(2024)
    won = 148_700_000_000
    assert eok["series"][0]["values"][index] == "1487.000"
    assert usd["series"][0]["values"][index] == f"{won / float(rate) / 1e6:.3f}"
    assert "달러" in usd["series"][0]["labels"][index]
    client.post("/units/", {"unit": "jo", "next": "/"})
    assert chart_data(client.get("/"), "budget-stack-data")["axis"] == "조 원"


def test_unknown_unit_is_refused_by_name(cto_viewer):
    response = browser(cto_viewer).post("/units/", {"unit": "yen", "next": "/"})
    assert response.status_code == 400
    assert "yen" in response.content.decode()


def test_unit_switch_never_redirects_to_another_host(cto_viewer):
    response = browser(cto_viewer).post("/units/", {"unit": "jo", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_totals_beyond_javascript_integers_reach_charts_as_strings(cto_viewer):
    technology = Technology.objects.get(code="LF-001")
    # Ten lines at the largest amount a line may hold (1,000조 원) pass 2**53 together.
    for _ in range(10):
        project = ProjectFactory(technology=technology, start_year=2029, end_year=2029)
        BudgetLineFactory(project=project, fiscal_year=2029, amount_won=MAX_WON)
    share_recompute()  # what the edit's commit requests; pages read the run's rollups
    data = chart_data(browser(cto_viewer).get("/technologies/LF-001/"), "budget-years-data")
    planned = data["series"][0]
    index = data["years"].index(2029)
    assert isinstance(planned["values"][index], str)
    # The seeded lines (200억 원) plus 10**16 won, in billions, exact to the won
    seeded = BudgetLine.objects.filter(
        project__technology=technology, fiscal_year=2029, basis=Basis.PLANNED
    ).aggregate(total=Sum("amount_won"))["total"]
    assert seeded == 10 * MAX_WON + 20_000_000_000
    assert planned["labels"][index] == "KRW 10,000,020 billion"
