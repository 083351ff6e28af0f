"""Scenarios: created, edited, computed (a Celery task), published, revised, solved.

Every write that touches more than one row is one transaction; an adjustment the engine
refuses (``AdjustmentError``) leaves the scenario as it was.
"""

import logging
import traceback

from django.db import transaction
from django.utils import timezone

from budgets.figures import denominator_for, figure_basis
from budgets.kpi.reading import lines_grouped
from budgets.models import MinistryBudget, TargetPlan, YearClosing
from programs.models import Program
from rdportfolio.core.jobs import MAX_ATTEMPTS, JobQueue
from rdportfolio.core.models import rows_copy
from rdportfolio.core.turns import write_turn
from technologies.models import Technology

from .engine import AdjustmentError, Base, Change
from .models import (
    Adjustment,
    ResultStatus,
    Scenario,
    ScenarioFigure,
    ScenarioResult,
    ScenarioStatus,
)
from .paths import scenario_figures

logger = logging.getLogger(__name__)


def _gave_up(result) -> dict:
    return {
        "error": f"Gave up after {MAX_ATTEMPTS} attempts: each time the worker stopped before "
        "finishing (killed, out of memory or its machine lost). Compute again."
    }


# Claimed, leased, sent and watched as every job is (rdportfolio.core.jobs).
SCENARIO_RESULTS = JobQueue(
    model=ScenarioResult,
    task="budgets.scenarios.tasks.compute_scenario",
    waiting=ResultStatus.PENDING,
    working=(ResultStatus.RUNNING,),
    failed=ResultStatus.FAILED,
    gave_up=_gave_up,
    priority=6,  # what-ifs after edits' recomputes and imports
)

ADJUSTMENT_FIELDS = (
    "kind",
    "track",
    "field",
    "technology",
    "country",
    "from_year",
    "to_year",
    "amount_won",
    "percent",
    "partner_country",
    "slip_years",
    "note",
)


class ScenarioLocked(Exception):
    """A published scenario is read-only: revise it into a new draft."""


class ScenarioNotReady(Exception):
    """Only a scenario whose current figures were computed can be published."""


def scenario_base_read() -> Base:
    """One aggregation of the budget lines by (year, basis, technology, partner country), the
    ministry totals and the current target plan: everything a scenario computes from."""
    technologies = {
        pk: (track, code)
        for pk, track, code in Technology.objects.values_list("pk", "program__track", "field__code")
    }
    cells, line_count = {}, 0
    for year, basis, (tech, country), sums in lines_grouped(("p.technology_id", "i.country")):
        track, code = technologies[tech]
        cells[(year, basis, track, code, tech, country or None)] = (
            sums.total_won,
            sums.international_won,
        )
        line_count += sums.lines
    plan = TargetPlan.objects.current()
    closed = frozenset(YearClosing.objects.closed_years())
    totals = MinistryBudget.objects.by_year_and_basis()
    denominators = {
        year: denominator_for(totals, year, figure_basis(year, closed))[0]
        for year, _basis in totals
    }
    return Base(
        cells=cells,
        totals={year: total for year, total in denominators.items() if total is not None},
        points=(
            list(plan.points.values_list("fiscal_year", "target_share", "kind")) if plan else []
        ),
        technologies=technologies,
        line_count=line_count,
        closed_years=closed,
    )


def scenario_changes(scenario: Scenario) -> list[Change]:
    adjustments = scenario.adjustments.select_related("field").order_by("position")
    return [adjustment.as_change(number) for number, adjustment in enumerate(adjustments, 1)]


def scenario_check(changes: list[Change], base: Base | None = None) -> None:
    """Raise ``AdjustmentError`` for the first adjustment the engine refuses."""
    scenario_figures(base or scenario_base_read(), changes)


def _adjustments_write(scenario: Scenario, adjustments: list[dict]) -> None:
    scenario.adjustments.all().delete()
    Adjustment.objects.bulk_create(
        Adjustment(scenario=scenario, position=position, **data)
        for position, data in enumerate(adjustments, 1)
    )


def _changes_of(adjustments: list[dict]) -> list[Change]:
    return [Adjustment(position=n, **data).as_change(n) for n, data in enumerate(adjustments, 1)]


@transaction.atomic
def scenario_create(
    *,
    name: str,
    owner,
    description: str = "",
    adjustments: list[dict] | None = None,
    compute_now: bool = False,
) -> Scenario:
    """A new draft with its adjustments (checked first), and its result requested (or, with
    ``compute_now``, computed in this process: the seed, which has no worker to wait for)."""
    adjustments = adjustments or []
    scenario_check(_changes_of(adjustments))
    scenario = Scenario.objects.create(name=name, description=description, owner=owner)
    _adjustments_write(scenario, adjustments)
    if compute_now:
        result = ScenarioResult.objects.create(
            scenario=scenario, scenario_revision=scenario.revision
        )
        scenario_result_compute(result_id=result.pk)
    else:
        scenario_result_request(scenario=scenario)
    return scenario


@transaction.atomic
def scenario_update(
    *, scenario_id: int, name: str | None = None, description: str | None = None,
    adjustments: list[dict] | None = None,
) -> Scenario:  # fmt: skip
    """Change a draft: its name and description, or all its adjustments at once (checked
    before anything is written). A new revision, and its result requested."""
    scenario = Scenario.objects.select_for_update().get(pk=scenario_id)
    if scenario.is_published:
        raise ScenarioLocked(scenario.pk)
    if name is not None:
        scenario.name = name
    if description is not None:
        scenario.description = description
    if adjustments is not None:
        scenario_check(_changes_of(adjustments))
        _adjustments_write(scenario, adjustments)
        scenario.revision += 1
    scenario.save()
    if adjustments is not None:
        scenario_result_request(scenario=scenario)
    return scenario


def scenario_adjustments_data(scenario: Scenario) -> list[dict]:
    """The scenario's adjustments as the dicts ``scenario_update`` takes."""
    return [
        {name: getattr(a, name) for name in ADJUSTMENT_FIELDS}
        for a in scenario.adjustments.select_related("field", "technology").order_by("position")
    ]


def scenario_current_result(scenario: Scenario) -> ScenarioResult | None:
    """The newest result of the scenario's current revision (whatever its status)."""
    return scenario.results.filter(scenario_revision=scenario.revision).order_by("-id").first()


@transaction.atomic
def scenario_publish(*, scenario_id: int) -> Scenario:
    """Freeze a draft whose current result succeeded: from now on read-only, its figures fixed."""
    scenario = Scenario.objects.select_for_update().get(pk=scenario_id)
    if scenario.is_published:
        raise ScenarioLocked(scenario.pk)
    result = scenario_current_result(scenario)
    if result is None or result.status != ResultStatus.SUCCEEDED:
        raise ScenarioNotReady(scenario.pk)
    scenario.status = ScenarioStatus.PUBLISHED
    scenario.published_at = timezone.now()
    scenario.save()
    return scenario


@transaction.atomic
def scenario_revise(*, scenario_id: int, owner) -> Scenario:
    """A new draft with the same adjustments: how a published scenario is changed."""
    source = Scenario.objects.get(pk=scenario_id)
    scenario = Scenario.objects.create(
        name=source.name, description=source.description, owner=owner, revision_of=source
    )
    _adjustments_write(scenario, scenario_adjustments_data(source))
    scenario_result_request(scenario=scenario)
    return scenario


def scenario_result_request(*, scenario: Scenario) -> ScenarioResult:
    """A pending result for the scenario's revision, sent to the workers after commit (run in
    this process when there is no broker).

    Requests coalesce, as share runs' do: while a result of this revision waits for a worker,
    later requests join it (ten clicks were ten computations, the last five minutes later,
    with every other job behind them). One under way absorbs none: what changed while it
    read gets a result of its own.
    """
    with write_turn(f"budgets.scenarios.request.{scenario.pk}"):
        # One request at a time per scenario: two at once would both find none waiting (and
        # on SQLite, reading before writing beside another writer failed "database is locked").
        waiting = ScenarioResult.objects.filter(
            scenario=scenario, scenario_revision=scenario.revision, status=ResultStatus.PENDING
        ).first()
        if waiting is not None:
            return waiting
        result = ScenarioResult.objects.create(
            scenario=scenario, scenario_revision=scenario.revision
        )
    transaction.on_commit(lambda: SCENARIO_RESULTS.enqueue(result.pk), robust=True)
    return result


def scenario_result_compute(*, result_id: int) -> ScenarioResult | None:
    """Carry out a pending result: claim it, compute the three paths, write its figures in
    one transaction. Idempotent: a result already claimed or finished is left alone; a
    worker whose claim was handed on (the watchdog took it for lost) writes nothing."""
    if not SCENARIO_RESULTS.claim(result_id):
        return ScenarioResult.objects.filter(pk=result_id).first()
    result = ScenarioResult.objects.select_related("scenario").get(pk=result_id)
    mine = ScenarioResult.objects.filter(
        pk=result_id, status=ResultStatus.RUNNING, attempts=result.attempts
    )
    try:
        with SCENARIO_RESULTS.lease_kept(result_id):
            with transaction.atomic():
                if not mine.select_for_update().exists():
                    return ScenarioResult.objects.get(pk=result_id)  # handed on meanwhile
                _result_write(result)
    except Exception as exc:
        message = (
            str(exc) if isinstance(exc, AdjustmentError) else traceback.format_exc(limit=10)[-3000:]
        )
        mine.update(
            status=ResultStatus.FAILED,
            finished_at=timezone.now(),
            lease_until=None,
            updated_at=timezone.now(),
            error=message,
        )
        if not isinstance(exc, AdjustmentError):
            raise
    result.refresh_from_db()
    return result


def _result_write(result: ScenarioResult) -> None:
    # A result taken up again has no figures (its first worker's transaction never
    # committed); none are left over whatever happened before.
    ScenarioFigure.objects.filter(result=result).delete()
    base = scenario_base_read()
    figures, state = scenario_figures(base, scenario_changes(result.scenario))
    columns = [f.attname for f in ScenarioFigure._meta.concrete_fields if not f.primary_key]
    rows = (
        [result.pk if c == "result_id" else getattr(figure, c) for c in columns]
        for figure in figures
    )
    rows_copy(ScenarioFigure, columns, rows)
    ScenarioResult.objects.filter(pk=result.pk).update(
        status=ResultStatus.SUCCEEDED,
        finished_at=timezone.now(),
        lease_until=None,
        updated_at=timezone.now(),
        line_count=base.line_count,
        beyond_won=state.beyond_won,
        rates={track: str(rate) for track, rate in sorted(state.observed_rates.items())},
    )
    # Earlier results of a draft answer nothing any more: the newest one is what the scenario
    # says (a published one is frozen, so it gets no newer result).
    result.scenario.results.filter(
        pk__lt=result.pk, status__in=[ResultStatus.SUCCEEDED, ResultStatus.FAILED]
    ).delete()


def scenario_results_watch() -> dict[str, int]:
    """From the share watchdog: no result waits or runs forever (``JobQueue.watch``)."""
    return SCENARIO_RESULTS.watch()


def programme_caps() -> dict[str, tuple[tuple[int, int], int, str]]:
    """Each track's published total over its span: (start, end), won, name."""
    return {
        track: ((start, end or start), total, name)
        for track, start, end, total, name in Program.objects.filter(
            planned_total_won__isnull=False
        ).values_list("track", "start_year", "end_year", "planned_total_won", "name_en")
    }
