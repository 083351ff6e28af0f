"""A scenario's result computed by a real Celery worker on Redis, as production runs it: the
editor's save commits, the message goes to the broker, the worker writes the figures."""

import time

import pytest

from budgets.scenarios.models import ResultStatus
from budgets.scenarios.services import scenario_create, scenario_current_result
from tests.kpi.test_concurrency import YEAR, small_portfolio


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_computes_a_scenario(real_worker, django_user_model):
    small_portfolio()  # 70억 of international lines planned for YEAR, of a 1조 total: 7%
    owner = django_user_model.objects.create_user("scenario_owner", password="x" * 16)
    scenario = scenario_create(
        name="Cut by a tenth",
        owner=owner,
        adjustments=[{"kind": "total", "from_year": YEAR, "to_year": YEAR, "percent": -10}],
    )
    deadline = time.monotonic() + 90
    result = scenario_current_result(scenario)
    while time.monotonic() < deadline and result.status in (
        ResultStatus.PENDING,
        ResultStatus.RUNNING,
    ):
        time.sleep(0.3)
        result.refresh_from_db()
    assert result.status == ResultStatus.SUCCEEDED, f"{result.error} (worker log below)"
    figure = result.figures.get(path="scenario", dimension="overall", fiscal_year=YEAR)
    assert (figure.total_won, str(figure.share)) == (900_000_000_000, "7.7778")  # 70 / 900
    baseline = result.figures.get(path="baseline", dimension="overall", fiscal_year=YEAR)
    assert str(baseline.share) == "7.0000"
