"""Uploaded files are kept RDP_IMPORT_KEEP_DAYS after their job finished; the jobs stay."""

from datetime import timedelta

import pytest
from django.utils import timezone

from rdportfolio.imports.models import ImportJob, ImportStatus
from rdportfolio.imports.services import import_job_create
from tests.imports.files import LINE_HEADERS, csv_bytes

pytestmark = pytest.mark.django_db

CONTENT = csv_bytes(LINE_HEADERS[:5], [["RS-1", 2031, "계획", 1, "N"]])


def _job(user, status, finished_days_ago=None):
    job = import_job_create(
        kind="budget_lines", file_name="a.csv", content=CONTENT, requested_by=user
    )
    finished = None if finished_days_ago is None else timezone.now() - timedelta(finished_days_ago)
    ImportJob.objects.filter(pk=job.pk).update(status=status, finished_at=finished)
    return job.pk


def test_files_of_jobs_finished_past_the_time_are_removed_and_the_jobs_kept(
    ministry_editor, settings
):
    settings.RDP_IMPORT_KEEP_DAYS = 30
    old = _job(ministry_editor, ImportStatus.SUCCEEDED, 31)
    refused = _job(ministry_editor, ImportStatus.REFUSED, 45)
    recent = _job(ministry_editor, ImportStatus.CHECKED, 29)
    waiting = _job(ministry_editor, ImportStatus.PENDING)
    _job(ministry_editor, ImportStatus.PENDING)  # the next upload removes what is due
    jobs = {job.pk: job for job in ImportJob.objects.all()}
    for pk in (old, refused):
        assert bytes(jobs[pk].content) == b"" and jobs[pk].file_removed_at is not None
        assert jobs[pk].file_name == "a.csv" and jobs[pk].requested_by == ministry_editor
    for pk in (recent, waiting):
        assert bytes(jobs[pk].content) == CONTENT and jobs[pk].file_removed_at is None


def test_zero_keeps_every_file(ministry_editor, settings):
    settings.RDP_IMPORT_KEEP_DAYS = 0
    old = _job(ministry_editor, ImportStatus.SUCCEEDED, 4000)
    _job(ministry_editor, ImportStatus.PENDING)
    assert bytes(ImportJob.objects.get(pk=old).content) == CONTENT


def test_a_job_whose_file_was_removed_still_opens_in_the_admin(ministry_editor, settings, client):
    settings.RDP_IMPORT_KEEP_DAYS = 30
    old = _job(ministry_editor, ImportStatus.SUCCEEDED, 31)
    _job(ministry_editor, ImportStatus.PENDING)
    client.force_login(ministry_editor)
    page = client.get(f"/admin/imports/importjob/{old}/progress/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "a.csv" in page.content.decode()
    assert "The file was removed on" in page.content.decode()
