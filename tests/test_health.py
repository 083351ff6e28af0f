"""/health/ for an operator's monitor, /health/live/ for load balancers: what each says when."""

import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone
from health_check.exceptions import ServiceUnavailable

from budgets.kpi.health import ShareFigures
from budgets.kpi.models import LATE_AFTER, RunStatus, RunTrigger, ShareRun
from budgets.kpi.services import SHARE_RUNS, share_recompute
from rdportfolio.core import health
from rdportfolio.core.health import Remembered
from rdportfolio.core.jobs import WATCHED
from rdportfolio.imports.models import ImportJob, ImportStatus

pytestmark = pytest.mark.django_db

DATABASE, KPI, IMPORTS = "Database(alias='default')", "ShareFigures()", "ImportJobs()"


def report(client):
    # As the operator's monitor, with its token: anyone else is told only ok or error. Afresh:
    # results are kept a few seconds (tested below), and these tests change what is checked.
    Remembered.kept.clear()
    response = client.get(
        "/health/", {"format": "json"}, secure=True, HTTP_AUTHORIZATION=f"Bearer {MONITOR}"
    )
    return response.status_code, response.json()


MONITOR = "a-monitors-token-0123456789"


@pytest.fixture(autouse=True)
def _monitor_token(settings):
    settings.RDP_HEALTH_TOKEN = MONITOR


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


def test_anyone_else_is_told_only_whether_all_is_well(
    client, no_broker, cto_viewer, ministry_editor, settings
):
    share_recompute(trigger=RunTrigger.COMMAND, force=True)
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer wrong"}, {"HTTP_AUTHORIZATION": "Bearer "}):
        response = client.get("/health/", {"format": "json"}, **headers)
        assert (response.status_code, response.json()) == (200, {"status": "ok"})
    ShareRun.objects.update(finished_at=timezone.now() - timedelta(hours=27))
    Remembered.kept.clear()
    response = client.get("/health/", HTTP_ACCEPT="text/html")
    assert (response.status_code, response.json()) == (500, {"status": "error"})
    # Signed-in staff read the details; a non-staff user does not.
    settings.RDP_HEALTH_TOKEN = ""
    client.force_login(cto_viewer)
    assert client.get("/health/", {"format": "json"}).json() == {"status": "error"}
    assert ministry_editor.is_staff
    client.force_login(ministry_editor)
    assert "27 hours old" in client.get("/health/", {"format": "json"}).json()[KPI]


def test_results_are_kept_a_few_seconds_so_a_loop_of_requests_costs_one_check(
    client, no_broker, monkeypatch
):
    share_recompute(trigger=RunTrigger.COMMAND, force=True)
    runs = []
    original = ShareFigures.check
    monkeypatch.setattr(ShareFigures, "check", lambda self: runs.append(1) or original(self))
    for _ in range(20):
        assert client.get("/health/", {"format": "json"}).status_code == 200
    assert len(runs) == 1
    monkeypatch.setattr(health, "FRESH_SECONDS", 0.0)
    client.get("/health/", {"format": "json"})
    assert len(runs) == 2


@pytest.fixture
def shared_cache(settings, tmp_path):
    # A cache every process reads, as CACHE_URL's Redis is (the test's locmem is per process).
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path),
        }
    }


def test_beat_stopped_is_told_by_the_watchdogs_age(shared_cache, settings):
    check = health.Watchdogs()
    with pytest.raises(ServiceUnavailable, match="No watchdog has run: is celery beat running"):
        check.run()
    SHARE_RUNS.watch()  # what beat has a worker run every RDP_WATCHDOG_SECONDS
    check.run()
    settings.RDP_WATCHDOG_SECONDS = 30
    cache.set(WATCHED, time.time() - 100)
    with pytest.raises(ServiceUnavailable, match=r"last ran 100 s ago \(every 30 s expected\)"):
        check.run()
    cache.set(WATCHED, time.time() - 80)
    check.run()


def test_without_a_shared_cache_the_watchdogs_cannot_be_seen(settings):
    assert "locmem" in settings.CACHES["default"]["BACKEND"].lower()
    with pytest.raises(ServiceUnavailable, match="CACHE_URL is not set"):
        health.Watchdogs().run()


def test_with_a_broker_the_watchdogs_are_checked(settings):
    from rdportfolio.views import health_checks

    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert "rdportfolio.core.health.Watchdogs" in health_checks()
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert "rdportfolio.core.health.Watchdogs" not in health_checks()
