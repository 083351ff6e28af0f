"""/health/ for an operator's monitor, /health/live/ for load balancers: what each says when."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from budgets.kpi.models import LATE_AFTER, RunStatus, RunTrigger, ShareRun
from budgets.kpi.services import share_recompute
from rdportfolio.imports.models import ImportJob, ImportStatus

pytestmark = pytest.mark.django_db

DATABASE, KPI, IMPORTS = "Database(alias='default')", "ShareFigures()", "ImportJobs()"


def report(client):
    response = client.get("/health/", {"format": "json"}, secure=True)
    return response.status_code, response.json()


@pytest.fixture
def no_broker():
    # The embedded mode: tasks run in-process, so there is no broker or worker to ask about.
    with override_settings(CELERY_TASK_ALWAYS_EAGER=True):
        yield


def test_live_answers_without_login_and_checks_only_the_database(client):
    response = client.get("/health/live/")
    assert (response.status_code, response.json()) == (200, {"status": "ok", "database": "ok"})


def test_all_is_well_when_the_figures_are_current(client, no_broker):
    share_recompute(trigger=RunTrigger.COMMAND, force=True)
    status, checks = report(client)
    assert status == 200
    assert checks == {
        DATABASE: "OK",
        "Cache(alias='default')": "OK",
        KPI: "OK",
        IMPORTS: "OK",
    }


def test_a_failed_recompute_is_reported_with_its_error(client, no_broker):
    good = share_recompute(trigger=RunTrigger.COMMAND, force=True)
    ShareRun.objects.create(
        trigger=RunTrigger.CHANGE,
        status=RunStatus.FAILED,
        finished_at=timezone.now(),
        error="Traceback ...\nNumericValueOutOfRange: numeric field overflow",
    )
    status, checks = report(client)
    assert status == 500
    assert "failed" in checks[KPI] and f"run #{good.pk}" in checks[KPI]
    assert "numeric field overflow" in checks[KPI]


def test_a_recompute_waiting_too_long_is_reported(client, no_broker):
    share_recompute(trigger=RunTrigger.COMMAND, force=True)
    waiting = ShareRun.objects.create(trigger=RunTrigger.CHANGE)
    ShareRun.objects.filter(pk=waiting.pk).update(
        created_at=timezone.now() - LATE_AFTER - timedelta(minutes=1)
    )
    status, checks = report(client)
    assert status == 500 and f"run #{waiting.pk}" in checks[KPI]
    # A recompute requested moments ago is not an alarm: the figures are being updated.
    ShareRun.objects.filter(pk=waiting.pk).update(created_at=timezone.now())
    assert report(client)[0] == 200


def test_figures_a_day_old_mean_nothing_recomputes(client, no_broker):
    share_recompute(trigger=RunTrigger.COMMAND, force=True)
    ShareRun.objects.update(finished_at=timezone.now() - timedelta(hours=27))
    status, checks = report(client)
    assert status == 500 and "27 hours old" in checks[KPI]


def test_an_import_that_lost_its_worker_is_reported(client, no_broker, ministry_editor):
    share_recompute(trigger=RunTrigger.COMMAND, force=True)
    ImportJob.objects.create(
        kind="budget_lines",
        file_name="a.csv",
        file_format="csv",
        content=b"x",
        requested_by=ministry_editor,
        status=ImportStatus.CHECKING,
        lease_until=timezone.now() - timedelta(minutes=10),
    )
    status, checks = report(client)
    assert status == 500 and "1 import job(s) lost their worker" in checks[IMPORTS]


def test_with_a_broker_the_workers_are_asked(client, with_broker):
    share_recompute(trigger=RunTrigger.COMMAND, force=True)
    status, checks = report(client)
    broker = next(key for key in checks if key.startswith("Redis("))
    assert checks[broker] == "OK"
    ping = next(key for key in checks if key.startswith("Ping("))
    # No worker runs in this test: the monitor is told so (a real worker: tests/test_drills.py).
    assert (status, checks[ping]) == (500, "Unavailable: Celery workers unavailable")
