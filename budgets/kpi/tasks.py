"""Celery tasks of the KPI: thin, take IDs, and call the services."""

from celery import shared_task

from .models import RunTrigger
from .services import (
    RETRYABLE_ERRORS,
    share_recompute_request,
    share_run_execute,
    share_runs_watch,
)

# A run reads every budget line once and may wait for another run's lock (10 minutes at
# most): past this, the worker gives it up and the watchdog hands it on.
SHARE_TIME_LIMIT = 15 * 60


@shared_task(
    bind=True,
    acks_late=True,  # acknowledged only after it ran: a dying worker gives it back
    reject_on_worker_lost=True,
    max_retries=6,
    soft_time_limit=SHARE_TIME_LIMIT,
    time_limit=SHARE_TIME_LIMIT + 60,
)
def recompute_share(self, run_id: int) -> str | None:
    """Carry out share run ``run_id``. Idempotent: a second delivery finds the work done."""
    final_attempt = self.request.retries >= self.max_retries
    try:
        run = share_run_execute(run_id=run_id, final_attempt=final_attempt)
    except RETRYABLE_ERRORS as exc:
        # Exponential backoff: 5 s, 10 s, 20 s ... capped at 5 minutes.
        raise self.retry(exc=exc, countdown=min(5 * 2**self.request.retries, 300)) from exc
    return run.status if run else None


@shared_task(acks_late=True, reject_on_worker_lost=True)
def recompute_share_nightly() -> int:
    """The nightly run: the figures are recomputed at least once a day, whatever happened."""
    return share_recompute_request(trigger=RunTrigger.NIGHTLY).pk


@shared_task(ignore_result=True)
def share_runs_watchdog() -> dict:
    """Every half minute: runs whose message was lost or whose worker died go out again."""
    return share_runs_watch()
