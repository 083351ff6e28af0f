"""The recompute of the share and its runs: requested, queued, carried out, pruned."""

import functools
import logging
import traceback
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from .models import RunStatus, RunTrigger, ShareRun, ShareSnapshot
from .rule import share_inputs_read, share_snapshots_build

logger = logging.getLogger(__name__)

# Errors worth another try later: the database went away or timed out.
RETRYABLE_ERRORS = (OperationalError, InterfaceError)

# Any constant: the advisory lock that serialises recomputes on PostgreSQL.
SHARE_LOCK_KEY = 7_150_2023


def share_recompute_request(*, trigger: str, requested_by=None, force: bool = False) -> ShareRun:
    """Ask for a recompute; queue it after the current transaction commits.

    Requests coalesce: while one run waits in the queue, later requests join
    it instead of adding another (a forced request marks the waiting run
    forced). A run already under way does not absorb requests, so changes
    committed during it get a run of their own.
    """
    with transaction.atomic():
        pending = ShareRun.objects.select_for_update().filter(status=RunStatus.PENDING).first()
        if pending is not None:
            if force and not pending.forced:
                pending.forced = True
                pending.save(update_fields=["forced", "updated_at"])
            return pending
        try:
            with transaction.atomic():
                run = ShareRun.objects.create(
                    trigger=trigger, requested_by=requested_by, forced=force
                )
        except IntegrityError:
            # Another request created the pending run between our read and our insert.
            return ShareRun.objects.get(status=RunStatus.PENDING)
    transaction.on_commit(lambda: share_run_enqueue(run_id=run.id))
    return run


def share_run_enqueue(*, run_id: int) -> None:
    """Hand a run to Celery; if the broker is down, the nightly task picks the run up later."""
    from .tasks import recompute_share

    try:
        recompute_share.apply_async(
            args=[run_id], retry=True, retry_policy={"max_retries": 3, "interval_start": 0.5}
        )
    except Exception:
        logger.exception(
            "could not queue share run %s; it stays pending for the nightly task", run_id
        )


def share_recompute_schedule(*, trigger: str = RunTrigger.CHANGE) -> None:
    """Request one recompute when the current transaction commits, however often it is called.

    Edits to budget lines, totals, targets or how lines are classified call
    this, and so does an import; a transaction that changes ten thousand lines
    still requests one run.
    """
    callback = _AFTER_COMMIT[trigger]
    if any(entry[1] is callback for entry in connection.run_on_commit):
        return
    transaction.on_commit(callback, robust=True)


# One callback per trigger, so that the check above recognises one already scheduled.
_AFTER_COMMIT = {
    trigger: functools.partial(share_recompute_request, trigger=trigger)
    for trigger in RunTrigger.values
}


def share_run_execute(*, run_id: int, final_attempt: bool = True) -> ShareRun | None:
    """Carry out a requested run: idempotent, and safe when delivered twice or concurrently.

    The snapshot rows and the run's final status are written in one
    transaction, under a database lock that lets one recompute at a time
    write; a run that finds its inputs' fingerprint equal to the latest
    successful run's is recorded as skipped (unless forced).
    """
    run = ShareRun.objects.filter(pk=run_id).first()
    if run is None:
        logger.warning("share run %s does not exist (another database?); nothing to do", run_id)
        return None
    if run.status in (RunStatus.SUCCEEDED, RunStatus.SKIPPED, RunStatus.FAILED):
        return run  # a redelivered message: the work is done
    # Leaving "pending" first lets changes committed from now on request a run of their own.
    ShareRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, started_at=timezone.now(), updated_at=timezone.now()
    )
    try:
        with transaction.atomic():
            _share_lock()
            run = ShareRun.objects.select_for_update().get(pk=run_id)
            if run.status != RunStatus.RUNNING:
                return run  # finished by a concurrent delivery while we waited for the lock
            inputs = share_inputs_read()
            fingerprint = inputs.fingerprint()
            latest = ShareRun.objects.latest_succeeded()
            run.fingerprint = fingerprint
            run.target_plan_id = inputs.plan_id
            run.line_count = inputs.line_count
            if latest is not None and latest.fingerprint == fingerprint and not run.forced:
                run.status = RunStatus.SKIPPED
                run.snapshot_count = 0
            else:
                snapshots = share_snapshots_build(inputs)
                for snapshot in snapshots:
                    snapshot.run = run
                ShareSnapshot.objects.bulk_create(snapshots, batch_size=2000)
                run.status = RunStatus.SUCCEEDED
                run.snapshot_count = len(snapshots)
            run.finished_at = timezone.now()
            run.save()
    except Exception as exc:
        retry_later = isinstance(exc, RETRYABLE_ERRORS) and not final_attempt
        try:
            ShareRun.objects.filter(pk=run_id).update(
                # A run that will be retried stays "running" so that the retry carries it out.
                status=RunStatus.RUNNING if retry_later else RunStatus.FAILED,
                finished_at=None if retry_later else timezone.now(),
                updated_at=timezone.now(),
                error=traceback.format_exc(limit=20)[-4000:],
            )
        except RETRYABLE_ERRORS:
            logger.exception("could not record the failure of share run %s", run_id)
        raise
    if run.status == RunStatus.SUCCEEDED:
        share_runs_prune()
    logger.info(
        "share run %s %s in %s (%s lines)", run.pk, run.status, run.duration, run.line_count
    )
    return run


def share_recompute(
    *, trigger: str = RunTrigger.COMMAND, requested_by=None, force: bool = False
) -> ShareRun:
    """Recompute now, in this process (management commands, the seed), not through the queue."""
    run = ShareRun.objects.create(
        trigger=trigger, requested_by=requested_by, forced=force, status=RunStatus.RUNNING
    )
    return share_run_execute(run_id=run.pk)


def share_runs_requeue_stale(*, older_than: timedelta = timedelta(minutes=10)) -> int:
    """Queue again the pending runs whose message was lost (broker down when they were requested)."""
    stale = list(
        ShareRun.objects.filter(
            status=RunStatus.PENDING, created_at__lt=timezone.now() - older_than
        ).values_list("pk", flat=True)
    )
    for run_id in stale:
        share_run_enqueue(run_id=run_id)
    return len(stale)


def share_runs_prune() -> int:
    """Delete runs older than the retention period, always keeping the latest successful one."""
    days = settings.RDP_SHARE_RUN_RETENTION_DAYS
    if not days:
        return 0
    latest = ShareRun.objects.latest_succeeded()
    cutoff = timezone.now() - timedelta(days=days)
    old = ShareRun.objects.filter(created_at__lt=cutoff).exclude(
        status__in=[RunStatus.PENDING, RunStatus.RUNNING]
    )
    if latest is not None:
        old = old.exclude(pk=latest.pk)
    deleted, _ = old.delete()
    return deleted


def _share_lock() -> None:
    # A transaction-scoped advisory lock: released at commit or rollback, even if the
    # worker dies. SQLite serialises writers by itself and has no such lock.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '10min'")
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SHARE_LOCK_KEY])
