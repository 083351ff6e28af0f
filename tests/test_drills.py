"""Drills with real processes: a worker SIGKILLed mid-work, a broker stopped, a stream cut off.

Nothing here is mocked: Celery workers and beat on Redis, PostgreSQL, gunicorn. Leases
and the watchdog are shortened (2 s and 1 s) so that recovery takes seconds, not the
minute and a half it may take in production; the logic is the same. The 20-kill drill
against a million lines is benchmarks/drill_kill.py.
"""

import http.client
import os
import signal
import time
import uuid
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from rest_framework.authtoken.models import Token

from budgets.kpi.models import RunStatus, RunTrigger, ShareRun
from budgets.kpi.services import share_recompute
from budgets.models import Basis, BudgetLine
from rdportfolio.celery import app as celery_app
from rdportfolio.imports.models import ImportJob, ImportStatus
from rdportfolio.imports.services import import_job_create
from tests.environment import unavailable
from tests.factories import ProjectFactory
from tests.kpi.test_concurrency import small_portfolio
from tests.processes import (
    celery,
    free_port,
    gunicorn,
    kill,
    redis_server,
    stop,
    uses_redis_broker,
    wait_for,
)

pytestmark = pytest.mark.django_db(transaction=True)

FAST = {"RDP_LEASE_SECONDS": "2", "RDP_WATCHDOG_SECONDS": "1"}
UNFINISHED = (RunStatus.PENDING, RunStatus.RUNNING)


@pytest.fixture
def drill(on_postgresql, tmp_path):
    """Start workers and beat on a queue of this test's own; all are stopped at the end."""
    if not uses_redis_broker():
        unavailable("needs Redis: set CELERY_BROKER_URL=redis://... (CI does)")
    queue = f"drill-{uuid.uuid4().hex[:8]}"
    processes = []
    previous_queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue

    def spawn(kind, broker=None, slow="", **env):
        log = tmp_path / f"{kind}-{len(processes)}.log"
        process = celery(
            kind,
            queue=queue,
            broker=broker or settings.CELERY_BROKER_URL,
            env={**FAST, **env},
            log=log,
            slow=slow,
        )
        processes.append(process)
        return process

    try:
        yield SimpleNamespace(spawn=spawn, logs=tmp_path)
    finally:
        celery_app.conf.task_default_queue = previous_queue
        for process in processes:
            stop(process)
        for log in sorted(Path(tmp_path).glob("*.log")):
            print(f"--- {log.name}\n", log.read_text(errors="replace")[-2500:])  # on failure


def snapshot_rows(run):
    return sorted(
        run.snapshots.values_list(
            "fiscal_year",
            "basis",
            "dimension",
            "key",
            "international_won",
            "total_won",
            "share",
            "target_share",
            "target_won",
            "gap_won",
            "status",
            "is_projection",
        )
    )


def finished(model, pk, unfinished):
    row = model.objects.get(pk=pk)
    return row if row.status not in unfinished else None


def test_a_share_run_whose_worker_is_killed_is_finished_by_the_next(drill):
    small_portfolio()  # its saves request a run, whose message waits for a worker
    run = ShareRun.objects.get(status=RunStatus.PENDING)
    slow = drill.spawn("worker", slow="share:60")
    wait_for(
        lambda: ShareRun.objects.get(pk=run.pk).status == RunStatus.RUNNING,
        timeout=30,
        what="the first worker to take the run",
    )
    kill(slow)  # the worker and its pool, mid-run, holding the run and the database lock
    drill.spawn("worker")
    drill.spawn("beat")
    done = wait_for(lambda: finished(ShareRun, run.pk, UNFINISHED), timeout=60, what="recovery")
    assert (done.status, done.attempts) == (RunStatus.SUCCEEDED, 2)
    fresh = share_recompute(trigger=RunTrigger.COMMAND, force=True)
    assert snapshot_rows(done) == snapshot_rows(fresh)
    assert not ShareRun.objects.filter(status__in=UNFINISHED).exists()


def test_a_scenario_result_whose_worker_is_killed_is_finished_by_the_next(drill, django_user_model):
    from budgets.scenarios.models import ResultStatus, ScenarioResult
    from budgets.scenarios.services import scenario_create, scenario_current_result
    from tests.kpi.test_concurrency import YEAR

    small_portfolio()  # 7% planned in YEAR
    owner = django_user_model.objects.create_user("drill_owner", password="x" * 16)
    scenario = scenario_create(  # committed: its result's message waits for a worker
        name="Killed mid-way",
        owner=owner,
        adjustments=[{"kind": "total", "from_year": YEAR, "to_year": YEAR, "percent": -10}],
    )
    result = scenario_current_result(scenario)
    slow = drill.spawn("worker", slow="scenario:60")
    wait_for(
        lambda: ScenarioResult.objects.get(pk=result.pk).status == ResultStatus.RUNNING,
        timeout=30,
        what="the first worker to take the result",
    )
    kill(slow)
    drill.spawn("worker")
    drill.spawn("beat")
    unfinished = (ResultStatus.PENDING, ResultStatus.RUNNING)
    done = wait_for(
        lambda: finished(ScenarioResult, result.pk, unfinished), timeout=60, what="recovery"
    )
    assert (done.status, done.attempts) == (ResultStatus.SUCCEEDED, 2), done.error
    figure = done.figures.get(path="scenario", dimension="overall", fiscal_year=YEAR)
    assert str(figure.share) == "7.7778"  # 70억 of 900억


def lines_file(project, years) -> bytes:
    rows = [f"{project.project_number},{year},계획,{1000 + year},N" for year in years]
    return ("과제번호,회계연도,기준,금액(원),국제협력\n" + "\n".join(rows) + "\n").encode()


@pytest.mark.parametrize("phase", ["checking", "writing"])
def test_an_import_whose_worker_is_killed_is_finished_by_the_next(drill, django_user_model, phase):
    user = django_user_model.objects.create_user("t_drill_editor")
    project = ProjectFactory(start_year=2030, end_year=2039)
    slow = drill.spawn("worker", slow=f"import-{phase}:60")
    job = import_job_create(
        kind="budget_lines",
        file_name="drill.csv",
        content=lines_file(project, range(2030, 2040)),
        requested_by=user,
        dry_run=False,
    )
    wait_for(
        lambda: ImportJob.objects.get(pk=job.pk).status == phase,
        timeout=30,
        what=f"the first worker to be {phase}",
    )
    kill(slow)
    assert not BudgetLine.objects.filter(project=project).exists()  # nothing half written
    drill.spawn("worker")
    drill.spawn("beat")
    unfinished = (ImportStatus.PENDING, ImportStatus.CHECKING, ImportStatus.WRITING)
    done = wait_for(lambda: finished(ImportJob, job.pk, unfinished), timeout=60, what="recovery")
    assert (done.status, done.attempts, done.created_count) == (ImportStatus.SUCCEEDED, 2, 10)
    assert BudgetLine.objects.filter(project=project).count() == 10
    assert BudgetLine.history.filter(history_change_reason=f"Import #{job.pk}").count() == 10


@pytest.fixture
def own_broker(tmp_path):
    """A Redis of this test's own, which it may stop; the test process sends to it too."""
    port = free_port()
    server = redis_server(port, tmp_path / "redis.log")
    broker = f"redis://127.0.0.1:{port}/0"
    previous = os.environ.get("CELERY_BROKER_URL")
    broker_switch(broker)
    state = SimpleNamespace(port=port, server=server, url=broker)
    try:
        yield state
    finally:
        stop(state.server)
        broker_switch(previous)


def broker_switch(url: str | None) -> None:
    """This process's Celery sends to ``url`` from now on. Celery reads CELERY_BROKER_URL from
    the environment before its configuration; its pools are looked up again (kombu keeps one
    per broker: the ones of the URL left stay open, for when it comes back)."""
    if url is None:
        os.environ.pop("CELERY_BROKER_URL", None)
    else:
        os.environ["CELERY_BROKER_URL"] = url
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    if url is not None:  # sent where asked, not silently to the environment's broker
        assert celery_app.connection_for_write().port == urlsplit(url).port


def test_a_broker_outage_catches_up_by_itself(drill, own_broker, tmp_path):
    drill.spawn("worker", broker=own_broker.url)
    drill.spawn("beat", broker=own_broker.url)
    small_portfolio()
    first = ShareRun.objects.order_by("-pk").first()
    wait_for(lambda: finished(ShareRun, first.pk, UNFINISHED), timeout=60, what="a first run")
    stop(own_broker.server)  # Redis goes away
    line = BudgetLine.objects.filter(fiscal_year=2035).first()
    line.amount_won += 1
    line.save()  # the edit saves; its run cannot be sent
    waiting = ShareRun.objects.get(status=RunStatus.PENDING)
    assert waiting.enqueued_at is None
    own_broker.server = redis_server(own_broker.port, tmp_path / "redis.log")  # back, empty
    done = wait_for(
        lambda: finished(ShareRun, waiting.pk, UNFINISHED), timeout=90, what="the catch-up"
    )
    assert done.status == RunStatus.SUCCEEDED
    snapshot = done.snapshots.get(fiscal_year=2035, basis=Basis.PLANNED, dimension="overall")
    assert snapshot.international_won == line.amount_won


def process_children(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def test_a_csv_cut_off_mid_stream_is_an_incomplete_transfer(on_postgresql, tmp_path, analyst):
    # About 30,000 lines (some 4 MB of CSV): far more than the sockets' buffers hold.
    projects = [ProjectFactory(start_year=1990, end_year=2100) for _ in range(90)]
    BudgetLine.objects.bulk_create(
        (
            BudgetLine(project=project, fiscal_year=year, basis=basis, amount_won=year)
            for project in projects
            for year in range(1990, 2101)
            for basis in Basis.values
        ),
        batch_size=5000,
    )
    token = Token.objects.create(user=analyst).key
    port = free_port()
    server = gunicorn(
        port, env={"SECURE_SSL_REDIRECT": "false"}, log=tmp_path / "gunicorn.log", threads=2
    )
    try:
        wait_for(lambda: _answers(port, token), timeout=30, what="gunicorn")
        whole = _get(port, "/api/v1/budget-lines/?format=csv", token)
        body = whole.read()
        # A whole file says how many rows it holds, and holds them.
        assert int(whole.getheader("X-Row-Count")) == body.count(b"\n") - 1 > 20_000
        cut = _get(port, "/api/v1/budget-lines/?format=csv", token)
        cut.read(4096)
        for worker in process_children(server.pid):
            kill_pid(worker)
        with pytest.raises(http.client.IncompleteRead):
            cut.read()
    finally:
        stop(server)


def _answers(port: int, token: str) -> bool:
    try:
        return _get(port, "/health/live/", token).status == 200
    except OSError:
        return False


def kill_pid(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)


def _get(port: int, path: str, token: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Authorization": f"Token {token}"})
    return connection.getresponse()
