"""No run waits or runs forever: leases, the watchdog, a lost message, a worker that died.

The real processes (a worker SIGKILLed, a broker stopped) are in tests/test_drills.py; here
the same rules on the database, with the broker replaced by a list of what was sent.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from budgets.kpi import services
from budgets.kpi.models import RunStatus, RunTrigger, ShareRun
from budgets.kpi.services import (
    share_recompute,
    share_run_enqueue,
    share_run_execute,
    share_runs_watch,
)
from rdportfolio.core.jobs import GRACE, MAX_ATTEMPTS

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    """What the watchdog hands to the broker (nothing reaches a real one)."""
    ids = []

    def enqueue(*, run_id):
        ids.append(run_id)
        ShareRun.objects.filter(pk=run_id).update(enqueued_at=timezone.now())
        return True

    monkeypatch.setattr(services, "share_run_enqueue", enqueue)
    return ids


def aged(run, **fields):
    ShareRun.objects.filter(pk=run.pk).update(**fields)
    run.refresh_from_db()
    return run


def test_a_waiting_run_whose_message_never_left_is_sent_again(sent):
    run = aged(
        ShareRun.objects.create(trigger=RunTrigger.CHANGE),
        created_at=timezone.now() - GRACE - timedelta(seconds=1),
    )
    assert share_runs_watch() == {"sent": 1, "failed": 0}
    assert sent == [run.pk]
    # Sent once: not again at the next tick while that message waits for a worker.
    assert share_runs_watch() == {"sent": 0, "failed": 0}


def test_a_run_just_requested_is_left_to_its_first_message(sent):
    ShareRun.objects.create(trigger=RunTrigger.CHANGE)
    assert share_runs_watch() == {"sent": 0, "failed": 0} and sent == []


def test_a_run_whose_worker_died_is_sent_again_and_claimed(sent):
    now = timezone.now()
    run = ShareRun.objects.create(
        trigger=RunTrigger.CHANGE,
        status=RunStatus.RUNNING,
        started_at=now - timedelta(minutes=2),
        lease_until=now - timedelta(seconds=1),
        enqueued_at=now - timedelta(minutes=2),
        attempts=1,
    )
    assert share_runs_watch() == {"sent": 1, "failed": 0} and sent == [run.pk]
    done = share_run_execute(run_id=run.pk)
    # Finished by the next worker (skipped: the seeded figures already hold these inputs).
    assert (done.status, done.attempts, done.lease_until) == (RunStatus.SKIPPED, 2, None)


def test_a_run_under_way_on_a_live_worker_is_left_alone(sent):
    now = timezone.now()
    run = ShareRun.objects.create(
        trigger=RunTrigger.CHANGE,
        status=RunStatus.RUNNING,
        lease_until=now + timedelta(seconds=30),
        attempts=1,
    )
    assert share_runs_watch() == {"sent": 0, "failed": 0}
    # A second delivery of its message does nothing while the first worker holds it.
    assert share_run_execute(run_id=run.pk).status == RunStatus.RUNNING
    assert ShareRun.objects.get(pk=run.pk).attempts == 1


def test_after_max_attempts_a_run_fails_saying_why(sent):
    run = ShareRun.objects.create(
        trigger=RunTrigger.CHANGE,
        status=RunStatus.RUNNING,
        lease_until=timezone.now() - timedelta(seconds=1),
        attempts=MAX_ATTEMPTS,
    )
    assert share_runs_watch() == {"sent": 0, "failed": 1}
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.finished_at is not None
    assert f"Gave up after {MAX_ATTEMPTS} attempts" in run.error
    assert ShareRun.objects.freshness().state == "failed"


def test_a_broker_away_leaves_the_run_waiting_then_the_watchdog_sends_it(monkeypatch, sent):
    from budgets.kpi.tasks import recompute_share

    def away(*args, **kwargs):
        raise ConnectionRefusedError("broker away")

    monkeypatch.setattr(recompute_share, "apply_async", away)
    run = ShareRun.objects.create(trigger=RunTrigger.CHANGE)
    # The real enqueue (the fixture replaced only the watchdog's reference to it).
    assert share_run_enqueue(run_id=run.pk) is False
    run.refresh_from_db()
    assert (run.status, run.enqueued_at) == (RunStatus.PENDING, None)
    aged(run, created_at=timezone.now() - GRACE - timedelta(seconds=1))
    assert share_runs_watch()["sent"] == 1 and sent == [run.pk]


def test_recompute_now_sends_the_waiting_run_again(django_capture_on_commit_callbacks):
    from budgets.kpi.services import share_recompute_request

    with django_capture_on_commit_callbacks() as first:
        waiting = share_recompute_request(trigger=RunTrigger.CHANGE)
    with django_capture_on_commit_callbacks() as again:
        assert share_recompute_request(trigger=RunTrigger.ADMIN, force=True) == waiting
    assert len(first) == len(again) == 1


def test_a_retried_run_gives_its_lease_up_for_the_retry(monkeypatch):
    from django.db import OperationalError

    def broken():
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "share_inputs_read", broken)
    run = ShareRun.objects.create(trigger=RunTrigger.CHANGE)
    with pytest.raises(OperationalError):
        share_run_execute(run_id=run.pk, final_attempt=False)
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING and run.lease_until <= timezone.now()
    monkeypatch.undo()
    assert share_run_execute(run_id=run.pk).status in (RunStatus.SUCCEEDED, RunStatus.SKIPPED)


def test_freshness_follows_the_runs():
    good = share_recompute(trigger=RunTrigger.COMMAND, force=True)
    assert ShareRun.objects.freshness().state == "current"
    waiting = ShareRun.objects.create(trigger=RunTrigger.CHANGE)
    freshness = ShareRun.objects.freshness()
    assert (freshness.state, freshness.run, freshness.newest) == ("updating", good, waiting)
    assert not freshness.alarming
    # Inputs unchanged: the newer run skipped, the figures are current again.
    ShareRun.objects.filter(pk=waiting.pk).update(status=RunStatus.SKIPPED)
    assert ShareRun.objects.freshness().state == "current"
