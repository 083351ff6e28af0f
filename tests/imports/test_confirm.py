"""Confirming a check: only its requester, once, soon, and never over rows changed since."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from budgets.models import BudgetLine
from rdportfolio.core import roles
from rdportfolio.imports.models import ImportJob, ImportStatus
from tests.imports.files import LINE_HEADERS, confirm, csv_bytes, errors_of, new_lines, upload

pytestmark = pytest.mark.django_db

HEADERS = LINE_HEADERS[:5]


@pytest.fixture
def checked(staff, fresh_project, django_capture_on_commit_callbacks):
    """A check of four lines: two new, two already stored as the file has them."""
    rows = new_lines(fresh_project, 4)
    for _number, year, _basis, amount, _international in rows[2:]:
        BudgetLine.objects.create(
            project=fresh_project, fiscal_year=year, basis="planned", amount_won=amount
        )
    job = upload(
        staff, "budget_lines", "a.csv", csv_bytes(HEADERS, rows), django_capture_on_commit_callbacks
    )
    assert (job.status, job.created_count, job.unchanged_count) == (ImportStatus.CHECKED, 2, 2)
    return job


def test_rows_changed_since_the_check_refuse_the_import(
    staff, fresh_project, checked, django_capture_on_commit_callbacks
):
    # Someone edits the two stored lines after the preview was shown.
    edited = BudgetLine.objects.filter(project=fresh_project)
    edited.update(amount_won=5)
    before = BudgetLine.objects.count()
    done = confirm(staff, checked, django_capture_on_commit_callbacks)
    assert done.status == ImportStatus.REFUSED
    assert done.message == (
        "Changed since the check: 2 rows. Nothing was written; check the file again to see "
        "what it would do now."
    )
    assert errors_of(done) == [
        (4, None, "Changed since the check."),
        (5, None, "Changed since the check."),
    ]
    # Nothing written, and the edits made in between stand.
    assert BudgetLine.objects.count() == before
    assert set(edited.values_list("amount_won", flat=True)) == {5}


def test_an_unchanged_check_imports(
    staff, fresh_project, checked, django_capture_on_commit_callbacks
):
    done = confirm(staff, checked, django_capture_on_commit_callbacks)
    assert (done.status, done.created_count) == (ImportStatus.SUCCEEDED, 2)


def test_only_the_person_who_checked_may_import_it(checked, django_user_model):
    colleague = django_user_model.objects.create_user("t_editor2", is_staff=True)
    colleague.groups.add(Group.objects.get(name=roles.MINISTRY_EDITOR))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(colleague)
    progress = reverse("admin:imports_importjob_progress", args=[checked.pk])
    page = client.get(progress).content.decode()
    assert 'id="import-confirm"' not in page
    assert "Only the person who checked this file can import it: check it yourself." in page
    response = client.post(reverse("admin:imports_importjob_confirm", args=[checked.pk]))
    assert response.status_code == 302 and response["Location"] == progress
    assert not ImportJob.objects.filter(confirms=checked).exists()


def test_a_check_older_than_its_window_must_be_checked_again(staff, checked, settings):
    ImportJob.objects.filter(pk=checked.pk).update(
        finished_at=timezone.now() - timedelta(minutes=settings.RDP_IMPORT_CONFIRM_MINUTES + 1)
    )
    response = staff.post(reverse("admin:imports_importjob_confirm", args=[checked.pk]))
    assert response.status_code == 302
    page = staff.get(response["Location"]).content.decode()
    assert "This check is older than 30 minutes: check the file again." in page
    assert 'id="import-confirm"' not in page
    assert not ImportJob.objects.filter(confirms=checked).exists()


def test_a_check_is_imported_once(staff, checked, django_capture_on_commit_callbacks):
    first = confirm(staff, checked, django_capture_on_commit_callbacks)
    again = confirm(staff, checked, django_capture_on_commit_callbacks)
    assert again.pk == first.pk
    assert ImportJob.objects.filter(confirms=checked).count() == 1


def test_finishing_a_job_does_not_send_its_file_back(
    staff, checked, django_capture_on_commit_callbacks
):
    # The file is stored once, when it is uploaded: the job's end writes its figures only
    # (a whole-row save sent the file again, 0.1 s and a dead copy of it per 100,000 lines).
    with CaptureQueriesContext(connection) as queries:
        done = confirm(staff, checked, django_capture_on_commit_callbacks)
    assert done.status == ImportStatus.SUCCEEDED
    updates = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('UPDATE "budgets_importjob"')
    ]
    assert updates, "the job's figures are written"
    # (The one statement that names it is the removal of files past their time, which empties.)
    assert not [sql for sql in updates if '"content"' in sql and '"file_removed_at"' not in sql]
    assert bytes(ImportJob.objects.get(pk=done.pk).content) == bytes(checked.content)
