"""Recompute requests coalesce and are rate-limited per user: ten clicks are one computation.

These tests run in a transaction that never commits, so nothing is sent to a worker: each
result stays pending, as it does while the workers are busy.
"""

import pytest

from budgets.scenarios.models import ResultStatus, ScenarioResult
from budgets.scenarios.services import scenario_create, scenario_result_request
from tests.api.client import api

pytestmark = pytest.mark.django_db


def test_requests_join_the_result_that_waits_and_not_one_under_way(ministry_editor):
    scenario = scenario_create(name="Clicked often", owner=ministry_editor)
    first = scenario_result_request(scenario=scenario)
    assert [scenario_result_request(scenario=scenario).pk for _ in range(9)] == [first.pk] * 9
    # Under way: what changed while it reads gets a result of its own.
    ScenarioResult.objects.filter(pk=first.pk).update(status=ResultStatus.RUNNING)
    second = scenario_result_request(scenario=scenario)
    assert second.pk != first.pk and second.status == ResultStatus.PENDING
    assert scenario_result_request(scenario=scenario).pk == second.pk
    # A new revision is another computation.
    scenario.revision += 1
    scenario.save()
    assert scenario_result_request(scenario=scenario).pk not in (first.pk, second.pk)


def test_one_user_may_ask_a_few_times_a_minute(ministry_editor, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "recompute": "6/minute",
        },
    }
    scenario = scenario_create(name="Asked ten times", owner=ministry_editor)
    (waiting,) = ScenarioResult.objects.filter(scenario=scenario)  # its first, not yet taken up
    client = api(ministry_editor)
    answers = [client.post(f"/api/v1/scenarios/{scenario.pk}/recompute/") for _ in range(10)]
    assert [answer.status_code for answer in answers] == [202] * 6 + [429] * 4
    assert {answer.json()["id"] for answer in answers[:6]} == {waiting.pk}
    assert ScenarioResult.objects.filter(scenario=scenario).count() == 1
    (error,) = answers[-1].json()["errors"]
    assert error["code"] == "throttled" and "seconds" in error["detail"]
