"""Two editors confirm imports of the same rows at the same instant: one is written, the
other refused as changed since its check; neither silently overwrites the other.

On PostgreSQL, and on SQLite in a file (the embedded mode's locking: the suite's in-memory
database shares one cache between threads, which locks tables instead)."""

import os
import subprocess
import sys
import threading

import pytest
from django.contrib.auth.models import Group
from django.db import connection, connections
from django.test import Client

from budgets.models import BudgetLine
from rdportfolio.core import roles
from rdportfolio.imports import services
from rdportfolio.imports.models import ImportJob, ImportStatus
from tests.imports.files import LINE_HEADERS, csv_bytes, errors_of, new_lines, upload
from tests.processes import ROOT

pytestmark = pytest.mark.django_db(transaction=True)


def _editor(django_user_model, username):
    user = django_user_model.objects.create_user(username, is_staff=True)
    user.groups.add(Group.objects.get(name=roles.MINISTRY_EDITOR))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return user, client


def _at_once(*job_ids):
    """Each job carried out by a worker of its own, started together."""
    start = threading.Barrier(len(job_ids))
    failures = []

    def work(job_id):
        try:
            start.wait()
            services.import_job_execute(job_id=job_id)
        except Exception as error:  # noqa: BLE001 - reported below, with the others
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(job_id,)) for job_id in job_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures


def _in_a_file_database(test: str, tmp_path) -> None:
    """Run ``test`` again in a pytest of its own whose SQLite database is a file."""
    unset = {"DATABASE_URL", "CELERY_BROKER_URL", "PYTEST_XDIST_WORKER"}
    environment = {name: value for name, value in os.environ.items() if name not in unset}
    environment["RDP_TEST_SQLITE_FILE"] = str(tmp_path / "test.sqlite3")
    run = subprocess.run(  # noqa: S603 - our own test, fixed arguments
        [sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:cacheprovider", "-q", test],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0 and run.stdout.splitlines()[-1].startswith("1 passed"), run.stdout[
        -4000:
    ]


def test_two_confirms_of_the_same_rows_at_once_write_one_and_refuse_the_other(
    fresh_project,
    django_user_model,
    monkeypatch,
    django_capture_on_commit_callbacks,
    request,
    tmp_path,
):
    from rdportfolio.celery import app as celery_app

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        return _in_a_file_database(request.node.nodeid, tmp_path)

    rows = new_lines(fresh_project, 5)
    for _number, year, _basis, amount, _international in rows:
        BudgetLine.objects.create(
            project=fresh_project, fiscal_year=year, basis="planned", amount_won=amount
        )
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    checks = {}
    for name, amount in (("editor_a", 2_000_000_000), ("editor_b", 3_000_000_000)):
        user, client = _editor(django_user_model, name)
        changed = [[*row[:3], amount + i, row[4]] for i, row in enumerate(rows)]
        content = csv_bytes(LINE_HEADERS[:5], changed)
        job = upload(
            client, "budget_lines", f"{name}.csv", content, django_capture_on_commit_callbacks
        )
        assert (job.status, job.updated_count) == (ImportStatus.CHECKED, 5)
        checks[name] = (user, job)
    # Both confirm; their jobs wait for the workers below, which start them together.
    monkeypatch.setattr(services, "import_job_enqueue", lambda *, job_id: True)
    confirmed = [
        services.import_job_confirm(checked=job, user=user) for user, job in checks.values()
    ]
    _at_once(*(job.pk for job in confirmed))

    outcomes = {job.requested_by.username: ImportJob.objects.get(pk=job.pk) for job in confirmed}
    statuses = sorted(job.status for job in outcomes.values())
    assert statuses == [ImportStatus.REFUSED, ImportStatus.SUCCEEDED]
    (winner,) = [name for name, job in outcomes.items() if job.status == ImportStatus.SUCCEEDED]
    (loser,) = [name for name, job in outcomes.items() if job.status == ImportStatus.REFUSED]
    assert errors_of(outcomes[loser]) == [
        (number, None, "Changed since the check.") for number in range(2, 7)
    ]
    # The refusal names the other editor's import, written meanwhile.
    assert f"import #{outcomes[winner].pk} by {winner} was written" in outcomes[loser].message
    # What is stored is the winner's file, whole: none of the loser's values.
    base = 2_000_000_000 if winner == "editor_a" else 3_000_000_000
    stored = BudgetLine.objects.filter(project=fresh_project).order_by("fiscal_year")
    assert list(stored.values_list("amount_won", flat=True)) == [base + i for i in range(5)]
