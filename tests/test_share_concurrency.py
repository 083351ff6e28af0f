"""The share on the real services: concurrent runs on PostgreSQL, a real Celery worker on Redis.

These tests commit (transactional_db), so they build their own small portfolio
instead of relying on the seeded one.
"""

import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections

from budgets import services
from budgets.models import (
    Basis,
    BudgetLine,
    Dimension,
    MinistryBudget,
    RunStatus,
    RunTrigger,
    ShareRun,
)
from rdportfolio.celery import app as celery_app

from .factories import CollaborationFactory, ProjectFactory

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2035


def small_portfolio():
    MinistryBudget.objects.update_or_create(
        fiscal_year=YEAR, defaults={"total_won": 1_000_000_000_000}
    )
    collaboration = CollaborationFactory(project=ProjectFactory(start_year=2030, end_year=2040))
    BudgetLine.objects.create(
        project=collaboration.project,
        collaboration=collaboration,
        is_international=True,
        fiscal_year=YEAR,
        basis=Basis.PLANNED,
        amount_won=70_000_000_000,
    )


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_leave_one_consistent_result(on_postgresql, monkeypatch):
    small_portfolio()
    real_read = services.share_inputs_read

    def slow_read():
        time.sleep(0.5)  # hold the lock long enough for the other run to arrive
        return real_read()

    monkeypatch.setattr(services, "share_inputs_read", slow_read)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(services.share_recompute(trigger=RunTrigger.COMMAND))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    first, second = sorted(results, key=lambda r: r.finished_at)
    assert second.started_at < first.finished_at, "the runs did not overlap"
    assert (first.status, second.status) == (RunStatus.SUCCEEDED, RunStatus.SKIPPED)
    assert first.fingerprint == second.fingerprint
    snapshot = ShareRun.objects.latest_succeeded().snapshots.get(
        fiscal_year=YEAR, basis=Basis.PLANNED, dimension=Dimension.OVERALL
    )
    assert str(snapshot.share) == "7.0000"


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_on_redis_computes_the_snapshot(on_postgresql):
    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("needs Redis: set CELERY_BROKER_URL=redis://... (CI does)")
    from budgets.tasks import recompute_share

    small_portfolio()
    queue = f"rdportfolio-test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    env = {
        **os.environ,
        # The worker must see the test database, not the one DATABASE_URL names.
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "SECRET_KEY": "worker-test",
    }
    worker = subprocess.Popen(  # noqa: S603 - our own worker, fixed arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "rdportfolio",
            "worker",
            "-Q",
            queue,
            "-P",
            "solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    previous_queue = celery_app.conf.task_default_queue
    try:
        # The changes above committed and so requested a run, as any edit does.
        run = ShareRun.objects.get(status=RunStatus.PENDING, trigger=RunTrigger.CHANGE)
        celery_app.conf.task_default_queue = queue
        recompute_share.delay(run.pk)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if run.status not in (RunStatus.PENDING, RunStatus.RUNNING):
                break
            time.sleep(0.5)
    finally:
        celery_app.conf.task_default_queue = previous_queue
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    assert run.status == RunStatus.SUCCEEDED, output[-3000:]
    snapshot = run.snapshots.get(fiscal_year=YEAR, basis=Basis.PLANNED, dimension=Dimension.OVERALL)
    assert str(snapshot.share) == "7.0000"
    assert (
        run.snapshots.get(
            fiscal_year=YEAR, basis=Basis.PLANNED, dimension=Dimension.COUNTRY, key="US"
        ).international_won
        == 70_000_000_000
    )
    assert "recompute_share" in output
