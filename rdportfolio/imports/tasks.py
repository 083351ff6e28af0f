"""Celery tasks of the import jobs: thin, take IDs, call the services."""

from celery import shared_task

from .services import import_job_execute


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_import(job_id: int) -> str:
    """Check or carry out import ``job_id``; a redelivered message finds the job claimed."""
    return import_job_execute(job_id=job_id).status
