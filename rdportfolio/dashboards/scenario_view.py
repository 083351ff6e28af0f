"""What a scenario's page shows of its result, and the solver's page.

The figures are the stored result's (a few hundred rows, one query): the chart of the four
paths, the table of each year's shares and gap, and where the scenario differs from the
baseline, by track and by partner country.
"""

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from budgets.kpi.freshness import LATE_AFTER
from budgets.models import TargetPlan
from budgets.scenarios.engine import AdjustmentError, Path
from budgets.scenarios.models import ResultStatus, ScenarioFigure
from budgets.scenarios.services import scenario_current_result
from budgets.scenarios.solve import SolveRequest, scenario_from_solution, scenario_solve
from programs.models import TRACK_ORDER, Track

from .access import percent, reader_display
from .labels import key_label, track_label
from .scenario_forms import SolveForm


def result_context(request, scenario) -> dict:
    display = reader_display(request)
    result = scenario_current_result(scenario)
    waiting = result is not None and result.status in (ResultStatus.PENDING, ResultStatus.RUNNING)
    context: dict[str, Any] = {
        "display": display,
        "result": result,
        "waiting": waiting,
        "late": result is not None and waiting and timezone.now() - result.created_at > LATE_AFTER,
        "chart": None,
    }
    if result is None or result.status != ResultStatus.SUCCEEDED:
        return context
    figures = list(ScenarioFigure.objects.filter(result=result).order_by("fiscal_year"))
    overall: defaultdict[int, dict[str, ScenarioFigure]] = defaultdict(dict)  # year -> path
    differences: dict[str, defaultdict[str, dict[int, int]]] = {
        "track": defaultdict(dict),
        "country": defaultdict(dict),
    }
    for figure in figures:
        if figure.dimension == "overall":
            overall[figure.fiscal_year][figure.path] = figure
        elif figure.path == Path.SCENARIO and figure.dimension in differences:
            differences[figure.dimension][figure.key][figure.fiscal_year] = figure.difference_won
    years = sorted(overall)
    rows = [_year_row(year, overall[year], display) for year in years]
    context.update(
        headline=_headline(overall, rows, display, goal_year()),
    )
    context.update(
        chart=_chart(years, overall, rows),
        rows=rows,
        beyond_text=display.text(result.beyond_won, None) if result.beyond_won else None,
        rates_text=", ".join(
            f"{track_label(track)} {Decimal(rate) * 100:.1f}%"
            for track, rate in sorted(result.rates.items(), key=lambda kv: _track_order(kv[0]))
        ),
        breakdowns=[
            _differences(dimension, by_key, years, display)
            for dimension, by_key in differences.items()
        ],
        years=years,
    )
    return context


def goal_year() -> int | None:
    """The target plan's last point (2028: "over 15% by 2028")."""
    plan = TargetPlan.objects.current()
    if plan is None:
        return None
    return plan.points.order_by("-fiscal_year").values_list("fiscal_year", flat=True).first()


def _headline(overall, rows, display, goal) -> dict | None:
    """The question the page answers first: does the scenario reach the goal, and stay there?"""
    figure = overall.get(goal, {}).get(Path.SCENARIO) if goal else None
    if figure is None or figure.target_share is None or figure.gap_won is None:
        return None
    expected = overall[goal].get(Path.EXPECTED)
    reached = figure.gap_won <= 0
    values = {
        "year": goal,
        "share": percent(figure.share),
        "target": percent(figure.target_share),
        "amount": display.text(abs(figure.gap_won), goal),
    }
    if reached:
        answer = _(
            "In %(year)s the scenario reaches %(share)s against %(target)s, %(amount)s ahead."
        )
    else:
        answer = _(
            "In %(year)s the scenario reaches %(share)s against %(target)s: %(amount)s short."
        )
    behind = [str(r["year"]) for r in rows if r["shortfall"]]
    return {
        "status": "on_track" if reached else "behind",
        "question": _("Does the scenario reach %(target)s in %(year)s?") % values,
        "verdict": _("Yes") if reached else _("No"),
        "answer": answer % values,
        "behind": ", ".join(behind),
        "expected": (
            _("At the execution rate: %(share)s.") % {"share": percent(expected.share)}
            if expected
            else ""
        ),
    }


def _track_order(track: str) -> int:
    return TRACK_ORDER.index(Track(track)) if track in TRACK_ORDER else len(TRACK_ORDER)


def _year_row(year, paths, display) -> dict:
    scenario = paths.get(Path.SCENARIO)
    baseline = paths.get(Path.BASELINE)
    expected = paths.get(Path.EXPECTED)
    return {
        "year": year,
        "baseline": percent(baseline.share if baseline else None),
        "scenario": percent(scenario.share if scenario else None),
        "expected": percent(expected.share if expected else None),
        "target": percent(scenario.target_share if scenario else None),
        "gap": display.text(scenario.gap_won if scenario else None, year),
        "expected_gap": display.text(expected.gap_won if expected else None, year),
        "difference": display.text(scenario.difference_won if scenario else None, year),
        "status": scenario.status if scenario else "no_data",
        "status_text": scenario.get_status_display() if scenario else "",
        "shortfall": bool(scenario and scenario.gap_won and scenario.gap_won > 0),
    }


def _differences(dimension, by_key, years, display) -> dict:
    keys = [key for key, cells in by_key.items() if any(cells.values())]
    if dimension == "track":
        order = {track: i for i, track in enumerate(TRACK_ORDER)}
        keys.sort(key=lambda k: order.get(k, len(order)))
    else:
        keys.sort(key=lambda k: -sum(by_key[k].values()))
    return {
        "dimension": dimension,
        "title": _("Change from the baseline by track")
        if dimension == "track"
        else _("Change from the baseline by partner country"),
        "rows": [
            {
                "label": key_label(dimension, key),
                "cells": [display.text(by_key[key].get(year, 0), year) for year in years],
            }
            for key in keys
        ],
    }


def _chart(years, overall, rows) -> dict:
    def series(path, attribute="share"):
        values = []
        for year in years:
            figure = overall[year].get(path)
            value = getattr(figure, attribute) if figure else None
            values.append(None if value is None else str(value))
        return values

    return {
        "years": years,
        "baseline": series(Path.BASELINE),
        "scenario": series(Path.SCENARIO),
        "expected": series(Path.EXPECTED),
        "target": series(Path.SCENARIO, "target_share"),
        "names": {
            "baseline": _("Baseline (planned)"),
            "scenario": _("Scenario"),
            "expected": _("Expected (execution rate)"),
            "target": _("Target path"),
        },
        "label": _("Share by year, scenario against target: %(figures)s.")
        % {
            "figures": "; ".join(
                f"{row['year']} {row['scenario']} ({_('target')} {row['target']})" for row in rows
            )
        },
    }


def scenario_solve_page(request, scenarios):
    """The solver: readers ask; editors may save the proposal as a draft scenario."""
    display = reader_display(request)
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = SolveForm(data, scenarios=scenarios)
    context = {"display": display, "form": form, "solution": None}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        solve = SolveRequest(
            by=data["by"],
            source=data["source"],
            max_move_percent=data["max_move_percent"] or Decimal(0),
            max_add_won=data["max_add_won"],
            programme_totals=data["programme_totals"],
            scenario_id=data["scenario"].pk if data["scenario"] else None,
        )
        solution, problem = scenario_solve(solve)
        if request.method == "POST":
            name = (request.POST.get("name") or "").strip()[:200] or _("Least won to the path")
            try:
                scenario = scenario_from_solution(
                    request=solve, solution=solution, name=name, owner=request.user
                )
            except AdjustmentError as error:
                form.add_error(None, error.message)
            else:
                return redirect("dashboards:scenario", pk=scenario.pk)
        context.update(_solution_context(solution, problem, solve, display))
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "dashboards/scenario_solve.html", context, status=status)


def _solution_context(solution, problem, solve, display) -> dict:
    scopes = sorted({scope for scope, _year in solution.allocation_won})
    years = problem.years
    label = track_label if solve.by == "track" else (lambda s: s)
    return {
        "solution": solution,
        "years": years,
        "needed": [display.text(solution.needed_won.get(y, 0), y) for y in years],
        "short": [display.text(solution.shortfall_won.get(y), y) for y in years],
        "total_text": display.text_over_years(
            {
                y: sum(w for (_s, year), w in solution.allocation_won.items() if year == y)
                for y in years
            }
        ),
        "allocation": [
            {
                "label": label(scope),
                "cells": [
                    display.text(solution.allocation_won.get((scope, y), 0), y) for y in years
                ],
            }
            for scope in scopes
        ],
        "limits": [
            {
                "label": _limit_scope(span.scope, span.label, label),
                "cap": display.text(span.cap_won),
            }
            for span in problem.spans
        ],
        "binding": [_binding_text(limit, label, display) for limit in solution.binding_limits],
    }


def _limit_scope(scope, span_label, label) -> str:
    if span_label.startswith("cap on"):
        return _("%(scope)s, the cap set here") % {"scope": label(scope)}
    return _("%(scope)s, within its programme's published total") % {"scope": label(scope)}


def _binding_text(limit, label, display) -> str:
    """A limit that holds a short year back, in the reader's words."""
    values = {"scope": label(limit["scope"]), "amount": display.text(limit["cap_won"])}
    if limit["kind"] == "room":
        values["year"] = limit["year"]
        return _("%(scope)s, %(year)s: all it may take (%(amount)s) is taken.") % values
    values["years"] = f"{limit['years'][0]}–{limit['years'][-1]}"
    if limit["label"].startswith("cap on"):
        return _("%(scope)s, %(years)s: the cap set here (%(amount)s) is reached.") % values
    return (
        _("%(scope)s, %(years)s: what its programme's published total leaves (%(amount)s) is used.")
        % values
    )
