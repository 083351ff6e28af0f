"""Import jobs: store an upload, check it on a worker, write it once confirmed."""

import logging
import time
from datetime import datetime, timedelta
from typing import cast

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from rdportfolio.core import tabular
from rdportfolio.core.jobs import MAX_ATTEMPTS, JobQueue
from rdportfolio.core.leases import progress_aside
from rdportfolio.core.turns import write_turn

from .messages import changed_since, too_large, too_slow_message
from .models import FINISHED, ImportJob, ImportStatus

logger = logging.getLogger(__name__)

# Every confirmed import writes in this one turn: a workbook writes several kinds, and
# imports are few (a turn per kind would add an order to keep, for nothing measurable).
IMPORT_TURN = "rdportfolio.imports"


def _gave_up(job) -> dict:
    with override(job.language):
        return {
            "message": _(
                "The worker stopped %(attempts)s times while on this file (killed, out of memory "
                "or its machine lost); nothing was written. Try again later or split the file."
            )
            % {"attempts": MAX_ATTEMPTS}
        }


# Claimed, leased, sent and watched as every job is (rdportfolio.core.jobs): a job taken up
# again writes nothing twice (checking writes nothing, and writing is one transaction,
# rolled back when the worker died).
IMPORT_JOBS = JobQueue(
    model=ImportJob,
    task="rdportfolio.imports.tasks.run_import",
    waiting=ImportStatus.PENDING,
    working=(ImportStatus.CHECKING, ImportStatus.WRITING),
    failed=ImportStatus.FAILED,
    gave_up=_gave_up,
    gave_up_reads=("language",),
    priority=3,  # after edits' recomputes, before scenario computations
)


class ImportRefused(ValueError):
    """The upload itself is wrong (kind, format, size): nothing was stored."""


def import_job_create(
    *,
    kind: str,
    file_name: str,
    content: bytes,
    requested_by,
    dry_run: bool = True,
    confirms: ImportJob | None = None,
    language: str | None = None,
) -> ImportJob:
    """Store an uploaded file as a job and hand it to a worker after commit."""
    if kind not in tabular.all_specs() and kind != tabular.WORKBOOK:
        raise ImportRefused(_("Unknown kind of import “%(kind)s”.") % {"kind": kind})
    suffix = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if suffix not in ("xlsx", "csv"):
        raise ImportRefused(
            _("“%(name)s” is neither an Excel (.xlsx) nor a CSV (.csv) file.") % {"name": file_name}
        )
    if kind == tabular.WORKBOOK and suffix != "xlsx":
        raise ImportRefused(_("A workbook of several sheets is an Excel (.xlsx) file."))
    if not content:
        raise ImportRefused(_("The file is empty."))
    if len(content) > settings.RDP_UPLOAD_MAX_BYTES:
        raise ImportRefused(too_large(len(content)))
    job = ImportJob.objects.create(
        kind=kind,
        file_name=file_name,
        file_format=suffix,
        content=content,
        dry_run=dry_run,
        confirms=confirms,
        requested_by=requested_by,
        language=language or get_language() or settings.LANGUAGE_CODE,
    )
    transaction.on_commit(lambda: import_job_enqueue(job_id=job.pk))
    import_files_prune()
    return job


def import_files_prune() -> int:
    """Remove the files of jobs finished more than RDP_IMPORT_KEEP_DAYS ago (the jobs stay,
    with their counts, errors and who asked); 0 keeps them all. Run as each job is created:
    one statement, no beat needed (82 MB for 83 jobs were kept forever before)."""
    days = settings.RDP_IMPORT_KEEP_DAYS
    if not days:
        return 0
    now = timezone.now()
    return ImportJob.objects.filter(
        status__in=FINISHED, finished_at__lt=now - timedelta(days=days), file_removed_at=None
    ).update(content=b"", file_removed_at=now)


class AlreadyImported(ImportRefused):
    """The check was confirmed before: its import is ``existing``."""

    def __init__(self, existing: ImportJob):
        super().__init__(
            _("This check has been imported already (import #%(id)s).") % {"id": existing.pk}
        )
        self.existing = existing


def import_job_confirm(*, checked: ImportJob, user) -> ImportJob:
    """Import a checked file: a job that writes it, after commit.

    Only the person who asked for the check, only once, and only within
    RDP_IMPORT_CONFIRM_MINUTES of it; the import itself is refused if the data
    changed since the check (see ``messages.changed_since``).
    """
    with transaction.atomic():
        # One confirmation at a time per check: a double click imports once.
        checked = ImportJob.objects.select_for_update().get(pk=checked.pk)
        earlier = checked.imports.order_by("-pk").first()
        if earlier is not None:
            raise AlreadyImported(earlier)
        refusal = import_job_confirm_refusal(checked, user)
        if refusal:
            raise ImportRefused(refusal)
        return import_job_create(
            kind=checked.kind,
            file_name=checked.file_name,
            content=bytes(checked.content),
            requested_by=user,
            dry_run=False,
            confirms=checked,
            language=checked.language,
        )


def import_job_confirm_refusal(job: ImportJob, user) -> str | None:
    """Why ``user`` may not import this check now (None: they may)."""
    if not job.dry_run or job.status != ImportStatus.CHECKED:
        return _("Only a file that passed its check can be imported.")
    if not (job.created_count or job.updated_count):
        return _("The file changes nothing: every row is already as in the file.")
    if job.requested_by_id != user.pk:
        return _("Only the person who checked this file can import it: check it yourself.")
    window = timedelta(minutes=settings.RDP_IMPORT_CONFIRM_MINUTES)
    # A checked job is finished (_import_finish): it has its finished_at.
    if cast(datetime, job.finished_at) < timezone.now() - window:
        return _("This check is older than %(minutes)s minutes: check the file again.") % {
            "minutes": settings.RDP_IMPORT_CONFIRM_MINUTES
        }
    return None


def import_job_enqueue(*, job_id: int) -> bool:
    """Hand a job to Celery. If the broker is down the job keeps waiting, and the watchdog
    sends it again once the broker is back."""
    return IMPORT_JOBS.enqueue(job_id)


def import_job_execute(*, job_id: int) -> ImportJob:
    """Check (and unless a dry run, write) an import job. A second delivery finds it done.

    The worker first claims the job: a waiting one, or one whose worker's lease ran out
    (checking writes nothing, and writing is one transaction, rolled back when its worker
    died). A check runs outside any transaction; a confirmed import checks again and writes
    in one transaction, in turn with the other imports: every row or none.
    """
    claimed = IMPORT_JOBS.claim(job_id)
    # The check it confirms comes along, without its copy of the file (3.8 MB for 100,000
    # lines, 20 ms to read): its signature and counts are what the import compares.
    job = (
        ImportJob.objects.select_related("confirms", "requested_by")
        .defer("confirms__content")
        .get(pk=job_id)
    )
    if not claimed:
        return job
    with IMPORT_JOBS.lease_kept(job_id):
        if job.kind == tabular.WORKBOOK:
            from .workbooks import workbook_carry_out  # it uses this module's helpers

            return workbook_carry_out(job)
        return _import_job_carry_out(job)


def job_progress(job: ImportJob):
    """``progress(done, total)`` for a job's rows, stopping it past the time limit; and that
    limit, as a ``time.monotonic()`` deadline."""
    deadline = time.monotonic() + settings.RDP_IMPORT_TIME_LIMIT_SECONDS

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(rows_done=done, rows_total=total)
        if time.monotonic() > deadline:
            raise ImportTooSlow

    return progress, deadline


def _import_job_carry_out(job: ImportJob) -> ImportJob:
    progress, deadline = job_progress(job)
    if not job.dry_run and job.confirms_id is not None:
        return _import_job_check_and_write(job, deadline)
    try:
        with override(job.language):
            plan = tabular.import_plan(
                spec=job.spec,
                content=bytes(job.content),
                file_format=job.file_format,
                progress=progress,
            )
    except tabular.FileRefused as refused:
        return _import_finish(
            job, status=ImportStatus.REFUSED, errors=refused.errors, error_count=len(refused.errors)
        )
    except ImportTooSlow:
        return _import_finish(job, status=ImportStatus.FAILED, message=too_slow_message(job))
    except Exception:
        logger.exception("import %s failed while checking", job.pk)
        return _import_finish(
            job,
            status=ImportStatus.FAILED,
            message=_(
                "The file could not be checked (an error on our side, logged for the "
                "administrators); nothing was written."
            ),
        )
    counts = _counts(plan)
    if plan.error_count:
        return _import_finish(job, status=ImportStatus.REFUSED, **counts)
    if job.dry_run:
        return _import_finish(
            job, status=ImportStatus.CHECKED, signature=plan.signature(), **counts
        )
    # An import that confirms no check (a script's, say): written as checked, in its turn.
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.WRITING)
    try:
        with write_turn(IMPORT_TURN):
            tabular.plan_write(
                spec=job.spec, plan=plan, user=job.requested_by, reason=f"Import #{job.pk}"
            )
    except Exception as exc:
        logger.exception("import %s failed while writing; nothing was written", job.pk)
        return _import_finish(
            job,
            status=ImportStatus.FAILED,
            message=f"Nothing was written: {type(exc).__name__}: {exc}",
            **counts,
        )
    return _import_finish(job, status=ImportStatus.SUCCEEDED, **counts)


def _import_job_check_and_write(job: ImportJob, deadline: float) -> ImportJob:
    """A confirmed import: checked again and written in one transaction, in turn with every
    other import (two editors confirming the same rows at once: the second reads what the
    first wrote); refused, with nothing written, if a row has an error or changed since the
    check. Kinds that write while they check (budget lines on PostgreSQL) do it in one pass."""
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.WRITING)
    jobs = ImportJob.objects.filter(pk=job.pk)
    checked = cast(ImportJob, job.confirms)  # only a confirmed import comes here
    reason = f"Import #{job.pk}"
    try:
        with progress_aside(jobs) as note, override(job.language), write_turn(IMPORT_TURN):

            def progress(done: int, total: int) -> None:
                note(done, total)
                if time.monotonic() > deadline:
                    raise ImportTooSlow

            plan, changed = tabular.import_written(
                spec=job.spec,
                content=bytes(job.content),
                file_format=job.file_format,
                checked_signature=checked.signature,
                checked_creates=checked.created_count,
                user=job.requested_by,
                reason=reason,
                progress=progress,
            )
    except tabular.FileRefused as refused:
        return _import_finish(
            job, status=ImportStatus.REFUSED, errors=refused.errors, error_count=len(refused.errors)
        )
    except ImportTooSlow:
        return _import_finish(job, status=ImportStatus.FAILED, message=too_slow_message(job))
    except Exception as exc:
        logger.exception("import %s failed; nothing was written", job.pk)
        return _import_finish(
            job,
            status=ImportStatus.FAILED,
            message=f"Nothing was written: {type(exc).__name__}: {exc}",
        )
    counts = _counts(plan)
    if plan.error_count:
        return _import_finish(job, status=ImportStatus.REFUSED, **counts)
    if changed:
        return _import_finish(job, status=ImportStatus.REFUSED, **changed_since(job, changed))
    return _import_finish(job, status=ImportStatus.SUCCEEDED, **counts)


def _counts(plan) -> dict:
    return dict(
        rows_total=plan.total,
        rows_done=plan.total,
        created_count=len(plan.create),
        updated_count=len(plan.update),
        unchanged_count=plan.unchanged,
        error_count=plan.error_count,
        errors=plan.errors,
        preview=plan.preview,
    )


class ImportTooSlow(Exception):
    """The job ran past RDP_IMPORT_TIME_LIMIT_SECONDS."""


def _import_finish(job: ImportJob, *, status: str, **fields) -> ImportJob:
    changed = {"status": status, "finished_at": timezone.now(), "lease_until": None, **fields}
    for name, value in changed.items():
        setattr(job, name, value)
    # Only what changed: saving the whole row would send the file back (3.8 MB for 100,000
    # lines: 0.1 s, and another copy of it in the table until VACUUM).
    job.save(update_fields=[*changed, "updated_at"])
    return job


def import_jobs_watch() -> dict[str, int]:
    """The watchdog (every half minute, from beat): no job waits, checks or writes forever
    (``JobQueue.watch``)."""
    return IMPORT_JOBS.watch(enqueue=lambda job_id: import_job_enqueue(job_id=job_id))
