"""Benchmark: a scenario's results and the gap solver over N budget lines on PostgreSQL.

Not a test. On a database of its own (``rdportfolio_bench_scenarios``), it loads the
synthetic lines of ``share_recompute.py`` and removes the executed lines of 2026 onwards,
so that the plan has open years as a real portfolio has (the loader writes executed lines
for every year), leaving about N lines (1,000,000 by default). It prints, each a median of
5, alternated:

* a scenario's result computed and stored (the Celery task's work: one aggregation of the
  lines, three paths through four adjustments, the figures written and committed);
* the floor: the same aggregation as one hand-written SQL statement;
* the solver from the baseline (its own read of the lines, the problem, two linear
  programmes), shifting domestic won and adding new won; and the linear programmes alone;
* their ratios. Goal (issue 15): the result in at most 2 s at 1M lines.

    .venv/bin/python benchmarks/scenario_results.py
    .venv/bin/python benchmarks/scenario_results.py --lines 100000 \
        --database-url postgres://postgres@127.0.0.1:5432/rdportfolio_bench_scenarios_100k
"""

import argparse
import math
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.share_recompute import ensure_database, load_lines  # noqa: E402

FLOOR_SQL = """
SELECT bl.fiscal_year, bl.basis, p.technology_id, i.country,
       SUM(bl.amount_won),
       COALESCE(SUM(bl.amount_won) FILTER (WHERE bl.is_international), 0),
       COUNT(*)
FROM budgets_budgetline bl
JOIN technologies_project p ON p.id = bl.project_id
LEFT JOIN partners_collaboration c ON c.id = bl.collaboration_id
LEFT JOIN partners_institution i ON i.id = c.institution_id
GROUP BY 1, 2, 3, 4
"""


def seconds(func) -> float:
    started = time.perf_counter()
    func()
    return time.perf_counter() - started


def median_line(name, runs) -> str:
    return f"{name:<34}{statistics.median(runs):.3f} s median of {len(runs)}  {[round(t, 3) for t in runs]}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/rdportfolio_bench_scenarios"
    )
    args = parser.parse_args()
    ensure_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ["CELERY_BROKER_URL"] = ""  # the benchmark runs the work itself
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rdportfolio.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from budgets.scenarios.models import ScenarioResult
    from budgets.scenarios.services import (
        scenario_base_read,
        scenario_create,
        scenario_result_compute,
    )
    from budgets.scenarios.solve import SolveRequest, scenario_solve
    from budgets.scenarios.solver import gap_close

    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as devnull:
        call_command("seed", "--demo", stdout=devnull)
    # Executed lines are 1 in 3 of the loader's lines, and 2026-2030 are 5 of its 8 years:
    # load 24/19 of what is missing, then drop the future's executed lines (once: a second
    # run finds N lines and loads nothing).
    from budgets.models import BudgetLine

    existing = BudgetLine.objects.count()
    if existing < args.lines:
        load_lines(existing + math.ceil((args.lines - existing) * 24 / 19))
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM budgets_budgetline WHERE basis = 'executed' AND fiscal_year >= 2026"
        )
        if cursor.rowcount:
            print(f"removed {cursor.rowcount:,} executed lines of 2026-2030 (the open years)")

    owner, _created = get_user_model().objects.get_or_create(username="benchmark")
    eok = 10**8
    scenario = scenario_create(
        name="Benchmark: four adjustments",
        owner=owner,
        adjustments=[
            {"kind": "shift", "track": "leapfrogging", "from_year": 2026, "to_year": 2028,
             "percent": Decimal(20), "partner_country": "US"},
            {"kind": "add", "track": "game_changer", "from_year": 2026, "to_year": 2030,
             "amount_won": 500 * eok, "partner_country": "US"},
            {"kind": "total", "from_year": 2027, "to_year": 2027, "percent": Decimal(-3)},
            {"kind": "rate", "track": "foundational", "from_year": 2026, "to_year": 2030,
             "percent": Decimal(85)},
        ],
    )  # fmt: skip

    def compute():
        result = ScenarioResult.objects.create(
            scenario=scenario, scenario_revision=scenario.revision
        )
        done = scenario_result_compute(result_id=result.pk)
        if done.status != "succeeded":
            raise RuntimeError(done.error)
        return done

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL)
            cursor.fetchall()

    # The synthetic lines are mostly international, far above the target (and the ministry
    # total): the solver is measured from a scenario whose ministry total is raised until the
    # share is at most 10% in every open year, so that every open year is short of 15%.
    base = scenario_base_read()
    state = base.state()
    raise_won = max(state.international(y) * 10 - base.totals[y] for y in base.open_years)
    raised = scenario_create(
        name="Benchmark: a larger total",
        owner=owner,
        adjustments=[
            {"kind": "total", "from_year": min(base.open_years), "to_year": max(base.open_years),
             "amount_won": max(raise_won, 0)}
        ],
    )  # fmt: skip
    shift = SolveRequest(
        by="field", source="shift", max_move_percent=Decimal(60), scenario_id=raised.pk
    )
    add = SolveRequest(by="track", source="add", scenario_id=raised.pk)
    solution, problem = scenario_solve(shift, base)

    floor()  # warm the cache once for all
    runs = {"result": [], "floor": [], "shift": [], "add": [], "lp": []}
    for _ in range(args.repeat):
        runs["result"].append(seconds(compute))
        runs["floor"].append(seconds(floor))
        runs["shift"].append(seconds(lambda: scenario_solve(shift)))
        runs["add"].append(seconds(lambda: scenario_solve(add)))
        runs["lp"].append(seconds(lambda: gap_close(problem)))
    result = ScenarioResult.objects.filter(scenario=scenario).order_by("-pk").first()
    med = {name: statistics.median(values) for name, values in runs.items()}
    print(f"budget lines:                     {result.line_count:,}")
    print(f"figures per result:               {result.figures.count():,}")
    print(f"cells the engine works on:        {len(base.cells):,}")
    print(median_line("scenario result (task's work):", runs["result"]))
    print(median_line("hand-written aggregation (floor):", runs["floor"]))
    print(
        f"ratio result / floor:             {med['result'] / med['floor']:.2f}   (goal: result <= 2 s at 1M)"
    )
    print(median_line("solver, by field, shift <= 60%:", runs["shift"]))
    print(median_line("solver, by track, add new won:", runs["add"]))
    print(median_line("  the linear programmes alone:", runs["lp"]))
    print(f"ratio solver (add) / floor:       {med['add'] / med['floor']:.2f}")
    print(
        f"LP (shift): {len(problem.scopes)} scopes x {len(problem.years)} years, "
        f"{len(problem.spans)} multi-year caps; short years {sorted(y for y, w in solution.needed_won.items() if w > 0)}, "
        f"needed {sum(solution.needed_won.values()):,} won, feasible {solution.feasible}"
    )


if __name__ == "__main__":
    main()
