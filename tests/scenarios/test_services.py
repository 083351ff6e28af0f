"""Scenarios on the demo portfolio: the base read from the lines, results computed and stored,
publication, revision, refusals that leave nothing half-written, and the solver's proposal
saved as a scenario that meets the path."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import F, Sum
from django.utils import timezone

from budgets.models import BudgetLine, MinistryBudget, YearClosing
from budgets.scenarios.engine import AdjustmentError, Kind
from budgets.scenarios.models import ResultStatus, Scenario, ScenarioFigure, ScenarioResult
from budgets.scenarios.services import (
    ScenarioLocked,
    ScenarioNotReady,
    scenario_base_read,
    scenario_create,
    scenario_current_result,
    scenario_publish,
    scenario_results_watch,
    scenario_revise,
    scenario_update,
)
from budgets.scenarios.solve import SolveRequest, scenario_from_solution, scenario_solve
from programs.models import Program, Track

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scenarios_computed")]
EOK = 10**8


@pytest.fixture
def base():
    return scenario_base_read()


def test_the_execution_rate_is_executed_over_planned_won_of_the_closed_years(base):
    closed = YearClosing.objects.closed_years()
    assert closed == base.closed_years and closed, "the demo has closed years"
    for track in Track.values:
        lines = BudgetLine.objects.filter(
            fiscal_year__in=closed, project__technology__program__track=track
        )
        planned = lines.filter(basis="planned").aggregate(s=Sum("amount_won"))["s"]
        executed = lines.filter(basis="executed").aggregate(s=Sum("amount_won"))["s"] or 0
        if not planned:
            assert base.observed_rate(track=track) == 1
            continue
        assert abs(
            base.observed_rate(track=track) - Decimal(executed) / Decimal(planned)
        ) < Decimal("0.0000005")


def test_a_result_is_stored_and_its_baseline_is_the_lines_own_sums(base, ministry_editor):
    year = base.open_years[0]
    scenario = scenario_create(
        name="More with Germany",
        owner=ministry_editor,
        adjustments=[
            {"kind": Kind.ADD, "track": "game_changer", "from_year": year, "to_year": year,
             "amount_won": 500 * EOK, "partner_country": "DE"},
        ],
    )  # fmt: skip
    result = scenario_current_result(scenario)
    assert result.status == ResultStatus.SUCCEEDED, result.error
    assert result.line_count == BudgetLine.objects.count()
    rows = {
        (f.path, f.dimension, f.key): f
        for f in ScenarioFigure.objects.filter(result=result, fiscal_year=year)
    }
    planned = BudgetLine.objects.filter(fiscal_year=year, basis="planned", is_international=True)
    international = planned.aggregate(s=Sum("amount_won"))["s"]
    assert rows[("baseline", "overall", "")].international_won == international
    assert rows[("scenario", "overall", "")].international_won == international + 500 * EOK
    assert rows[("scenario", "overall", "")].difference_won == 500 * EOK
    assert rows[("scenario", "country", "DE")].difference_won == 500 * EOK
    total = MinistryBudget.objects.get(fiscal_year=year).total_won
    assert rows[("scenario", "overall", "")].total_won == total
    # The rates the expected path used are kept with the result, each the observed one.
    assert "leapfrogging" in result.rates
    assert result.rates == {track: str(base.observed_rate(track=track)) for track in result.rates}


def test_an_adjustment_the_engine_refuses_writes_nothing(base, ministry_editor):
    year = base.open_years[0]
    before = (Scenario.objects.count(), ScenarioResult.objects.count())
    with pytest.raises(AdjustmentError) as refused:
        scenario_create(
            name="Too much",
            owner=ministry_editor,
            adjustments=[{"kind": Kind.SHIFT, "track": "leapfrogging", "from_year": year,
                          "to_year": year, "amount_won": 10**15}],
        )  # fmt: skip
    assert refused.value.field_name == "amount_won"
    assert (Scenario.objects.count(), ScenarioResult.objects.count()) == before


def test_published_scenarios_are_frozen_and_revised_into_new_drafts(base, ministry_editor):
    year = base.open_years[-1]
    scenario = scenario_create(name="Cut", owner=ministry_editor)
    scenario_update(
        scenario_id=scenario.pk,
        adjustments=[{"kind": Kind.TOTAL, "from_year": year, "to_year": year, "percent": -5}],
    )
    scenario.refresh_from_db()
    assert scenario.revision == 2
    published = scenario_publish(scenario_id=scenario.pk)
    figures = list(scenario_current_result(published).figures.values_list("share", flat=True))
    with pytest.raises(ScenarioLocked):
        scenario_update(scenario_id=scenario.pk, name="Changed")
    revision = scenario_revise(scenario_id=scenario.pk, owner=ministry_editor)
    assert revision.status == "draft" and revision.revision_of_id == scenario.pk
    assert revision.adjustments.get().percent == Decimal(-5)
    scenario_update(scenario_id=revision.pk, adjustments=[])
    # The published one's figures did not move.
    assert list(scenario_current_result(published).figures.values_list("share", flat=True)) == (
        figures
    )


def test_a_scenario_without_current_figures_cannot_be_published(ministry_editor):
    scenario = scenario_create(name="Waiting", owner=ministry_editor)
    ScenarioResult.objects.filter(scenario=scenario).update(status=ResultStatus.PENDING)
    with pytest.raises(ScenarioNotReady):
        scenario_publish(scenario_id=scenario.pk)


def test_a_result_whose_worker_died_is_taken_up_again_then_given_up(ministry_editor):
    scenario = scenario_create(name="Killed", owner=ministry_editor)
    result = scenario_current_result(scenario)
    long_ago = timezone.now() - timedelta(minutes=10)
    # One worker died on it (its lease ran out): handed on (computed here at once), a second
    # attempt.
    ScenarioResult.objects.filter(pk=result.pk).update(
        status=ResultStatus.RUNNING,
        started_at=long_ago,
        enqueued_at=long_ago - timedelta(minutes=1),  # sent, then claimed
        lease_until=long_ago,
        attempts=1,
    )
    assert scenario_results_watch()["sent"] == 1
    result.refresh_from_db()
    assert (result.status, result.attempts) == (ResultStatus.SUCCEEDED, 2)
    # Three died on it: it fails, saying why.
    ScenarioResult.objects.filter(pk=result.pk).update(
        status=ResultStatus.RUNNING,
        started_at=long_ago,
        enqueued_at=long_ago - timedelta(minutes=1),  # sent, then claimed
        lease_until=long_ago,
        attempts=3,
    )
    assert scenario_results_watch()["failed"] == 1
    result.refresh_from_db()
    assert result.status == ResultStatus.FAILED and "worker stopped" in result.error


def test_a_worker_whose_claim_was_handed_on_writes_nothing(ministry_editor, monkeypatch):
    import contextlib

    from budgets.scenarios import services as scenario_services

    scenario = scenario_create(name="Overtaken", owner=ministry_editor)
    result = scenario_current_result(scenario)
    figures = sorted(result.figures.values_list("path", "fiscal_year", "dimension", "key"))
    ScenarioResult.objects.filter(pk=result.pk).update(status=ResultStatus.PENDING)

    @contextlib.contextmanager
    def handed_on(_queue, _result_id):
        # While this worker is slow, the watchdog takes it for lost and another claims it.
        ScenarioResult.objects.filter(pk=result.pk).update(attempts=F("attempts") + 1)
        yield

    monkeypatch.setattr(type(scenario_services.SCENARIO_RESULTS), "lease_kept", handed_on)
    scenario_services.scenario_result_compute(result_id=result.pk)
    result.refresh_from_db()
    assert result.status == ResultStatus.RUNNING  # left to the worker that holds it now
    assert sorted(result.figures.values_list("path", "fiscal_year", "dimension", "key")) == (
        figures
    )


def test_the_solvers_proposal_puts_every_open_year_on_the_path(base, ministry_editor):
    # New international won per track, each track's whole budget within its programme's
    # published total (the demo has both programme totals).
    request = SolveRequest(by="track", source="add")
    solution, problem = scenario_solve(request, base)
    with_totals = Program.objects.exclude(planned_total_won=None).values_list("track", flat=True)
    assert {span.scope for span in problem.spans} == set(with_totals)
    assert solution.feasible, solution.binding
    assert solution.total_won > 0
    for (scope, year), won in solution.allocation_won.items():
        assert won <= problem.room_won[(scope, year)]
    for span in problem.spans:
        assert sum(solution.allocation_won.get((span.scope, y), 0) for y in span.years) <= (
            span.cap_won
        )
    scenario = scenario_from_solution(
        request=request, solution=solution, name="Least shift", owner=ministry_editor
    )
    result = scenario_current_result(scenario)
    assert result.status == ResultStatus.SUCCEEDED, result.error
    for figure in result.figures.filter(path="scenario", dimension="overall"):
        if figure.fiscal_year in base.open_years and figure.target_won is not None:
            assert figure.gap_won <= 0, figure.fiscal_year
            # The least: exactly the gap each short year had, to the won.
            assert figure.gap_won == min(0, problem.gap_won[figure.fiscal_year])


def test_shifting_alone_cannot_close_the_demos_last_years_and_says_what_binds(base):
    # The demo's foundational track has no domestic lines planned in 2029: nothing to move.
    solution, problem = scenario_solve(SolveRequest(max_move_percent=Decimal(60)), base)
    assert not solution.feasible
    assert problem.room_won[("foundational", 2029)] == 0
    assert "foundational 2029: room 0 won used up" in solution.binding
    assert set(solution.shortfall_won) <= {2029, 2030}
    # What fits is still proposed: the years that can close, close.
    for year in (2027, 2028):
        moved = sum(won for (_scope, y), won in solution.allocation_won.items() if y == year)
        assert moved == solution.needed_won[year]


def test_a_cap_that_cannot_be_met_is_reported_by_name(base):
    tracks = sorted({cell[2] for cell in base.cells})
    request = SolveRequest(by="track", caps=dict.fromkeys(tracks, 0), programme_totals=False)
    solution, _problem = scenario_solve(request, base)
    assert not solution.feasible
    assert any("cap on" in name for name in solution.binding)
    assert Program.objects.exists()


def test_the_demo_scenario_is_published_with_its_figures():
    from rdportfolio.seed.scenarios import DEMO_SCENARIO

    scenario = Scenario.objects.get(name=DEMO_SCENARIO)
    assert scenario.is_published and scenario.adjustments.count() == 2
    result = scenario_current_result(scenario)
    assert result.status == ResultStatus.SUCCEEDED
    assert result.figures.filter(path="scenario", dimension="overall").exists()
