"""The share on the real services: concurrent runs on PostgreSQL, a real Celery worker on Redis.

These tests commit (transactional_db), so they build their own small portfolio
instead of relying on the seeded one.
"""

import threading
import time

import pytest
from django.db import connections

from budgets.kpi import services
from budgets.kpi.models import Dimension, RunStatus, RunTrigger, ShareRun
from budgets.models import Basis, BudgetLine, MinistryBudget
from tests.factories import CollaborationFactory, ProjectFactory

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
def test_a_real_worker_on_redis_computes_the_snapshot(real_worker):
    from budgets.kpi.tasks import recompute_share

    small_portfolio()
    # The changes above committed and so requested a run, as any edit does.
    run = ShareRun.objects.get(status=RunStatus.PENDING, trigger=RunTrigger.CHANGE)
    recompute_share.delay(run.pk)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.status not in (RunStatus.PENDING, RunStatus.RUNNING):
            break
        time.sleep(0.5)
    assert run.status == RunStatus.SUCCEEDED, "see the celery worker log below"
    snapshot = run.snapshots.get(fiscal_year=YEAR, basis=Basis.PLANNED, dimension=Dimension.OVERALL)
    assert str(snapshot.share) == "7.0000"
    assert (
        run.snapshots.get(
            fiscal_year=YEAR, basis=Basis.PLANNED, dimension=Dimension.COUNTRY, key="US"
        ).international_won
        == 70_000_000_000
    )
    # Not eager (the fixture skips then): only the worker process can have run it.
