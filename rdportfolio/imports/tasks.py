"""Celery tasks of the import jobs: thin, take IDs, call the services."""

from celery import shared_task
from django.conf import settings

from .services import import_job_execute, import_jobs_watch


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    # The job stops itself at RDP_IMPORT_TIME_LIMIT_SECONDS; this is the backstop.
    soft_time_limit=settings.RDP_IMPORT_TIME_LIMIT_SECONDS + 120,
    time_limit=settings.RDP_IMPORT_TIME_LIMIT_SECONDS + 180,
)
def run_import(job_id: int) -> str:
    """Check or carry out import ``job_id``; a redelivered message finds the job claimed."""
    return import_job_execute(job_id=job_id).status


@shared_task(ignore_result=True)
def import_jobs_watchdog() -> dict[str, int]:
    """Every half minute: jobs whose message was lost or whose worker died go out again."""
    return import_jobs_watch()
