"""The one job mechanism (rdportfolio.core.jobs), its contract held by every kind of job:
share runs, import jobs and scenario results.

The broker is replaced here by what the watchdog hands it (a list); the real processes, a
worker SIGKILLed and a broker stopped, are in tests/test_drills.py for all three kinds.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.module_loading import import_string

from budgets.kpi.models import RunTrigger, ShareRun
from budgets.kpi.services import SHARE_RUNS
from budgets.scenarios.models import Scenario, ScenarioResult
from budgets.scenarios.services import SCENARIO_RESULTS
from rdportfolio.core.jobs import GRACE, MAX_ATTEMPTS, RESEND_AFTER
from rdportfolio.imports.models import ImportJob
from rdportfolio.imports.services import IMPORT_JOBS

pytestmark = pytest.mark.django_db


def share_run(user):
    return ShareRun.objects.create(trigger=RunTrigger.CHANGE)


def import_job(user):
    return ImportJob.objects.create(
        kind="budget_lines",
        file_name="lines.csv",
        file_format="csv",
        content=b"x",
        requested_by=user,
        language="en",
    )


def scenario_result(user):
    scenario = Scenario.objects.create(name="Contract", owner=user)
    return ScenarioResult.objects.create(scenario=scenario, scenario_revision=scenario.revision)


QUEUES = [
    pytest.param(SHARE_RUNS, share_run, id="share-runs"),
    pytest.param(IMPORT_JOBS, import_job, id="import-jobs"),
    pytest.param(SCENARIO_RESULTS, scenario_result, id="scenario-results"),
]


@pytest.fixture
def sent(monkeypatch):
    """What reaches the broker: (queue, id) in order; nothing is carried out."""
    handed = []

    def enqueue(queue, job_id):
        handed.append((queue.name, job_id))
        queue.model.objects.filter(pk=job_id).update(enqueued_at=timezone.now())
        return True

    monkeypatch.setattr(type(SHARE_RUNS), "enqueue", enqueue)
    return handed


def aged(job, **fields):
    type(job).objects.filter(pk=job.pk).update(**fields)
    job.refresh_from_db()
    return job


def working(queue, job, *, lease_in: timedelta, attempts: int = 1):
    now = timezone.now()
    return aged(
        job,
        status=queue.working[0],
        started_at=now - timedelta(minutes=5),
        enqueued_at=now - timedelta(minutes=6),
        lease_until=now + lease_in,
        attempts=attempts,
    )


@pytest.mark.parametrize(("queue", "make"), QUEUES)
def test_a_broker_away_leaves_the_job_waiting_and_says_so(
    queue, make, ministry_editor, monkeypatch, caplog
):
    job = make(ministry_editor)
    task = import_string(queue.task)

    def broker_away(*args, **kwargs):
        raise ConnectionRefusedError("broker away")

    monkeypatch.setattr(task, "apply_async", broker_away)
    assert queue.enqueue(job.pk) is False
    job.refresh_from_db()
    assert job.status == queue.waiting and job.enqueued_at is None
    assert "the watchdog sends it again" in caplog.text


@pytest.mark.parametrize(("queue", "make"), QUEUES)
def test_a_job_is_claimed_once_and_a_redelivery_does_nothing(queue, make, ministry_editor):
    job = make(ministry_editor)
    assert queue.claim(job.pk) is True
    assert queue.claim(job.pk) is False  # the same message delivered twice
    job.refresh_from_db()
    assert job.status == queue.working[0] and job.attempts == 1
    assert job.lease_until > timezone.now()


@pytest.mark.parametrize(("queue", "make"), QUEUES)
def test_a_lost_lease_is_claimed_by_the_next_worker_a_live_one_is_not(queue, make, ministry_editor):
    live = working(queue, make(ministry_editor), lease_in=timedelta(seconds=30))
    assert queue.claim(live.pk) is False
    lost = working(queue, live, lease_in=-timedelta(seconds=1))
    assert queue.claim(lost.pk) is True
    lost.refresh_from_db()
    assert lost.attempts == 2
    spent = working(queue, lost, lease_in=-timedelta(seconds=1), attempts=MAX_ATTEMPTS)
    assert queue.claim(spent.pk) is False


@pytest.mark.parametrize(("queue", "make"), QUEUES)
def test_the_watchdog_sends_again_what_waits_or_lost_its_worker(queue, make, ministry_editor, sent):
    fresh = make(ministry_editor)
    assert queue.watch() == {"sent": 0, "failed": 0}  # its first message is on the way
    waiting = aged(fresh, created_at=timezone.now() - GRACE - timedelta(seconds=1))
    assert queue.watch() == {"sent": 1, "failed": 0}
    assert queue.watch() == {"sent": 0, "failed": 0}  # once, not at every tick
    aged(waiting, enqueued_at=timezone.now() - RESEND_AFTER - timedelta(seconds=1))
    assert queue.watch() == {"sent": 1, "failed": 0}  # that message was lost too
    lost = working(queue, waiting, lease_in=-timedelta(seconds=1))
    assert queue.watch() == {"sent": 1, "failed": 0}
    assert queue.watch() == {"sent": 0, "failed": 0}  # once per lease
    assert [job_id for _name, job_id in sent] == [lost.pk] * 3


@pytest.mark.parametrize(("queue", "make"), QUEUES)
def test_after_max_attempts_the_job_fails_saying_why(queue, make, ministry_editor, sent):
    job = working(
        queue, make(ministry_editor), lease_in=-timedelta(seconds=1), attempts=MAX_ATTEMPTS
    )
    assert queue.watch() == {"sent": 0, "failed": 1}
    job.refresh_from_db()
    assert job.status == queue.failed and job.lease_until is None and job.finished_at
    said = getattr(job, "error", "") or getattr(job, "message", "")
    assert str(MAX_ATTEMPTS) in said and "worker" in said
    assert sent == []


def test_a_free_worker_takes_an_edits_recompute_before_imports_and_scenarios(
    with_broker, ministry_editor, monkeypatch
):
    """On the real broker: ten scenario computations and an import wait; an edit's recompute
    sent after them is the next message a worker reads (Redis keeps a list per priority)."""
    import uuid

    from rdportfolio.celery import app

    queue = f"priority-{uuid.uuid4().hex[:8]}"  # this test's own: no worker reads it
    for job_queue in (SHARE_RUNS, IMPORT_JOBS, SCENARIO_RESULTS):
        task = import_string(job_queue.task)
        monkeypatch.setattr(
            task, "apply_async", lambda *a, _send=task.apply_async, **k: _send(*a, queue=queue, **k)
        )
    scenarios = [scenario_result(ministry_editor) for _ in range(10)]
    for result in scenarios:
        assert SCENARIO_RESULTS.enqueue(result.pk)
    assert IMPORT_JOBS.enqueue(import_job(ministry_editor).pk)
    assert SHARE_RUNS.enqueue(share_run(ministry_editor).pk)
    read = []
    with app.connection_for_read() as connection:
        simple = connection.SimpleQueue(queue)
        try:
            while len(read) < 12:
                message = simple.get(timeout=5)
                read.append(message.headers["task"])
                message.ack()
        finally:
            simple.close()
    assert read[:2] == [SHARE_RUNS.task, IMPORT_JOBS.task]
    assert read[2:] == [SCENARIO_RESULTS.task] * 10
