"""A confirmed import of budget lines on PostgreSQL checks and writes in one pass: each new
row goes into the COPY as soon as it is checked. It must write exactly what checking first
and writing after writes, and write nothing when the pass finds what the check did not."""

import time

import pytest
from django.db import connection, transaction
from django.test import override_settings

from budgets.models import BudgetLine
from rdportfolio.core import tabular
from rdportfolio.core.leases import progress_aside
from rdportfolio.core.tabular import writing
from rdportfolio.imports.models import ImportJob, ImportStatus
from technologies.models import Project
from tests.factories import CollaborationFactory, InstitutionFactory, ProjectFactory
from tests.imports.files import LINE_HEADERS, confirm, csv_bytes, errors_of, upload

pytestmark = pytest.mark.django_db

# Line and history fields that do not depend on when or in which order rows were written.
LINE = ("project_id", "fiscal_year", "basis", "amount_won", "is_international")
LINE += ("collaboration_id", "source", "is_synthetic")
HISTORY = (*LINE, "history_type", "history_change_reason", "history_user_id")


@pytest.fixture
def portfolio(on_postgresql):
    """A project with a partner, two stored lines, and a file of 2,498 rows: new lines (one
    paying for the partner, the last of the last project), one line to change, one left as
    it is."""
    project = ProjectFactory(project_number="RS-STREAM-1", start_year=2031, end_year=2035)
    partner = InstitutionFactory(name="Fraunhofer IPA", country="DE")
    CollaborationFactory(project=project, institution=partner)
    BudgetLine.objects.create(project=project, fiscal_year=2031, basis="planned", amount_won=1)
    BudgetLine.objects.create(project=project, fiscal_year=2032, basis="planned", amount_won=2)
    others = ProjectFactory.create_batch(499, start_year=2031, end_year=2035)
    rows = [
        ["RS-STREAM-1", 2031, "계획", 10, "N", "", ""],  # changed: 1 -> 10
        ["RS-STREAM-1", 2032, "계획", 2, "N", "", ""],  # as stored
        ["RS-STREAM-1", 2033, "배정", 7, "Y", "Fraunhofer IPA", "DE"],
    ]
    rows += [
        [p.project_number, year, "계획", 1_000 * p.pk + year, "N", "", ""]
        for p in others
        for year in range(2031, 2036)
    ]
    content = csv_bytes(LINE_HEADERS[:7], rows)
    return project, content


def state():
    lines = BudgetLine.objects.order_by(*LINE).values_list(*LINE)
    history = BudgetLine.history.order_by(*HISTORY).values_list(*HISTORY)
    return list(lines), list(history)


class Rollback(Exception):
    pass


def test_one_pass_writes_what_checking_then_writing_writes(portfolio, ministry_editor):
    _project, content = portfolio
    spec = tabular.spec_for("budget_lines")
    checked = tabular.import_plan(spec=spec, content=content, file_format="csv")
    assert (len(checked.create), len(checked.update), checked.unchanged) == (2496, 1, 1)
    results = []
    for one_pass in (True, False):
        try:
            with transaction.atomic():
                if one_pass:
                    plan, changed = tabular.import_written(
                        spec=spec,
                        content=content,
                        file_format="csv",
                        checked_signature=checked.signature(),
                        checked_creates=len(checked.create),
                        user=ministry_editor,
                        reason="Import #1",
                    )
                    assert (plan.error_count, changed) == (0, [])
                else:
                    plan = tabular.import_plan(spec=spec, content=content, file_format="csv")
                    tabular.plan_write(
                        spec=spec, plan=plan, user=ministry_editor, reason="Import #1"
                    )
                imported = (
                    BudgetLine.objects.filter(source="Import #1").count(),
                    BudgetLine.history.filter(history_change_reason="Import #1").count(),
                )
                results.append((state(), imported))
                raise Rollback
        except Rollback:
            pass
    streamed, two_pass = results
    assert streamed == two_pass
    assert streamed[1] == (2496, 2497)  # lines added; history rows: 2,496 added, 1 changed


def check_then(staff, content, captured, change):
    """Check the file, let ``change`` happen in the database, then confirm the check."""
    job = upload(staff, "budget_lines", "lines.csv", content, captured)
    assert job.status == ImportStatus.CHECKED, job.errors
    change()
    before = state()
    done = confirm(staff, job, captured)
    return done, before


def test_a_line_removed_since_the_check_refuses_the_import_and_writes_nothing(
    staff, portfolio, django_capture_on_commit_callbacks
):
    # The file now has one more new line than its check found: the reserved ids run out.
    project, content = portfolio
    done, before = check_then(
        staff,
        content,
        django_capture_on_commit_callbacks,
        lambda: BudgetLine.objects.filter(project=project, fiscal_year=2032).delete(),
    )
    assert done.status == ImportStatus.REFUSED
    assert errors_of(done) == [(3, None, "Changed since the check.")]
    assert state() == before


def test_a_line_added_since_the_check_refuses_the_import_and_writes_nothing(
    staff, portfolio, django_capture_on_commit_callbacks
):
    # A row the check found new is stored now; the rows before it were already in the COPY.
    project, content = portfolio
    done, before = check_then(
        staff,
        content,
        django_capture_on_commit_callbacks,
        lambda: BudgetLine.objects.create(
            project=Project.objects.order_by("pk").last(),
            fiscal_year=2035,
            basis="planned",
            amount_won=5,
        ),
    )
    assert done.status == ImportStatus.REFUSED
    assert done.message.startswith("Changed since the check: 1 rows. Nothing was written")
    assert state() == before


def test_a_row_wrong_since_the_check_refuses_the_import_and_writes_nothing(
    staff, portfolio, django_capture_on_commit_callbacks
):
    # The last project's years shrank after the check: its lines of 2035 are now outside.
    _project, content = portfolio
    last = Project.objects.order_by("pk").last()
    done, before = check_then(
        staff,
        content,
        django_capture_on_commit_callbacks,
        lambda: Project.objects.filter(pk=last.pk).update(end_year=2034),
    )
    assert done.status == ImportStatus.REFUSED
    assert ("회계연도", "2035 is outside the project's years (2031–2034).") in [
        (column, message) for _row, column, message in errors_of(done)
    ]
    assert state() == before


def test_a_copy_that_fails_midway_fails_the_job_and_writes_nothing(
    staff, portfolio, django_capture_on_commit_callbacks, monkeypatch
):
    # An id already taken makes PostgreSQL refuse the COPY while rows are still coming.
    project, content = portfolio
    taken = BudgetLine.objects.filter(project=project).values_list("pk", flat=True)[0]
    write = writing.CreateStream.write

    def write_with_a_taken_id(stream, values):
        if len(stream.ids) == 1000:
            stream._reserved[1000] = taken
        write(stream, values)

    monkeypatch.setattr(writing.CreateStream, "write", write_with_a_taken_id)
    done, before = check_then(staff, content, django_capture_on_commit_callbacks, lambda: None)
    assert done.status == ImportStatus.FAILED
    assert done.message.startswith("Nothing was written: UniqueViolation")
    assert state() == before
    # The worker's connection is usable again: the job's end was saved on it.
    assert ImportJob.objects.get(pk=done.pk).status == ImportStatus.FAILED


def test_a_pass_past_its_time_limit_fails_and_writes_nothing(
    staff, portfolio, django_capture_on_commit_callbacks
):
    _project, content = portfolio
    job = upload(staff, "budget_lines", "lines.csv", content, django_capture_on_commit_callbacks)
    before = state()
    with override_settings(RDP_IMPORT_TIME_LIMIT_SECONDS=0):
        done = confirm(staff, job, django_capture_on_commit_callbacks)
    assert done.status == ImportStatus.FAILED
    assert done.message.startswith("Checking took longer than 0 minutes and was stopped")
    assert state() == before


def test_an_error_raised_while_rows_stream_ends_the_copy_and_writes_nothing(portfolio):
    # Stopped between two rows (here by its progress callback, as the time limit stops it):
    # the open COPY is abandoned, the error goes on, and the connection serves the next query.
    _project, content = portfolio
    spec = tabular.spec_for("budget_lines")
    checked = tabular.import_plan(spec=spec, content=content, file_format="csv")
    before = state()

    class Stop(Exception):
        pass

    def progress(done, _total):
        if done:  # not the reading's ticks (0, rows read so far): the checked rows'
            raise Stop

    with pytest.raises(Stop):
        tabular.import_written(
            spec=spec,
            content=content,
            file_format="csv",
            checked_signature=checked.signature(),
            checked_creates=len(checked.create),
            user=None,
            reason="Import #1",
            progress=progress,
        )
    assert state() == before


@pytest.mark.django_db(transaction=True)
def test_progress_noted_while_the_connection_is_busy_is_written_by_another(
    on_postgresql, ministry_editor
):
    job = ImportJob.objects.create(
        kind="budget_lines",
        file_name="a.csv",
        file_format="csv",
        content=b"x",
        requested_by=ministry_editor,
    )
    jobs = ImportJob.objects.filter(pk=job.pk)
    with progress_aside(jobs, every=0.05) as note, connection.cursor() as cursor:
        note(2000, 100_000)
        deadline = time.monotonic() + 5
        while jobs.values_list("rows_done", flat=True).get() != 2000:
            assert time.monotonic() < deadline, "the progress never reached the job"
            time.sleep(0.02)
        # The last figures are written when the work ends, even between two beats.
        note(100_000, 100_000)
        cursor.execute("SELECT 1")
    assert jobs.values_list("rows_done", "rows_total").get() == (100_000, 100_000)
