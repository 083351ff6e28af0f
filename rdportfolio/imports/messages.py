"""What the imports tell people: uploads stopped while they streamed, files too large, a
check that took too long, rows changed since their check and by whom."""

from datetime import datetime
from typing import cast

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from rdportfolio.core import tabular

from .models import ImportJob, ImportStatus


def too_large(size: int | None) -> str:
    limit = settings.RDP_UPLOAD_MAX_BYTES // 2**20
    if size is None:
        return _("The file is larger than %(limit)s MB: split it, or save it as CSV.") % {
            "limit": limit
        }
    return _("The file is %(size)s MB; the limit is %(limit)s MB.") % {
        "size": size // 2**20,
        "limit": limit,
    }


def import_refusal_of_upload(request) -> str | None:
    """What to tell the person whose upload was stopped while it streamed: at the size
    limit, or for want of temporary space on the server."""
    refused = getattr(request, "upload_refused", None)
    if refused and refused.get("no_space"):
        return _(
            "The server has no room for this upload just now (its temporary space is full); "
            "nothing was kept. Try again later, or tell the site's administrators."
        )
    return too_large(None) if refused else None


def import_written_meanwhile(job: ImportJob) -> str:
    """Names the import written since ``job``'s check, if one was (the other editor's, when
    two confirm at once); "" when the rows changed otherwise (an edit in the admin or API)."""
    checked = cast(ImportJob, job.confirms)
    # One still "writing" has committed its rows already (this check runs after its turn)
    # and is about to record that it succeeded.
    other = (
        ImportJob.objects.filter(
            Q(status=ImportStatus.SUCCEEDED, finished_at__gte=checked.finished_at)
            | Q(status=ImportStatus.WRITING),
            dry_run=False,
        )
        .exclude(pk=job.pk)
        .select_related("requested_by")
        .order_by("-started_at")
        .first()
    )
    if other is None:
        return ""
    return " " + _(
        "Since the check, import #%(id)s by %(who)s was written (%(when)s): open it to see "
        "what it changed."
    ) % {
        "id": other.pk,
        "who": other.requested_by.get_username(),
        "when": timezone.localtime(cast(datetime, other.finished_at or other.started_at)).strftime(
            "%Y-%m-%d %H:%M"
        ),
    }


def changed_since(job: ImportJob, rows: list[int]) -> dict:
    """The refusal of an import whose rows changed in the database since its check."""
    with override(job.language):
        message = _(
            "Changed since the check: %(count)s rows. Nothing was written; check the file again "
            "to see what it would do now."
        ) % {"count": len(rows)} + import_written_meanwhile(job)
        errors = [
            {"row": number, "column": None, "message": _("Changed since the check.")}
            for number in rows[: tabular.planning.MAX_ERRORS]
        ]
    return {"message": message, "errors": errors, "error_count": len(rows)}


def too_slow_message(job: ImportJob) -> str:
    with override(job.language):
        return _(
            "Checking took longer than %(minutes)s minutes and was stopped; nothing was written. "
            "Split the file into smaller ones."
        ) % {"minutes": settings.RDP_IMPORT_TIME_LIMIT_SECONDS // 60}
