"""Import jobs: store an upload, check it on a worker, write it once confirmed."""

import logging
import traceback
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from rdportfolio.core import tabular

from .models import ImportJob, ImportStatus

logger = logging.getLogger(__name__)

IMPORT_MAX_BYTES = 50 * 1024 * 1024
# A job whose worker died mid-way (still checking or writing after this long) is taken up again:
# checking writes nothing, and writing is one transaction that was rolled back.
IMPORT_STALE_AFTER = timedelta(minutes=30)


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
    if kind not in tabular.all_specs():
        raise ImportRefused(_("Unknown kind of import “%(kind)s”.") % {"kind": kind})
    suffix = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if suffix not in ("xlsx", "csv"):
        raise ImportRefused(
            _("“%(name)s” is neither an Excel (.xlsx) nor a CSV (.csv) file.") % {"name": file_name}
        )
    if not content:
        raise ImportRefused(_("The file is empty."))
    if len(content) > IMPORT_MAX_BYTES:
        raise ImportRefused(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": len(content) // 2**20, "limit": IMPORT_MAX_BYTES // 2**20}
        )
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
    return job


def import_job_enqueue(*, job_id: int) -> None:
    from .tasks import run_import

    try:
        run_import.apply_async(
            args=[job_id], retry=True, retry_policy={"max_retries": 3, "interval_start": 0.5}
        )
    except Exception:
        logger.exception("could not queue import %s", job_id)
        ImportJob.objects.filter(pk=job_id, status=ImportStatus.PENDING).update(
            status=ImportStatus.FAILED,
            message="The job queue is unreachable; upload the file again later.",
            finished_at=timezone.now(),
        )


def import_job_execute(*, job_id: int) -> ImportJob:
    """Check (and unless a dry run, write) an import job. A second delivery finds it done.

    Checking runs outside any transaction so that its progress is visible while it runs;
    writing is one transaction: every row or none.
    """
    claimable = Q(status=ImportStatus.PENDING) | Q(
        status__in=[ImportStatus.CHECKING, ImportStatus.WRITING],
        started_at__lt=timezone.now() - IMPORT_STALE_AFTER,
    )
    claimed = ImportJob.objects.filter(claimable, pk=job_id).update(
        status=ImportStatus.CHECKING, started_at=timezone.now()
    )
    job = ImportJob.objects.get(pk=job_id)
    if not claimed:
        return job

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(rows_done=done, rows_total=total)

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
    except Exception:
        logger.exception("import %s failed while checking", job_id)
        return _import_finish(
            job, status=ImportStatus.FAILED, message=traceback.format_exc(limit=3)
        )
    counts = dict(
        rows_total=plan.total,
        rows_done=plan.total,
        created_count=len(plan.create),
        updated_count=len(plan.update),
        unchanged_count=plan.unchanged,
        error_count=plan.error_count,
        errors=plan.errors,
        preview=plan.preview,
    )
    if plan.error_count:
        return _import_finish(job, status=ImportStatus.REFUSED, **counts)
    if job.dry_run:
        return _import_finish(job, status=ImportStatus.CHECKED, **counts)
    ImportJob.objects.filter(pk=job_id).update(status=ImportStatus.WRITING)
    try:
        tabular.plan_write(
            spec=job.spec, plan=plan, user=job.requested_by, reason=f"Import #{job.pk}"
        )
    except Exception as exc:
        logger.exception("import %s failed while writing; nothing was written", job_id)
        return _import_finish(
            job,
            status=ImportStatus.FAILED,
            message=f"Nothing was written: {type(exc).__name__}: {exc}",
            **counts,
        )
    return _import_finish(job, status=ImportStatus.SUCCEEDED, **counts)


def _import_finish(job: ImportJob, *, status: str, **fields) -> ImportJob:
    for name, value in {"status": status, "finished_at": timezone.now(), **fields}.items():
        setattr(job, name, value)
    job.save()
    return job
